//go:build linux

package netcfg

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The changes `wg-quick reload` makes besides up's: addresses and routes
// that go, and what is there to compare with.

// DelAddress removes addr (ip/cidr as added) from the interface:
// `ip -4|-6 address del ADDR dev IF`.
func (h *Linux) DelAddress(ifname string, addr netip.Prefix) error {
	h.logf("ip %s address del %s dev %s", family(addr), addr, ifname)
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifname, err)
	}
	a := &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), addr.Addr().BitLen())}}
	if err := h.nl().AddrDel(link, a); err != nil {
		return fmt.Errorf("delete address %s from %s: %w", addr, ifname, err)
	}
	return nil
}

// DelRoute removes the route of prefix through the interface in the main
// table (0) or table n: `ip -4|-6 route del P dev IF [table N]`.
func (h *Linux) DelRoute(ifname string, prefix netip.Prefix, table int) error {
	suffix := ""
	if table != 0 {
		suffix = fmt.Sprintf(" table %d", table)
	}
	h.logf("ip %s route del %s dev %s%s", family(prefix), prefix, ifname, suffix)
	index, err := h.linkIndex(ifname)
	if err != nil {
		return err
	}
	// Scope nowhere matches a route of any scope, as ip(8)'s delete.
	r := &netlink.Route{LinkIndex: index, Dst: ipnet(prefix.Masked()), Table: table, Scope: netlink.Scope(unix.RT_SCOPE_NOWHERE)}
	if err := h.nl().RouteDel(r); err != nil {
		return fmt.Errorf("delete route %s dev %s%s: %w", prefix, ifname, suffix, err)
	}
	return nil
}

// RoutesIn lists the unicast routes of one family through the interface
// in table n (0 = main): those someone added, and the kernel's own for
// the interface's addresses (`proto kernel`).
func (h *Linux) RoutesIn(ifname string, table int, v6 bool) (added, kernel []netip.Prefix, err error) {
	index, err := h.linkIndex(ifname)
	if err != nil {
		return nil, nil, err
	}
	err = h.routes(v6, table, index, func(r route) {
		switch {
		case r.typ != unix.RTN_UNICAST:
		case r.proto == unix.RTPROT_KERNEL:
			kernel = append(kernel, r.dst)
		default:
			added = append(added, r.dst)
		}
	})
	if err != nil {
		return nil, nil, fmt.Errorf("list routes through %s: %w", ifname, err)
	}
	return added, kernel, nil
}
