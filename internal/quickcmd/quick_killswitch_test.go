//go:build linux

package quickcmd_test

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// The "internet": addresses of namespace 1 (on its loopback) that
// namespace 0 reaches through the underlay, or through the tunnel when a
// full tunnel is up.
const (
	internet4 = "203.0.113.7"
	internet6 = "2001:db8::7"
)

// probeCounters count, in namespace 1, the packets for the internet that
// arrive over the underlay (vb) rather than through the tunnel ("leak"),
// and the DNS queries that arrive through the tunnel for another server
// than the config's 10.0.0.2 ("dns-other") and for it ("dns-ours").
const probeCounters = `table inet probe {
	chain pre {
		type filter hook prerouting priority -400; policy accept;
		iifname "vb" ip daddr ` + internet4 + ` counter comment "leak"
		iifname "vb" ip6 daddr ` + internet6 + ` counter comment "leak"
		iifname "wgftb" ip daddr ` + internet4 + ` th dport 53 counter comment "dns-other"
		iifname "wgftb" ip daddr 10.0.0.2 udp dport 53 counter comment "dns-ours"
	}
}
`

var counterPackets = regexp.MustCompile(`counter packets (\d+) bytes \d+ comment "([a-z-]+)"`)

// counted is the number of packets the probe counters named name have
// seen.
func counted(p *netnstest.Pair, name string) int {
	n := 0
	for _, m := range counterPackets.FindAllStringSubmatch(p.In(1, "nft", "list", "table", "inet", "probe"), -1) {
		if m[2] == name {
			c, _ := strconv.Atoi(m[1])
			n += c
		}
	}
	return n
}

func leaked(p *netnstest.Pair) int { return counted(p, "leak") }

// probe sends, from namespace 0, ICMP, TCP, UDP and DNS (UDP and TCP to
// port 53) to the internet over both families, and reports how many
// pings were answered. Every probe may fail.
func probe(p *netnstest.Pair) (answered int) {
	p.T.Helper()
	for _, a := range []string{internet4, internet6} {
		out := p.Sh(0, "ping -c 1 -W 1 "+a+" 2>&1 || true")
		if strings.Contains(out, " 1 received") {
			answered++
		}
		for _, dev := range []string{"tcp/" + a + "/80", "udp/" + a + "/9", "udp/" + a + "/53", "tcp/" + a + "/53"} {
			p.Sh(0, "timeout 1 bash -c 'echo probe > /dev/"+dev+"' 2>/dev/null; true")
		}
	}
	return answered
}

// waitGone waits, 5 s at most, for the link dev in namespace 0 to go.
func waitGone(t *testing.T, p *netnstest.Pair, dev string) {
	t.Helper()
	for i := 0; i < 50; i++ {
		if exec.Command("ip", "-n", p.NS[0], "link", "show", dev).Run() != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s is still there 5 s after its daemon was killed", dev)
}

// TestQuickKillSwitch: a namespace with a full tunnel and the kill switch.
// Probes (ICMP, TCP, UDP, DNS; IPv4 and IPv6) to an internet namespace get
// through the tunnel and never over the underlay (an nft counter there
// sees zero packets): with the tunnel up, with a more specific route via
// the underlay gateway as a rogue DHCP server's option 121 would push
// (TunnelVision), and after the daemon was SIGKILLed. After down the
// namespace is as before up, and the probes go out again. Without the
// kill switch the rogue route leaks (which the test shows, as the kill
// switch's reason to be).
func TestQuickKillSwitch(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing, netnstest.NeedHostState, testenv.Command("nft", "nftables"), testenv.Command("bash", "bash"), testenv.Command("timeout", "coreutils"))
	p := netnstest.NewPair(t)
	p.Underlay()
	paths := fullTunnelPair(t, p, t.TempDir())
	text, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(paths[0], []byte(strings.Replace(string(text), "\n\n[Peer]", "\nDNS = 10.0.0.2\n\n[Peer]", 1)), 0o600)
	netnsResolvConf(p, 0, "nameserver 192.0.2.53\n")
	p.In(1, "ip", "addr", "add", internet4+"/32", "dev", "lo")
	p.In(1, "ip", "addr", "add", internet6+"/128", "dev", "lo")
	if err := os.WriteFile(paths[0]+".probe", []byte(probeCounters), 0o600); err != nil {
		t.Fatal(err)
	}
	p.In(1, "nft", "-f", paths[0]+".probe")
	ours := p.OurQuick()
	if r := p.Quick(1, ours, nil, "up", paths[1]); r.Code != 0 {
		t.Fatalf("server up: %+v", r)
	}
	defer p.Quick(1, ours, nil, "down", paths[1])

	// The counter's rules count from when they went in: each phase looks
	// at what it adds.
	base := 0
	since := func() int { n := leaked(p) - base; base += n; return n }
	// Without a tunnel the probes go over the underlay: the counter works.
	if n, c := probe(p), since(); n != 2 || c == 0 {
		t.Fatalf("without a tunnel: %d pings answered, %d packets counted", n, c)
	}

	// Without the kill switch, a rogue route leaks.
	rogue := func(op string) {
		p.In(0, "ip", "route", op, internet4+"/32", "via", "192.168.241.2", "dev", "va")
		p.In(0, "ip", "-6", "route", op, internet6+"/128", "via", "fd99::2", "dev", "va")
	}
	if r := p.Quick(0, ours, nil, "up", paths[0]); r.Code != 0 {
		t.Fatalf("up without the kill switch: %+v", r)
	}
	rogue("add")
	probe(p)
	withoutKill := since()
	rogue("del")
	if r := p.Quick(0, ours, nil, "down", paths[0]); r.Code != 0 {
		t.Fatalf("down: %+v", r)
	}
	if withoutKill == 0 {
		t.Errorf("without the kill switch the rogue route leaked nothing: the probe cannot tell")
	}
	t.Logf("without the kill switch, a rogue route via the underlay leaked %d probe packets", withoutKill)
	since()

	p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "1") // up sets it, down leaves it
	before := p.HostState(0, "wgfta")
	if r := p.Quick(0, ours, nil, "up", "--kill-switch", paths[0]); r.Code != 0 {
		t.Fatalf("up --kill-switch: %+v", r)
	}
	if !strings.Contains(p.In(0, "nft", "list", "tables"), "table inet wgtools-killswitch-wgfta") {
		t.Fatal("no kill switch table")
	}
	if n := probe(p); n != 2 {
		t.Errorf("through the tunnel with the kill switch: %d of 2 pings answered", n)
	}
	if n := since(); n != 0 {
		t.Errorf("tunnel up: %d packets left over the underlay", n)
	}
	rogue("add")
	probe(p)
	if n := since(); n != 0 {
		t.Errorf("TunnelVision route: %d packets left over the underlay", n)
	}
	rogue("del")
	// DNS goes to the config's server only, through the tunnel.
	dnsOther, dnsOurs := counted(p, "dns-other"), counted(p, "dns-ours")
	for _, dev := range []string{"udp/" + internet4 + "/53", "tcp/" + internet4 + "/53", "udp/10.0.0.2/53"} {
		p.Sh(0, "timeout 1 bash -c 'echo probe > /dev/"+dev+"' 2>/dev/null; true")
	}
	if o, u := counted(p, "dns-other")-dnsOther, counted(p, "dns-ours")-dnsOurs; o != 0 || u == 0 {
		t.Errorf("DNS through the tunnel: %d packets to another server, %d to the config's (want 0 and some)", o, u)
	}

	if err := netnstest.KillDaemons("wgfta"); err != nil {
		t.Fatal(err)
	}
	waitGone(t, p, "wgfta")
	if n, c := probe(p), since(); n != 0 || c != 0 {
		t.Errorf("daemon killed: %d pings answered, %d packets left over the underlay", n, c)
	}

	if r := p.Quick(0, ours, nil, "down", paths[0]); r.Code != 0 {
		t.Fatalf("down after the crash: %+v", r)
	}
	if after := p.HostState(0, "wgfta"); after != before {
		t.Errorf("after down the namespace differs from before up:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if n, c := probe(p), since(); n != 2 || c == 0 {
		t.Errorf("after down: %d pings answered, %d packets counted; the probes should go out again", n, c)
	}
}
