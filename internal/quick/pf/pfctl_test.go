package pf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stubPfctl writes a pfctl that logs its arguments and standard input to
// a file and answers each with what replies gives (stdout, stderr, exit
// status, by the arguments joined with spaces).
func stubPfctl(t *testing.T, replies map[string][3]string) (path, logPath string) {
	t.Helper()
	dir := t.TempDir()
	logPath = filepath.Join(dir, "log")
	var b strings.Builder
	b.WriteString("#!/bin/sh\nprintf 'ARGS %s\\n' \"$*\" >> " + logPath + "\n")
	b.WriteString("if [ \"$*\" = \"-f -\" ] || [ \"${3:-}\" = \"-f\" ]; then printf 'STDIN ' >> " + logPath + "; cat >> " + logPath + "; fi\n")
	b.WriteString("case \"$*\" in\n")
	for args, r := range replies {
		b.WriteString("'" + args + "') printf '%s' '" + r[0] + "'; printf '%s' '" + r[1] + "' >&2; exit " + r[2] + ";;\n")
	}
	b.WriteString("esac\nexit 0\n")
	path = filepath.Join(dir, "pfctl")
	if err := os.WriteFile(path, []byte(b.String()), 0o755); err != nil {
		t.Fatal(err)
	}
	return path, logPath
}

// TestPfctl runs Pfctl against a stub pfctl: the arguments and standard
// input each method gives it, what it reads from the answers, and its
// errors (pfctl's message, without the ALTQ notices).
func TestPfctl(t *testing.T) {
	path, logPath := stubPfctl(t, map[string][3]string{
		"-s rules": {"anchor \"com.apple/*\" all\n", "No ALTQ support in kernel\nALTQ related functions disabled\n", "0"},
		"-E":       {"", "No ALTQ support in kernel\nALTQ related functions disabled\npf enabled\nToken : 9346048467283416487\n", "0"},
		"-s info":  {"Status: Enabled for 0 days 00:01:02           Debug: Urgent\n\nState Table                          Total             Rate\n", "", "0"},
		"-X 12":    {"", "No ALTQ support in kernel\npfctl: DIOCSTOPREF: Invalid argument\n", "1"},
		"-a com.apple/100.wgtools.killswitch.wg0 -s rules": {"", "pfctl: DIOCGETRULES: Invalid argument\n", "1"},
	})
	p := Pfctl{OS: Darwin, Path: path}
	if got, err := p.Rules(""); err != nil || !HasAnchorRule(got, "com.apple") {
		t.Errorf("Rules = %q, %v", got, err)
	}
	if _, err := p.Rules(Anchor(Darwin, "wg0")); err == nil || err.Error() != "pfctl: DIOCGETRULES: Invalid argument" {
		t.Errorf("Rules of a missing anchor: %v", err)
	}
	if err := p.Load(Anchor(Darwin, "wg0"), "pass out quick on lo0 all\n"); err != nil {
		t.Error(err)
	}
	if token, err := p.Enable(); token != "9346048467283416487" || err != nil {
		t.Errorf("Enable = %q, %v", token, err)
	}
	if on, err := p.Enabled(); !on || err != nil {
		t.Errorf("Enabled = %v, %v", on, err)
	}
	if err := p.Release("12"); err == nil || err.Error() != "pfctl: DIOCSTOPREF: Invalid argument" {
		t.Errorf("Release: %v", err)
	}
	if err := p.Flush(Anchor(Darwin, "wg0")); err != nil {
		t.Error(err)
	}
	bsd := Pfctl{OS: "freebsd", Path: path}
	bsd.Load("", "anchor \"wgtools/*\" all\n")
	bsd.Enable()
	bsd.Release("")
	bsd.Flush("")
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	want := `ARGS -s rules
ARGS -a com.apple/100.wgtools.killswitch.wg0 -s rules
ARGS -a com.apple/100.wgtools.killswitch.wg0 -f -
STDIN pass out quick on lo0 all
ARGS -E
ARGS -s info
ARGS -X 12
ARGS -a com.apple/100.wgtools.killswitch.wg0 -F all
ARGS -f -
STDIN anchor "wgtools/*" all
ARGS -e
ARGS -d
ARGS -F rules
`
	if diff := cmp.Diff(want, string(data)); diff != "" {
		t.Errorf("pfctl's calls (-want +got):\n%s", diff)
	}
}

func TestParse(t *testing.T) {
	for _, tt := range []struct {
		info string
		on   bool
	}{
		{"Status: Enabled for 0 days 00:01:02           Debug: Urgent\n", true},
		{"No ALTQ support in kernel\nStatus: Disabled for 0 days 00:00:00              Debug: Urgent\n", false},
		{"", false},
	} {
		if got := StatusEnabled(tt.info); got != tt.on {
			t.Errorf("StatusEnabled(%q) = %v", tt.info, got)
		}
	}
	if _, ok := Token("pf enabled\n"); ok {
		t.Error("a token without a Token line")
	}
	if !HasAnchorRule("scrub-anchor \"com.apple/*\" all fragment reassemble\nanchor \"com.apple/*\" all\n", "com.apple") ||
		HasAnchorRule("scrub-anchor \"com.apple/*\" all fragment reassemble\n", "com.apple") ||
		!HasAnchorRule("anchor \"wgtools/*\" all label \"x\"\n", "wgtools") || HasAnchorRule("anchor \"wgtools/x\" all\n", "wgtools") {
		t.Error("HasAnchorRule")
	}
}
