package firewall

import (
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestPFGolden holds the kill switch's pf ruleset to testdata/*.pf, the
// text macOS, FreeBSD and OpenBSD are given (no pf exists here to load it;
// the files were checked against pf.conf(5) by hand).
func TestPFGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		k    KillSwitch
	}{
		{"plain", KillSwitch{Tunnel: "utun3", ListenPort: 51820}},
		{"dns-allow", KillSwitch{Tunnel: "wg0", ListenPort: 4321,
			DNS:   []netip.Addr{netip.MustParseAddr("10.64.0.1"), netip.MustParseAddr("fd00::53")},
			Allow: []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("10.9.8.7/32"), netip.MustParsePrefix("fd12:3456::/48")}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join("testdata", "killswitch-"+tt.name+".pf")
			got := tt.k.PF()
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("PF() (-golden +got):\n%s", diff)
			}
		})
	}
}

// TestPFMatchesScript: the pf ruleset lets out what the nft one does, rule
// for rule and in the same order (the golden files only fix the text).
func TestPFMatchesScript(t *testing.T) {
	k := KillSwitch{Tunnel: "wg0", ListenPort: 4321, DNS: []netip.Addr{netip.MustParseAddr("10.64.0.1")},
		Allow: []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("fd12::/16")}}
	// What each rule's text must name, in order, in both.
	steps := [][2]string{
		{`oifname "lo" accept`, "pass out quick on lo0 all"},
		{"udp dport 53 jump dns", "to ! <wgtools_dns> port 53"},
		{`oifname "wg0" accept`, "pass out quick on wg0 all"},
		{"udp sport 4321 accept", "from any port 4321 to any"},
		{"udp sport 68 udp dport 67 accept", "port 68 to any port 67"},
		{"udp sport 546 udp dport 547 accept", "port 546 to any port 547"},
		{"icmpv6 type nd-router-solicit accept", "icmp6-type { 133 135 136 131 143 }"},
		{"ip daddr 192.168.1.0/24 accept", "inet from any to 192.168.1.0/24"},
		{"ip6 daddr fd12::/16 accept", "inet6 from any to fd12::/16"},
		{"counter packets 0 bytes 0 drop\n\t}\n}", "block drop out quick all"},
	}
	nft, pf := k.Script(), k.PF()
	ni, pi := 0, 0
	for _, s := range steps {
		n, p := strings.Index(nft[ni:], s[0]), strings.Index(pf[pi:], s[1])
		if n < 0 || p < 0 {
			t.Fatalf("%q in nft at %d, %q in pf at %d (after the previous step)\nnft:\n%s\npf:\n%s", s[0], n, s[1], p, nft, pf)
		}
		ni, pi = ni+n, pi+p
	}
	if !strings.Contains(pf, "table <wgtools_dns> const { 10.64.0.1 }") {
		t.Errorf("no DNS table:\n%s", pf)
	}
}
