//go:build freebsd || openbsd

package bsd

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/wgtools/wgtools/internal/quick/bsdroute"
)

var seq atomic.Int32

func ifname(index int) string {
	if i, err := net.InterfaceByIndex(index); err == nil {
		return i.Name
	}
	return ""
}

// replyInterface is the interface a RTM_GET reply names: its RTA_IFP
// link address (by name, else index), else rtm_index.
func replyInterface(m *routeMsg) string {
	if ifp := m.sa[rtaxIFP]; ifp != nil && ifp.link {
		if ifp.linkName != "" {
			return ifp.linkName
		}
		if ifp.linkIndex != 0 {
			return ifname(ifp.linkIndex)
		}
	}
	return ifname(m.index)
}

// get is `route -n get`: RTM_GET for a prefix (with its netmask, which
// asks for exactly that prefix) or an address (RTF_HOST, the longest
// match), asking for the interface (an empty RTA_IFP link address).
func get(p netip.Prefix, host bool) (*routeMsg, error) {
	m := &routeMsg{typ: rtmGet, flags: rtfUp | rtfGateway | rtfStatic}
	m.sa[rtaxDst] = &rtAddr{ip: p.Addr()}
	if host {
		m.flags |= rtfHost
	} else {
		m.sa[rtaxNetmask] = &rtAddr{ip: maskOf(p)}
	}
	m.sa[rtaxIFP] = &rtAddr{link: true}
	return routeRequest(m, 0)
}

// DefaultRoute is `route -n get -inet[6] default`: its gateway (invalid
// when it is a link address) and interface.
func (s *System) DefaultRoute(v6 bool) (netip.Addr, string, bool) {
	p := netip.MustParsePrefix("0.0.0.0/0")
	if v6 {
		p = netip.MustParsePrefix("::/0")
	}
	m, err := get(p, false)
	if err != nil {
		return netip.Addr{}, "", false
	}
	var gw netip.Addr
	if g := m.sa[rtaxGateway]; g != nil && !g.link && g.ip.IsValid() && m.flags&rtfGateway != 0 {
		gw = g.ip
		if g.zone != 0 {
			gw = gw.WithZone(ifname(g.zone))
		}
	}
	return gw, replyInterface(m), true
}

// RouteInterface is the interface of the route `route -n get P` finds,
// when that route is P itself.
func (s *System) RouteInterface(p netip.Prefix) (string, bool) {
	p = p.Masked()
	m, err := get(p, p.IsSingleIP())
	if err != nil {
		return "", false
	}
	if got, ok := m.prefix(); !ok || got != p {
		return "", false
	}
	name := replyInterface(m)
	return name, name != ""
}

// LookupInterface is the interface `route -n get ADDR` finds.
func (s *System) LookupInterface(a netip.Addr) (string, bool) {
	m, err := get(bsdroute.HostPrefix(a.WithZone("")), true)
	if err != nil {
		return "", false
	}
	name := replyInterface(m)
	return name, name != ""
}

// AddRoute is `route -q -n add`: through an interface (FreeBSD's
// -interface IF, a link address; OpenBSD's -iface ADDR, the interface's
// address), to a gateway, or a blackhole through the loopback address,
// in the main table or another (a FIB, an rtable).
func (s *System) AddRoute(p netip.Prefix, via bsdroute.Via) error {
	p = p.Masked()
	m := &routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic}
	m.sa[rtaxDst] = &rtAddr{ip: p.Addr()}
	switch {
	case via.IfaceAddr.IsValid():
		m.sa[rtaxGateway] = &rtAddr{ip: via.IfaceAddr}
	case via.Interface != "":
		i, err := net.InterfaceByName(via.Interface)
		if err != nil {
			return err
		}
		m.sa[rtaxGateway] = &rtAddr{link: true, linkIndex: i.Index, linkName: i.Name}
	case via.Blackhole:
		lo := netip.MustParseAddr("127.0.0.1")
		if p.Addr().Is6() {
			lo = netip.IPv6Loopback()
		}
		m.flags |= rtfGateway | rtfBlackhole
		m.sa[rtaxGateway] = &rtAddr{ip: lo}
	default:
		m.flags |= rtfGateway
		zone := 0
		if z := via.Gateway.Zone(); z != "" {
			if i, err := net.InterfaceByName(z); err == nil {
				zone = i.Index
			}
		}
		m.sa[rtaxGateway] = &rtAddr{ip: via.Gateway.WithZone(""), zone: zone}
	}
	setDest(m, p)
	_, err := routeRequest(m, via.Table)
	return err
}

// DeleteRoute is `route -q -n delete`.
func (s *System) DeleteRoute(p netip.Prefix) error {
	p = p.Masked()
	m := &routeMsg{typ: rtmDelete, flags: rtfUp | rtfStatic}
	m.sa[rtaxDst] = &rtAddr{ip: p.Addr()}
	setDest(m, p)
	_, err := routeRequest(m, 0)
	return err
}

// setDest marks a host route, or gives a network's netmask.
func setDest(m *routeMsg, p netip.Prefix) {
	if p.IsSingleIP() {
		m.flags |= rtfHost
	} else {
		m.sa[rtaxNetmask] = &rtAddr{ip: maskOf(p)}
	}
}

// routeRequest writes m to a routing socket (on a table other than the
// main one as setTable says) and, for RTM_GET, reads its answer (the
// kernel echoes each request to its sender, rtm_errno set on failure).
func routeRequest(m *routeMsg, table int) (*routeMsg, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if table != 0 {
		if err := setTable(fd, m, table); err != nil {
			return nil, err
		}
	}
	m.pid, m.seq = int32(os.Getpid()), seq.Add(1)
	if _, err := unix.Write(fd, native.marshal(m)); err != nil {
		return nil, fmt.Errorf("writing to routing socket: %w", strerror{err})
	}
	if m.typ != rtmGet {
		return m, nil
	}
	tv := unix.Timeval{Sec: 5}
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return nil, err
	}
	buf := make([]byte, 2048)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil {
			return nil, fmt.Errorf("read from routing socket: %w", err)
		}
		reply, err := native.parse(buf[:n])
		if err != nil || reply.typ != m.typ || reply.pid != m.pid || reply.seq != m.seq {
			continue
		}
		if reply.errno != 0 {
			return nil, syscall.Errno(reply.errno)
		}
		return reply, nil
	}
}

// Watch delivers the routing socket's messages as their RTM_ names, as
// `route -n monitor` prints them, until done is closed (for the route
// monitor).
func Watch(done <-chan struct{}) (<-chan string, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	// Every table's messages, as `route monitor` asks for them; then
	// non-blocking under the runtime's poller, so that closing the file
	// ends a pending read.
	if err := watchAllTables(fd); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "route")
	out := make(chan string, 64)
	go func() {
		<-done
		f.Close()
	}()
	go func() {
		defer close(out)
		buf := make([]byte, 8192)
		for {
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			if name, ok := native.rtmName(buf[:n]); ok {
				select {
				case out <- name:
				case <-done:
					return
				}
			}
		}
	}()
	return out, nil
}
