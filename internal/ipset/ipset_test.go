package ipset

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func pfx(s string) []netip.Prefix {
	var out []netip.Prefix
	for _, f := range strings.Fields(s) {
		out = append(out, netip.MustParsePrefix(f))
	}
	return out
}

func text(ps []netip.Prefix) string {
	var b []string
	for _, p := range ps {
		b = append(b, p.String())
	}
	return strings.Join(b, " ")
}

func TestExclude(t *testing.T) {
	for _, c := range []struct{ allowed, excluded, want string }{
		{"0.0.0.0/0", "", "0.0.0.0/0"},
		{"0.0.0.0/0", "0.0.0.0/0", ""},
		{"0.0.0.0/0", "128.0.0.0/1", "0.0.0.0/1"},
		{"0.0.0.0/0", "192.168.0.0/16",
			"0.0.0.0/1 128.0.0.0/2 192.0.0.0/9 192.128.0.0/11 192.160.0.0/13 192.169.0.0/16 192.170.0.0/15 192.172.0.0/14 192.176.0.0/12 192.192.0.0/10 193.0.0.0/8 194.0.0.0/7 196.0.0.0/6 200.0.0.0/5 208.0.0.0/4 224.0.0.0/3"},
		{"10.0.0.0/8", "10.1.0.0/16 10.3.0.0/16",
			"10.0.0.0/16 10.2.0.0/16 10.4.0.0/14 10.8.0.0/13 10.16.0.0/12 10.32.0.0/11 10.64.0.0/10 10.128.0.0/9"},
		{"10.0.0.0/8", "10.0.0.0/9 10.128.0.0/9", ""},
		{"10.0.0.0/8 fd00::/8", "10.0.0.0/9 fd80::/9", "10.128.0.0/9 fd00::/9"},
		{"10.0.0.0/8", "fd00::/8 192.168.0.0/16", "10.0.0.0/8"},
		{"10.1.2.3/8", "10.255.255.255/32", "10.0.0.0/9 10.128.0.0/10 10.192.0.0/11 10.224.0.0/12 10.240.0.0/13 10.248.0.0/14 10.252.0.0/15 10.254.0.0/16 10.255.0.0/17 10.255.128.0/18 10.255.192.0/19 10.255.224.0/20 10.255.240.0/21 10.255.248.0/22 10.255.252.0/23 10.255.254.0/24 10.255.255.0/25 10.255.255.128/26 10.255.255.192/27 10.255.255.224/28 10.255.255.240/29 10.255.255.248/30 10.255.255.252/31 10.255.255.254/32"},
		{"10.0.0.0/24 10.0.1.0/24", "", "10.0.0.0/23"},
		{"10.0.0.0/8 10.1.0.0/16", "", "10.0.0.0/8"},
		{"::/0", "::/1", "8000::/1"},
	} {
		got := text(Exclude(pfx(c.allowed), pfx(c.excluded)))
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("Exclude(%s, %s) (-want +got):\n%s", c.allowed, c.excluded, diff)
		}
	}
}

// TestExcludeProperty: for random lists, every address is in the result
// exactly when it is allowed and not excluded (checked on the edges of
// every prefix and on random addresses), and the result's prefixes do not
// overlap.
func TestExcludeProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 9))
	randPrefix := func() netip.Prefix {
		if r.IntN(3) == 0 {
			var b [16]byte
			b[0], b[1] = 0xfd, byte(r.IntN(4))
			return netip.PrefixFrom(netip.AddrFrom16(b), 8+r.IntN(16)).Masked()
		}
		a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), byte(r.IntN(256))})
		return netip.PrefixFrom(a, 6+r.IntN(27)).Masked()
	}
	in := func(ps []netip.Prefix, a netip.Addr) bool {
		for _, p := range ps {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	for round := 0; round < 500; round++ {
		var allowed, excluded []netip.Prefix
		for range 1 + r.IntN(4) {
			allowed = append(allowed, randPrefix())
		}
		for range r.IntN(5) {
			excluded = append(excluded, randPrefix())
		}
		got := Exclude(allowed, excluded)
		var probes []netip.Addr
		for _, p := range append(append(append([]netip.Prefix{}, allowed...), excluded...), got...) {
			probes = append(probes, p.Addr(), p.Addr().Prev(), last(p), last(p).Next())
		}
		for range 200 {
			probes = append(probes, randPrefix().Addr())
		}
		for _, a := range probes {
			if !a.IsValid() {
				continue
			}
			if want := in(allowed, a) && !in(excluded, a); in(got, a) != want {
				t.Fatalf("round %d: Exclude(%v, %v) = %v: %s is in it: %v, want %v", round, allowed, excluded, got, a, !want, want)
			}
		}
		for i := range got {
			for j := i + 1; j < len(got); j++ {
				if got[i].Overlaps(got[j]) {
					t.Fatalf("round %d: %v and %v overlap in %v", round, got[i], got[j], got)
				}
			}
		}
	}
}

// last is the last address of p.
func last(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
