//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// bashComplete runs the bash completion script of prog in a real bash (in
// namespace 0 of the pair) for the command line line, the cursor at its
// end, and returns the candidates.
func bashComplete(p *netnstest.Pair, t *testing.T, bin, prog, line string) []string {
	t.Helper()
	script, _ := filepath.Abs("../../completions/" + prog + ".bash")
	body := `source /usr/share/bash-completion/bash_completion
source "$1"
read -ra COMP_WORDS <<< "$2"
[[ $2 == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE=$2
COMP_POINT=${#COMP_LINE}
"__start_$3" "$3" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
printf '%s\n' "${COMPREPLY[@]}"`
	cmd := exec.Command("ip", "netns", "exec", p.NS[0], "bash", "-c", body, "bash", script, line, prog)
	cmd.Env = []string{"PATH=" + bin + ":/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bash completion of %q: %v", line, err)
	}
	return strings.Fields(string(out))
}

// TestBashCompletion drives the bash scripts through a real bash: wg's
// subcommands, interfaces of the running system, show fields, the set
// keywords still unused in the scope, peer keys after peer, and
// wg-quick's actions, config names and flags.
func TestBashCompletion(t *testing.T) {
	testenv.Require(t, testenv.Package("/usr/share/bash-completion/bash_completion", "bash-completion"))
	p := netnstest.NewPair(t)
	bin := netnstest.BinDir(t)
	dev := "wgcomp0"
	p.In(0, p.Daemon, dev)
	t.Cleanup(func() { exec.Command("ip", "-n", p.NS[0], "link", "del", dev).Run() })
	_, peer := netnstest.Keypair(t)
	p.In(0, netnstest.Binary(t), "set", dev, "peer", peer, "allowed-ips", "10.0.0.2/32")
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "office.conf"), nil, 0o600)
	os.Mkdir(filepath.Join(dir, "sub"), 0o700)
	for _, c := range []struct {
		prog, line string
		want       []string // every one of these, and nothing else when exact
		exact      bool
	}{
		{"wg", "wg ", []string{"help", "show", "showconf", "set", "setconf", "addconf", "syncconf", "genkey", "genpsk", "pubkey"}, true},
		{"wg", "wg sh", []string{"show", "showconf"}, true},
		{"wg", "wg show ", []string{dev, "all", "interfaces"}, false},
		{"wg", "wg show " + dev + " ", []string{"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys", "endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive", "transfer", "dump", "json"}, true},
		{"wg", "wg show all la", []string{"latest-handshakes"}, true},
		{"wg", "wg set " + dev + " ", []string{"listen-port", "fwmark", "private-key", "peer"}, true},
		{"wg", "wg set " + dev + " listen-port 1 ", []string{"fwmark", "private-key", "peer"}, true},
		{"wg", "wg set " + dev + " peer ", []string{peer}, true},
		{"wg", "wg set " + dev + " peer " + peer + " ", []string{"preshared-key", "endpoint", "allowed-ips", "persistent-keepalive", "remove", "peer"}, true},
		{"wg", "wg set " + dev + " peer " + peer + " endpoint 1.2.3.4:5 ", []string{"preshared-key", "allowed-ips", "persistent-keepalive", "remove", "peer"}, true},
		{"wg", "wg set " + dev + " peer " + peer + " remove ", []string{"peer"}, true},
		{"wg", "wg set " + dev + " private-key " + dir + "/off", []string{dir + "/office.conf"}, true},
		{"wg", "wg setconf " + dev + " " + dir + "/", []string{dir + "/office.conf", dir + "/sub/"}, true},
		{"wg", "wg genkey ", nil, true},
		{"wg-quick", "wg-quick ", []string{"up", "down", "save", "strip", "qr", "peer", "status", "reresolve", "reload", "doctor"}, true},
		{"wg-quick", "wg-quick down ", []string{dev}, false},
		{"wg-quick", "wg-quick up " + dir + "/", []string{dir + "/office.conf", dir + "/sub/"}, false},
		{"wg-quick", "wg-quick up --", []string{"--foreground", "--kill-switch", "--netns", "--netns-create"}, true},
		{"wg-quick", "wg-quick peer ", []string{"add", "list", "remove"}, true},
		{"wg-quick", "wg-quick peer add wg0 phone --no", []string{"--no-psk"}, true},
		{"wg-quick", "wg-quick qr --", []string{"--png", "--size", "--ascii", "--keep-extensions"}, true},
		{"wg-quick", "wg-quick status --", []string{"--json"}, true},
	} {
		got := bashComplete(p, t, bin, c.prog, c.line)
		if c.exact && strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%q completes to %q, want %q", c.line, got, c.want)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+w+" ") {
				t.Errorf("%q completes to %q, missing %q", c.line, got, w)
			}
		}
	}
}

// TestCompleteProtocol checks the __complete answers that the zsh, fish and
// PowerShell scripts read: candidates, then the directive.
func TestCompleteProtocol(t *testing.T) {
	wg := netnstest.Binary(t)
	for _, c := range []struct {
		prog string
		args []string
		want string
	}{
		{"wg", []string{"__complete", "gen"}, "genkey\ngenpsk\n:36\n"},
		{"wg", []string{"__complete", "show", "wgnosuch0", "tr"}, "transfer\n:36\n"},
		{"wg", []string{"__completeNoDesc", "set", "wg0", "peer", "K", "remove", ""}, "peer\n:4\n"},
		{"wg", []string{"__complete", "pubkey", ""}, ":4\n"},
		{"wg-quick", []string{"__complete", "p"}, "peer\n:36\n"},
		{"wg-quick", []string{"__complete", "peer", "add", "wg0", "x", "--e"}, "--endpoint\n:4\n"},
		{"wg-quick", []string{"__complete", "up", "--foreground", "x", ""}, ":4\n"},
	} {
		cmd := exec.Command(wg, c.args...)
		cmd.Args[0] = c.prog
		r := netnstest.Run(t, cmd)
		if r.Stdout != c.want || r.Code != 0 {
			t.Errorf("%s %q = %+v, want %q", c.prog, c.args, r, c.want)
		}
	}
}
