package xplan

import (
	"slices"
	"strings"
)

// Comparable is what two transcripts must agree on: the LOG and EXIT
// lines, and the CALL lines of commands that change the machine (the
// queries each side makes differ: upstream parses tools' output, we ask
// the system), in order.
func Comparable(recs []Record) []string {
	var out []string
	for _, r := range recs {
		switch {
		case r.Kind == "LOG" || r.Kind == "EXIT":
			out = append(out, r.Kind+" "+r.Text)
		case r.Kind == "CALL" && changes(r.Argv):
			out = append(out, "CALL "+jsonText(r.Argv))
		}
	}
	return out
}

// changes reports whether a command line changes the machine.
func changes(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	args := argv[1:]
	switch argv[0] {
	case "wireguard-go":
		return true
	case "wg":
		return len(args) > 0 && slices.Contains([]string{"addconf", "setconf", "syncconf", "set"}, args[0])
	case "ifconfig":
		return len(args) >= 2
	case "route":
		return slices.ContainsFunc(args, func(a string) bool { return a == "add" || a == "delete" || a == "change" })
	case "networksetup":
		return len(args) > 0 && strings.HasPrefix(args[0], "-set")
	case "resolvconf":
		return len(args) > 0 && (args[0] == "-a" || args[0] == "-d")
	}
	return false
}

// Diff is the lines only a has ("- "), and only b ("+ "), as a line diff
// finds them (longest common subsequence), in order.
func Diff(a, b []string) []string {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			out = append(out, "+ "+b[j])
			j++
		default:
			out = append(out, "- "+a[i])
			i++
		}
	}
	return out
}
