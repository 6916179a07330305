//go:build linux

package netcfg

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Linux changes network state through netlink, in the caller's network
// namespace (or the one of Handle).
type Linux struct {
	// Log receives the `[#] …` lines.
	Log io.Writer
	// Handle is the netlink handle to use; nil means this namespace.
	Handle *netlink.Handle
}

func (h *Linux) nl() *netlink.Handle {
	if h.Handle != nil {
		return h.Handle
	}
	return &netlink.Handle{}
}

func (h *Linux) logf(format string, args ...any) {
	if h.Log != nil {
		fmt.Fprintf(h.Log, "[#] "+format+"\n", args...)
	}
}

func family(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "-4"
	}
	return "-6"
}

func ipnet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// LinkExists reports whether an interface of that name exists.
func (h *Linux) LinkExists(name string) bool {
	_, err := h.nl().LinkByName(name)
	return err == nil
}

// AddAddress adds addr (ip/cidr, host bits kept) to the interface:
// `ip -4|-6 address add ADDR dev IF`. raw, when set, is the text the
// config gave, which is what the log line shows.
func (h *Linux) AddAddress(ifname string, addr netip.Prefix, raw ...string) error {
	text := addr.String()
	if len(raw) > 0 && raw[0] != "" {
		text = raw[0]
	}
	h.logf("ip %s address add %s dev %s", family(addr), text, ifname)
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifname, err)
	}
	a := &netlink.Addr{IPNet: &net.IPNet{IP: addr.Addr().AsSlice(), Mask: net.CIDRMask(addr.Bits(), addr.Addr().BitLen())}}
	if addr.Addr().Is4() {
		a.Broadcast = net.IPv4zero // as ip(8): no broadcast address unless asked
	}
	if err := h.nl().AddrAdd(link, a); err != nil {
		return fmt.Errorf("add address %s to %s: %w", addr, ifname, err)
	}
	return nil
}

// SetMTUUp sets the MTU and brings the link up: `ip link set mtu N up dev IF`.
func (h *Linux) SetMTUUp(ifname string, mtu int) error {
	h.logf("ip link set mtu %d up dev %s", mtu, ifname)
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifname, err)
	}
	if err := h.nl().LinkSetMTU(link, mtu); err != nil {
		return fmt.Errorf("set MTU %d on %s: %w", mtu, ifname, err)
	}
	if err := h.nl().LinkSetUp(link); err != nil {
		return fmt.Errorf("bring %s up: %w", ifname, err)
	}
	return nil
}

// DeleteLink deletes the interface: `ip link delete dev IF`.
func (h *Linux) DeleteLink(ifname string) error {
	h.logf("ip link delete dev %s", ifname)
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifname, err)
	}
	return h.nl().LinkDel(link)
}

// RoutedThrough reports whether the kernel already routes prefix through
// the interface (`ip route show dev IF match P` prints something): such
// prefixes, like an address's own subnet, get no route of their own.
func (h *Linux) RoutedThrough(ifname string, prefix netip.Prefix) (bool, error) {
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return false, err
	}
	fam := unix.AF_INET
	if prefix.Addr().Is6() {
		fam = unix.AF_INET6
	}
	routes, err := h.nl().RouteListFiltered(fam, &netlink.Route{LinkIndex: link.Attrs().Index, Table: unix.RT_TABLE_MAIN},
		netlink.RT_FILTER_OIF|netlink.RT_FILTER_TABLE)
	if err != nil {
		return false, err
	}
	for _, r := range routes {
		// "match P": routes whose prefix contains P.
		dst := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if fam == unix.AF_INET6 {
			dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		if r.Dst != nil {
			a, _ := netip.AddrFromSlice(r.Dst.IP)
			ones, _ := r.Dst.Mask.Size()
			dst = netip.PrefixFrom(a.Unmap(), ones)
		}
		if dst.Bits() <= prefix.Bits() && dst.Contains(prefix.Addr()) {
			return true, nil
		}
	}
	return false, nil
}

// AddRoute routes prefix through the interface, in the main table (table
// 0) or table n: `ip -4|-6 route add P dev IF [table N]`.
func (h *Linux) AddRoute(ifname string, prefix netip.Prefix, table int) error {
	suffix := ""
	if table != 0 {
		suffix = fmt.Sprintf(" table %d", table)
	}
	h.logf("ip %s route add %s dev %s%s", family(prefix), prefix, ifname, suffix)
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifname, err)
	}
	// Scope link, as ip(8) gives a route through a device without a gateway.
	r := &netlink.Route{LinkIndex: link.Attrs().Index, Dst: ipnet(prefix.Masked()), Table: table, Scope: netlink.SCOPE_LINK}
	if err := h.nl().RouteAdd(r); err != nil {
		return fmt.Errorf("add route %s dev %s%s: %w", prefix, ifname, suffix, err)
	}
	return nil
}

// RouteMTU is the MTU wg-quick would find for traffic to addr: the route's
// own mtu, or else its device's (`ip route get ADDR`).
func (h *Linux) RouteMTU(addr netip.Addr) (int, bool) {
	routes, err := h.nl().RouteGet(addr.AsSlice())
	if err != nil || len(routes) == 0 {
		return 0, false
	}
	r := routes[0]
	if r.MTU > 0 {
		return r.MTU, true
	}
	link, err := h.nl().LinkByIndex(r.LinkIndex)
	if err != nil {
		return 0, false
	}
	return link.Attrs().MTU, true
}

// DefaultRouteMTU is the MTU of the first IPv4 default route, as wg-quick
// falls back to when no endpoint gives one.
func (h *Linux) DefaultRouteMTU() (int, bool) {
	routes, err := h.nl().RouteListFiltered(unix.AF_INET, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return 0, false
	}
	for _, r := range routes {
		if r.Dst == nil || strings.HasPrefix(r.Dst.String(), "0.0.0.0/0") {
			if r.MTU > 0 {
				return r.MTU, true
			}
			if link, err := h.nl().LinkByIndex(r.LinkIndex); err == nil {
				return link.Attrs().MTU, true
			}
		}
	}
	return 0, false
}

// AddWireGuardLink creates a kernel WireGuard interface:
// `ip link add dev IF type wireguard`.
func (h *Linux) AddWireGuardLink(ifname string) error {
	h.logf("ip link add dev %s type wireguard", ifname)
	return h.nl().LinkAdd(&netlink.Wireguard{LinkAttrs: netlink.LinkAttrs{Name: ifname}})
}
