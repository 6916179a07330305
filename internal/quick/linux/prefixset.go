package linux

import (
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/ipset"
)

// The route sets of a reload hold a thousand prefixes and more: they are
// ipset.Sets (sorted slices), not maps.

// firstOfEach is ps (masked) without the repeats of a prefix after its
// first, and the set of them. It keeps ps's memory.
func firstOfEach(ps []netip.Prefix) ([]netip.Prefix, ipset.Set) {
	set := ipset.NewSet(slices.Clone(ps))
	seen := make([]bool, len(set))
	out := ps[:0]
	for _, p := range ps {
		i, _ := set.Index(p)
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
	set  ipset.Set
	bits [129]bool
}

// newCoverSet is the cover set of ps; it sorts ps in place.
func newCoverSet(ps []netip.Prefix) *coverSet {
	c := &coverSet{set: ipset.NewSet(ps)}
	for _, p := range c.set {
		c.bits[p.Bits()] = true
	}
	return c
}

// covers is routedBy(set, p).
func (c *coverSet) covers(p netip.Prefix) bool {
	for b := 0; b <= p.Bits(); b++ {
		if c.bits[b] {
			if q, err := p.Addr().Prefix(b); err == nil && c.set.Has(q) {
				return true
			}
		}
	}
	return false
}
