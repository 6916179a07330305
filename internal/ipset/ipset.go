// Package ipset is prefix arithmetic: what is left of a list of prefixes
// once others are taken out, as the fewest prefixes (the AllowedIPs that
// route everything but a LAN, without an online calculator).
package ipset

import (
	"net/netip"
	"slices"
)

// Exclude returns the prefixes that cover exactly what allowed covers and
// excluded does not, each masked, in address order (IPv4 first), merged
// where two halves make a whole. Prefixes of one family never touch the
// other's.
func Exclude(allowed, excluded []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range normalize(allowed) {
		parts := []netip.Prefix{a}
		for _, e := range excluded {
			e = e.Masked()
			var next []netip.Prefix
			for _, p := range parts {
				next = append(next, subtract(p, e)...)
			}
			parts = next
		}
		out = append(out, parts...)
	}
	return normalize(out)
}

// subtract is p without e: p itself when they do not overlap, nothing
// when e covers p, else the sibling of each half on the way down from p
// to e.
func subtract(p, e netip.Prefix) []netip.Prefix {
	if p.Addr().Is4() != e.Addr().Is4() || !p.Overlaps(e) {
		return []netip.Prefix{p}
	}
	if e.Bits() <= p.Bits() {
		return nil // e covers p
	}
	var out []netip.Prefix
	for p.Bits() < e.Bits() {
		lo, hi := halves(p)
		if lo.Contains(e.Addr()) {
			out, p = append(out, hi), lo
		} else {
			out, p = append(out, lo), hi
		}
	}
	return out
}

// halves are the two prefixes one bit longer that make up p.
func halves(p netip.Prefix) (lo, hi netip.Prefix) {
	bits := p.Bits() + 1
	lo = netip.PrefixFrom(p.Addr(), bits)
	b := p.Addr().AsSlice()
	b[p.Bits()/8] |= 0x80 >> (p.Bits() % 8)
	a, _ := netip.AddrFromSlice(b)
	return lo, netip.PrefixFrom(a, bits)
}

// normalize masks ps, drops what another covers, merges sibling halves,
// and sorts the rest by address (IPv4 first), then length.
func normalize(ps []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(ps))
	for _, p := range ps {
		if p.IsValid() {
			out = append(out, p.Masked())
		}
	}
	for {
		slices.SortFunc(out, netip.Prefix.Compare)
		out = slices.Compact(out)
		// Drop a prefix the one before covers (sorted, a cover comes first).
		kept := out[:0]
		for _, p := range out {
			if n := len(kept); n > 0 && kept[n-1].Addr().Is4() == p.Addr().Is4() && kept[n-1].Bits() <= p.Bits() && kept[n-1].Contains(p.Addr()) {
				continue
			}
			kept = append(kept, p)
		}
		out = kept
		merged := false
		for i := 0; i+1 < len(out); i++ {
			if p, ok := sibling(out[i], out[i+1]); ok {
				out[i], out = p, slices.Delete(out, i+1, i+2)
				merged = true
			}
		}
		if !merged {
			return out
		}
	}
}

// sibling is the prefix a and b are the two halves of, if they are.
func sibling(a, b netip.Prefix) (netip.Prefix, bool) {
	if a.Bits() != b.Bits() || a.Bits() == 0 || a.Addr().Is4() != b.Addr().Is4() {
		return netip.Prefix{}, false
	}
	parent, _ := a.Addr().Prefix(a.Bits() - 1)
	lo, hi := halves(parent)
	return parent, lo == a && hi == b
}
