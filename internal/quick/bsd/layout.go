package bsd

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"unsafe"
)

// The byte layouts FreeBSD's and OpenBSD's ioctls and routing sockets
// take, built by hand so that they can be tested everywhere
// (layout_test.go holds them to the offsets of the systems' headers).
// Both are LP64 on every architecture built here (amd64, arm64) and
// little-endian; the routing socket uses host order.

// osLayout is what differs between the two systems' structures.
type osLayout struct {
	afInet6 byte
	// sizeofRtMsghdr is sizeof(struct rt_msghdr) with its rt_metrics.
	sizeofRtMsghdr int
	// sizeofSockaddrDl is sizeof(struct sockaddr_dl).
	sizeofSockaddrDl int
	rtaxMax          int
	// kameScope: a link-local IPv6 address carries its interface index
	// in its second 16-bit word in routing messages (OpenBSD's route(8)
	// puts it there under __KAME__); FreeBSD uses sin6_scope_id.
	kameScope bool
	openBSD   bool
}

var (
	freebsdLayout = &osLayout{afInet6: 28, sizeofRtMsghdr: 152, sizeofSockaddrDl: 54, rtaxMax: 8}
	openbsdLayout = &osLayout{afInet6: 24, sizeofRtMsghdr: 96, sizeofSockaddrDl: 32, rtaxMax: 15,
		kameScope: true, openBSD: true}
)

// Address families shared by both (sys/socket.h); AF_INET6 differs.
const (
	afUnspec = 0
	afInet   = 2
	afLink   = 18
)

// Routing message types, flags and address bits (net/route.h; the same
// values on both unless named for one).
const (
	rtmVersion     = 5
	rtmAdd         = 0x1
	rtmDelete      = 0x2
	rtmGet         = 0x4
	rtmProposalOBS = 0x13 // OpenBSD only

	rtfUp        = 0x1
	rtfGateway   = 0x2
	rtfHost      = 0x4
	rtfStatic    = 0x800
	rtfBlackhole = 0x1000

	rtaDst     = 0x1
	rtaGateway = 0x2
	rtaNetmask = 0x4
	rtaIFP     = 0x10
	rtaDNSOBS  = 0x1000 // OpenBSD only: RTA_DNS, RTAX_DNS 12

	rtaxDst, rtaxGateway, rtaxNetmask, rtaxIFP = 0, 1, 2, 4

	// OpenBSD: RTP_PROPOSAL_STATIC, RTDNS_LEN, IFDESCRSIZE (net/if.h).
	rtpProposalStatic = 57
	rtdnsLen          = 128
	ifDescrSize       = 64
	// ND6_INFINITE_LIFETIME (netinet6/nd6.h, both).
	nd6InfiniteLifetime = 0xffffffff
)

// Structure sizes behind the ioctl numbers (LP64).
const (
	sizeofIfreq            = 32  // IFNAMSIZ + a 16-byte union (ifru_buffer / a pointer)
	sizeofIfaliasreqFBSD   = 68  // IFNAMSIZ + 3 struct sockaddr + int ifra_vhid
	sizeofIfaliasreqOBSD   = 64  // IFNAMSIZ + 3 struct sockaddr_in
	sizeofIn6AliasreqFBSD  = 136 // IFNAMSIZ + 3 sockaddr_in6 + int + in6_addrlifetime + int ifra_vhid, 8-aligned
	sizeofIn6AliasreqOBSD  = 128 // the same without ifra_vhid
	sizeofSockaddrRtdnsOBS = 2 + rtdnsLen
	ifrDataOff             = 16  // ifr_data, ifr_flags, ifr_mtu: the union after ifr_name
	sizeofIn6Ifreq         = 288 // IFNAMSIZ + a union whose largest is struct icmp6_ifstat (both)
)

// ioctl requests: sys/ioccom.h's _IOW(g, n, t) = IOC_IN | sizeof(t) << 16
// | g << 8 | n, and _IOWR adds IOC_OUT.
const (
	iocIn    = 0x80000000
	iocInOut = 0xc0000000

	siocSIFFlags  = iocIn | sizeofIfreq<<16 | 'i'<<8 | 16    // both
	siocGIFFlags  = iocInOut | sizeofIfreq<<16 | 'i'<<8 | 17 // both
	siocIFDestroy = iocIn | sizeofIfreq<<16 | 'i'<<8 | 121   // both
	siocDIFAddr   = iocIn | sizeofIfreq<<16 | 'i'<<8 | 25    // both
	// SIOCDIFADDR_IN6 is _IOW('i', 25, struct in6_ifreq) on both.
	siocDIFAddrIn6 = iocIn | sizeofIn6Ifreq<<16 | 'i'<<8 | 25

	siocAIFAddrFBSD    = iocIn | sizeofIfaliasreqFBSD<<16 | 'i'<<8 | 43
	siocAIFAddrIn6FBSD = iocIn | sizeofIn6AliasreqFBSD<<16 | 'i'<<8 | 27
	siocSIFMTUFBSD     = iocIn | sizeofIfreq<<16 | 'i'<<8 | 52
	siocSIFNameFBSD    = iocIn | sizeofIfreq<<16 | 'i'<<8 | 40
	siocIFCreate2FBSD  = iocInOut | sizeofIfreq<<16 | 'i'<<8 | 124
	siocAIFAddrOBSD    = iocIn | sizeofIfaliasreqOBSD<<16 | 'i'<<8 | 26
	siocAIFAddrIn6OBSD = iocIn | sizeofIn6AliasreqOBSD<<16 | 'i'<<8 | 26
	siocSIFMTUOBSD     = iocIn | sizeofIfreq<<16 | 'i'<<8 | 127
	siocIFCreateOBSD   = iocIn | sizeofIfreq<<16 | 'i'<<8 | 122
	siocSIFDescrOBSD   = iocIn | sizeofIfreq<<16 | 'i'<<8 | 128
	siocGIFDescrOBSD   = iocInOut | sizeofIfreq<<16 | 'i'<<8 | 129
)

// ifreq is struct ifreq naming an interface (char ifr_name[IFNAMSIZ],
// NUL-terminated), its union zero.
func ifreq(name string) []byte {
	b := make([]byte, sizeofIfreq)
	copy(b[:15], name)
	return b
}

// ifreqPtr is struct ifreq with ifr_data pointing at a buffer
// (FreeBSD's SIOCSIFNAME takes the new name there, OpenBSD's
// SIOCGIFDESCR/SIOCSIFDESCR the description). It is a Go struct, not
// bytes, so that the collector and stack moves know the pointer.
type ifreqPtr struct {
	name [16]byte
	data unsafe.Pointer
	_    [sizeofIfreq - 16 - unsafe.Sizeof(unsafe.Pointer(nil))]byte
}

func newIfreqPtr(name string, buf []byte) *ifreqPtr {
	r := &ifreqPtr{data: unsafe.Pointer(&buf[0])}
	copy(r.name[:15], name)
	return r
}

// ifreqInt is struct ifreq with a 32-bit int (ifr_mtu) in the union.
func ifreqInt(name string, v int) []byte {
	b := ifreq(name)
	binary.LittleEndian.PutUint32(b[ifrDataOff:], uint32(v))
	return b
}

// ifreqFlags is struct ifreq with ifr_flags (FreeBSD's low 16 bits,
// ifr_flagshigh after them, stays as read).
func ifreqFlags(b []byte) uint16 { return binary.LittleEndian.Uint16(b[ifrDataOff:]) }

func setIfreqFlags(b []byte, f uint16) { binary.LittleEndian.PutUint16(b[ifrDataOff:], f) }

// sockaddrIn writes a struct sockaddr_in (16 bytes) of a at b.
func sockaddrIn(b []byte, a netip.Addr) {
	b[0], b[1] = 16, afInet
	a4 := a.As4()
	copy(b[4:8], a4[:])
}

// sockaddrIn6 writes a struct sockaddr_in6 (28 bytes) of a at b, with a
// link-local's interface index as the OS keeps it in routing messages.
func (l *osLayout) sockaddrIn6(b []byte, a netip.Addr, zone int) {
	b[0], b[1] = 28, l.afInet6
	a16 := a.As16()
	if zone != 0 && (a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast()) {
		if l.kameScope {
			binary.BigEndian.PutUint16(a16[2:4], uint16(zone))
		} else {
			binary.LittleEndian.PutUint32(b[24:], uint32(zone)) // sin6_scope_id
		}
	}
	copy(b[8:24], a16[:])
}

// maskOf is the netmask of a prefix, as an address of its family.
func maskOf(p netip.Prefix) netip.Addr {
	m := make([]byte, p.Addr().BitLen()/8)
	for i := 0; i < p.Bits(); i++ {
		m[i/8] |= 0x80 >> (i % 8)
	}
	a, _ := netip.AddrFromSlice(m)
	return a
}

// inAliasreq is SIOCAIFADDR's argument, as `ifconfig IF inet ADDR/LEN
// alias` fills it: the address and its mask, and a destination only for
// a point-to-point interface (the kernel wants one there). FreeBSD's
// struct in_aliasreq ends in int ifra_vhid (0); OpenBSD's has none.
func (l *osLayout) inAliasreq(name string, p netip.Prefix, dst netip.Addr) []byte {
	size := sizeofIfaliasreqFBSD
	if l.openBSD {
		size = sizeofIfaliasreqOBSD
	}
	b := make([]byte, size)
	copy(b[:15], name)
	sockaddrIn(b[16:], p.Addr())
	if dst.IsValid() {
		sockaddrIn(b[32:], dst)
	}
	sockaddrIn(b[48:], maskOf(p))
	return b
}

// in6Aliasreq is SIOCAIFADDR_IN6's argument, as `ifconfig IF inet6
// ADDR/LEN alias` fills it: no destination, infinite lifetimes
// (struct in6_addrlifetime { time_t expire, preferred; u_int32_t vltime,
// pltime; } at 104, 8-aligned after int ifra_flags at 100).
func (l *osLayout) in6Aliasreq(name string, p netip.Prefix) []byte {
	size := sizeofIn6AliasreqFBSD
	if l.openBSD {
		size = sizeofIn6AliasreqOBSD
	}
	b := make([]byte, size)
	copy(b[:15], name)
	l.sockaddrIn6(b[16:], p.Addr(), 0)
	l.sockaddrIn6(b[72:], maskOf(p), 0)
	binary.LittleEndian.PutUint32(b[120:], nd6InfiniteLifetime)
	binary.LittleEndian.PutUint32(b[124:], nd6InfiniteLifetime)
	return b
}

// ifreqAddr is struct ifreq with ifr_addr, SIOCDIFADDR's argument as
// `ifconfig IF inet ADDR -alias` fills it.
func ifreqAddr(name string, a netip.Addr) []byte {
	b := ifreq(name)
	sockaddrIn(b[ifrDataOff:], a)
	return b
}

// in6Ifreq is struct in6_ifreq with ifr_addr, SIOCDIFADDR_IN6's argument
// as `ifconfig IF inet6 ADDR -alias` fills it.
func (l *osLayout) in6Ifreq(name string, a netip.Addr) []byte {
	b := make([]byte, sizeofIn6Ifreq)
	copy(b[:15], name)
	l.sockaddrIn6(b[16:], a, 0)
	return b
}

// cString is a NUL-terminated string at the start of b.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// rtmNames names routing message types as route(8) monitor does, per OS.
var rtmNames = map[bool]map[byte]string{
	false: { // FreeBSD
		1: "RTM_ADD", 2: "RTM_DELETE", 3: "RTM_CHANGE", 4: "RTM_GET", 5: "RTM_LOSING", 6: "RTM_REDIRECT",
		7: "RTM_MISS", 8: "RTM_LOCK", 0xb: "RTM_RESOLVE", 0xc: "RTM_NEWADDR", 0xd: "RTM_DELADDR",
		0xe: "RTM_IFINFO", 0xf: "RTM_NEWMADDR", 0x10: "RTM_DELMADDR", 0x11: "RTM_IFANNOUNCE",
		0x12: "RTM_IEEE80211",
	},
	true: { // OpenBSD
		1: "RTM_ADD", 2: "RTM_DELETE", 3: "RTM_CHANGE", 4: "RTM_GET", 5: "RTM_LOSING", 6: "RTM_REDIRECT",
		7: "RTM_MISS", 0xb: "RTM_RESOLVE", 0xc: "RTM_NEWADDR", 0xd: "RTM_DELADDR", 0xe: "RTM_IFINFO",
		0xf: "RTM_IFANNOUNCE", 0x10: "RTM_DESYNC", 0x11: "RTM_INVALIDATE", 0x12: "RTM_BFD",
		0x13: "RTM_PROPOSAL", 0x14: "RTM_CHGADDRATTR", 0x15: "RTM_80211INFO", 0x16: "RTM_SOURCE",
	},
}

// rtmName is the name of a routing message's type (its fourth byte on
// both systems), or RTM_N for one the table does not know.
func (l *osLayout) rtmName(msg []byte) (string, bool) {
	if len(msg) < 4 || msg[2] != rtmVersion {
		return "", false
	}
	if n, ok := rtmNames[l.openBSD][msg[3]]; ok {
		return n, true
	}
	return "RTM_" + strconv.Itoa(int(msg[3])), true
}
