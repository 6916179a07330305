package xplan

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Comparable is what two transcripts must agree on: the LOG and EXIT
// lines, the CALL lines of commands that change the machine (the queries
// each side makes differ: upstream parses tools' output, we ask the
// system), and the machine after up and after down (STATE up and down,
// one line per fact), in order.
func Comparable(recs []Record) []string {
	var out []string
	for _, r := range recs {
		switch {
		case r.Kind == "LOG" || r.Kind == "EXIT":
			out = append(out, r.Kind+" "+r.Text)
		case r.Kind == "CALL" && changes(r.Argv):
			out = append(out, "CALL "+jsonText(r.Argv))
		case r.Kind == "STATE":
			phase, state, _ := strings.Cut(r.Text, " ")
			if phase == "up" || phase == "down" {
				out = append(out, stateLines("STATE "+phase, state)...)
			}
		}
	}
	return out
}

// stateLines is a STATE dump (the simulator's schema) as one line per
// fact, so that a difference names the fact: each route, each
// interface's MTU, flag and addresses, each service, each peer, each
// file; anything else whole.
func stateLines(prefix, state string) []string {
	var s map[string]json.RawMessage
	if err := json.Unmarshal([]byte(state), &s); err != nil {
		return []string{prefix + " (unreadable) " + state}
	}
	var out []string
	line := func(f string, args ...any) {
		for i, a := range args {
			if raw, ok := a.(json.RawMessage); ok {
				args[i] = canonical(raw)
			}
		}
		out = append(out, prefix+" "+fmt.Sprintf(f, args...))
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		v := s[k]
		switch k {
		case "routes":
			var routes []string
			json.Unmarshal(v, &routes)
			for _, r := range routes {
				line("route %s", r)
			}
		case "interfaces":
			var ifaces map[string]map[string]json.RawMessage
			json.Unmarshal(v, &ifaces)
			for _, name := range slices.Sorted(maps.Keys(ifaces)) {
				for _, f := range slices.Sorted(maps.Keys(ifaces[name])) {
					line("interface %s %s %s", name, f, ifaces[name][f])
				}
			}
		case "network_services":
			var services []map[string]json.RawMessage
			json.Unmarshal(v, &services)
			for _, sv := range services {
				line("service %s dns %s search %s enabled %s", sv["name"], sv["dns"], sv["search"], sv["enabled"])
			}
		case "wg":
			var devs map[string][]map[string]json.RawMessage
			json.Unmarshal(v, &devs)
			for _, name := range slices.Sorted(maps.Keys(devs)) {
				for _, p := range devs[name] {
					line("wg %s peer %s endpoint %s allowed %s", name, p["public_key"], p["endpoint"], p["allowed_ips"])
				}
			}
		case "files":
			var files map[string]json.RawMessage
			json.Unmarshal(v, &files)
			for _, path := range slices.Sorted(maps.Keys(files)) {
				line("file %s %s", path, files[path])
			}
		default:
			line("%s %s", k, v)
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
	case "pfctl":
		return slices.ContainsFunc(args, func(a string) bool {
			return slices.Contains([]string{"-f", "-F", "-e", "-d", "-E", "-X"}, a)
		})
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

// canonical is a JSON value as jsonText writes it, whichever encoder
// wrote it (Python escapes non-ASCII text, Go does not).
func canonical(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	return jsonText(v)
}
