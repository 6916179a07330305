package quickcmd

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// inFile gives an error from a config's line its FILE:LINE (a
// *lineError); other errors are returned as they are.
func inFile(path string, err error) error {
	var e *config.Error
	if !errors.As(err, &e) || e.Line <= 0 {
		return err
	}
	return &lineError{path: path, err: err}
}

// lineError is a config error shown as FILE:LINE: message, with a hint
// for a misspelt key or a wg-quick key in a [Peer] section.
type lineError struct {
	path string
	err  error
}

func (l *lineError) Error() string {
	var e *config.Error
	errors.As(l.err, &e)
	msg := fmt.Sprintf("%s:%d: %s", l.path, e.Line, e.Msg)
	if h := keyHint(e); h != "" {
		msg += "\n  hint: " + h
	}
	return msg
}

func (l *lineError) Unwrap() error { return l.err }

// keyHint explains an unrecognized line: a wg-quick key in [Peer], a key
// of the other section, or a misspelt key.
func keyHint(e *config.Error) string {
	key := e.Key
	if !e.Unrecognized || key == "" {
		return ""
	}
	for _, k := range config.QuickKeys {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf("%s belongs in the [Interface] section", k)
		}
	}
	best, bestD := "", 3
	for _, k := range slices.Concat(config.InterfaceKeys, config.QuickKeys, config.PeerKeys) {
		if strings.EqualFold(k, key) {
			return fmt.Sprintf("%s is not valid in this section", k)
		}
		if d := distance(strings.ToLower(key), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %s; did you mean %s?", key, best)
	}
	return fmt.Sprintf("unknown key %s", key)
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
