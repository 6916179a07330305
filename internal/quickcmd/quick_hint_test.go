//go:build linux

package quickcmd_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// TestQuickUpExplained: the five most common failures of up (no
// WireGuard module and no /dev/net/tun, a read-only /proc/sys, IPv6
// disabled, a name too long, the listen port taken) print upstream's
// message and then doctor's finding and fix, exit 1 and leave nothing.
func TestQuickUpExplained(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState)
	full := [2]string{"Address = 10.0.0.1/24\n", "AllowedIPs = 0.0.0.0/0\n"}
	for _, c := range []struct {
		name, wrap string
		conf       [2]string
		file       string
		setup      func(p *netnstest.Pair)
		upstream   string
		want       []string
	}{
		{name: "no tun", wrap: "mount -t tmpfs none /dev/net && ", conf: full, upstream: "TUN",
			want: []string{"\n  doctor: tunnel: no WireGuard in the kernel, and no TUN device for the embedded tunnel: open /dev/net/tun: no such file or directory\n  fix: load the module (modprobe wireguard), or give the container /dev/net/tun"}},
		{name: "read-only sysctl", wrap: "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys && ", conf: full, upstream: "read-only file system",
			setup: func(p *netnstest.Pair) { p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0") },
			want:  []string{"\n  doctor: sysctl: a full IPv4 tunnel needs net.ipv4.conf.all.src_valid_mark=1, and /proc/sys is read-only here\n  fix: set net.ipv4.conf.all.src_valid_mark=1 from outside"}},
		{name: "ipv6 disabled", conf: [2]string{"Address = fd00:9::1/64\n", "AllowedIPs = fd00:9::/64\n"}, upstream: "ermission denied",
			setup: func(p *netnstest.Pair) { p.Sysctl(0, "net.ipv6.conf.all.disable_ipv6", "1") },
			want:  []string{"\n  doctor: ipv6: the config has IPv6 but IPv6 is disabled here"}},
		{name: "port taken", conf: [2]string{"Address = 10.0.0.1/24\nListenPort = 51820\n", "AllowedIPs = 10.0.0.2/32\n"}, upstream: "address already in use",
			setup: func(p *netnstest.Pair) { udpIn(p, 51820) },
			want:  []string{"\n  doctor: listen-port: UDP port 51820 is taken by quickcmd.test (pid "}},
		{name: "name too long", file: "averyveryverylongname", conf: full, upstream: "does not exist",
			want: []string{"\n  hint: `averyveryverylongname' was read as a path, since interface names have at most 15 characters (it has 21)"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := netnstest.NewPair(t)
			p.Underlay()
			path := p.QuickConf("wgqh0", c.conf[0], c.conf[1])
			operand := path
			if c.file != "" {
				operand = c.file
			}
			if c.setup != nil {
				c.setup(p)
			}
			before := p.HostState(0, "wgqh0")
			cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", c.wrap+`exec ip netns exec "$0" "$1" up "$2"`, p.NS[0], p.OurQuick(), operand)
			cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
			r := netnstest.Run(t, cmd)
			t.Logf("stderr:\n%s", r.Stderr)
			if r.Code != 1 || !strings.Contains(strings.ToLower(r.Stderr), strings.ToLower(c.upstream)) {
				t.Errorf("%+v, want exit 1 and upstream's %q", r, c.upstream)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.Stderr)
				}
			}
			if after := p.HostState(0, "wgqh0"); after != before {
				t.Errorf("host changed:\n%s", after)
			}
			if l := p.Leftovers("wgqh0"); l != "" {
				t.Errorf("left behind: %s", l)
			}
		})
	}
}
