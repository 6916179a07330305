package darwin

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// The byte layouts macOS's ioctls and routing socket take, built by hand
// so that they can be tested everywhere (layout_test.go holds them to the
// offsets of xnu's headers). macOS is little-endian on both its
// architectures; the routing socket uses host order.

// Address families (sys/socket.h).
const (
	afInet  = 2
	afLink  = 18
	afInet6 = 30
)

// Routing message types, flags and address bits (net/route.h).
const (
	rtmVersion = 5
	rtmAdd     = 0x1
	rtmDelete  = 0x2
	rtmGet     = 0x4

	rtfUp        = 0x1
	rtfGateway   = 0x2
	rtfHost      = 0x4
	rtfLLInfo    = 0x400
	rtfStatic    = 0x800
	rtfBlackhole = 0x1000
	rtfWasCloned = 0x20000
	rtfIfScope   = 0x1000000

	rtaDst     = 0x1
	rtaGateway = 0x2
	rtaNetmask = 0x4
	rtaIFP     = 0x10

	rtaxMax = 8
)

// sizeofRtMsghdr is sizeof(struct rt_msghdr): 36 bytes, then struct
// rt_metrics (14 32-bit words).
const sizeofRtMsghdr = 92

// ioctl requests: _IOW('i', n, type) of sys/ioccom.h and the structures'
// sizes.
const (
	sizeofIfaliasreq   = 64  // IFNAMSIZ + 3 struct sockaddr
	sizeofIn6Aliasreq  = 128 // IFNAMSIZ + 3 sockaddr_in6 + int + in6_addrlifetime
	sizeofIfreq        = 32  // IFNAMSIZ + a 16-byte union
	siocAIFAddr        = 0x80000000 | sizeofIfaliasreq<<16 | 'i'<<8 | 26
	siocAIFAddrIn6     = 0x80000000 | sizeofIn6Aliasreq<<16 | 'i'<<8 | 26
	siocGIFFlags       = 0xc0000000 | sizeofIfreq<<16 | 'i'<<8 | 17
	sizeofIn6Ifreq     = 288 // IFNAMSIZ + a union whose largest is struct icmp6_ifstat
	siocDIFAddr        = 0x80000000 | sizeofIfreq<<16 | 'i'<<8 | 25
	siocDIFAddrIn6     = 0x80000000 | sizeofIn6Ifreq<<16 | 'i'<<8 | 25
	siocSIFFlags       = 0x80000000 | sizeofIfreq<<16 | 'i'<<8 | 16
	nd6InfiniteLifetim = 0xffffffff
)

// ifname16 is an interface name in a char[IFNAMSIZ].
func ifname16(b []byte, name string) { copy(b[:15], name) }

// sockaddrIn writes a struct sockaddr_in (16 bytes) of a at b.
func sockaddrIn(b []byte, a netip.Addr) {
	b[0], b[1] = 16, afInet
	a4 := a.As4()
	copy(b[4:8], a4[:])
}

// sockaddrIn6 writes a struct sockaddr_in6 (28 bytes) of a at b. A zone
// (a link-local's interface index) goes into the address's second 16-bit
// word, as macOS's kernel keeps scopes (KAME), and route(8) sends them.
func sockaddrIn6(b []byte, a netip.Addr, zoneIndex int) {
	b[0], b[1] = 28, afInet6
	a16 := a.As16()
	if zoneIndex != 0 && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
		binary.BigEndian.PutUint16(a16[2:4], uint16(zoneIndex))
	}
	copy(b[8:24], a16[:])
}

// maskOf is the netmask of a prefix, as an address of its family.
func maskOf(p netip.Prefix) netip.Addr {
	n := p.Addr().BitLen()
	m := make([]byte, n/8)
	for i := 0; i < p.Bits(); i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(m)
	return a
}

// ifaliasreq is struct ifaliasreq for SIOCAIFADDR: ifconfig IF inet ADDR
// DEST alias, with ADDR's prefix as the mask.
func ifaliasreq(name string, p netip.Prefix, dest netip.Addr) []byte {
	b := make([]byte, sizeofIfaliasreq)
	ifname16(b, name)
	sockaddrIn(b[16:], p.Addr())
	sockaddrIn(b[32:], dest)
	sockaddrIn(b[48:], maskOf(p))
	return b
}

// in6Aliasreq is struct in6_aliasreq for SIOCAIFADDR_IN6: ifconfig IF
// inet6 ADDR/LEN alias, with infinite lifetimes, as ifconfig(8) sets them.
func in6Aliasreq(name string, p netip.Prefix) []byte {
	b := make([]byte, sizeofIn6Aliasreq)
	ifname16(b, name)
	sockaddrIn6(b[16:], p.Addr(), 0)
	// ifra_dstaddr (b[44:72]) stays empty.
	sockaddrIn6(b[72:], maskOf(p), 0)
	// ifra_flags at 100; ifra_lifetime at 104: expire, preferred
	// (time_t), vltime, pltime.
	binary.LittleEndian.PutUint32(b[120:], nd6InfiniteLifetim)
	binary.LittleEndian.PutUint32(b[124:], nd6InfiniteLifetim)
	return b
}

// ifreqAddr is struct ifreq with ifr_addr, for SIOCDIFADDR: ifconfig IF
// inet ADDR -alias.
func ifreqAddr(name string, a netip.Addr) []byte {
	b := make([]byte, sizeofIfreq)
	ifname16(b, name)
	sockaddrIn(b[16:], a)
	return b
}

// in6Ifreq is struct in6_ifreq with ifr_addr, for SIOCDIFADDR_IN6:
// ifconfig IF inet6 ADDR -alias.
func in6Ifreq(name string, a netip.Addr) []byte {
	b := make([]byte, sizeofIn6Ifreq)
	ifname16(b, name)
	sockaddrIn6(b[16:], a, 0)
	return b
}

// ifreqFlags is struct ifreq with ifr_flags.
func ifreqFlags(name string, flags uint16) []byte {
	b := make([]byte, sizeofIfreq)
	ifname16(b, name)
	binary.LittleEndian.PutUint16(b[16:], flags)
	return b
}

// roundup32 is the kernel's ROUNDUP32 of a sockaddr's length in a routing
// message (net/rtsock.c).
func roundup32(n int) int {
	if n == 0 {
		return 4
	}
	return 1 + ((n - 1) | 3)
}

// rtAddr is one address of a routing message: an IP address, or a link
// address (an interface by index).
type rtAddr struct {
	ip        netip.Addr
	linkIndex int
	isLink    bool
}

func (a rtAddr) encode() []byte {
	switch {
	case a.isLink:
		b := make([]byte, 20) // struct sockaddr_dl, sdl_data[12]
		b[0], b[1] = 20, afLink
		binary.LittleEndian.PutUint16(b[2:], uint16(a.linkIndex))
		return b
	case a.ip.Is4():
		b := make([]byte, 16)
		sockaddrIn(b, a.ip)
		return b
	default:
		b := make([]byte, 28)
		sockaddrIn6(b, a.ip, a.linkIndex)
		return b
	}
}

// routeMsg is a routing message: its header's fields and its addresses by
// RTAX slot.
type routeMsg struct {
	typ          byte
	index        int
	flags, addrs int32
	pid, seq     int32
	errno        int32
	sa           [rtaxMax]*rtAddr
}

// marshal is the message as the routing socket takes it.
func (m *routeMsg) marshal() []byte {
	b := make([]byte, sizeofRtMsghdr)
	var addrs int32
	for i, a := range m.sa {
		if a == nil {
			continue
		}
		addrs |= 1 << i
		sa := a.encode()
		b = append(b, sa...)
		b = append(b, make([]byte, roundup32(len(sa))-len(sa))...)
	}
	binary.LittleEndian.PutUint16(b[0:], uint16(len(b)))
	b[2], b[3] = rtmVersion, m.typ
	binary.LittleEndian.PutUint16(b[4:], uint16(m.index))
	binary.LittleEndian.PutUint32(b[8:], uint32(m.flags))
	binary.LittleEndian.PutUint32(b[12:], uint32(addrs))
	binary.LittleEndian.PutUint32(b[16:], uint32(m.pid))
	binary.LittleEndian.PutUint32(b[20:], uint32(m.seq))
	return b
}

var errShort = errors.New("short routing message")

// parseRouteMsg reads one routing message. Netmasks come in the kernel's
// short form (a length cut after the last non-zero byte, often no
// family): they are read in the family of the destination.
func parseRouteMsg(b []byte) (*routeMsg, int, error) {
	if len(b) < 4 {
		return nil, 0, errShort
	}
	n := int(binary.LittleEndian.Uint16(b[0:]))
	if n < sizeofRtMsghdr || n > len(b) {
		return nil, 0, errShort
	}
	m := &routeMsg{
		typ:   b[3],
		index: int(binary.LittleEndian.Uint16(b[4:])),
		flags: int32(binary.LittleEndian.Uint32(b[8:])),
		addrs: int32(binary.LittleEndian.Uint32(b[12:])),
		pid:   int32(binary.LittleEndian.Uint32(b[16:])),
		seq:   int32(binary.LittleEndian.Uint32(b[20:])),
		errno: int32(binary.LittleEndian.Uint32(b[24:])),
	}
	rest := b[sizeofRtMsghdr:n]
	dstFamily := byte(0)
	for i := 0; i < rtaxMax; i++ {
		if m.addrs&(1<<i) == 0 {
			continue
		}
		if len(rest) == 0 {
			return nil, 0, errShort
		}
		l := int(rest[0])
		step := roundup32(l)
		if step > len(rest) || l > len(rest) {
			return nil, 0, errShort
		}
		sa := rest[:l]
		family := byte(0)
		if l >= 2 {
			family = sa[1]
		}
		if i == 0 {
			dstFamily = family
		}
		if i == 2 && family == 0 { // RTAX_NETMASK
			family = dstFamily
		}
		m.sa[i] = parseSockaddr(sa, family)
		rest = rest[step:]
	}
	return m, n, nil
}

// parseSockaddr reads a sockaddr of a family from its (maybe cut) bytes.
func parseSockaddr(sa []byte, family byte) *rtAddr {
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
	case afInet6:
		raw := get(8, 16)
		zone := 0
		if raw[0] == 0xfe && raw[1]&0xc0 == 0x80 {
			zone = int(binary.BigEndian.Uint16(raw[2:4]))
			raw[2], raw[3] = 0, 0
		}
		a, _ := netip.AddrFromSlice(raw)
		return &rtAddr{ip: a, linkIndex: zone}
	case afLink:
		idx := get(2, 2)
		return &rtAddr{isLink: true, linkIndex: int(binary.LittleEndian.Uint16(idx))}
	}
	return nil
}

// prefix is a destination and netmask as a prefix (a host without a
// netmask).
func (m *routeMsg) prefix() (netip.Prefix, bool) {
	dst := m.sa[0]
	if dst == nil || dst.isLink || !dst.ip.IsValid() {
		return netip.Prefix{}, false
	}
	bits := dst.ip.BitLen()
	if mask := m.sa[2]; mask != nil && !mask.isLink && mask.ip.IsValid() && m.flags&rtfHost == 0 {
		ones := 0
		for _, x := range mask.ip.AsSlice() {
			for x&0x80 != 0 {
				ones++
				x <<= 1
			}
			if x != 0 {
				break
			}
		}
		bits = ones
	} else if m.sa[2] != nil && m.flags&rtfHost == 0 {
		bits = 0 // an empty netmask: the default route
	}
	return netip.PrefixFrom(dst.ip, bits).Masked(), true
}
