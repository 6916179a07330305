package dns

import (
	"context"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/wgtools/wgtools/internal/testenv"
)

// startRealResolved runs Debian's systemd-resolved (unpacked, matching the
// installed libsystemd-shared) in namespace ns, on the private bus at addr.
// In its private mount namespace /run is a fresh tmpfs, and /etc/passwd and
// /etc/group gain a systemd-resolve user (nobody's ids, which the host's
// dbus-daemon knows), so nothing outside the namespace changes.
func startRealResolved(t *testing.T, ns, addr string) {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f=${Version}", "libsystemd-shared").Output()
	if err != nil || len(out) == 0 {
		// TestResolvedCalls covers the D-Bus calls without it.
		testenv.Skip(t, "systemd's libsystemd-shared, to run a real systemd-resolved", "apt-get install --no-install-recommends systemd")
	}
	root := fetchDeb(t, "systemd-resolved="+string(out))
	prog := filepath.Join(root, "lib/systemd/systemd-resolved")
	if _, err := os.Stat(prog); err != nil {
		t.Fatalf("no systemd-resolved in the package: %v", err)
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		testenv.Skip(t, "a nobody user", "adduser --system nobody")
	}
	for file, line := range map[string]string{
		"passwd": "systemd-resolve:x:" + nobody.Uid + ":" + nobody.Gid + "::/:/usr/sbin/nologin\n",
		"group":  "systemd-resolve:x:" + nobody.Gid + ":\n",
	} {
		data, err := os.ReadFile(filepath.Join("/etc", file))
		must(t, err)
		if !strings.Contains(string(data), "\nsystemd-resolve:") {
			data = append(data, line...)
		}
		must(t, os.WriteFile(filepath.Join("/etc/netns", ns, file), data, 0o644))
	}

	logFile := filepath.Join(t.TempDir(), "resolved.log")
	logOut, err := os.Create(logFile)
	must(t, err)
	defer logOut.Close()
	cmd := exec.Command("ip", "netns", "exec", ns, "sh", "-c", `mount -t tmpfs tmpfs /run && mkdir /run/systemd && exec "$0"`, prog)
	cmd.Env = append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+addr, "SYSTEMD_LOG_LEVEL=info")
	cmd.Stdout, cmd.Stderr = logOut, logOut
	must(t, cmd.Start())
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	conn, err := dbus.Connect(addr)
	must(t, err)
	defer conn.Close()
	for deadline := time.Now().Add(15 * time.Second); ; {
		var has bool
		_ = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, resolveDest).Store(&has)
		if has {
			return
		}
		select {
		case <-exited:
			t.Fatalf("systemd-resolved exited:\n%s", readString(t, logFile))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("systemd-resolved did not appear on the bus:\n%s", readString(t, logFile))
		}
	}
}

// linkState is what systemd-resolved reports for a link.
type linkState struct {
	DNS          []linkDNS
	Domains      []linkDomain
	DefaultRoute bool
}

func readLinkState(t *testing.T, addr string, idx int) linkState {
	t.Helper()
	conn, err := dbus.Connect(addr)
	must(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	var path dbus.ObjectPath
	must(t, conn.Object(resolveDest, resolvePath).CallWithContext(ctx, resolveManager+".GetLink", 0, int32(idx)).Store(&path))
	var st linkState
	for name, dst := range map[string]any{"DNS": &st.DNS, "Domains": &st.Domains, "DefaultRoute": &st.DefaultRoute} {
		v, err := conn.Object(resolveDest, path).GetProperty(resolveLink + "." + name)
		must(t, err)
		must(t, dbus.Store([]any{v.Value()}, dst))
	}
	return st
}

// TestResolvedReal drives a real systemd-resolved through Pick, Set,
// Servers and Unset, each from a fresh process in the namespace.
func TestResolvedReal(t *testing.T) {
	requireRoot(t)
	const orig = "nameserver 192.0.2.1\n"
	ns := newNetns(t, orig)
	if out, err := exec.Command("ip", "-n", ns, "tuntap", "add", "dev", "wg0", "mode", "tun").CombinedOutput(); err != nil {
		testenv.Skip(t, "a tun link in a namespace ("+strings.TrimSpace(string(out))+")", "load the tun module (modprobe tun)")
	}
	ipNetns(t, ns, "link", "set", "wg0", "up")
	idx, err := strconv.Atoi(strings.SplitN(ipNetns(t, ns, "-o", "link", "show", "dev", "wg0"), ":", 2)[0])
	must(t, err)
	addr := startBus(t)
	startRealResolved(t, ns, addr)
	env := []string{
		"WGDNS_BACKEND=pick",
		"WGDNS_NO_RESOLVCONF=1",
		"DBUS_SYSTEM_BUS_ADDRESS=" + addr,
		"WGDNS_DNS=10.0.0.1 fd00::53 example.com corp.example",
	}

	r := runHelper(t, ns, "set", env...)
	if r.err != nil {
		t.Fatalf("set: %v\n%s", r.err, r.log)
	}
	if r.backend != NameResolved {
		t.Fatalf("Pick chose %q, want systemd-resolved\n%s", r.backend, r.log)
	}
	wantLog := "[#] # DNS: using systemd-resolved over D-Bus (no resolvconf in PATH; org.freedesktop.resolve1 is on the system bus)\n" +
		"[#] resolvectl dns wg0 10.0.0.1 fd00::53\n" +
		"[#] resolvectl domain wg0 example.com corp.example ~.\n" +
		"[#] resolvectl default-route wg0 true\n"
	if diff := cmp.Diff(wantLog, r.log); diff != "" {
		t.Errorf("set log (-want +got):\n%s", diff)
	}
	v6 := []byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53}
	want := linkState{
		DNS:          []linkDNS{{2, []byte{10, 0, 0, 1}}, {10, v6}},
		Domains:      []linkDomain{{"example.com", false}, {"corp.example", false}, {".", true}},
		DefaultRoute: true,
	}
	if diff := cmp.Diff(want, readLinkState(t, addr, idx)); diff != "" {
		t.Errorf("systemd-resolved's link after up (-want +got):\n%s", diff)
	}

	r = runHelper(t, ns, "servers", env...)
	if diff := cmp.Diff([]string{"10.0.0.1", "fd00::53"}, r.out); r.err != nil || diff != "" {
		t.Errorf("servers: %v %s (-want +got):\n%s", r.err, r.log, diff)
	}

	r = runHelper(t, ns, "unset", append(env, "WGDNS_BACKEND="+NameResolved)...)
	if r.err != nil {
		t.Fatalf("unset: %v\n%s", r.err, r.log)
	}
	if r.log != "[#] resolvectl revert wg0\n" {
		t.Errorf("unset log = %q", r.log)
	}
	got := readLinkState(t, addr, idx)
	if diff := cmp.Diff(linkState{}, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("systemd-resolved's link after down (-want +got):\n%s", diff)
	}
	if got := readString(t, filepath.Join("/etc/netns", ns, "resolv.conf")); got != orig {
		t.Errorf("namespace resolv.conf changed: %q", got)
	}
}
