package complete

import "strings"

// QuickCommands are wg-quick's actions: upstream's up and down, then the
// others.
var QuickCommands = []string{"up", "down", "save", "strip", "qr", "peer", "status", "reresolve", "reload", "doctor"}

// QuickFlags are the flags of the actions that take some (a switch, not a
// map: a map literal is built when the program starts, whatever it runs).
func QuickFlags(action string) []string {
	switch action {
	case "up":
		return []string{"--foreground", "--kill-switch", "--netns", "--netns-create"}
	case "down":
		return []string{"--netns"}
	case "reload":
		return []string{"--run-postup"}
	case "qr":
		return []string{"--png", "--size", "--ascii", "--keep-extensions"}
	case "peer add":
		return []string{"--address", "--allowed-ips", "--dns", "--endpoint", "--keepalive", "--no-psk", "--out", "--qr"}
	case "peer list", "status", "doctor":
		return []string{"--json"}
	}
	return nil
}

// Quick completes `wg-quick WORDS... CUR`.
func Quick(words []string, cur string, s Sources) ([]string, Directive) {
	if len(words) == 0 {
		return QuickCommands, NoFileComp | KeepOrder
	}
	cmd := words[0]
	rest := words[1:]
	if strings.HasPrefix(cur, "-") {
		key := cmd
		if cmd == "peer" && len(rest) > 0 {
			key = "peer " + rest[0]
		}
		return unused(QuickFlags(key), words), NoFileComp
	}
	if n := len(words); n > 0 && (words[n-1] == "--png" || words[n-1] == "--out") {
		return files(s, cur, "")
	}
	if n := len(words); n > 0 && (words[n-1] == "--size" || words[n-1] == "--keepalive" || words[n-1] == "--address" ||
		words[n-1] == "--allowed-ips" || words[n-1] == "--dns" || words[n-1] == "--endpoint") {
		return nil, NoFileComp
	}
	operands := positional(rest)
	switch cmd {
	case "up", "strip", "qr", "reload", "doctor":
		if len(operands) == 0 {
			return configOrFile(s, cur)
		}
	case "down", "save", "status":
		if len(operands) == 0 {
			return call(s.Interfaces), NoFileComp
		}
	case "reresolve":
		if len(operands) == 0 {
			return append(call(s.Interfaces), "all"), NoFileComp
		}
	case "peer":
		switch {
		case len(operands) == 0:
			return []string{"add", "list", "remove"}, NoFileComp | KeepOrder
		case len(operands) == 1:
			return configOrFile(s, cur)
		case len(operands) == 2 && operands[0] == "remove" && s.PeerNames != nil:
			return s.PeerNames(operands[1]), NoFileComp
		}
	}
	return nil, NoFileComp
}

// positional drops flags and their values.
func positional(words []string) []string {
	var out []string
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case w == "--foreground" || w == "--kill-switch" || w == "--run-postup" || w == "--ascii" || w == "--keep-extensions" || w == "--no-psk" || w == "--qr" || w == "--json":
		case strings.HasPrefix(w, "--") && !strings.Contains(w, "="):
			i++ // its value
		case strings.HasPrefix(w, "-"):
		default:
			out = append(out, w)
		}
	}
	return out
}

// configOrFile offers config names, then *.conf files and directories.
func configOrFile(s Sources, cur string) ([]string, Directive) {
	out := sorted(call(s.Configs))
	d := NoFileComp
	if s.Files != nil {
		fs, fd := files(s, cur, ".conf")
		out = append(out, fs...)
		d = fd
	}
	return out, d
}
