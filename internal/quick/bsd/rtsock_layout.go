package bsd

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// The routing socket's messages, as FreeBSD's and OpenBSD's route(8)
// build and read them (the constants and per-OS sizes are in layout.go).

// saSize is the space a sockaddr of length n takes in a routing message:
// FreeBSD's SA_SIZE and OpenBSD's ROUNDUP, both to sizeof(long) with a
// minimum of sizeof(long).
func saSize(n int) int {
	if n == 0 {
		return 8
	}
	return 1 + ((n - 1) | 7)
}

// rtAddr is one address of a routing message: an IP address (with a
// link-local's interface index), or a link address (an interface by
// index, with its name when the kernel gives it).
type rtAddr struct {
	ip        netip.Addr
	zone      int
	link      bool
	linkIndex int
	linkName  string
}

func (l *osLayout) encode(a *rtAddr) []byte {
	switch {
	case a.link:
		// struct sockaddr_dl { u_char sdl_len, sdl_family; u_short
		// sdl_index; u_char sdl_type, sdl_nlen, sdl_alen, sdl_slen; char
		// sdl_data[]; }: the name starts sdl_data.
		b := make([]byte, l.sizeofSockaddrDl)
		b[0], b[1] = byte(len(b)), afLink
		binary.LittleEndian.PutUint16(b[2:], uint16(a.linkIndex))
		b[5] = byte(copy(b[8:], a.linkName))
		return b
	case a.ip.Is4():
		b := make([]byte, 16)
		sockaddrIn(b, a.ip)
		return b
	default:
		b := make([]byte, 28)
		l.sockaddrIn6(b, a.ip, a.zone)
		return b
	}
}

// routeMsg is a routing message: its header's fields and its addresses by
// RTAX slot. table and priority are OpenBSD's rtm_tableid and
// rtm_priority.
type routeMsg struct {
	typ             byte
	index, table    int
	priority        byte
	flags, addrs    int32
	pid, seq, errno int32
	sa              [15]*rtAddr
}

// header writes the rt_msghdr fields at the start of b (msglen last).
//
//	FreeBSD: u_short msglen; u_char version, type; u_short index, _spare1;
//	  int flags (8), addrs (12); pid_t pid (16); int seq (20), errno (24),
//	  fmask (28); u_long inits (32); struct rt_metrics (40, 14 u_long)
//	OpenBSD: u_short msglen; u_char version, type; u_short hdrlen (4),
//	  index (6), tableid (8); u_char priority (10), mpls (11); int addrs
//	  (12), flags (16), fmask (20); pid_t pid (24); int seq (28), errno (32);
//	  u_int inits (36); struct rt_metrics (40, 56 bytes)
func (l *osLayout) header(b []byte, m *routeMsg, hdrlen int) {
	le := binary.LittleEndian
	le.PutUint16(b[0:], uint16(len(b)))
	b[2], b[3] = rtmVersion, m.typ
	if l.openBSD {
		le.PutUint16(b[4:], uint16(hdrlen))
		le.PutUint16(b[6:], uint16(m.index))
		le.PutUint16(b[8:], uint16(m.table))
		b[10] = m.priority
		le.PutUint32(b[12:], uint32(m.addrs))
		le.PutUint32(b[16:], uint32(m.flags))
		le.PutUint32(b[24:], uint32(m.pid))
		le.PutUint32(b[28:], uint32(m.seq))
		return
	}
	le.PutUint16(b[4:], uint16(m.index))
	le.PutUint32(b[8:], uint32(m.flags))
	le.PutUint32(b[12:], uint32(m.addrs))
	le.PutUint32(b[16:], uint32(m.pid))
	le.PutUint32(b[20:], uint32(m.seq))
}

// marshal is the message as route(8)'s rtmsg() writes it: the header,
// then each address in RTAX order, padded by saSize.
func (l *osLayout) marshal(m *routeMsg) []byte {
	b := make([]byte, l.sizeofRtMsghdr)
	m.addrs = 0
	for i, a := range m.sa[:l.rtaxMax] {
		if a == nil {
			continue
		}
		m.addrs |= 1 << i
		sa := l.encode(a)
		b = append(b, sa...)
		b = append(b, make([]byte, saSize(len(sa))-len(sa))...)
	}
	l.header(b, m, l.sizeofRtMsghdr)
	return b
}

var errShort = errors.New("short routing message")

// parse reads one routing message. Netmasks may come cut short, without
// a family: they are read in the family of the destination.
func (l *osLayout) parse(b []byte) (*routeMsg, error) {
	if len(b) < 4 {
		return nil, errShort
	}
	le := binary.LittleEndian
	n := int(le.Uint16(b[0:]))
	if n < l.sizeofRtMsghdr || n > len(b) {
		return nil, errShort
	}
	m := &routeMsg{typ: b[3]}
	start := l.sizeofRtMsghdr
	if l.openBSD {
		if h := int(le.Uint16(b[4:])); h != 0 {
			start = h
		}
		m.index, m.table, m.priority = int(le.Uint16(b[6:])), int(le.Uint16(b[8:])), b[10]
		m.addrs, m.flags = int32(le.Uint32(b[12:])), int32(le.Uint32(b[16:]))
		m.pid, m.seq, m.errno = int32(le.Uint32(b[24:])), int32(le.Uint32(b[28:])), int32(le.Uint32(b[32:]))
	} else {
		m.index = int(le.Uint16(b[4:]))
		m.flags, m.addrs = int32(le.Uint32(b[8:])), int32(le.Uint32(b[12:]))
		m.pid, m.seq, m.errno = int32(le.Uint32(b[16:])), int32(le.Uint32(b[20:])), int32(le.Uint32(b[24:]))
	}
	if start > n {
		return nil, errShort
	}
	rest := b[start:n]
	dstFamily := byte(0)
	for i := 0; i < l.rtaxMax; i++ {
		if m.addrs&(1<<i) == 0 {
			continue
		}
		if len(rest) == 0 {
			return nil, errShort
		}
		salen := int(rest[0])
		step := saSize(salen)
		if salen > len(rest) {
			return nil, errShort
		}
		sa := rest[:salen]
		family := byte(0)
		if salen >= 2 {
			family = sa[1]
		}
		if i == rtaxDst {
			dstFamily = family
		}
		if i == rtaxNetmask && family == 0 {
			family = dstFamily
		}
		m.sa[i] = l.parseSockaddr(sa, family)
		rest = rest[min(step, len(rest)):]
	}
	return m, nil
}

// parseSockaddr reads a sockaddr of a family from its (maybe cut) bytes.
func (l *osLayout) parseSockaddr(sa []byte, family byte) *rtAddr {
	get := func(off, n int) []byte {
		out := make([]byte, n)
		if off < len(sa) {
			copy(out, sa[off:])
		}
		return out
	}
	switch family {
	case afInet:
		a, _ := netip.AddrFromSlice(get(4, 4))
		return &rtAddr{ip: a}
	case l.afInet6:
		raw := get(8, 16)
		zone := int(binary.LittleEndian.Uint32(get(24, 4)))
		if raw[0] == 0xfe && raw[1]&0xc0 == 0x80 && (raw[2] != 0 || raw[3] != 0) {
			zone = int(binary.BigEndian.Uint16(raw[2:4]))
			raw[2], raw[3] = 0, 0
		}
		a, _ := netip.AddrFromSlice(raw)
		return &rtAddr{ip: a, zone: zone}
	case afLink:
		nlen := int(get(5, 1)[0])
		return &rtAddr{link: true, linkIndex: int(binary.LittleEndian.Uint16(get(2, 2))),
			linkName: string(get(8, nlen))}
	}
	return nil
}

// prefix is a destination and netmask as a prefix (a host route, or one
// without a netmask, as a single address).
func (m *routeMsg) prefix() (netip.Prefix, bool) {
	dst := m.sa[rtaxDst]
	if dst == nil || dst.link || !dst.ip.IsValid() {
		return netip.Prefix{}, false
	}
	bits := dst.ip.BitLen()
	if mask := m.sa[rtaxNetmask]; mask != nil && m.flags&rtfHost == 0 {
		bits = 0
		if !mask.link && mask.ip.IsValid() {
			for _, x := range mask.ip.AsSlice() {
				for ; x&0x80 != 0; x <<= 1 {
					bits++
				}
				if x != 0 {
					break
				}
			}
		}
	}
	return netip.PrefixFrom(dst.ip.WithZone(""), bits).Masked(), true
}

// proposals are OpenBSD's `route nameserver IF SERVER…` (sbin/route/
// route.c nameserver()): the first five servers, as two RTM_PROPOSAL
// messages, one per family (seq 1 for IPv4, 2 for IPv6), each with a
// whole struct sockaddr_rtdns (sr_len 2 + the addresses; an empty one
// withdraws that family's servers) padded to sizeof(long). Like route.c
// it leaves rtm_hdrlen 0, which the kernel reads as sizeof(struct
// rt_msghdr).
func proposals(index, table int, servers []netip.Addr) [][]byte {
	var ns4, ns6 []byte
	for i, s := range servers {
		if i == 5 {
			break
		}
		if s.Is4() { // a v4-mapped address stays IPv6, as getaddrinfo gives it
			a := s.As4()
			ns4 = append(ns4, a[:]...)
		} else {
			a := s.As16()
			ns6 = append(ns6, a[:]...)
		}
	}
	l := openbsdLayout
	var out [][]byte
	for i, fam := range []struct {
		af  byte
		dns []byte
	}{{afInet, ns4}, {l.afInet6, ns6}} {
		b := make([]byte, l.sizeofRtMsghdr+saSize(sizeofSockaddrRtdnsOBS))
		m := &routeMsg{typ: rtmProposalOBS, index: index, table: table, priority: rtpProposalStatic,
			addrs: rtaDNSOBS, flags: rtfUp, seq: int32(i + 1)}
		l.header(b, m, 0)
		dns := b[l.sizeofRtMsghdr:]
		dns[0], dns[1] = byte(2+len(fam.dns)), fam.af
		copy(dns[2:], fam.dns)
		out = append(out, b)
	}
	return out
}
