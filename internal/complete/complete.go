// Package complete answers shell completion for wg and wg-quick: given the
// words typed so far, it returns the candidates for the last one. The
// shell scripts in completions/ (generated with cobra, see
// tools/completions) ask for them with cobra's protocol:
// `PROG __complete WORD... CURRENT` prints one candidate per line, then
// `:DIRECTIVE`. The programs themselves do not link cobra.
package complete

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Directive tells the shell what to do besides offering the candidates
// (cobra's ShellCompDirective bits).
type Directive int

// Directives, as cobra numbers them.
const (
	Default    Directive = 0
	Error      Directive = 1
	NoSpace    Directive = 2
	NoFileComp Directive = 4
	KeepOrder  Directive = 32
)

// Sources are where candidates come from on the running system.
type Sources struct {
	// Interfaces lists the WireGuard interfaces (`wg show interfaces`).
	Interfaces func() []string
	// Peers lists an interface's peers' public keys.
	Peers func(iface string) []string
	// Configs lists config names in /etc/wireguard (NAME of NAME.conf).
	Configs func() []string
	// Files lists paths starting with prefix: files whose name ends in
	// suffix (any file when suffix is ""), and directories with a
	// trailing slash.
	Files func(prefix, suffix string) []string
	// PeerNames lists the `# Name =` peers of a wg-quick config operand.
	PeerNames func(operand string) []string
}

func call(f func() []string) []string {
	if f == nil {
		return nil
	}
	return f()
}

// Write prints candidates that start with cur, then the directive, as
// cobra's __complete does.
func Write(w io.Writer, cands []string, cur string, d Directive) {
	for _, c := range cands {
		if strings.HasPrefix(c, cur) {
			fmt.Fprintln(w, c)
		}
	}
	fmt.Fprintf(w, ":%d\n", d)
}

// unused returns the options not yet among words.
func unused(options []string, words []string) []string {
	var out []string
	for _, o := range options {
		seen := false
		for _, w := range words {
			seen = seen || w == o
		}
		if !seen {
			out = append(out, o)
		}
	}
	return out
}

// files completes file names (any suffix when suffix is ""), leaving the
// cursor after a directory.
func files(s Sources, cur, suffix string) ([]string, Directive) {
	if s.Files == nil {
		return nil, Default
	}
	out := s.Files(cur, suffix)
	for _, f := range out {
		if strings.HasSuffix(f, "/") {
			return out, NoSpace | NoFileComp
		}
	}
	return out, NoFileComp
}

func sorted(ss []string) []string {
	out := append([]string(nil), ss...)
	sort.Strings(out)
	return out
}
