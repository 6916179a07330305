package config

import (
	"fmt"
	"unicode/utf8"
)

// ErrorKind tells how `wg setconf` reports an error after its message.
type ErrorKind int

const (
	// KindLine is a bad line or value: "Configuration parsing error" follows.
	KindLine ErrorKind = iota
	// KindInvalid is a file that parsed but is incomplete (a peer without
	// a public key): "Invalid configuration" follows.
	KindInvalid
	// KindFatal ends the program at once with only the message, as
	// upstream's exit(1) on a bad WG_ENDPOINT_RESOLUTION_RETRIES does.
	KindFatal
	// KindArg is a bad `wg set` argument: only the message is printed.
	KindArg
)

// Error is a parse error. Msg is upstream's text; Line is the 1-based line of
// the file it comes from (0 when it does not come from a file).
type Error struct {
	Line int
	// Key is the configuration key involved, when there is one; for an
	// unrecognized line, the key as written.
	Key string
	// Unrecognized marks "Line unrecognized": an unknown key, a key of
	// another section or without a value, or no key at all.
	Unrecognized bool
	Msg          string
	Kind         ErrorKind
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// quote formats a value the way upstream messages do: `value'.
func quote(msg, value string) string { return msg + ": `" + value + "'" }

// valueError is a value parser's failure, before a line is attached.
type valueError struct {
	msg   string
	fatal bool
}

func (e *valueError) Error() string { return e.msg }

func errValue(msg, value string) error { return &valueError{msg: quote(msg, value)} }

// Excerpt is s for an error message: whole when short, else its start and
// its length, so that a huge value does not make a huge message.
func Excerpt(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max - 16
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:cut], len(s))
}
