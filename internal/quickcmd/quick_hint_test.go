//go:build linux

package quickcmd_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// TestQuickContainerHints: in a mount namespace without /dev/net/tun, or
// with /proc/sys read-only (as in containers), `up` fails with a hint and
// leaves nothing.
func TestQuickContainerHints(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState)
	p := netnstest.NewPair(t)
	p.Underlay()
	path := p.QuickConf("wgqh0", "Address = 10.0.0.1/24\n", "AllowedIPs = 0.0.0.0/0\n")
	ours := p.OurQuick()
	p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0")
	before := p.HostState(0, "wgqh0")
	for _, c := range []struct{ name, setup, want string }{
		{"no tun", "mount -t tmpfs none /dev/net", "hint: /dev/net/tun is missing"},
		{"read-only sysctl", "mount --bind /proc/sys /proc/sys && mount -o remount,bind,ro /proc/sys", "hint: /proc/sys is read-only here"},
	} {
		cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", c.setup+` && exec ip netns exec "$0" "$1" up "$2"`, p.NS[0], ours, path)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
		r := netnstest.Run(t, cmd)
		if r.Code != 1 || !strings.Contains(r.Stderr, c.want) {
			t.Errorf("%s: %+v, want %q", c.name, r, c.want)
		}
		if after := p.HostState(0, "wgqh0"); after != before {
			t.Errorf("%s: host changed:\n%s", c.name, after)
		}
		if l := p.Leftovers("wgqh0"); l != "" {
			t.Errorf("%s: left behind: %s", c.name, l)
		}
	}
}
