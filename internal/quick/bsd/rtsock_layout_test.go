package bsd

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The headers' offsets are listed in layout_test.go.

// sdl is a struct sockaddr_dl of the OS's size: index at 2, name length
// at 5, the name at 8 (sdl_data).
func sdl(l *osLayout, index int, name string) []byte {
	b := make([]byte, l.sizeofSockaddrDl)
	b[0], b[1] = byte(len(b)), 18
	le.PutUint16(b[2:], uint16(index))
	b[5] = byte(len(name))
	copy(b[8:], name)
	return b
}

// pad adds zeros up to a multiple of sizeof(long).
func pad(b []byte) []byte { return append(b, make([]byte, saSize(len(b))-len(b))...) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestRouteMessage(t *testing.T) {
	fbsdHdr := func(typ byte, flags, addrs uint32, index int) []byte {
		b := make([]byte, 152)
		b[2], b[3] = 5, typ
		le.PutUint16(b[4:], uint16(index)) // rtm_index
		le.PutUint32(b[8:], flags)         // rtm_flags
		le.PutUint32(b[12:], addrs)        // rtm_addrs
		le.PutUint32(b[16:], 99)           // rtm_pid
		le.PutUint32(b[20:], 7)            // rtm_seq
		return b
	}
	obsdHdr := func(typ byte, flags, addrs uint32, table int) []byte {
		b := make([]byte, 96)
		b[2], b[3] = 5, typ
		le.PutUint16(b[4:], 96)            // rtm_hdrlen
		le.PutUint16(b[8:], uint16(table)) // rtm_tableid
		le.PutUint32(b[12:], addrs)        // rtm_addrs
		le.PutUint32(b[16:], flags)        // rtm_flags
		le.PutUint32(b[24:], 99)           // rtm_pid
		le.PutUint32(b[28:], 7)            // rtm_seq
		return b
	}
	withLen := func(b []byte) []byte { le.PutUint16(b, uint16(len(b))); return b }
	a := netip.MustParseAddr
	tests := []struct {
		name string
		l    *osLayout
		m    routeMsg
		sa   map[int]*rtAddr
		want []byte
	}{{
		// route -q -n add -inet 0.0.0.0/1 -interface wg0 (index 5): a
		// link address as the gateway, no RTF_GATEWAY.
		name: "FreeBSD -interface",
		l:    freebsdLayout,
		m:    routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic},
		sa: map[int]*rtAddr{0: {ip: a("0.0.0.0")}, 1: {link: true, linkIndex: 5, linkName: "wg0"},
			2: {ip: a("128.0.0.0")}},
		want: withLen(cat(fbsdHdr(1, 0x801, 0x7, 0), sin("0.0.0.0"), pad(sdl(freebsdLayout, 5, "wg0")),
			sin("128.0.0.0"))),
	}, {
		// route -q -n add -inet6 2001:db8::1 -gateway fe80::1%em0 (index
		// 2): a host route; FreeBSD takes the scope in sin6_scope_id.
		name: "FreeBSD link-local gateway",
		l:    freebsdLayout,
		m:    routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic | rtfGateway | rtfHost},
		sa:   map[int]*rtAddr{0: {ip: a("2001:db8::1")}, 1: {ip: a("fe80::1"), zone: 2}},
		want: withLen(cat(fbsdHdr(1, 0x807, 0x3, 0), pad(sin6(28, "2001:db8::1", 0)),
			pad(sin6(28, "fe80::1", 2)))),
	}, {
		// route -q -n -T 3 add -inet 10.0.0.0/8 -iface 10.9.0.2: the
		// interface's address as the gateway, rtable 3 in rtm_tableid.
		name: "OpenBSD -iface in an rtable",
		l:    openbsdLayout,
		m:    routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic, table: 3},
		sa:   map[int]*rtAddr{0: {ip: a("10.0.0.0")}, 1: {ip: a("10.9.0.2")}, 2: {ip: a("255.0.0.0")}},
		want: withLen(cat(obsdHdr(1, 0x801, 0x7, 3), sin("10.0.0.0"), sin("10.9.0.2"), sin("255.0.0.0"))),
	}, {
		// route -q -n add -inet6 2001:db8::1 -gateway fe80::1%em0: OpenBSD
		// embeds the scope in the address (KAME).
		name: "OpenBSD link-local gateway",
		l:    openbsdLayout,
		m:    routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic | rtfGateway | rtfHost},
		sa:   map[int]*rtAddr{0: {ip: a("2001:db8::1")}, 1: {ip: a("fe80::1"), zone: 2}},
		want: withLen(cat(obsdHdr(1, 0x807, 0x3, 0), pad(sin6(24, "2001:db8::1", 0)),
			pad(sin6(24, "fe80:2::1", 0)))),
	}, {
		// route -n get -inet 10.1.0.0/16: RTM_GET with a netmask and an
		// empty RTA_IFP link address (route.c's so_ifp).
		name: "OpenBSD get",
		l:    openbsdLayout,
		m:    routeMsg{typ: rtmGet, flags: rtfUp},
		sa:   map[int]*rtAddr{0: {ip: a("10.1.0.0")}, 2: {ip: a("255.255.0.0")}, 4: {link: true}},
		want: withLen(cat(obsdHdr(4, 0x1, 0x15, 0), sin("10.1.0.0"), sin("255.255.0.0"),
			sdl(openbsdLayout, 0, ""))),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.m
			m.pid, m.seq = 99, 7
			for i, sa := range tt.sa {
				m.sa[i] = sa
			}
			got := tt.l.marshal(&m)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("(-want +got):\n%s", d)
			}
			back, err := tt.l.parse(got)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(&m, back, cmp.AllowUnexported(routeMsg{}, rtAddr{}), cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
				t.Errorf("parsed back (-want +got):\n%s", d)
			}
		})
	}
}

// TestParseReply reads RTM_GET answers as the kernels write them: a cut
// netmask without a family, RTA_IFP with the interface's name, and
// (OpenBSD) a header longer than this rt_msghdr.
func TestParseReply(t *testing.T) {
	type result struct {
		Prefix  netip.Prefix
		Gateway netip.Addr
		IfName  string
		Index   int
	}
	for _, tt := range []struct {
		name string
		l    *osLayout
		msg  []byte
		want result
	}{{
		name: "FreeBSD default route",
		l:    freebsdLayout,
		msg: func() []byte {
			h := make([]byte, 152)
			h[2], h[3] = 5, 4
			le.PutUint16(h[4:], 2)
			le.PutUint32(h[8:], 0x803)
			le.PutUint32(h[12:], 0x17)
			return cat(h, sin("0.0.0.0"), sin("192.168.1.1"), make([]byte, 8), pad(sdl(freebsdLayout, 2, "em0")))
		}(),
		want: result{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParseAddr("192.168.1.1"), "em0", 2},
	}, {
		name: "OpenBSD IPv6 default route, longer header",
		l:    openbsdLayout,
		msg: func() []byte {
			h := make([]byte, 104)
			h[2], h[3] = 5, 4
			le.PutUint16(h[4:], 104)
			le.PutUint16(h[6:], 1)
			le.PutUint32(h[12:], 0x17)
			le.PutUint32(h[16:], 0x803)
			mask := []byte{0, 24, 0, 0, 0, 0, 0, 0} // sa_len 0
			return cat(h, pad(sin6(24, "::", 0)), pad(sin6(24, "fe80:1::1", 0)), mask, sdl(openbsdLayout, 1, "em0"))
		}(),
		want: result{netip.MustParsePrefix("::/0"), netip.MustParseAddr("fe80::1"), "em0", 1},
	}, {
		name: "FreeBSD cut netmask",
		l:    freebsdLayout,
		msg: func() []byte {
			h := make([]byte, 152)
			h[2], h[3] = 5, 4
			le.PutUint32(h[8:], 0x1)
			le.PutUint32(h[12:], 0x5)
			return cat(h, sin("10.8.0.0"), []byte{6, 0, 0, 0, 255, 255, 0, 0})
		}(),
		want: result{Prefix: netip.MustParsePrefix("10.8.0.0/16")},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			le.PutUint16(tt.msg, uint16(len(tt.msg)))
			m, err := tt.l.parse(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			var got result
			got.Prefix, _ = m.prefix()
			if g := m.sa[rtaxGateway]; g != nil {
				got.Gateway = g.ip
			}
			if ifp := m.sa[rtaxIFP]; ifp != nil {
				got.IfName, got.Index = ifp.linkName, ifp.linkIndex
			}
			if d := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
				cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	if _, err := freebsdLayout.parse(make([]byte, 100)); err == nil {
		t.Error("a message shorter than rt_msghdr parsed")
	}
}

// TestProposals holds proposals to route.c's nameserver(): rtm_msglen
// sizeof(rtm) + sizeof(rtdns) + the pad to ROUNDUP(sizeof(rtdns)), version
// 5, RTM_PROPOSAL, rtm_tableid, rtm_index, rtm_seq 1 then 2,
// RTP_PROPOSAL_STATIC, RTA_DNS, RTF_UP; sr_len 2 + the addresses, AF_INET
// then AF_INET6; at most five servers (ns4[5], ns6[5], the loop's
// ns4_count + ns6_count < 5).
func TestProposals(t *testing.T) {
	msg := func(seq uint32, family byte, dns []byte) []byte {
		b := make([]byte, 96+136)
		le.PutUint16(b[0:], 232)
		b[2], b[3] = 5, 0x13
		le.PutUint16(b[6:], 7)       // rtm_index
		le.PutUint16(b[8:], 2)       // rtm_tableid
		b[10] = 57                   // rtm_priority
		le.PutUint32(b[12:], 0x1000) // rtm_addrs
		le.PutUint32(b[16:], 0x1)    // rtm_flags
		le.PutUint32(b[28:], seq)    // rtm_seq
		b[96], b[97] = byte(2+len(dns)), family
		copy(b[98:], dns)
		return b
	}
	a := func(s ...string) []netip.Addr {
		var out []netip.Addr
		for _, x := range s {
			out = append(out, netip.MustParseAddr(x))
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		servers []netip.Addr
		want    [][]byte
	}{{
		name:    "both families",
		servers: a("10.0.0.1", "2001:db8::53", "::ffff:10.0.0.2"),
		want: [][]byte{
			msg(1, 2, []byte{10, 0, 0, 1}),
			msg(2, 24, cat(netip.MustParseAddr("2001:db8::53").AsSlice(), netip.MustParseAddr("::ffff:10.0.0.2").AsSlice())),
		},
	}, {
		name:    "five at most",
		servers: a("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"),
		want: [][]byte{
			msg(1, 2, []byte{10, 0, 0, 1, 10, 0, 0, 2, 10, 0, 0, 3, 10, 0, 0, 4, 10, 0, 0, 5}),
			msg(2, 24, nil),
		},
	}, {
		name: "withdrawal",
		want: [][]byte{msg(1, 2, nil), msg(2, 24, nil)},
	}} {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, proposals(7, 2, tt.servers)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestRtmName(t *testing.T) {
	for _, tt := range []struct {
		l    *osLayout
		typ  byte
		want string
	}{
		{freebsdLayout, 1, "RTM_ADD"},
		{freebsdLayout, 0x11, "RTM_IFANNOUNCE"},
		{freebsdLayout, 0x13, "RTM_19"},
		{openbsdLayout, 0xf, "RTM_IFANNOUNCE"},
		{openbsdLayout, 0x13, "RTM_PROPOSAL"},
		{openbsdLayout, 0x16, "RTM_SOURCE"},
	} {
		if got, ok := tt.l.rtmName([]byte{0, 0, 5, tt.typ}); !ok || got != tt.want {
			t.Errorf("openBSD=%v type %#x: %q, want %q", tt.l.openBSD, tt.typ, got, tt.want)
		}
	}
	if _, ok := freebsdLayout.rtmName([]byte{0, 0, 4, 1}); ok {
		t.Error("a message of another version is named")
	}
}
