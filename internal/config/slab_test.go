package config

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSlab: slices appended to in turn keep their own values across full
// arrays; a slice not from the slab, or not its last, is copied, never
// overwritten; New's values stay put.
func TestSlab(t *testing.T) {
	var s Slab[netip.Prefix]
	lists := make([][]netip.Prefix, 3000)
	want := make([][]netip.Prefix, 3000)
	for i := range lists {
		for j := 0; j <= i%3; j++ {
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), byte(j)}), 32)
			lists[i] = s.Append(lists[i], p)
			want[i] = append(want[i], p)
		}
	}
	extra := netip.MustParsePrefix("192.0.2.1/32")
	for _, i := range []int{5, 2999, 5} {
		lists[i] = s.Append(lists[i], extra)
		want[i] = append(want[i], extra)
	}
	outside := []netip.Prefix{extra}
	got := s.Append(outside[:1:1], extra)
	if diff := cmp.Diff(want, lists, cmp.Comparer(func(x, y netip.Prefix) bool { return x == y })); diff != "" || outside[0] != extra || len(got) != 2 {
		t.Error(diff)
	}
	var ints Slab[int]
	var ptrs []*int
	for i := range 5000 {
		ptrs = append(ptrs, ints.New(i))
	}
	for i, p := range ptrs {
		if *p != i {
			t.Fatalf("New %d holds %d", i, *p)
		}
	}
}
