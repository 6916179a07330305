package ipset

import (
	"net/netip"
	"slices"
)

// Set is a set of masked prefixes: a sorted slice searched in halves. A
// map of a thousand prefixes takes about four times the memory, and in a
// command that runs for milliseconds memory is the cost (each new page a
// fault).
type Set []netip.Prefix

// NewSet is the set of the prefixes of ps, masked; it sorts ps in place
// and keeps its memory.
func NewSet(ps []netip.Prefix) Set {
	for i, p := range ps {
		ps[i] = p.Masked()
	}
	slices.SortFunc(ps, netip.Prefix.Compare)
	return slices.Compact(ps)
}

// Has reports whether p, masked, is in s.
func (s Set) Has(p netip.Prefix) bool {
	_, ok := s.Index(p)
	return ok
}

// Index is where p, masked, is (or would be) in s, and whether it is.
func (s Set) Index(p netip.Prefix) (int, bool) {
	return slices.BinarySearchFunc(s, p.Masked(), netip.Prefix.Compare)
}

// Defaults reports which families' default route (a /0) is among ps.
func Defaults(ps []netip.Prefix) (v4, v6 bool) {
	for _, p := range ps {
		if p.Bits() == 0 {
			v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
		}
	}
	return v4, v6
}
