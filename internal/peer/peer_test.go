package peer

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

func TestNextFree(t *testing.T) {
	for _, c := range []struct {
		name, network string
		taken         []netip.Prefix
		want, err     string
	}{
		{"first", "10.0.0.1/24", prefixes("10.0.0.1/32"), "10.0.0.2", ""},
		{"gap", "10.0.0.1/24", prefixes("10.0.0.1/32", "10.0.0.2/32", "10.0.0.4/32"), "10.0.0.3", ""},
		{"after a taken block", "10.0.0.1/24", prefixes("10.0.0.1/32", "10.0.0.0/29"), "10.0.0.8", ""},
		{"not the network address", "10.0.0.0/24", nil, "10.0.0.1", ""},
		{"full /30", "10.0.0.1/30", prefixes("10.0.0.1/32", "10.0.0.2/32"), "", "no free address left in 10.0.0.0/30"},
		{"not the broadcast", "10.0.0.1/29", prefixes("10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.4/32", "10.0.0.5/32", "10.0.0.6/32"), "", "no free address left in 10.0.0.0/29"},
		{"/31 uses both", "10.0.0.0/31", prefixes("10.0.0.0/32"), "10.0.0.1", ""},
		{"/31 first", "10.0.0.0/31", prefixes("10.0.0.1/32"), "10.0.0.0", ""},
		{"/32 none", "10.0.0.1/32", prefixes("10.0.0.1/32"), "", "no free address left in 10.0.0.1/32"},
		{"IPv6 /64", "fd00::1/64", prefixes("fd00::1/128"), "fd00::2", ""},
		{"IPv6 not anycast", "fd00::/64", nil, "fd00::1", ""},
		{"IPv6 gap", "fd00::1/64", prefixes("fd00::1/128", "fd00::2/128", "fd00::4/128"), "fd00::3", ""},
		{"/127 uses both", "fd00::/127", prefixes("fd00::1/128"), "fd00::", ""},
		{"/127 full", "fd00::/127", prefixes("fd00::/128", "fd00::1/128"), "", "no free address left in fd00::/127"},
		{"IPv6 /126 full", "fd00::/126", prefixes("fd00::1/128", "fd00::2/128", "fd00::3/128"), "", "no free address left in fd00::/126"},
		{"taken by a wide route", "10.0.0.1/24", prefixes("10.0.0.0/24"), "", "no free address left in 10.0.0.0/24"},
	} {
		got, err := NextFree(netip.MustParsePrefix(c.network), c.taken)
		gotS, errS := "", ""
		if got.IsValid() {
			gotS = got.String()
		}
		if err != nil {
			errS = err.Error()
		}
		if gotS != c.want || errS != c.err {
			t.Errorf("%s: NextFree = %q, %q; want %q, %q", c.name, gotS, errS, c.want, c.err)
		}
	}
}

const server = `# the office VPN
[Interface]
Address = 10.8.0.1/24, fd08::1/64 # both families
ListenPort = 51820
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
DNS = 10.8.0.1

# a hand-written peer, with a comment above it
[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
AllowedIPs = 10.8.0.2/32, fd08::2/128

[Peer]
# Name = phone
PublicKey = TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=
AllowedIPs = 10.8.0.4/32, fd08::4/128
# trailing comment`

func TestParse(t *testing.T) {
	f, err := Parse([]byte(server))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(prefixes("10.8.0.1/24", "fd08::1/64"), f.Addresses, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("addresses: %s", diff)
	}
	if len(f.Peers) != 2 || f.Peers[1].Name != "phone" || f.Peers[0].Name != "" || f.DNS[0] != "10.8.0.1" || f.ListenPort != "51820" {
		t.Fatalf("parsed: %+v", f)
	}
	if got := server[f.Peers[0].Start:f.Peers[0].End]; got != "\n# a hand-written peer, with a comment above it\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.8.0.2/32, fd08::2/128\n" {
		t.Errorf("block 0: %q", got)
	}
	got, err := f.Allocate()
	if err != nil || got[0] != netip.MustParsePrefix("10.8.0.3/24") || got[1] != netip.MustParsePrefix("fd08::3/64") {
		t.Errorf("Allocate = %v, %v", got, err)
	}
}

// TestAddRemove: adding then removing a peer gives back the file byte for
// byte, wherever it is; removing hand-written peers takes their comments.
func TestAddRemove(t *testing.T) {
	f, _ := Parse([]byte(server))
	n := &New{Name: "laptop", PublicKey: "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=", PresharedKey: "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=", AllowedIPs: prefixes("10.8.0.3/32", "fd08::3/128")}
	added, err := f.Add(n)
	if err != nil {
		t.Fatal(err)
	}
	if want := server + "\n\n[Peer]\n# Name = laptop\nPublicKey = HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\nPresharedKey = FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE=\nAllowedIPs = 10.8.0.3/32, fd08::3/128\n"; string(added) != want {
		t.Errorf("added:\n%s", added)
	}
	g, _ := Parse(added)
	e, ok := g.Find("laptop")
	if !ok {
		t.Fatal("laptop not found")
	}
	if got := string(g.Remove(e)); got != server+"\n" {
		t.Errorf("remove laptop:\n%q", got)
	}
	e, _ = g.Find("phone")
	if got := string(g.Remove(e)); !strings.Contains(got, "AllowedIPs = 10.8.0.2/32, fd08::2/128\n\n[Peer]\n# Name = laptop") || strings.Contains(got, "phone") {
		t.Errorf("remove phone:\n%s", got)
	}
	e, _ = g.Find("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=")
	if got := string(g.Remove(e)); strings.Contains(got, "hand-written") || !strings.Contains(got, "DNS = 10.8.0.1\n\n[Peer]\n# Name = phone") {
		t.Errorf("remove the hand-written peer:\n%s", got)
	}
}

func TestBadInput(t *testing.T) {
	f, _ := Parse([]byte(server))
	for _, c := range []struct {
		n    New
		want string
	}{
		{New{Name: "phone", PublicKey: "k"}, "a peer named phone already exists"},
		{New{Name: "x", PublicKey: "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="}, "a peer with public key xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg= already exists"},
		{New{Name: "bad name", PublicKey: "k"}, `peer name "bad name": use 1 to 64 letters, digits and _.@+- (starting with a letter or digit)`},
		{New{Name: "", PublicKey: "k"}, `peer name "": use 1 to 64 letters, digits and _.@+- (starting with a letter or digit)`},
	} {
		if _, err := f.Add(&c.n); err == nil || err.Error() != c.want {
			t.Errorf("Add(%+v) = %v, want %s", c.n, err, c.want)
		}
	}
	for in, want := range map[string]string{
		"vpn.example.com":       `endpoint "vpn.example.com" has no port (want HOST:PORT, e.g. vpn.example.com:51820 or [2001:db8::1]:51820)`,
		"vpn.example.com:x":     `endpoint "vpn.example.com:x": port "x" is not a number from 1 to 65535`,
		"vpn.example.com:0":     `endpoint "vpn.example.com:0": port "0" is not a number from 1 to 65535`,
		"2001:db8::1:51820":     `endpoint "2001:db8::1:51820": put an IPv6 address in brackets, as [2001:db8::1]:51820`,
		"[2001:db8::1]:51820":   "",
		"vpn.example.com:51820": "",
		"192.0.2.1:65535":       "",
	} {
		err := CheckEndpoint(in)
		if (err == nil) != (want == "") || (err != nil && err.Error() != want) {
			t.Errorf("CheckEndpoint(%q) = %v, want %q", in, err, want)
		}
	}
	for text, want := range map[string]string{
		"[Interface]\nPrivateKey = x\n":                                          "the interface has no Address to take client addresses from (hint: add one, or pass --address)",
		"[Interface]\nAddress = 10.0.0.1/32\n":                                   "the interface's addresses are all single hosts (/32 or /128): no network to take client addresses from (hint: pass --address)",
		"[Interface]\nAddress = 10.0.0.1/30\n[Peer]\nAllowedIPs = 10.0.0.2/32\n": "no free address left in 10.0.0.0/30",
	} {
		g, err := Parse([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Allocate(); err == nil || err.Error() != want {
			t.Errorf("Allocate(%q) = %v, want %s", text, err, want)
		}
	}
	if _, err := f.Claim([]netip.Addr{netip.MustParseAddr("10.8.0.4")}); err == nil || err.Error() != "address 10.8.0.4 is taken by peer phone" {
		t.Errorf("Claim taken: %v", err)
	}
	if _, err := f.Claim([]netip.Addr{netip.MustParseAddr("10.8.0.1")}); err == nil || err.Error() != "address 10.8.0.1 is the interface's own" {
		t.Errorf("Claim own: %v", err)
	}
	got, err := f.Claim([]netip.Addr{netip.MustParseAddr("10.8.0.9"), netip.MustParseAddr("192.0.2.9")})
	if err != nil || got[0] != netip.MustParsePrefix("10.8.0.9/24") || got[1] != netip.MustParsePrefix("192.0.2.9/32") {
		t.Errorf("Claim = %v, %v", got, err)
	}
}

func TestWithEndpoint(t *testing.T) {
	f, _ := Parse([]byte(server))
	once := f.WithEndpoint(f.Text, "vpn.example.com:51820")
	if want := strings.Replace(server, "[Interface]\n", "[Interface]\n# ClientEndpoint = vpn.example.com:51820\n", 1); string(once) != want {
		t.Errorf("first:\n%s", once)
	}
	g, _ := Parse(once)
	if g.Endpoint != "vpn.example.com:51820" {
		t.Errorf("remembered %q", g.Endpoint)
	}
	if string(g.WithEndpoint(g.Text, "vpn.example.com:51820")) != string(once) {
		t.Error("same endpoint changed the text")
	}
	twice := g.WithEndpoint(g.Text, "[2001:db8::1]:443")
	if want := strings.Replace(server, "[Interface]\n", "[Interface]\n# ClientEndpoint = [2001:db8::1]:443\n", 1); string(twice) != want {
		t.Errorf("replace:\n%s", twice)
	}
}

func TestClientText(t *testing.T) {
	c := Client{PrivateKey: "P", Addresses: prefixes("10.8.0.3/24", "fd08::3/64"), DNS: []string{"10.8.0.1"}, ServerKey: "S", PresharedKey: "K", Endpoint: "vpn.example.com:51820", AllowedIPs: []string{"0.0.0.0/0", "::/0"}, Keepalive: 25}
	want := "[Interface]\nPrivateKey = P\nAddress = 10.8.0.3/24, fd08::3/64\nDNS = 10.8.0.1\n\n[Peer]\nPublicKey = S\nPresharedKey = K\nEndpoint = vpn.example.com:51820\nAllowedIPs = 0.0.0.0/0, ::/0\nPersistentKeepalive = 25\n"
	if diff := cmp.Diff(want, c.Text()); diff != "" {
		t.Error(diff)
	}
}
