package dns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// directNetns sets up a namespace for the direct backend and returns it,
// the host path of its resolv.conf, the state directory and the helper's
// environment (Pick must choose the direct backend).
func directNetns(t *testing.T) (ns, path, state string, env []string) {
	t.Helper()
	requireRoot(t)
	ns = newNetns(t, origResolvConf)
	state = filepath.Join(t.TempDir(), "state")
	env = []string{
		"WGDNS_BACKEND=pick",
		"WGDNS_NO_RESOLVCONF=1",
		"DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus"),
		"WGDNS_STATEDIR=" + state,
		"WGDNS_DNS=10.0.0.1 fd00::53 example.com corp.example",
	}
	return ns, filepath.Join("/etc/netns", ns, "resolv.conf"), state, env
}

func TestDirectNetnsUpDown(t *testing.T) {
	ns, path, state, env := directNetns(t)
	before, err := os.Stat(path)
	must(t, err)

	r := runHelper(t, ns, "set", env...)
	if r.err != nil {
		t.Fatalf("set: %v\n%s", r.err, r.log)
	}
	if r.backend != NameDirect {
		t.Fatalf("Pick chose %q, want direct", r.backend)
	}
	backup := filepath.Join(state, "wg0.resolv.conf")
	wantLog := "[#] # DNS: writing /etc/resolv.conf directly (no resolvconf in PATH; no systemd-resolved: no system bus: "
	if !strings.HasPrefix(r.log, wantLog) {
		t.Errorf("log does not start with the choice:\n%s", r.log)
	}
	if !strings.HasSuffix(r.log, "[#] # DNS: saving /etc/resolv.conf to "+backup+"\n"+
		"[#] # DNS: writing /etc/resolv.conf: nameserver 10.0.0.1 fd00::53; search example.com corp.example\n") {
		t.Errorf("log:\n%s", r.log)
	}
	// The helper has exited; its changes and the backup remain.
	if got := readString(t, path); got != testRendered {
		t.Errorf("namespace resolv.conf after up:\n%s", got)
	}
	if got := readString(t, backup); got != origResolvConf {
		t.Errorf("backup = %q", got)
	}
	if fi, err := os.Stat(backup); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, %v", fi.Mode(), err)
	}

	r = runHelper(t, ns, "servers", "WGDNS_BACKEND=direct", "WGDNS_STATEDIR="+state)
	if diff := cmp.Diff([]string{"10.0.0.1", "fd00::53"}, r.out); r.err != nil || diff != "" {
		t.Errorf("servers: %v %s (-want +got):\n%s", r.err, r.log, diff)
	}

	r = runHelper(t, ns, "unset", "WGDNS_BACKEND=direct", "WGDNS_STATEDIR="+state)
	if r.err != nil {
		t.Fatalf("unset: %v\n%s", r.err, r.log)
	}
	if want := "[#] # DNS: restoring /etc/resolv.conf from " + backup + "\n"; r.log != want {
		t.Errorf("unset log = %q, want %q", r.log, want)
	}
	if got := readString(t, path); got != origResolvConf {
		t.Errorf("namespace resolv.conf after down = %q, want %q", got, origResolvConf)
	}
	after, err := os.Stat(path)
	must(t, err)
	if !os.SameFile(before, after) {
		t.Error("the namespace's resolv.conf was replaced instead of written in place")
	}
	assertNoState(t, state)
}

func TestDirectNetnsChangedMeanwhile(t *testing.T) {
	ns, path, state, env := directNetns(t)
	if r := runHelper(t, ns, "set", env...); r.err != nil {
		t.Fatalf("set: %v\n%s", r.err, r.log)
	}
	// Someone else rewrites the file in place while the tunnel is up.
	edited := "# written by a DHCP client\nnameserver 198.51.100.1\n"
	must(t, os.WriteFile(path, []byte(edited), 0o644))

	r := runHelper(t, ns, "unset", "WGDNS_BACKEND=direct", "WGDNS_STATEDIR="+state)
	if r.err != nil {
		t.Fatalf("unset: %v\n%s", r.err, r.log)
	}
	backup := filepath.Join(state, "wg0.resolv.conf")
	want := "[!] Warning: /etc/resolv.conf was changed after wg-quick up; leaving it as it is (its content before up is in " + backup + ")\n"
	if r.log != want {
		t.Errorf("unset log = %q, want %q", r.log, want)
	}
	if got := readString(t, path); got != edited {
		t.Errorf("the edit was clobbered: %q", got)
	}
}

func TestDirectNetnsWriteFails(t *testing.T) {
	for _, fault := range []string{"truncate", "readonly"} {
		t.Run(fault, func(t *testing.T) {
			ns, path, state, env := directNetns(t)
			r := runHelper(t, ns, "set", append(env, "WGDNS_FAULT="+fault)...)
			if r.err == nil {
				t.Fatalf("set succeeded:\n%s", r.log)
			}
			wantErr := map[string]string{
				"truncate": "error: dns: writing /etc/resolv.conf: no space left on device (simulated)\n",
				"readonly": "error: dns: writing /etc/resolv.conf: open /etc/resolv.conf: read-only file system\n",
			}[fault]
			if !strings.HasSuffix(r.log, wantErr) {
				t.Errorf("log does not end with %q:\n%s", wantErr, r.log)
			}
			if got := readString(t, path); got != origResolvConf {
				t.Errorf("namespace resolv.conf = %q, want the original", got)
			}
			assertNoState(t, state)
		})
	}
}
