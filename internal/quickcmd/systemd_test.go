//go:build linux

package quickcmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// readUnits reads the units in systemd/ by file name.
func readUnits(t *testing.T) map[string]string {
	t.Helper()
	units := map[string]string{}
	for _, f := range []string{"wg-quick@.service", "wg-quick-fg@.service", "wg-quick.target", "wg-quick-reresolve@.service", "wg-quick-reresolve@.timer"} {
		data, err := os.ReadFile(filepath.Join("../../systemd", f))
		if err != nil {
			t.Fatal(err)
		}
		units[f] = string(data)
	}
	return units
}

// TestSystemdUnitsVerify: systemd-analyze verify finds nothing to say about
// the units (and does about a broken copy), with /usr/bin's commands
// pointing at our binaries, and the units mean what upstream's do.
func TestSystemdUnitsVerify(t *testing.T) {
	testenv.Require(t, testenv.Command("systemd-analyze", "systemd"))
	units := readUnits(t)
	bin := netnstest.BinDir(t)
	dir := t.TempDir()
	for f, text := range units {
		text = strings.ReplaceAll(text, "/usr/bin/", bin+"/")
		os.WriteFile(filepath.Join(dir, strings.Replace(f, "@", "@wgunit0", 1)), []byte(text), 0o644)
	}
	verify := func(files ...string) string {
		args := append([]string{"verify", "--man=no"}, files...)
		env := os.Environ()
		if os.Geteuid() != 0 {
			// The system manager's checks want to write /run/systemd;
			// an ordinary user verifies as a user manager, which reads
			// the units the same way.
			args = append([]string{"--user"}, args...)
			env = append(env, "XDG_RUNTIME_DIR="+t.TempDir())
		}
		cmd := exec.Command("systemd-analyze", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return string(out) + err.Error()
		}
		return string(out)
	}
	if out := verify(filepath.Join(dir, "wg-quick@wgunit0.service"), filepath.Join(dir, "wg-quick-fg@wgunit0.service"), filepath.Join(dir, "wg-quick.target"),
		filepath.Join(dir, "wg-quick-reresolve@wgunit0.service"), filepath.Join(dir, "wg-quick-reresolve@wgunit0.timer")); out != "" {
		t.Errorf("systemd-analyze verify:\n%s", out)
	}
	broken := filepath.Join(dir, "broken@wgunit0.service")
	os.WriteFile(broken, []byte(strings.Replace(units["wg-quick@.service"], "Type=oneshot", "Type=oneshoot", 1)), 0o644)
	if out := verify(broken); !strings.Contains(out, "oneshoot") {
		t.Errorf("a broken unit passed verify: %q", out)
	}

	// Upstream's semantics.
	for _, want := range []string{"Type=oneshot", "RemainAfterExit=yes", "ExecStart=/usr/bin/wg-quick up %i", "ExecStop=/usr/bin/wg-quick down %i",
		"Environment=WG_ENDPOINT_RESOLUTION_RETRIES=infinity", "PartOf=wg-quick.target", "Before=wg-quick.target", "WantedBy=multi-user.target wg-quick.target",
		"After=network-online.target nss-lookup.target", "Wants=network-online.target nss-lookup.target"} {
		if !strings.Contains(units["wg-quick@.service"], want+"\n") {
			t.Errorf("wg-quick@.service lacks %q", want)
		}
	}
	if !strings.Contains(units["wg-quick-fg@.service"], "Type=simple\nExecStart=/usr/bin/wg-quick up --foreground %i\n") {
		t.Error("wg-quick-fg@.service does not run up --foreground")
	}
	for _, unit := range []string{"wg-quick@.service", "wg-quick-fg@.service"} {
		if !strings.Contains(units[unit], "\nExecReload=/usr/bin/wg-quick reload %i\n") {
			t.Errorf("%s does not reload with wg-quick reload", unit)
		}
	}
	// Re-resolution: one pass, every 30 s while the tunnel's unit is up.
	if !strings.Contains(units["wg-quick-reresolve@.service"], "Type=oneshot\nExecStart=/usr/bin/wg-quick reresolve %i\n") {
		t.Error("wg-quick-reresolve@.service does not run reresolve once")
	}
	for _, want := range []string{"OnUnitActiveSec=30s", "PartOf=wg-quick@%i.service", "WantedBy=timers.target"} {
		if !strings.Contains(units["wg-quick-reresolve@.timer"], want+"\n") {
			t.Errorf("wg-quick-reresolve@.timer lacks %q", want)
		}
	}
}

// TestSystemdUnitsRun: the units' commands, run as systemd would for an
// instance, bring a tunnel up, reload a changed peer list without taking
// it down, and take it down.
func TestSystemdUnitsRun(t *testing.T) {
	units := readUnits(t)
	// Run ExecStart, ExecReload and ExecStop as systemd would, with our
	// binaries in place of /usr/bin's.
	p := netnstest.NewPair(t)
	bin := netnstest.BinDir(t)
	conf := p.QuickConf("wgunit0", "Address = 10.0.0.1/24\n", "AllowedIPs = 10.9.0.0/16\n")
	exec1 := func(key string) netnstest.Result {
		m := regexp.MustCompile(`(?m)^` + key + `=(.*)$`).FindStringSubmatch(units["wg-quick@.service"])
		line := strings.NewReplacer("%i", conf, "/usr/bin/", bin+"/").Replace(m[1])
		line = strings.Replace(line, "syncconf "+conf, "syncconf wgunit0", 1)
		args := strings.SplitN(line, " ", 3)
		if args[0] == "/bin/sh" {
			args = []string{"/bin/sh", "-c", strings.Trim(args[2], "'")}
		} else {
			args = strings.Fields(line)
		}
		cmd := exec.Command("ip", append([]string{"netns", "exec", p.NS[0]}, args...)...)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "WG_ENDPOINT_RESOLUTION_RETRIES=infinity"}
		return netnstest.Run(t, cmd)
	}
	if r := exec1("ExecStart"); r.Code != 0 {
		t.Fatalf("ExecStart: %+v", r)
	}
	_, extra := netnstest.Keypair(t)
	f, _ := os.OpenFile(conf, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("[Peer]\nPublicKey = " + extra + "\nAllowedIPs = 10.10.0.0/16\n")
	f.Close()
	if r := exec1("ExecReload"); r.Code != 0 {
		t.Errorf("ExecReload: %+v", r)
	}
	if got := p.In(0, netnstest.Binary(t), "show", "wgunit0", "peers"); !strings.Contains(got, extra) {
		t.Errorf("after reload the peers are %q, want %s among them", got, extra)
	}
	if got := p.In(0, "ip", "route", "show", "dev", "wgunit0"); !strings.Contains(got, "10.10.0.0/16") {
		t.Errorf("after reload the routes are %q, want 10.10.0.0/16 among them", got)
	}
	if r := exec1("ExecStop"); r.Code != 0 {
		t.Errorf("ExecStop: %+v", r)
	}
}
