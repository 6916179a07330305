package ipset

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSet(t *testing.T) {
	s := NewSet(pfx("10.0.0.1/24 fd00::1/64 10.0.0.0/24 0.0.0.0/0 10.0.0.0/25"))
	if diff := cmp.Diff(pfx("0.0.0.0/0 10.0.0.0/24 10.0.0.0/25 fd00::/64"), []netip.Prefix(s), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("set (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		p    string
		want bool
	}{
		{"10.0.0.9/24", true}, {"10.0.0.0/25", true}, {"10.0.0.128/25", false}, {"10.0.0.0/26", false},
		{"0.0.0.0/0", true}, {"::/0", false}, {"fd00::5/64", true}, {"fd00::/63", false},
	} {
		if got := s.Has(netip.MustParsePrefix(tt.p)); got != tt.want {
			t.Errorf("has(%s) = %v, want %v", tt.p, got, tt.want)
		}
	}
	if NewSet(nil).Has(netip.MustParsePrefix("10.0.0.0/8")) {
		t.Error("the empty set has a prefix")
	}
}

func TestDefaults(t *testing.T) {
	for _, tt := range []struct {
		ps     []string
		v4, v6 bool
	}{
		{nil, false, false},
		{[]string{"10.0.0.0/8", "::/1"}, false, false},
		{[]string{"0.0.0.0/0"}, true, false},
		{[]string{"::/0", "10.0.0.0/8"}, false, true},
		{[]string{"::/0", "0.0.0.0/0"}, true, true},
	} {
		var ps []netip.Prefix
		for _, s := range tt.ps {
			ps = append(ps, netip.MustParsePrefix(s))
		}
		if v4, v6 := Defaults(ps); v4 != tt.v4 || v6 != tt.v6 {
			t.Errorf("%v: %v %v, want %v %v", tt.ps, v4, v6, tt.v4, tt.v6)
		}
	}
}
