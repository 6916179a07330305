package bsd

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

// The offsets and sizes below are read off the systems' headers (LP64):
//
// FreeBSD (freebsd/freebsd-src; sys/netinet6/in6_var.h at 0123804a8c7f,
// sys/net/route.h at 032b580995b5, sys/sys/sockio.h of the SPDX era):
//   net/if.h        struct ifreq { char ifr_name[IFNAMSIZ]; union { ... struct ifreq_buffer
//                   ifru_buffer (size_t, void *); short ifru_flags[2]; int ifru_mtu;
//                   caddr_t ifru_data; ... } ifr_ifru; }                     32 bytes, union at 16
//                   struct ifaliasreq { char ifra_name[IFNAMSIZ]; struct sockaddr ifra_addr,
//                   ifra_broadaddr, ifra_mask; int ifra_vhid; }                68 bytes
//   netinet/in_var.h struct in_aliasreq: the same with struct sockaddr_in     68 bytes
//   netinet6/in6_var.h struct in6_aliasreq { char ifra_name[IFNAMSIZ]; struct sockaddr_in6
//                   ifra_addr (16), ifra_dstaddr (44), ifra_prefixmask (72); int ifra_flags
//                   (100); struct in6_addrlifetime ifra_lifetime (104: time_t ia6t_expire,
//                   ia6t_preferred; u_int32_t ia6t_vltime (120), ia6t_pltime (124)); int
//                   ifra_vhid (128); }                                        136 bytes (8-aligned)
//                   #define SIOCAIFADDR_IN6 _IOW('i', 27, struct in6_aliasreq)
//   sys/sockio.h    SIOCSIFFLAGS _IOW('i', 16, ifreq), SIOCGIFFLAGS _IOWR('i', 17, ifreq),
//                   SIOCSIFNAME _IOW('i', 40, ifreq), SIOCAIFADDR _IOW('i', 43, struct
//                   ifaliasreq), SIOCSIFMTU _IOW('i', 52, ifreq), SIOCIFDESTROY _IOW('i', 121,
//                   ifreq), SIOCIFCREATE2 _IOWR('i', 124, ifreq)
//   net/route.h     struct rt_msghdr { u_short rtm_msglen; u_char rtm_version, rtm_type;
//                   u_short rtm_index, _rtm_spare1; int rtm_flags (8), rtm_addrs (12); pid_t
//                   rtm_pid (16); int rtm_seq (20), rtm_errno (24), rtm_fmask (28); u_long
//                   rtm_inits (32); struct rt_metrics rtm_rmx (40: 14 u_long); }  152 bytes
//                   RTM_VERSION 5; SA_SIZE: sa_len rounded up to sizeof(long), 0 -> sizeof(long)
//                   RTM_IFANNOUNCE 0x11, RTM_IEEE80211 0x12; RTAX_MAX 8
//   net/if_dl.h     struct sockaddr_dl { u_char sdl_len, sdl_family; u_short sdl_index; u_char
//                   sdl_type, sdl_nlen, sdl_alen, sdl_slen; char sdl_data[46]; }  54 bytes
//   sys/socket.h    AF_INET 2, AF_LINK 18, AF_INET6 28
//   x/sys/unix zerrors_freebsd_amd64.go agrees on SIOCSIFFLAGS, SIOCGIFFLAGS, SIOCSIFNAME,
//   SIOCSIFMTU, SIOCIFDESTROY, SIOCIFCREATE2; its SIOCAIFADDR 0x8040691a is the FreeBSD 9
//   one (sockio.h: OSIOCAIFADDR _IOW('i', 26, struct oifaliasreq)), without ifra_vhid.
//
// OpenBSD (openbsd/src; net/route.h rev 1.218, netinet6/in6_var.h rev 1.81,
// sbin/route/route.c rev 1.267):
//   net/if.h        struct ifreq: as FreeBSD's, 32 bytes; IFDESCRSIZE 64
//                   struct ifaliasreq { char ifra_name[IFNAMSIZ]; union { struct sockaddr
//                   ifrau_addr; int ifrau_align; }; struct sockaddr ifra_dstaddr, ifra_mask; }
//   netinet/in_var.h struct in_aliasreq: the same with struct sockaddr_in     64 bytes
//   netinet6/in6_var.h struct in6_aliasreq: FreeBSD's without ifra_vhid       128 bytes
//                   #define SIOCAIFADDR_IN6 _IOW('i', 26, struct in6_aliasreq)
//   sys/sockio.h    SIOCAIFADDR _IOW('i', 26, struct ifaliasreq), SIOCIFCREATE _IOW('i', 122,
//                   ifreq), SIOCSIFMTU _IOW('i', 127, ifreq), SIOCSIFDESCR _IOW('i', 128,
//                   ifreq), SIOCGIFDESCR _IOWR('i', 129, ifreq)
//   net/route.h     struct rt_msghdr { u_short rtm_msglen; u_char rtm_version, rtm_type;
//                   u_short rtm_hdrlen (4), rtm_index (6), rtm_tableid (8); u_char
//                   rtm_priority (10), rtm_mpls (11); int rtm_addrs (12), rtm_flags (16),
//                   rtm_fmask (20); pid_t rtm_pid (24); int rtm_seq (28), rtm_errno (32); u_int
//                   rtm_inits (36); struct rt_metrics rtm_rmx (40: u_int64_t rmx_pksent;
//                   int64_t rmx_expire; 10 u_int); }                           96 bytes
//                   RTM_IFANNOUNCE 0xf, RTM_DESYNC 0x10, RTM_PROPOSAL 0x13, RTM_SOURCE 0x16;
//                   RTA_DNS 0x1000 (RTAX_DNS 12), RTAX_MAX 15; RTP_PROPOSAL_STATIC 57;
//                   RTDNS_LEN 128, struct sockaddr_rtdns { u_int8_t sr_len; sa_family_t
//                   sr_family; char sr_dns[RTDNS_LEN]; }                       130 bytes
//   sbin/route/route.c ROUNDUP(a): a rounded up to sizeof(long), 0 -> sizeof(long);
//                   nameserver(): see TestProposals
//   net/if_dl.h     struct sockaddr_dl: as FreeBSD's with char sdl_data[24]  32 bytes
//   sys/socket.h    AF_INET 2, AF_LINK 18, AF_INET6 24
//   x/sys/unix zerrors_openbsd_amd64.go agrees on every OpenBSD ioctl here but
//   SIOCAIFADDR_IN6, which it lacks.
// Both: RTM_ADD 1, RTM_DELETE 2, RTM_GET 4; RTF_UP 0x1, RTF_GATEWAY 0x2, RTF_HOST 0x4,
// RTF_STATIC 0x800, RTF_BLACKHOLE 0x1000; RTA_DST 0x1, RTA_GATEWAY 0x2, RTA_NETMASK 0x4,
// RTA_IFP 0x10; sys/ioccom.h _IOW = 0x80000000 | sizeof << 16 | g << 8 | n, _IOWR
// 0xc0000000 | …; netinet6/nd6.h ND6_INFINITE_LIFETIME 0xffffffff.

var le = binary.LittleEndian

func TestIoctlNumbers(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want uint32
	}{
		{"SIOCSIFFLAGS (both, x/sys)", siocSIFFlags, 0x80206910},
		{"SIOCGIFFLAGS (both, x/sys)", siocGIFFlags, 0xc0206911},
		{"SIOCIFDESTROY (both, x/sys)", siocIFDestroy, 0x80206979},
		{"FreeBSD SIOCAIFADDR _IOW('i', 43, 68)", siocAIFAddrFBSD, 0x8044692b},
		{"FreeBSD SIOCAIFADDR_IN6 _IOW('i', 27, 136)", siocAIFAddrIn6FBSD, 0x8088691b},
		{"FreeBSD SIOCSIFMTU (x/sys)", siocSIFMTUFBSD, 0x80206934},
		{"FreeBSD SIOCSIFNAME (x/sys)", siocSIFNameFBSD, 0x80206928},
		{"FreeBSD SIOCIFCREATE2 (x/sys)", siocIFCreate2FBSD, 0xc020697c},
		{"OpenBSD SIOCAIFADDR (x/sys)", siocAIFAddrOBSD, 0x8040691a},
		{"OpenBSD SIOCAIFADDR_IN6 _IOW('i', 26, 128)", siocAIFAddrIn6OBSD, 0x8080691a},
		{"SIOCDIFADDR (x/sys)", siocDIFAddr, 0x80206919},
		{"SIOCDIFADDR_IN6 _IOW('i', 25, 288)", siocDIFAddrIn6, 0x81206919},
		{"OpenBSD SIOCSIFMTU (x/sys)", siocSIFMTUOBSD, 0x8020697f},
		{"OpenBSD SIOCIFCREATE (x/sys)", siocIFCreateOBSD, 0x8020697a},
		{"OpenBSD SIOCSIFDESCR (x/sys)", siocSIFDescrOBSD, 0x80206980},
		{"OpenBSD SIOCGIFDESCR (x/sys)", siocGIFDescrOBSD, 0xc0206981},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
}

func TestIfreq(t *testing.T) {
	want := make([]byte, 32)
	copy(want, "wg0")
	le.PutUint32(want[16:], 1420) // ifr_mtu
	if d := cmp.Diff(want, ifreqInt("wg0", 1420)); d != "" {
		t.Errorf("ifreq with ifr_mtu (-want +got):\n%s", d)
	}
	b := ifreq("a-name-too-long-for-ifnamsiz")
	if b[15] != 0 || string(b[:15]) != "a-name-too-long" {
		t.Errorf("ifr_name not NUL-terminated: %q", b[:16])
	}
	b = ifreq("wg0")
	b[18] = 0x7f // ifr_flagshigh stays
	setIfreqFlags(b, ifreqFlags(b)|0x1)
	if b[16] != 1 || b[17] != 0 || b[18] != 0x7f {
		t.Errorf("ifr_flags: %x", b[16:20])
	}
	// ifr_data is the union's pointer at 16, in a 32-byte ifreq.
	var r ifreqPtr
	if unsafe.Sizeof(r) != 32 || unsafe.Offsetof(r.data) != 16 {
		t.Errorf("ifreqPtr: size %d, ifr_data at %d", unsafe.Sizeof(r), unsafe.Offsetof(r.data))
	}
	buf := make([]byte, ifDescrSize)
	if p := newIfreqPtr("wg1", buf); cString(p.name[:]) != "wg1" || p.data != unsafe.Pointer(&buf[0]) {
		t.Errorf("newIfreqPtr: %q %p", p.name, p.data)
	}
}

// sin is a struct sockaddr_in: sin_len 16, AF_INET, port 0, address.
func sin(a string) []byte {
	b := make([]byte, 16)
	b[0], b[1] = 16, 2
	copy(b[4:], netip.MustParseAddr(a).AsSlice())
	return b
}

// sin6 is a struct sockaddr_in6: sin6_len 28, the family, port,
// flowinfo, address at 8, sin6_scope_id at 24.
func sin6(family byte, a string, scope uint32) []byte {
	b := make([]byte, 28)
	b[0], b[1] = 28, family
	copy(b[8:], netip.MustParseAddr(a).AsSlice())
	le.PutUint32(b[24:], scope)
	return b
}

func TestInAliasreq(t *testing.T) {
	p := netip.MustParsePrefix("10.9.0.2/24")
	for _, c := range []struct {
		name string
		l    *osLayout
		dst  netip.Addr
		size int
	}{
		{"FreeBSD", freebsdLayout, netip.Addr{}, 68},
		{"FreeBSD point-to-point", freebsdLayout, p.Addr(), 68},
		{"OpenBSD", openbsdLayout, netip.Addr{}, 64},
		{"OpenBSD point-to-point", openbsdLayout, p.Addr(), 64},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := make([]byte, c.size)
			copy(want, "wg0")
			copy(want[16:], sin("10.9.0.2")) // ifra_addr
			if c.dst.IsValid() {
				copy(want[32:], sin("10.9.0.2")) // ifra_broadaddr / ifra_dstaddr
			}
			copy(want[48:], sin("255.255.255.0")) // ifra_mask; FreeBSD's ifra_vhid at 64 stays 0
			if d := cmp.Diff(want, c.l.inAliasreq("wg0", p, c.dst)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestIn6Aliasreq(t *testing.T) {
	for _, c := range []struct {
		name   string
		l      *osLayout
		family byte
		size   int
	}{
		{"FreeBSD", freebsdLayout, 28, 136},
		{"OpenBSD", openbsdLayout, 24, 128},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := make([]byte, c.size)
			copy(want, "wg0")
			copy(want[16:], sin6(c.family, "fd00:9::2", 0))   // ifra_addr
			copy(want[72:], sin6(c.family, "ffff:ffff::", 0)) // ifra_prefixmask (/32)
			le.PutUint32(want[120:], 0xffffffff)              // ia6t_vltime
			le.PutUint32(want[124:], 0xffffffff)              // ia6t_pltime
			got := c.l.in6Aliasreq("wg0", netip.MustParsePrefix("fd00:9::2/32"))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestSaSize(t *testing.T) {
	for n, want := range map[int]int{0: 8, 8: 8, 16: 16, 28: 32, 32: 32, 54: 56, 130: 136} {
		if got := saSize(n); got != want {
			t.Errorf("saSize(%d) = %d, want %d", n, got, want)
		}
	}
}

// TestDeleteAddressLayouts: SIOCDIFADDR's struct ifreq has ifr_addr at
// 16; SIOCDIFADDR_IN6's struct in6_ifreq (288 bytes) its sockaddr_in6 at
// 16, as ifconfig's -alias fills them.
func TestDeleteAddressLayouts(t *testing.T) {
	want := make([]byte, 32)
	copy(want, "wg0")
	copy(want[16:], []byte{16, 2, 0, 0, 10, 9, 0, 2})
	if d := cmp.Diff(want, ifreqAddr("wg0", netip.MustParseAddr("10.9.0.2"))); d != "" {
		t.Errorf("ifreq (-want +got):\n%s", d)
	}
	for _, c := range []struct {
		name   string
		l      *osLayout
		family byte
	}{{"FreeBSD", freebsdLayout, 28}, {"OpenBSD", openbsdLayout, 24}} {
		want := make([]byte, 288)
		copy(want, "wg0")
		copy(want[16:], sin6(c.family, "fd00:9::2", 0))
		if d := cmp.Diff(want, c.l.in6Ifreq("wg0", netip.MustParseAddr("fd00:9::2"))); d != "" {
			t.Errorf("%s in6_ifreq (-want +got):\n%s", c.name, d)
		}
	}
}
