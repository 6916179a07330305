package darwin

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

var seq atomic.Int32

// routes is the routing table of a family (NET_RT_DUMP).
func routes(v6 bool) ([]*routeMsg, error) {
	af := unix.AF_INET
	if v6 {
		af = unix.AF_INET6
	}
	b, err := unix.SysctlRaw("net.route", 0, af, unix.NET_RT_DUMP, 0)
	if err != nil {
		return nil, fmt.Errorf("read the routing table: %w", err)
	}
	var out []*routeMsg
	for len(b) > 0 {
		m, n, err := parseRouteMsg(b)
		if err != nil {
			break
		}
		out = append(out, m)
		b = b[n:]
	}
	return out, nil
}

func ifname(index int) string {
	if i, err := net.InterfaceByIndex(index); err == nil {
		return i.Name
	}
	return ""
}

// DefaultRoute is the family's default route that is not scoped to an
// interface: its gateway (invalid for a link#N one) and interface.
func (s *System) DefaultRoute(v6 bool) (netip.Addr, string, bool) {
	rs, err := routes(v6)
	if err != nil {
		return netip.Addr{}, "", false
	}
	for _, m := range rs {
		if m.flags&rtfIfScope != 0 || m.flags&rtfUp == 0 {
			continue
		}
		if p, ok := m.prefix(); !ok || p.Bits() != 0 {
			continue
		}
		var gw netip.Addr
		if g := m.sa[1]; g != nil && !g.isLink && g.ip.IsValid() {
			gw = g.ip
			if g.linkIndex != 0 {
				gw = gw.WithZone(ifname(g.linkIndex))
			}
		}
		return gw, ifname(m.index), true
	}
	return netip.Addr{}, "", false
}

// RouteInterface is `route -n get P`: RTM_GET, the interface of the reply.
func (s *System) RouteInterface(p netip.Prefix) (string, bool) {
	m := &routeMsg{typ: rtmGet, flags: rtfUp}
	m.sa[0] = &rtAddr{ip: p.Addr()}
	if !p.IsSingleIP() {
		m.sa[2] = &rtAddr{ip: maskOf(p)}
	} else {
		m.flags |= rtfHost
	}
	m.sa[4] = &rtAddr{isLink: true} // RTAX_IFP: name the interface
	reply, err := routeRequest(m)
	if err != nil {
		return "", false
	}
	if ifp := reply.sa[4]; ifp != nil && ifp.isLink && ifp.linkIndex != 0 {
		return ifname(ifp.linkIndex), true
	}
	return ifname(reply.index), reply.index != 0
}

// RoutesThrough lists the routes of a family through ifname (not the
// ones the kernel clones).
func (s *System) RoutesThrough(name string, v6 bool) []netip.Prefix {
	i, err := net.InterfaceByName(name)
	if err != nil {
		return nil
	}
	rs, err := routes(v6)
	if err != nil {
		return nil
	}
	var out []netip.Prefix
	for _, m := range rs {
		if m.index != i.Index || m.flags&(rtfWasCloned|rtfLLInfo) != 0 {
			continue
		}
		if p, ok := m.prefix(); ok && !p.Addr().IsLinkLocalUnicast() {
			out = append(out, p)
		}
	}
	return out
}

// AddRoute is RTM_ADD.
func (s *System) AddRoute(p netip.Prefix, via Via) error {
	m := &routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic}
	m.sa[0] = &rtAddr{ip: p.Addr()}
	switch {
	case via.Interface != "":
		i, err := net.InterfaceByName(via.Interface)
		if err != nil {
			return err
		}
		m.sa[1] = &rtAddr{isLink: true, linkIndex: i.Index}
	case via.Blackhole:
		lo := netip.MustParseAddr("127.0.0.1")
		if p.Addr().Is6() {
			lo = netip.IPv6Loopback()
		}
		m.flags |= rtfGateway | rtfBlackhole
		m.sa[1] = &rtAddr{ip: lo}
	default:
		m.flags |= rtfGateway
		zone := 0
		if z := via.Gateway.Zone(); z != "" {
			if i, err := net.InterfaceByName(z); err == nil {
				zone = i.Index
			}
		}
		m.sa[1] = &rtAddr{ip: via.Gateway.WithZone(""), linkIndex: zone}
	}
	if p.IsSingleIP() {
		m.flags |= rtfHost
	} else {
		m.sa[2] = &rtAddr{ip: maskOf(p)}
	}
	if _, err := routeRequest(m); err != nil {
		return fmt.Errorf("add route %s: %w", p, err)
	}
	return nil
}

// DeleteRoute is RTM_DELETE.
func (s *System) DeleteRoute(p netip.Prefix) error {
	m := &routeMsg{typ: rtmDelete}
	m.sa[0] = &rtAddr{ip: p.Addr()}
	if p.IsSingleIP() {
		m.flags |= rtfHost
	} else {
		m.sa[2] = &rtAddr{ip: maskOf(p)}
	}
	if _, err := routeRequest(m); err != nil {
		return fmt.Errorf("delete route %s: %w", p, err)
	}
	return nil
}

// routeRequest writes m to a routing socket and reads its answer (the
// kernel echoes each request, with rtm_errno set on failure).
func routeRequest(m *routeMsg) (*routeMsg, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	m.pid, m.seq = int32(os.Getpid()), seq.Add(1)
	if _, err := unix.Write(fd, m.marshal()); err != nil {
		return nil, err
	}
	if m.typ != rtmGet {
		return m, nil
	}
	buf := make([]byte, 2048)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil {
			return nil, err
		}
		reply, _, err := parseRouteMsg(buf[:n])
		if err != nil || reply.pid != m.pid || reply.seq != m.seq {
			continue
		}
		if reply.errno != 0 {
			return nil, syscall.Errno(reply.errno)
		}
		return reply, nil
	}
}

// Watch delivers the routing socket's messages as their RTM_ names until
// done is closed (for the route monitor).
func Watch(done <-chan struct{}) (<-chan string, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	out := make(chan string, 64)
	go func() {
		<-done
		unix.Close(fd)
	}()
	go func() {
		defer close(out)
		buf := make([]byte, 8192)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil {
				return
			}
			if n >= 4 {
				out <- rtmName(buf[3])
			}
		}
	}()
	return out, nil
}

// rtmName names a routing message type as route(8) does.
func rtmName(t byte) string {
	names := map[byte]string{1: "RTM_ADD", 2: "RTM_DELETE", 3: "RTM_CHANGE", 4: "RTM_GET", 5: "RTM_LOSING",
		6: "RTM_REDIRECT", 7: "RTM_MISS", 8: "RTM_LOCK", 11: "RTM_RESOLVE", 12: "RTM_NEWADDR", 13: "RTM_DELADDR",
		14: "RTM_IFINFO", 15: "RTM_NEWMADDR", 16: "RTM_DELMADDR", 18: "RTM_IFINFO2", 19: "RTM_NEWMADDR2", 20: "RTM_GET2"}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("RTM_%d", t)
}
