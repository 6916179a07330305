package netcfg

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Route is a route through an interface: its destination and routing
// table (unix.RT_TABLE_MAIN for the main one).
type Route struct {
	Dst   netip.Prefix
	Table int
}

// RoutesOf lists the routes through the interface that someone added (not
// the kernel's own for its addresses), of both families and every table
// but the local one: what `ip route show table all dev IF` prints without
// `proto kernel` lines.
func (h *Linux) RoutesOf(ifname string) ([]Route, error) {
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", ifname, err)
	}
	var out []Route
	for _, fam := range []int{unix.AF_INET, unix.AF_INET6} {
		routes, err := h.nl().RouteListFiltered(fam, &netlink.Route{LinkIndex: link.Attrs().Index, Table: unix.RT_TABLE_UNSPEC},
			netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, fmt.Errorf("list routes through %s: %w", ifname, err)
		}
		for _, r := range routes {
			if r.Protocol == unix.RTPROT_KERNEL || r.Table == unix.RT_TABLE_LOCAL || r.Type != unix.RTN_UNICAST {
				continue
			}
			dst := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
			if fam == unix.AF_INET6 {
				dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
			}
			if r.Dst != nil {
				a, _ := netip.AddrFromSlice(r.Dst.IP)
				ones, _ := r.Dst.Mask.Size()
				dst = netip.PrefixFrom(a.Unmap(), ones)
			}
			out = append(out, Route{Dst: dst, Table: r.Table})
		}
	}
	return out, nil
}

// DefaultRules lists the policy rules AddDefaultRules added for table n
// that are there, as its log writes them, with the family: "not fwmark N
// table N (IPv4)", "table main suppress_prefixlength 0 (IPv6)".
func (h *Linux) DefaultRules(n int) ([]string, error) {
	var out []string
	for _, v6 := range []bool{false, true} {
		af, _ := afOf(v6)
		fam := "IPv4"
		if v6 {
			fam = "IPv6"
		}
		rules, err := h.nl().RuleList(af)
		if err != nil {
			return nil, err
		}
		var own, suppress bool
		for _, r := range rules {
			switch {
			case r.Table == n && r.Invert && r.Mark == uint32(n):
				own = true
			case r.Table == unix.RT_TABLE_MAIN && r.SuppressPrefixlen == 0 && r.Src == nil && r.Dst == nil && r.Mark == 0 && !r.Invert:
				suppress = true
			}
		}
		if own {
			out = append(out, fmt.Sprintf("not fwmark %d table %d (%s)", n, n, fam))
			if suppress {
				out = append(out, "table main suppress_prefixlength 0 ("+fam+")")
			}
		}
	}
	return out, nil
}
