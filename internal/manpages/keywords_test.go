package manpages

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/show"
)

// keywords is one group of words the code accepts, and where the man pages
// must document them.
type keywords struct {
	name string
	// pages are the pages any of which may document a word (one section
	// name for each, "" for the whole page).
	pages, sections []string
	// scan lists the words from the code.
	scan func(t *testing.T) []string
	// atLeast is a cross-check of the scan: words it must have found.
	atLeast []string
	// prefix is put before each word when looking for it (such as "--").
	prefix string
}

func wgPage(section string) ([]string, []string) {
	return []string{"man/wg.8"}, []string{section}
}

func quickPage(section string) ([]string, []string) {
	return []string{"man/wg-quick.8"}, []string{section}
}

// commandsOf lists a page's COMMANDS section and its SHELL COMPLETION
// section, which documents the hidden completion commands.
func commandsOf(page string) func(string) ([]string, []string) {
	return func(string) ([]string, []string) {
		return []string{page, page}, []string{"COMMANDS", "SHELL COMPLETION"}
	}
}

func anyPage(section string) ([]string, []string) {
	return pages, []string{section, section}
}

func keywordGroups() []keywords {
	var groups []keywords
	add := func(name string, where func(string) ([]string, []string), section string, scan func(t *testing.T) []string, atLeast ...string) {
		p, s := where(section)
		groups = append(groups, keywords{name: name, pages: p, sections: s, scan: scan, atLeast: atLeast})
	}

	// wg: the command table, the root's flags and the show grammar.
	add("wg subcommands (wgcmd.subcommands)", wgPage, "COMMANDS", func(t *testing.T) []string {
		return compositeHeads(parseDir(t, "internal/wgcmd").fn(t, "subcommands"), 3)
	}, "show", "showconf", "set", "setconf", "addconf", "syncconf", "genkey", "genpsk", "pubkey")
	add("wg root words (wgcmd.Run, runRoot)", commandsOf("man/wg.8"), "", func(t *testing.T) []string {
		src := parseDir(t, "internal/wgcmd")
		return append(comparedStrings(src.fn(t, "Run"), "args"), caseStrings(src.fn(t, "runRoot"))...)
	}, "-h", "--help", "help", "-v", "--version", "version", "__complete")
	add("wg show arguments (wgcmd.runShow, showAll)", wgPage, "COMMANDS", func(t *testing.T) []string {
		src := parseDir(t, "internal/wgcmd")
		return append(comparedStrings(src.fn(t, "runShow")), comparedStrings(src.fn(t, "showAll"))...)
	}, "all", "interfaces", "json")
	add("wg show fields (show.Fields)", wgPage, "COMMANDS", func(t *testing.T) []string {
		return append(slices.Clone(show.Fields), caseStrings(parseDir(t, "internal/show").fn(t, "Field"))...)
	}, "public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys", "endpoints",
		"allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive", "dump")
	add("wg set keywords (config.ParseSet)", wgPage, "COMMANDS", func(t *testing.T) []string {
		return comparedStrings(parseDir(t, "internal/config").fn(t, "ParseSet"), "tok")
	}, "listen-port", "fwmark", "private-key", "peer", "remove", "preshared-key", "endpoint",
		"persistent-keepalive", "allowed-ips")
	add("wg config keys (config.interfaceValue, peerValue)", wgPage, "CONFIGURATION FILE FORMAT", func(t *testing.T) []string {
		src := parseDir(t, "internal/config")
		return append(caseStrings(src.fn(t, "interfaceValue")), caseStrings(src.fn(t, "peerValue"))...)
	}, "PrivateKey", "ListenPort", "FwMark", "PublicKey", "PresharedKey", "AllowedIPs", "Endpoint",
		"PersistentKeepalive")
	add("wg config sections (config parser.line)", wgPage, "CONFIGURATION FILE FORMAT", func(t *testing.T) []string {
		return callStrings(parseDir(t, "internal/config").fn(t, "line"), "equalFold", 1, "")
	}, "[Interface]", "[Peer]")
	add("wg show json members (internal/show struct tags)", wgPage, "JSON OUTPUT", func(t *testing.T) []string {
		return parseDir(t, "internal/show").jsonTags()
	}, "interfaces", "name", "privateKey", "publicKey", "listenPort", "fwmark", "peers", "presharedKey",
		"endpoint", "allowedIps", "latestHandshake", "transferRx", "transferTx", "persistentKeepalive")

	// The wireguard-go personality.
	add("program names (app.lookup)", wgPage, "DESCRIPTION", func(t *testing.T) []string {
		return caseStrings(parseDir(t, "internal/app").fn(t, "lookup"))
	}, "wg", "wg-quick", "wireguard-go")
	add("wireguard-go arguments (daemon.Run)", wgPage, "USERSPACE DAEMON", func(t *testing.T) []string {
		return comparedStrings(parseDir(t, "internal/daemon").fn(t, "Run"), "args")
	}, "--version", "-f", "--foreground")
	add("LOG_LEVEL values (daemon.logLevel)", wgPage, "ENVIRONMENT", func(t *testing.T) []string {
		return caseStrings(parseDir(t, "internal/daemon").fn(t, "logLevel"))
	}, "verbose", "debug", "silent")

	// wg-quick: actions, subcommands, options and keys.
	add("wg-quick actions (quickcmd.Run, dispatch, parseArgs, peerCmd)", commandsOf("man/wg-quick.8"), "", func(t *testing.T) []string {
		src := parseDir(t, "internal/quickcmd")
		var out []string
		for _, f := range []string{"Run", "dispatch", "parseArgs", "peerCmd"} {
			out = append(out, caseStrings(src.fn(t, f))...)
			out = append(out, comparedStrings(src.fn(t, f), "args")...)
		}
		return append(out, mapKeys(src.variable(t, "verbFlags"))...)
	}, "up", "down", "save", "strip", "--foreground", "--kill-switch", "--netns", "--netns-create", "reload", "--run-postup", "qr", "peer", "add", "list", "remove", "rm",
		"-h", "--help", "help")
	add("wg-quick options (quickcmd flag sets)", quickPage, "COMMANDS", func(t *testing.T) []string {
		return parseDir(t, "internal/quickcmd").flagNames()
	}, "address", "allowed-ips", "dns", "endpoint", "keepalive", "no-psk", "out", "qr", "json",
		"png", "size", "ascii")
	groups[len(groups)-1].prefix = "--"
	add("wg-quick options in help texts (quickcmd *Help, usageText)", quickPage, "COMMANDS", func(t *testing.T) []string {
		return parseDir(t, "internal/quickcmd").helpOptions()
	}, "--address", "--json", "--png", "--qr")
	add("wg-quick config keys (config.ParseQuickLines)", quickPage, "CONFIGURATION", func(t *testing.T) []string {
		return callStrings(parseDir(t, "internal/config").fn(t, "ParseQuickLines"), "equalFold", 1, "key")
	}, "Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig", "KillSwitch", "ExcludedIPs", "AllowLAN", "[Interface]")
	add("wg-quick Table values (linux.Platform.ParseTable)", quickPage, "CONFIGURATION", func(t *testing.T) []string {
		return comparedStrings(parseDir(t, "internal/quick/linux").fn(t, "ParseTable"), "s")
	}, "auto", "off")
	add("wg-quick peer list --json members (quickcmd struct tags)", quickPage, "COMMANDS", func(t *testing.T) []string {
		return parseDir(t, "internal/quickcmd").jsonTags()
	}, "name", "publicKey", "allowedIps", "endpoint", "latestHandshake", "transferRx", "transferTx",
		"inFile", "running")
	add("DNS backends (dns.Name*)", quickPage, "DNS", func(t *testing.T) []string {
		return parseDir(t, "internal/dns").constsNamed("Name")
	}, "resolvconf", "systemd-resolved", "direct")

	// Whatever reads the environment or names a system file, anywhere.
	add("environment variables (Getenv/LookupEnv in internal/, cmd/)", anyPage, "ENVIRONMENT", func(t *testing.T) []string {
		var out []string
		for _, dir := range []string{"internal", "cmd"} {
			for _, src := range parseTree(t, dir) {
				out = append(out, src.envVars(t)...)
			}
		}
		return out
	}, "WG_COLOR_MODE", "WG_HIDE_KEYS", "WG_ENDPOINT_RESOLUTION_RETRIES", "WG_QUICK_USERSPACE_IMPLEMENTATION",
		"LOG_LEVEL", "WG_PROCESS_FOREGROUND", "WG_TUN_FD", "WG_UAPI_FD", "WG_TUN_NAME_FILE",
		"LC_ALL", "LC_CTYPE", "LANG")
	add("system files (path literals in internal/, cmd/)", anyPage, "FILES", func(t *testing.T) []string {
		var out []string
		for _, dir := range []string{"internal", "cmd"} {
			for _, src := range parseTree(t, dir) {
				out = append(out, src.paths()...)
			}
		}
		return out
	}, "/etc/wireguard", "/var/run/wireguard", "/run/wgtools", "/etc/resolv.conf")
	return groups
}

// TestKeywords fails when a word the code accepts is missing from the man
// page (and section) that should document it.
func TestKeywords(t *testing.T) {
	for _, page := range pages {
		render(t, page) // once, before the groups: it may skip
	}
	for _, g := range keywordGroups() {
		t.Run(g.name, func(t *testing.T) {
			words := uniq(g.scan(t))
			t.Logf("from the code: %q", words)
			for _, w := range g.atLeast {
				if !slices.Contains(words, w) {
					t.Errorf("the scan did not find %q (found %q): the code moved; update the scan in internal/manpages", w, words)
				}
			}
			for _, w := range words {
				word := g.prefix + w
				if !documented(t, g, word) {
					t.Errorf("%q is accepted by the code but not documented in %s", word, where(g))
				}
			}
		})
	}
}

func documented(t *testing.T, g keywords, word string) bool {
	for i, page := range g.pages {
		if hasWord(render(t, page).section(t, g.sections[i]), word) {
			return true
		}
	}
	return false
}

func where(g keywords) string {
	var w []string
	for i, page := range g.pages {
		if g.sections[i] == "" {
			w = append(w, page)
		} else {
			w = append(w, page+" ("+g.sections[i]+")")
		}
	}
	return strings.Join(w, " or ")
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}
