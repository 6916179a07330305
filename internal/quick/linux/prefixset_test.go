package linux

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

func TestFirstOfEach(t *testing.T) {
	eq := cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })
	order, set := firstOfEach(prefixes("10.9.0.0/16", "10.1.0.1/24", "fd00::/64", "10.1.0.0/24", "10.9.1.0/16", "10.2.0.0/24"))
	if diff := cmp.Diff(prefixes("10.9.0.0/16", "10.1.0.0/24", "fd00::/64", "10.2.0.0/24"), order, eq); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(prefixes("10.1.0.0/24", "10.2.0.0/24", "10.9.0.0/16", "fd00::/64"), []netip.Prefix(set), eq); diff != "" {
		t.Errorf("set (-want +got):\n%s", diff)
	}
}

func TestCoverSet(t *testing.T) {
	c := newCoverSet(prefixes("10.1.0.0/16", "192.168.1.7/32", "fd00::/48"))
	for _, tt := range []struct {
		p    string
		want bool
	}{
		{"10.1.0.0/16", true}, {"10.1.2.0/24", true}, {"10.1.2.3/32", true}, {"10.0.0.0/8", false},
		{"10.2.0.0/24", false}, {"192.168.1.7/32", true}, {"192.168.1.0/24", false},
		{"fd00:0:0:1::/64", true}, {"fd00:1::/64", false}, {"0.0.0.0/0", false},
	} {
		if got := c.covers(netip.MustParsePrefix(tt.p)); got != tt.want {
			t.Errorf("covers(%s) = %v, want %v", tt.p, got, tt.want)
		}
	}
}
