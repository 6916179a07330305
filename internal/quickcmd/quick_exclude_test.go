//go:build linux

package quickcmd_test

import (
	"os"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// An address of namespace 1 that the client's ExcludedIPs keep out of the
// tunnel.
const excludedHost = "198.51.100.7"

// TestQuickExcluded: the reachability matrix of a full tunnel with
// ExcludedIPs and AllowLAN, with and without the kill switch: the LAN host
// (the server's underlay address), an excluded address, the tunnel's peer
// and the internet. Where a packet arrives in namespace 1 (over the
// underlay or through the tunnel) is counted there.
func TestQuickExcluded(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing, netnstest.NeedHostState, testenv.Command("nft", "nftables"))
	p := netnstest.NewPair(t)
	p.Underlay()
	paths := fullTunnelPair(t, p, t.TempDir())
	base, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{internet4 + "/32", excludedHost + "/32"} {
		p.In(1, "ip", "addr", "add", a, "dev", "lo")
	}
	counters := `table inet probe {
	chain pre {
		type filter hook prerouting priority -400; policy accept;
		iifname "vb" ip daddr ` + internet4 + ` counter comment "internet-underlay"
		iifname "vb" ip daddr ` + excludedHost + ` counter comment "excluded-underlay"
		iifname "wgftb" ip daddr ` + excludedHost + ` counter comment "excluded-tunnel"
	}
}
`
	os.WriteFile(paths[0]+".probe", []byte(counters), 0o600)
	p.In(1, "nft", "-f", paths[0]+".probe")
	ours := p.OurQuick()
	if r := p.Quick(1, ours, nil, "up", paths[1]); r.Code != 0 {
		t.Fatalf("server up: %+v", r)
	}
	defer p.Quick(1, ours, nil, "down", paths[1])
	ping := func(a string) bool {
		return strings.Contains(p.Sh(0, "ping -c 1 -W 1 "+a+" 2>&1 || true"), " 1 received")
	}
	type reach struct{ LAN, Excluded, ExcludedUnderlay, Peer, Internet, InternetUnderlay bool }
	for _, c := range []struct {
		name, keys string
		want       reach
	}{
		{"excluded and LAN", "ExcludedIPs = 198.51.100.0/24\nAllowLAN = true\n", reach{true, true, true, true, true, false}},
		{"excluded and LAN, kill switch", "ExcludedIPs = 198.51.100.0/24\nAllowLAN = true\nKillSwitch = true\n", reach{true, true, true, true, true, false}},
		{"kill switch alone", "KillSwitch = true\n", reach{false, true, false, true, true, false}},
		{"neither", "", reach{true, true, false, true, true, false}},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(string(base), "\n\n[Peer]", "\n"+c.keys+"\n[Peer]", 1)
			os.WriteFile(paths[0], []byte(text), 0o600)
			p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "1")
			before := p.HostState(0, "wgfta")
			r := p.Quick(0, ours, nil, "up", paths[0])
			if r.Code != 0 {
				t.Fatalf("up: %+v", r)
			}
			if strings.Contains(c.keys, "AllowLAN") && !strings.Contains(r.Stderr, "[#] # AllowLAN: 192.168.241.0/24 (va), fd99::/64 (va)\n") {
				t.Errorf("up does not list the LAN:\n%s", r.Stderr)
			}
			ping("10.0.0.2") // the handshake
			eu, et, iu := counted(p, "excluded-underlay"), counted(p, "excluded-tunnel"), counted(p, "internet-underlay")
			got := reach{LAN: ping("192.168.241.2"), Excluded: ping(excludedHost), Peer: ping("10.0.0.2"), Internet: ping(internet4)}
			got.ExcludedUnderlay = counted(p, "excluded-underlay") > eu
			got.InternetUnderlay = counted(p, "internet-underlay") > iu
			if got.Excluded && !got.ExcludedUnderlay && counted(p, "excluded-tunnel") == et {
				t.Errorf("the excluded host answered, but its packets were counted nowhere")
			}
			if got != c.want {
				t.Errorf("reachability %+v, want %+v", got, c.want)
			}
			if r := p.Quick(0, ours, nil, "down", paths[0]); r.Code != 0 {
				t.Fatalf("down: %+v", r)
			}
			if after := p.HostState(0, "wgfta"); after != before {
				t.Errorf("down left:\n%s\nwas:\n%s", after, before)
			}
		})
	}
}
