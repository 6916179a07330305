//go:build linux

package quickcmd_test

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/schematest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// doctorCase is a namespace made to trigger one check (or not), and the
// severity doctor must give that check there.
type doctorCase struct {
	name, check string
	// conf is the [Interface] lines and the peer's lines, split by "--";
	// "" runs doctor without a config.
	conf string
	// file is the config's name ("wgd0" when empty); mode its mode.
	file string
	mode os.FileMode
	// setup runs in namespace 0 before doctor; wrap is a shell prefix for
	// doctor's command (a mount namespace, other credentials).
	setup func(p *netnstest.Pair)
	wrap  string
	want  string
	// says is in the finding's message, when set; path is put first in
	// PATH.
	says, path string
}

const dconfPeer = "--Endpoint = 192.168.241.2:51820\nAllowedIPs = 10.200.0.0/16\n"

// TestQuickDoctor: every check of `wg-quick doctor` in a namespace (or
// mount namespace) that triggers it and one that does not, through the
// real system probe; the --json document follows the schema, and doctor
// changes nothing in the namespace.
func TestQuickDoctor(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState, testenv.Command("iptables-legacy", "iptables"), testenv.Command("setpriv", "util-linux"))
	roSys := "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && "
	noTun := "mount -t tmpfs none /dev/net && "
	cases := []doctorCase{
		{name: "name ok", check: "interface-name", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "ok"},
		{name: "name too long", check: "interface-name", file: "averyveryverylong", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "error"},
		{name: "file private", check: "config-file", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "ok"},
		{name: "file readable", check: "config-file", mode: 0o644, conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "warning"},
		{name: "tun", check: "tunnel", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "ok"},
		{name: "no tun", check: "tunnel", wrap: noTun, conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "error"},
		{name: "root", check: "privileges", want: "ok"},
		{name: "nobody", check: "privileges", wrap: "exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all ", want: "error"},
		{name: "ipv6 on", check: "ipv6", conf: "Address = fd00:9::2/64\n" + dconfPeer, want: "ok"},
		{name: "ipv6 off", check: "ipv6", conf: "Address = fd00:9::2/64\n" + dconfPeer, want: "error",
			setup: func(p *netnstest.Pair) { p.Sysctl(0, "net.ipv6.conf.all.disable_ipv6", "1") }},
		{name: "sysctl writable", check: "sysctl", conf: "Address = 10.9.0.2/32\n--Endpoint = 192.168.241.2:51820\nAllowedIPs = 0.0.0.0/0\n", want: "ok"},
		{name: "sysctl read-only", check: "sysctl", wrap: roSys, conf: "Address = 10.9.0.2/32\n--Endpoint = 192.168.241.2:51820\nAllowedIPs = 0.0.0.0/0\n", want: "error"},
		{name: "sysctl read-only, already 1", check: "sysctl", wrap: roSys, conf: "Address = 10.9.0.2/32\n--Endpoint = 192.168.241.2:51820\nAllowedIPs = 0.0.0.0/0\n", want: "ok",
			setup: func(p *netnstest.Pair) { p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "1") }},
		{name: "nft only", check: "firewall", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "ok"},
		{name: "legacy rules", check: "firewall", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "warning",
			setup: func(p *netnstest.Pair) { p.In(0, "iptables-legacy", "-A", "OUTPUT", "-d", "192.0.2.1", "-j", "ACCEPT") }},
		{name: "both families", check: "leak", conf: "Address = 10.9.0.2/32\n--Endpoint = 192.168.241.2:51820\nAllowedIPs = 0.0.0.0/0, ::/0\n", want: "ok",
			setup: func(p *netnstest.Pair) { p.Underlay() }},
		{name: "v4 only, v6 routed", check: "leak", conf: "Address = 10.9.0.2/32\n--Endpoint = 192.168.241.2:51820\nAllowedIPs = 0.0.0.0/0\n", want: "warning",
			setup: func(p *netnstest.Pair) { p.Underlay() }},
		{name: "dns through resolvconf", check: "dns", conf: "Address = 10.9.0.2/32\nDNS = 10.9.0.1\n" + dconfPeer, want: "ok", says: "DNS through resolvconf (found ", path: "resolvconf"},
		{name: "dns written directly", check: "dns", conf: "Address = 10.9.0.2/32\nDNS = 10.9.0.1\n" + dconfPeer, want: "ok", says: "DNS written to /etc/resolv.conf directly (no resolvconf in PATH"},
		{name: "no overlap", check: "overlap", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "ok"},
		{name: "overlap with the LAN", check: "overlap", conf: "Address = 10.9.0.2/32\n--Endpoint = 192.168.241.2:51820\nAllowedIPs = 192.168.0.0/16\n", want: "warning"},
		{name: "overlap with another tunnel", check: "overlap", conf: "Address = 10.9.0.2/32\n" + dconfPeer, want: "warning", says: "10.200.0.0/16 with wgd1's 10.200.7.0/24",
			setup: otherTunnel},
		{name: "endpoint resolves", check: "endpoints", conf: "Address = 10.9.0.2/32\n--Endpoint = localhost:51820\nAllowedIPs = 10.200.0.0/16\n", want: "ok"},
		{name: "endpoint does not resolve", check: "endpoints", conf: "Address = 10.9.0.2/32\n--Endpoint = no-such-host.invalid:51820\nAllowedIPs = 10.200.0.0/16\n", want: "error"},
		{name: "mtu fits", check: "mtu", conf: "Address = 10.9.0.2/32\nMTU = 1420\n" + dconfPeer, want: "ok"},
		{name: "path mtu lowered", check: "mtu", conf: "Address = 10.9.0.2/32\nMTU = 1420\n" + dconfPeer, want: "warning",
			setup: func(p *netnstest.Pair) { p.In(0, "ip", "link", "set", "va", "mtu", "1400") }},
		{name: "path mtu lowered beyond a router", check: "mtu", conf: "Address = 10.9.0.2/32\nMTU = 1420\n--Endpoint = 198.51.100.2:51820\nAllowedIPs = 10.200.0.0/16\n", want: "warning",
			setup: routedEndpoint},
		{name: "port free", check: "listen-port", conf: "Address = 10.9.0.2/32\nListenPort = 51820\n" + dconfPeer, want: "ok"},
		{name: "port taken", check: "listen-port", conf: "Address = 10.9.0.2/32\nListenPort = 51820\n" + dconfPeer, want: "error",
			setup: func(p *netnstest.Pair) { udpIn(p, 51820) }},
	}
	schema := schematest.Load(t, "../../docs/wg-quick-doctor.schema.json")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := netnstest.NewPair(t)
			ours := p.OurQuick()
			if c.setup != nil {
				c.setup(p)
			}
			args := []string{"doctor", "--json"}
			if c.conf != "" {
				args = append(args, doctorConf(t, p, c))
			}
			before := p.HostState(0, "wgd0")
			script := c.wrap + `exec ip netns exec "$0" "$@"`
			if c.wrap == "" || strings.HasPrefix(c.wrap, "exec setpriv") {
				script = `exec ip netns exec "$0" ` + strings.TrimPrefix(c.wrap, "exec ") + `"$@"`
			}
			cmd := exec.Command("unshare", append([]string{"-m", "--propagation", "private", "sh", "-c", script, p.NS[0], ours}, args...)...)
			cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
			if c.path != "" {
				cmd.Env = []string{"PATH=" + stubDir(t, c.path) + ":/usr/sbin:/usr/bin:/sbin:/bin"}
			}
			r := netnstest.Run(t, cmd)
			schematest.Validate(t, schema, []byte(r.Stdout))
			var doc struct {
				Result   string
				Findings []struct{ Check, Severity, Message string }
			}
			if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
				t.Fatalf("%v: %+v", err, r)
			}
			found := false
			for _, f := range doc.Findings {
				if f.Check == c.check {
					found = true
					t.Logf("%s: %s: %s", f.Check, f.Severity, f.Message)
					if f.Severity != c.want || !strings.Contains(f.Message, c.says) {
						t.Errorf("%s: %s (%s), want %s saying %q", f.Check, f.Severity, f.Message, c.want, c.says)
					}
				}
			}
			if !found {
				t.Errorf("no %s finding: %s", c.check, r.Stdout)
			}
			if want := map[string]int{"ok": 0, "warning": 2, "error": 1}[doc.Result]; r.Code != want {
				t.Errorf("exit %d with result %s", r.Code, doc.Result)
			}
			if after := p.HostState(0, "wgd0"); after != before {
				t.Errorf("doctor changed the namespace:\n%s\nthen\n%s", before, after)
			}
		})
	}
}

// doctorConf writes the case's config (its peer section after "--").
func doctorConf(t *testing.T, p *netnstest.Pair, c doctorCase) string {
	iface, peer, _ := strings.Cut(c.conf, "--")
	path := p.QuickConf("wgd0", iface, peer)
	if c.file != "" {
		dst := filepath.Join(filepath.Dir(path), c.file+".conf")
		if err := os.Rename(path, dst); err != nil {
			t.Fatal(err)
		}
		path = dst
	}
	if c.mode != 0 {
		os.Chmod(path, c.mode)
	}
	return path
}

// udpIn binds a UDP socket to port in namespace 0 from a thread that
// entered it; the socket stays there, held by the test, until it ends.
func udpIn(p *netnstest.Pair, port int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	home, err := netns.Get()
	if err != nil {
		p.T.Fatal(err)
	}
	defer home.Close()
	ns, err := netns.GetFromName(p.NS[0])
	if err != nil {
		p.T.Fatal(err)
	}
	defer ns.Close()
	if err := netns.Set(ns); err != nil {
		p.T.Fatal(err)
	}
	conn, lerr := net.ListenUDP("udp", &net.UDPAddr{Port: port})
	if err := netns.Set(home); err != nil {
		panic(err) // this thread must not go back to the pool elsewhere
	}
	if lerr != nil {
		p.T.Fatal(lerr)
	}
	p.T.Cleanup(func() { conn.Close() })
}

// routedEndpoint puts 198.51.100.2 in a third namespace behind namespace 1,
// which routes to it over a link of MTU 1400: only the router's "needs
// fragmentation" tells namespace 0 the path's MTU.
func routedEndpoint(p *netnstest.Pair) {
	far := netnstest.NewNetns(p.T, "wgd2")
	p.Run("ip", "link", "add", "vc", "netns", p.NS[1], "mtu", "1400", "type", "veth", "peer", "name", "vd", "netns", far, "mtu", "1400")
	p.In(1, "ip", "addr", "add", "198.51.100.1/24", "dev", "vc")
	p.In(1, "ip", "link", "set", "vc", "up")
	p.Sysctl(1, "net.ipv4.ip_forward", "1")
	p.Run("ip", "netns", "exec", far, "ip", "addr", "add", "198.51.100.2/24", "dev", "vd")
	p.Run("ip", "netns", "exec", far, "ip", "link", "set", "vd", "up")
	p.Run("ip", "netns", "exec", far, "ip", "route", "add", "default", "via", "198.51.100.1")
	p.In(0, "ip", "route", "add", "198.51.100.0/24", "via", "192.168.241.2")
}

// stubDir is a directory holding a program name that does nothing.
func stubDir(t *testing.T, name string) string {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// otherTunnel brings up wgd1 in namespace 0 (our embedded tunnel), whose
// peer's allowed IPs 10.200.7.0/24 overlap the checked config's; down
// comes with the test's end.
func otherTunnel(p *netnstest.Pair) {
	conf := p.QuickConf("wgd1", "Address = 10.201.0.1/24\n", "AllowedIPs = 10.200.7.0/24\n")
	ours := p.OurQuick()
	if r := p.Quick(0, ours, []string{"WG_QUICK_USERSPACE_IMPLEMENTATION=" + p.Daemon}, "up", conf); r.Code != 0 {
		p.T.Fatalf("up wgd1: %+v", r)
	}
	p.T.Cleanup(func() { p.Quick(0, ours, nil, "down", conf) })
}

// TestQuickDoctorHealthy: on a healthy namespace and config, doctor prints
// one line per check, every one ok, and exits 0, well within 300 ms (the
// benchmark, bench/doctor, measures it).
func TestQuickDoctorHealthy(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState)
	p := netnstest.NewPair(t)
	p.Underlay()
	path := p.QuickConf("wgd0", "Address = 10.9.0.2/32, fd00:9::2/128\nListenPort = 51820\nDNS = 10.9.0.1\n", "Endpoint = 192.168.241.2:51820\nAllowedIPs = 0.0.0.0/0, ::/0\n")
	r := p.Quick(0, p.OurQuick(), nil, "doctor", path)
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if r.Code != 0 || len(lines) != 13 {
		t.Fatalf("%+v", r)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "ok ") {
			t.Errorf("not ok: %q", l)
		}
	}
}
