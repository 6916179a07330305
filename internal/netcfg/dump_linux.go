//go:build linux

package netcfg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// route is what a table listing needs of one route, read straight from
// the kernel's message: a thousand routes are listed in about a
// millisecond, a few times faster than netlink.RouteListFiltered, which
// decodes every attribute of every route into a large struct.
type route struct {
	dst        netip.Prefix // the family's /0 for a default route
	table      int
	oif        int // 0 for a multipath route
	typ, proto uint8
	mtu        int // the route's mtu metric, 0 when unset
}

// routes calls fn for each route of the family in table (0: main), not
// cloned, through the interface oif when oif != 0 (a
// multipath route is not). The kernel filters by table and interface
// when it can (NETLINK_GET_STRICT_CHK); each route is checked here too.
func (h *Linux) routes(v6 bool, table, oif int, fn func(route)) error {
	if table == 0 {
		table = unix.RT_TABLE_MAIN
	}
	keep := func(r route) {
		if r.table == table && (oif == 0 || r.oif == oif) {
			fn(r)
		}
	}
	s, err := h.routeSocket()
	if err != nil {
		return err
	}
	if s == nil { // a Handle of another namespace, and no NS to open a socket in
		return h.routesThroughHandle(v6, table, oif, keep)
	}
	af, _ := afOf(v6)
	req := nl.NewNetlinkRequest(unix.RTM_GETROUTE, unix.NLM_F_DUMP)
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: s}}
	req.AddData(&nl.RtMsg{RtMsg: unix.RtMsg{Family: uint8(af)}})
	req.AddData(nl.NewRtAttr(unix.RTA_TABLE, nl.Uint32Attr(uint32(table))))
	if oif != 0 {
		req.AddData(nl.NewRtAttr(unix.RTA_OIF, nl.Uint32Attr(uint32(oif))))
	}
	err = h.dump(s, req, unix.RTM_NEWROUTE, func(m []byte) {
		if r, ok := parseRoute(m, uint8(af)); ok {
			keep(r)
		}
	})
	if errors.Is(err, unix.ENOENT) { // strict: a table that does not exist
		return nil
	}
	return err
}

// dump sends the dump request req on s and calls fn with the body of each
// message of type typ in the reply. The reply is read into one buffer,
// reused, and walked in place: netlink's own Receive allocated 64 KiB per
// read and a copy of every message.
func (h *Linux) dump(s *nl.NetlinkSocket, req *nl.NetlinkRequest, typ uint16, fn func([]byte)) error {
	s.Lock() // and h.buf with it
	defer s.Unlock()
	fd := s.GetFd()
	if err := unix.Sendto(fd, req.Serialize(), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	if h.buf == nil {
		// A dump's reads are at most 32 KiB (the kernel's cap); the pages
		// a read does not reach are never touched.
		h.buf = make([]byte, 64<<10)
	}
	interrupted := false
	for {
		n, _, err := unix.Recvfrom(fd, h.buf, 0)
		if err == unix.EAGAIN || err == unix.EINTR { // the socket does not block
			if err := waitReadable(fd); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		for b := h.buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(binary.NativeEndian.Uint32(b[0:4]))
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				return fmt.Errorf("netlink: a message of %d bytes in %d", l, len(b))
			}
			mtype := binary.NativeEndian.Uint16(b[4:6])
			flags := binary.NativeEndian.Uint16(b[6:8])
			seq := binary.NativeEndian.Uint32(b[8:12])
			body := b[unix.NLMSG_HDRLEN:l]
			b = b[min(nlmAlign(l), len(b)):]
			if seq != req.Seq {
				continue // a late reply to an earlier request
			}
			interrupted = interrupted || flags&unix.NLM_F_DUMP_INTR != 0
			switch mtype {
			case unix.NLMSG_DONE, unix.NLMSG_ERROR:
				if len(body) >= 4 {
					if e := int32(binary.NativeEndian.Uint32(body[0:4])); e != 0 {
						return unix.Errno(-e)
					}
				}
				if interrupted {
					return nl.ErrDumpInterrupted
				}
				return nil
			case typ:
				fn(body)
			}
			if flags&unix.NLM_F_MULTI == 0 {
				return nil
			}
		}
	}
}

// waitReadable waits until fd has something to read, a minute at most.
func waitReadable(fd int) error {
	for {
		n, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 60_000)
		switch {
		case err == unix.EINTR:
		case err != nil:
			return err
		case n == 0:
			return unix.ETIMEDOUT
		default:
			return nil
		}
	}
}

func nlmAlign(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// routeSocket is the socket of routes: one in Handle's namespace, opened
// on first use (nil when Handle is of a namespace NS does not name).
func (h *Linux) routeSocket() (*nl.NetlinkSocket, error) {
	if h.rt != nil {
		return h.rt, nil
	}
	ns := netns.None()
	if h.Handle != nil && !h.own {
		if h.NS == nil {
			return nil, nil
		}
		ns = *h.NS
	}
	s, err := nl.GetNetlinkSocketAt(ns, netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("open a netlink socket: %w", err)
	}
	// Without strict checking (kernels before 4.20) the kernel lists all
	// tables and interfaces, and routes filters them.
	_ = unix.SetsockoptInt(s.GetFd(), unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
	h.rt = s
	return s, nil
}

// routesThroughHandle is routes through netlink's own listing.
func (h *Linux) routesThroughHandle(v6 bool, table, oif int, fn func(route)) error {
	af, _ := afOf(v6)
	filter, mask := &netlink.Route{Table: table}, uint64(netlink.RT_FILTER_TABLE)
	if oif != 0 {
		filter.LinkIndex, mask = oif, mask|netlink.RT_FILTER_OIF
	}
	return h.nl().RouteListFilteredIter(af, filter, mask, func(r netlink.Route) bool {
		x := route{table: r.Table, oif: r.LinkIndex, typ: uint8(r.Type), proto: uint8(r.Protocol), mtu: r.MTU}
		x.dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if v6 {
			x.dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		if r.Dst != nil {
			a, _ := netip.AddrFromSlice(r.Dst.IP)
			ones, _ := r.Dst.Mask.Size()
			x.dst = netip.PrefixFrom(a.Unmap(), ones)
		}
		fn(x)
		return true
	})
}

// parseRoute reads an RTM_NEWROUTE message of family af (not cloned).
func parseRoute(m []byte, af uint8) (route, bool) {
	if len(m) < unix.SizeofRtMsg || m[0] != af {
		return route{}, false
	}
	flags := binary.NativeEndian.Uint32(m[8:12])
	if flags&unix.RTM_F_CLONED != 0 {
		return route{}, false
	}
	r := route{table: int(m[4]), proto: m[5], typ: m[7]}
	bits := int(m[1])
	addr := netip.IPv4Unspecified()
	if af == unix.AF_INET6 {
		addr = netip.IPv6Unspecified()
	}
	for b := m[unix.SizeofRtMsg:]; len(b) >= unix.SizeofRtAttr; {
		l := int(binary.NativeEndian.Uint16(b[0:2]))
		typ := binary.NativeEndian.Uint16(b[2:4]) & nlaTypeMask
		if l < unix.SizeofRtAttr || l > len(b) {
			break
		}
		v := b[unix.SizeofRtAttr:l]
		switch typ {
		case unix.RTA_DST:
			if a, ok := netip.AddrFromSlice(v); ok {
				addr = a.Unmap()
			}
		case unix.RTA_OIF:
			if len(v) >= 4 {
				r.oif = int(binary.NativeEndian.Uint32(v))
			}
		case unix.RTA_TABLE:
			if len(v) >= 4 {
				r.table = int(binary.NativeEndian.Uint32(v))
			}
		case unix.RTA_METRICS:
			for mb := v; len(mb) >= unix.SizeofRtAttr; {
				ml := int(binary.NativeEndian.Uint16(mb[0:2]))
				if ml < unix.SizeofRtAttr || ml > len(mb) {
					break
				}
				if binary.NativeEndian.Uint16(mb[2:4])&nlaTypeMask == unix.RTAX_MTU && ml >= unix.SizeofRtAttr+4 {
					r.mtu = int(binary.NativeEndian.Uint32(mb[unix.SizeofRtAttr:]))
				}
				mb = mb[min(rtaAlign(ml), len(mb)):]
			}
		}
		b = b[min(rtaAlign(l), len(b)):]
	}
	r.dst = netip.PrefixFrom(addr, bits)
	return r, true
}

const nlaTypeMask = 0x3fff

func rtaAlign(n int) int { return (n + unix.RTA_ALIGNTO - 1) &^ (unix.RTA_ALIGNTO - 1) }
