package darwin

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The offsets and sizes below are read off xnu's headers
// (apple-oss-distributions/xnu, xnu-11417.101.15):
//   bsd/net/if.h          struct ifaliasreq { char ifra_name[IFNAMSIZ]; struct sockaddr
//                         ifra_addr, ifra_broadaddr, ifra_mask; }            IFNAMSIZ = 16
//   bsd/netinet6/in6_var.h struct in6_aliasreq { char ifra_name[IFNAMSIZ]; struct sockaddr_in6
//                         ifra_addr, ifra_dstaddr, ifra_prefixmask; int ifra_flags;
//                         struct in6_addrlifetime ifra_lifetime; }
//                         struct in6_addrlifetime { time_t ia6t_expire, ia6t_preferred;
//                         u_int32_t ia6t_vltime, ia6t_pltime; }
//                         #define SIOCAIFADDR_IN6 _IOW('i', 26, struct in6_aliasreq)
//   bsd/netinet6/in6.h    struct sockaddr_in6 { __uint8_t sin6_len; sa_family_t sin6_family;
//                         in_port_t sin6_port; __uint32_t sin6_flowinfo; struct in6_addr
//                         sin6_addr; __uint32_t sin6_scope_id; }              (28 bytes)
//   bsd/netinet6/nd6.h    #define ND6_INFINITE_LIFETIME 0xffffffff
//   bsd/net/if_dl.h       struct sockaddr_dl { u_char sdl_len, sdl_family; u_short sdl_index;
//                         u_char sdl_type, sdl_nlen, sdl_alen, sdl_slen; char sdl_data[12]; }
//   bsd/net/route.h       struct rt_msghdr { u_short rtm_msglen; u_char rtm_version, rtm_type;
//                         u_short rtm_index; int rtm_flags, rtm_addrs; pid_t rtm_pid;
//                         int rtm_seq, rtm_errno, rtm_use; u_int32_t rtm_inits;
//                         struct rt_metrics rtm_rmx; }
//                         struct rt_metrics { u_int32_t rmx_locks, rmx_mtu, rmx_hopcount;
//                         int32_t rmx_expire; u_int32_t rmx_recvpipe, rmx_sendpipe,
//                         rmx_ssthresh, rmx_rtt, rmx_rttvar, rmx_pksent, rmx_filler[4]; }
//                         RTM_VERSION 5, RTM_ADD 0x1, RTM_DELETE 0x2, RTM_GET 0x4,
//                         RTF_UP 0x1, RTF_GATEWAY 0x2, RTF_HOST 0x4, RTF_STATIC 0x800,
//                         RTF_BLACKHOLE 0x1000, RTF_IFSCOPE 0x1000000, RTA_DST 0x1,
//                         RTA_GATEWAY 0x2, RTA_NETMASK 0x4, RTA_IFP 0x10, RTAX_MAX 8
//   bsd/net/rtsock.c      ROUNDUP32(a): sockaddrs in routing messages are 4-byte aligned
//   bsd/sys/ioccom.h      _IOW(g,n,t) = IOC_IN (0x80000000) | (sizeof(t) & IOCPARM_MASK
//                         (0x1fff)) << 16 | (g) << 8 | (n); _IOWR adds IOC_OUT (0x40000000)
//   bsd/sys/sockio.h      SIOCSIFFLAGS _IOW('i', 16, struct ifreq), SIOCGIFFLAGS
//                         _IOWR('i', 17, struct ifreq), SIOCAIFADDR _IOW('i', 26, struct
//                         ifaliasreq)
//   bsd/sys/socket.h      AF_INET 2, AF_LINK 18, AF_INET6 30

func ioW(g byte, n, size int) uint32 {
	return 0x80000000 | uint32(size&0x1fff)<<16 | uint32(g)<<8 | uint32(n)
}
func ioWR(g byte, n, size int) uint32 {
	return 0xc0000000 | uint32(size&0x1fff)<<16 | uint32(g)<<8 | uint32(n)
}

func TestIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint32
	}{
		{"SIOCAIFADDR", siocAIFAddr, ioW('i', 26, 64)},
		// x/sys/unix's zerrors_darwin_amd64.go says the same.
		{"SIOCAIFADDR (x/sys)", siocAIFAddr, 0x8040691a},
		{"SIOCAIFADDR_IN6", siocAIFAddrIn6, ioW('i', 26, 128)},
		{"SIOCSIFFLAGS", siocSIFFlags, ioW('i', 16, 32)},
		{"SIOCSIFFLAGS (x/sys)", siocSIFFlags, 0x80206910},
		{"SIOCGIFFLAGS", siocGIFFlags, ioWR('i', 17, 32)},
		{"SIOCGIFFLAGS (x/sys)", siocGIFFlags, 0xc0206911},
		{"SIOCDIFADDR (x/sys)", siocDIFAddr, 0x80206919},
		// _IOW('i', 25, struct in6_ifreq), netinet6/in6_var.h.
		{"SIOCDIFADDR_IN6", siocDIFAddrIn6, 0x81206919},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

func TestIfaliasreq(t *testing.T) {
	b := ifaliasreq("utun3", netip.MustParsePrefix("10.9.0.2/24"), netip.MustParseAddr("10.9.0.2"))
	if len(b) != 64 {
		t.Fatalf("size %d, want sizeof(struct ifaliasreq) = 64", len(b))
	}
	want := make([]byte, 64)
	copy(want, "utun3")
	copy(want[16:], []byte{16, 2, 0, 0, 10, 9, 0, 2}) // ifra_addr: sin_len, AF_INET, port, address
	copy(want[32:], []byte{16, 2, 0, 0, 10, 9, 0, 2}) // ifra_broadaddr: the point-to-point destination
	copy(want[48:], []byte{16, 2, 0, 0, 255, 255, 255, 0})
	if d := cmp.Diff(want, b); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestIn6Aliasreq(t *testing.T) {
	b := in6Aliasreq("utun3", netip.MustParsePrefix("fd00:9::2/64"))
	if len(b) != 128 {
		t.Fatalf("size %d, want sizeof(struct in6_aliasreq) = 128", len(b))
	}
	if string(b[:5]) != "utun3" || b[5] != 0 {
		t.Errorf("ifra_name: %q", b[:16])
	}
	// ifra_addr at 16: sin6_len 28, AF_INET6 30, port 0, flowinfo 0, addr at 16+8.
	if b[16] != 28 || b[17] != 30 || netip.AddrFrom16([16]byte(b[24:40])) != netip.MustParseAddr("fd00:9::2") {
		t.Errorf("ifra_addr: %x", b[16:44])
	}
	for _, x := range b[44:72] {
		if x != 0 {
			t.Errorf("ifra_dstaddr not empty: %x", b[44:72])
			break
		}
	}
	// ifra_prefixmask at 72, its address at 80.
	if b[72] != 28 || b[73] != 30 || netip.AddrFrom16([16]byte(b[80:96])) != netip.MustParseAddr("ffff:ffff:ffff:ffff::") {
		t.Errorf("ifra_prefixmask: %x", b[72:100])
	}
	// ifra_flags at 100; ifra_lifetime at 104 (8-aligned time_t): expire,
	// preferred, then vltime at 120 and pltime at 124.
	if binary.LittleEndian.Uint32(b[100:]) != 0 || binary.LittleEndian.Uint64(b[104:]) != 0 || binary.LittleEndian.Uint64(b[112:]) != 0 {
		t.Errorf("flags or expiry set: %x", b[100:120])
	}
	if binary.LittleEndian.Uint32(b[120:]) != 0xffffffff || binary.LittleEndian.Uint32(b[124:]) != 0xffffffff {
		t.Errorf("lifetimes not ND6_INFINITE_LIFETIME: %x", b[120:128])
	}
}

func TestIfreqFlags(t *testing.T) {
	b := ifreqFlags("utun3", 0x8843)
	if len(b) != 32 || string(b[:5]) != "utun3" || binary.LittleEndian.Uint16(b[16:]) != 0x8843 {
		t.Errorf("ifreq: %x", b)
	}
}

func TestRouteMessage(t *testing.T) {
	// route -q -n add -inet6 2001:db8::1 -gateway fe80::1%en0 (en0 = index 4),
	// a host route.
	m := &routeMsg{typ: rtmAdd, flags: rtfUp | rtfGateway | rtfHost | rtfStatic, seq: 7, pid: 99}
	m.sa[0] = &rtAddr{ip: netip.MustParseAddr("2001:db8::1")}
	m.sa[1] = &rtAddr{ip: netip.MustParseAddr("fe80::1"), linkIndex: 4}
	b := m.marshal()
	if len(b) != 92+28+28 {
		t.Fatalf("length %d, want 92 (rt_msghdr) + 2 sockaddr_in6", len(b))
	}
	le := binary.LittleEndian
	if le.Uint16(b[0:]) != uint16(len(b)) || b[2] != 5 || b[3] != 1 {
		t.Errorf("msglen, version, type: %x", b[:4])
	}
	if le.Uint32(b[8:]) != 0x807 || le.Uint32(b[12:]) != rtaDst|rtaGateway || le.Uint32(b[16:]) != 99 || le.Uint32(b[20:]) != 7 {
		t.Errorf("flags, addrs, pid, seq: %x", b[8:24])
	}
	// The gateway's scope is in the address's second word (KAME).
	gw := b[92+28:]
	if gw[0] != 28 || gw[1] != 30 || netip.AddrFrom16([16]byte(gw[8:24])) != netip.MustParseAddr("fe80:4::1") {
		t.Errorf("gateway sockaddr: %x", gw)
	}
	back, n, err := parseRouteMsg(b)
	if err != nil || n != len(b) {
		t.Fatal(n, err)
	}
	if back.sa[1].ip != netip.MustParseAddr("fe80::1") || back.sa[1].linkIndex != 4 || back.typ != rtmAdd || back.seq != 7 {
		t.Errorf("parsed back: %+v %+v", back, back.sa[1])
	}

	// route -q -n add -inet 0.0.0.0/1 -interface utun3 (index 12): a link
	// address as the gateway (sockaddr_dl, 20 bytes), and a netmask.
	m = &routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic}
	m.sa[0] = &rtAddr{ip: netip.MustParseAddr("0.0.0.0")}
	m.sa[1] = &rtAddr{isLink: true, linkIndex: 12}
	m.sa[2] = &rtAddr{ip: netip.MustParseAddr("128.0.0.0")}
	b = m.marshal()
	if len(b) != 92+16+20+16 {
		t.Fatalf("length %d", len(b))
	}
	dl := b[92+16:]
	if dl[0] != 20 || dl[1] != 18 || le.Uint16(dl[2:]) != 12 {
		t.Errorf("sockaddr_dl: %x", dl[:20])
	}
	back, _, _ = parseRouteMsg(b)
	if p, ok := back.prefix(); !ok || p != netip.MustParsePrefix("0.0.0.0/1") {
		t.Errorf("prefix %v %v", p, ok)
	}
}

// TestParseKernelMasks: the kernel sends netmasks cut short, without a
// family; a zero-length one is the default route's.
func TestParseKernelMasks(t *testing.T) {
	hdr := func(flags, addrs uint32) []byte {
		b := make([]byte, 92)
		b[2], b[3] = 5, rtmGet
		binary.LittleEndian.PutUint32(b[8:], flags)
		binary.LittleEndian.PutUint32(b[12:], addrs)
		return b
	}
	dst := []byte{16, 2, 0, 0, 10, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	gw := []byte{16, 2, 0, 0, 192, 168, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0}
	for _, c := range []struct {
		mask []byte
		want string
	}{
		{[]byte{6, 0, 0, 0, 255, 255, 0, 0}, "10.8.0.0/16"}, // sa_len 6, padded to 8
		{[]byte{0, 0, 0, 0}, "0.0.0.0/0"},                   // sa_len 0 takes 4 bytes
	} {
		b := append(append(append(hdr(rtfUp|rtfGateway, rtaDst|rtaGateway|rtaNetmask), dst...), gw...), c.mask...)
		if c.want == "0.0.0.0/0" {
			copy(b[92+4:], []byte{0, 0, 0, 0})
		}
		binary.LittleEndian.PutUint16(b[0:], uint16(len(b)))
		m, _, err := parseRouteMsg(b)
		if err != nil {
			t.Fatal(err)
		}
		if p, _ := m.prefix(); p.String() != c.want || m.sa[1].ip != netip.MustParseAddr("192.168.1.1") {
			t.Errorf("mask %x: %v via %v, want %s", c.mask, p, m.sa[1].ip, c.want)
		}
	}
}

// TestDeleteAddressLayouts: SIOCDIFADDR's struct ifreq has ifr_addr at
// 16; SIOCDIFADDR_IN6's struct in6_ifreq (288 bytes) its sockaddr_in6 at
// 16, as ifconfig's -alias fills them.
func TestDeleteAddressLayouts(t *testing.T) {
	b := ifreqAddr("utun3", netip.MustParseAddr("10.9.0.2"))
	want := make([]byte, 32)
	copy(want, "utun3")
	copy(want[16:], []byte{16, 2, 0, 0, 10, 9, 0, 2})
	if d := cmp.Diff(want, b); d != "" {
		t.Errorf("ifreq (-want +got):\n%s", d)
	}
	b = in6Ifreq("utun3", netip.MustParseAddr("fd00:9::2"))
	if len(b) != 288 || string(b[:6]) != "utun3\x00" {
		t.Fatalf("size %d, name %q", len(b), b[:16])
	}
	if b[16] != 28 || b[17] != 30 || netip.AddrFrom16([16]byte(b[24:40])) != netip.MustParseAddr("fd00:9::2") {
		t.Errorf("ifr_addr: %x", b[16:44])
	}
}
