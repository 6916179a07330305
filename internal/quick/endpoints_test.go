package quick

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
)

// names resolves every host name to 198.51.100.7.
type names struct{ config.Resolver }

func (names) LookupPort(string) (int, bool) { return 0, false }
func (names) LookupHost(string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("198.51.100.7")}, nil
}
func (names) InterfaceIndex(string) (int, bool) { return 0, false }

func TestNamedEndpoints(t *testing.T) {
	const a, b, c = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=", "TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=", "gN65BkIKy1eCE9pP1wdc8ROUtkHLF2PfAqYdyYBz6EA="
	tests := []struct {
		name string
		conf string
		want []NamedEndpoint
	}{{
		name: "names only; literals and peers without endpoint have no entry",
		conf: "[Peer]\nPublicKey = " + a + "\nEndpoint = vpn.example.com:51820\n" +
			"[Peer]\nPublicKey = " + b + "\nEndpoint = 192.0.2.1:51820\n" +
			"[Peer]\nPublicKey = " + c + "\nAllowedIPs = 10.0.0.3/32\n",
		want: []NamedEndpoint{{Peer: a, Name: "vpn.example.com:51820", Set: netip.MustParseAddrPort("198.51.100.7:51820")}},
	}, {
		name: "as wg reads it: any case, spaces removed, comments cut, key after endpoint",
		conf: "[peer]\n endPoint = vpn . example.com:51820 # home\nPUBLICKEY=" + a + "\n",
		want: []NamedEndpoint{{Peer: a, Name: "vpn.example.com:51820", Set: netip.MustParseAddrPort("198.51.100.7:51820")}},
	}, {
		name: "IPv6 and inet_aton forms are literals; a bracketed name is a name",
		conf: "[Peer]\nPublicKey = " + a + "\nEndpoint = [2001:db8::1]:51820\n" +
			"[Peer]\nPublicKey = " + b + "\nEndpoint = 10.1:51820\n" +
			"[Peer]\nPublicKey = " + c + "\nEndpoint = [vpn.example.com]:51820\n",
		want: []NamedEndpoint{{Peer: c, Name: "[vpn.example.com]:51820", Set: netip.MustParseAddrPort("198.51.100.7:51820")}},
	}, {
		name: "a peer given twice: the last endpoint counts",
		conf: "[Peer]\nPublicKey = " + a + "\nEndpoint = vpn.example.com:51820\n" +
			"[Peer]\nPublicKey = " + a + "\nEndpoint = 192.0.2.1:51820\n" +
			"[Peer]\nPublicKey = " + b + "\nEndpoint = 192.0.2.2:51820\n" +
			"[Peer]\nPublicKey = " + b + "\nEndpoint = other.example.com:1\n",
		want: []NamedEndpoint{{Peer: b, Name: "other.example.com:1", Set: netip.MustParseAddrPort("198.51.100.7:1")}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := config.ParseQuick(strings.NewReader("[Interface]\nAddress = 10.0.0.1/24\n" + tt.conf))
			if err != nil {
				t.Fatal(err)
			}
			wg, err := (&config.Options{Resolver: names{}}).ParseLines(q.WG)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, NamedEndpoints(q, wg), cmp.Comparer(func(x, y netip.AddrPort) bool { return x == y })); diff != "" {
				t.Errorf("NamedEndpoints (-want +got):\n%s", diff)
			}
		})
	}
}
