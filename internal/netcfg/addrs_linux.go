//go:build linux

package netcfg

import (
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// Addresses lists the interface's addresses of one family in the kernel's
// order, as `ip -o -4|-6 addr show dev IF` does (IPv6 link-local included).
func (h *Linux) Addresses(ifname string, v6 bool) ([]netip.Addr, error) {
	ps, err := h.addrs(ifname, v6family(v6))
	if err != nil {
		return nil, err
	}
	out := make([]netip.Addr, len(ps))
	for i, p := range ps {
		out[i] = p.Addr()
	}
	return out, nil
}

// Prefixes lists every address of the interface with its prefix length,
// IPv4 first, as `ip -brief address show dev IF` prints them; `wg-quick
// save` writes them as Address lines.
func (h *Linux) Prefixes(ifname string) ([]netip.Prefix, error) {
	return h.addrs(ifname, netlink.FAMILY_ALL)
}

func v6family(v6 bool) int {
	if v6 {
		return netlink.FAMILY_V6
	}
	return netlink.FAMILY_V4
}

func (h *Linux) addrs(ifname string, fam int) ([]netip.Prefix, error) {
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", ifname, err)
	}
	list, err := h.nl().AddrList(link, fam)
	if err != nil {
		return nil, fmt.Errorf("list addresses of %s: %w", ifname, err)
	}
	var out []netip.Prefix
	for _, a := range list {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ones, _ := a.Mask.Size()
		out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
	}
	return out, nil
}

// LinkMTU is the interface's MTU.
func (h *Linux) LinkMTU(ifname string) (int, error) {
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return 0, fmt.Errorf("find %s: %w", ifname, err)
	}
	return link.Attrs().MTU, nil
}
