package linux

import (
	"net/netip"
	"slices"
)

// The route sets of a reload hold a thousand prefixes and more. They are
// sorted slices searched in halves: a map of as many prefixes took about
// four times the memory, and in a process that runs for milliseconds the
// memory is the cost (each new page a fault).

// prefixSet is a set of masked prefixes.
type prefixSet []netip.Prefix

// newPrefixSet is the set of the prefixes of ps, masked; it sorts ps in
// place and keeps its memory.
func newPrefixSet(ps []netip.Prefix) prefixSet {
	for i, p := range ps {
		ps[i] = p.Masked()
	}
	slices.SortFunc(ps, comparePrefix)
	return slices.Compact(ps)
}

func (s prefixSet) has(p netip.Prefix) bool {
	_, ok := slices.BinarySearchFunc(s, p.Masked(), comparePrefix)
	return ok
}

func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// firstOfEach is ps (masked) without the repeats of a prefix after its
// first, and the set of them. It keeps ps's memory.
func firstOfEach(ps []netip.Prefix) ([]netip.Prefix, prefixSet) {
	set := newPrefixSet(slices.Clone(ps))
	seen := make([]bool, len(set))
	out := ps[:0]
	for _, p := range ps {
		i, _ := slices.BinarySearchFunc(set, p.Masked(), comparePrefix)
		if !seen[i] {
			seen[i] = true
			out = append(out, p.Masked())
		}
	}
	return out, set
}

// coverSet answers routedBy for many prefixes: whether a prefix of the
// set contains p, in a search per prefix length the set has.
type coverSet struct {
	set  prefixSet
	bits [129]bool
}

// newCoverSet is the cover set of ps; it sorts ps in place.
func newCoverSet(ps []netip.Prefix) *coverSet {
	c := &coverSet{set: newPrefixSet(ps)}
	for _, p := range c.set {
		c.bits[p.Bits()] = true
	}
	return c
}

// covers is routedBy(set, p).
func (c *coverSet) covers(p netip.Prefix) bool {
	for b := 0; b <= p.Bits(); b++ {
		if c.bits[b] {
			if q, err := p.Addr().Prefix(b); err == nil && c.set.has(q) {
				return true
			}
		}
	}
	return false
}
