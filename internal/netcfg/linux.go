//go:build linux

package netcfg

import (
	"fmt"
	"io"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Linux changes network state through netlink, in the caller's network
// namespace (or the one of Handle).
type Linux struct {
	// Log receives the `[#] …` lines.
	Log io.Writer
	// Handle is the netlink handle to use; nil means this namespace.
	Handle *netlink.Handle
	// NS is the namespace of a Handle given, in which route listings open
	// their own socket (nil: they go through Handle, more slowly).
	NS *netns.NsHandle
	// Birthplace, when set (with NS and NSName), is the namespace where a
	// kernel WireGuard link is made, and keeps its UDP socket, before it
	// moves into NS (`wg-quick up --netns`).
	Birthplace *netlink.Handle
	NSName     string

	// index caches the interface index AddRoute uses (one lookup for a
	// thousand routes); DeleteLink forgets it.
	index map[string]int
	// own says that nl made Handle; rt is the socket of route listings,
	// buf the buffer they receive into.
	own bool
	rt  *nl.NetlinkSocket
	buf []byte
}

// linkIndex is the interface's index, looked up once.
func (h *Linux) linkIndex(ifname string) (int, error) {
	if i, ok := h.index[ifname]; ok {
		return i, nil
	}
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return 0, fmt.Errorf("find %s: %w", ifname, err)
	}
	if h.index == nil {
		h.index = map[string]int{}
	}
	h.index[ifname] = link.Attrs().Index
	return link.Attrs().Index, nil
}

// nl is the netlink handle: Handle, or one made on first use for this
// namespace, whose socket every later request reuses.
func (h *Linux) nl() *netlink.Handle {
	if h.Handle == nil {
		nh, err := netlink.NewHandle(unix.NETLINK_ROUTE)
		if err != nil {
			return &netlink.Handle{} // a socket per request
		}
		h.Handle, h.own = nh, true
	}
	return h.Handle
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
	delete(h.index, ifname)
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("find %s: %w", ifname, err)
	}
	return h.nl().LinkDel(link)
}

// RoutesThrough lists the main-table routes of one family through the
// interface. A prefix that one of them contains is what `ip route show dev
// IF match P` would print, so wg-quick adds no route for it.
func (h *Linux) RoutesThrough(ifname string, v6 bool) ([]netip.Prefix, error) {
	index, err := h.linkIndex(ifname)
	if err != nil {
		return nil, err
	}
	var out []netip.Prefix
	if err := h.routes(v6, 0, index, func(r route) { out = append(out, r.dst) }); err != nil {
		return nil, fmt.Errorf("list routes through %s: %w", ifname, err)
	}
	return out, nil
}

// AddRoute routes prefix through the interface, in the main table (table
// 0) or table n: `ip -4|-6 route add P dev IF [table N]`. name, when
// given, is how the table appears in the log.
func (h *Linux) AddRoute(ifname string, prefix netip.Prefix, table int, name ...string) error {
	suffix := ""
	if len(name) > 0 && name[0] != "" {
		suffix = " table " + name[0]
	} else if table != 0 {
		suffix = fmt.Sprintf(" table %d", table)
	}
	h.logf("ip %s route add %s dev %s%s", family(prefix), prefix, ifname, suffix)
	index, err := h.linkIndex(ifname)
	if err != nil {
		return err
	}
	// Scope link, as ip(8) gives a route through a device without a gateway.
	r := &netlink.Route{LinkIndex: index, Dst: ipnet(prefix.Masked()), Table: table, Scope: netlink.SCOPE_LINK}
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
	var defaults []route
	if err := h.routes(false, 0, 0, func(r route) {
		if r.dst.Bits() == 0 {
			defaults = append(defaults, r)
		}
	}); err != nil {
		return 0, false
	}
	for _, r := range defaults {
		if r.mtu > 0 {
			return r.mtu, true
		}
		if link, err := h.nl().LinkByIndex(r.oif); r.oif != 0 && err == nil {
			return link.Attrs().MTU, true
		}
	}
	return 0, false
}

// AddWireGuardLink creates a kernel WireGuard interface:
// `ip link add dev IF type wireguard`.
func (h *Linux) AddWireGuardLink(ifname string) error {
	h.logf("ip link add dev %s type wireguard", ifname)
	link := &netlink.Wireguard{LinkAttrs: netlink.LinkAttrs{Name: ifname}}
	if h.Birthplace == nil {
		return h.nl().LinkAdd(link)
	}
	if err := h.Birthplace.LinkAdd(link); err != nil {
		return err
	}
	return h.moveIn(ifname)
}

// moveIn moves the link ifname from Birthplace into NS (`ip link set dev
// IF netns NS`); the link is deleted when it cannot move.
func (h *Linux) moveIn(ifname string) error {
	h.logf("ip link set dev %s netns %s", ifname, h.NSName)
	link, err := h.Birthplace.LinkByName(ifname)
	if err == nil {
		if err = h.Birthplace.LinkSetNsFd(link, int(*h.NS)); err != nil {
			h.Birthplace.LinkDel(link)
		}
	}
	if err != nil {
		return fmt.Errorf("move %s into network namespace %s: %w", ifname, h.NSName, err)
	}
	return nil
}
