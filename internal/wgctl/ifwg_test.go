package wgctl

import (
	"encoding/binary"
	"net/netip"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/nvlist"
)

// TestIfWGLayout: struct wg_data_io { char wgd_name[IFNAMSIZ]; void
// *wgd_data; size_t wgd_size; } and struct ifgroupreq { char
// ifgr_name[IFNAMSIZ]; u_int ifgr_len; union { char ifgru_group[IFNAMSIZ];
// struct ifg_req *ifgru_groups; } } laid out as the C compiler does, and the
// ioctl numbers _IOWR gives for their sizes. The 64-bit numbers are those
// wgctrl's cgo -godefs run recorded (wgh/defs_freebsd_amd64.go) and x/sys
// has for SIOCGIFGMEMB.
func TestIfWGLayout(t *testing.T) {
	type layout struct {
		dataOff, sizeOff, wgdSize, lenOff, groupsOff, ifgrSize uintptr
		swg, gwg, gifgmemb                                     uint
	}
	want := map[uintptr]layout{
		8: {16, 24, 32, 16, 24, 40, 0xc02069d2, 0xc02069d3, 0xc028698a},
		4: {16, 20, 24, 16, 20, 36, 0xc01869d2, 0xc01869d3, 0xc024698a},
	}[unsafe.Sizeof(uintptr(0))]
	got := layout{
		unsafe.Offsetof(wgDataIO{}.Data), unsafe.Offsetof(wgDataIO{}.Size), unsafe.Sizeof(wgDataIO{}),
		unsafe.Offsetof(ifGroupReq{}.Len), unsafe.Offsetof(ifGroupReq{}.Groups), unsafe.Sizeof(ifGroupReq{}),
		siocSWG, siocGWG, siocGIFGMEMB,
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(layout{})); diff != "" {
		t.Errorf("layout (-want +got):\n%s", diff)
	}
	if n := ifName("a-name-longer-than-15"); n[15] != 0 || string(n[:15]) != "a-name-longer-t" {
		t.Errorf("ifName = %q", n)
	}
}

func TestGroupMembers(t *testing.T) {
	m := []ifgReq{ifgReq(ifName("wg0")), {}, ifgReq(ifName("wg-office"))}
	if diff := cmp.Diff([]string{"wg0", "wg-office"}, groupMembers(m)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func testKey(b byte) config.Key {
	var k config.Key
	for i := range k {
		k[i] = b
	}
	return k
}

func bin(k config.Key) nvlist.Binary { return nvlist.Binary(k[:]) }

// sin is a struct sockaddr_in: sin_len 16, sin_family AF_INET (2), sin_port
// in network order, sin_addr, sin_zero[8].
func sin(a [4]byte, port uint16) nvlist.Binary {
	return nvlist.Binary{16, 2, byte(port >> 8), byte(port), a[0], a[1], a[2], a[3], 0, 0, 0, 0, 0, 0, 0, 0}
}

// sin6 is a struct sockaddr_in6: sin6_len 28, sin6_family AF_INET6 (28),
// sin6_port, sin6_flowinfo 0, sin6_addr at 8, sin6_scope_id at 24 in host
// order.
func sin6(a string, port uint16, scope uint32) nvlist.Binary {
	b := make([]byte, 28)
	b[0], b[1], b[2], b[3] = 28, 28, byte(port>>8), byte(port)
	ip := netip.MustParseAddr(a).As16()
	copy(b[8:], ip[:])
	binary.NativeEndian.PutUint32(b[24:], scope)
	return b
}

func aip(fam string, addr []byte, cidr uint64) nvlist.List {
	return nvlist.List{{Name: "cidr", Value: nvlist.Number(cidr)}, {Name: fam, Value: nvlist.Binary(addr)}}
}

func TestSetRequest(t *testing.T) {
	k1, k2, psk, priv := testKey(1), testKey(2), testKey(3), testKey(4)
	zero := config.Key{}
	port, ka0, ka25 := 51820, 0, 25
	mark := uint32(0x10)
	v4 := netip.MustParseAddrPort("192.0.2.1:51820")
	v6 := netip.MustParseAddrPort("[fe80::1%eth0]:443")
	scope := func(z string) uint32 { return map[string]uint32{"eth0": 7}[z] }
	tests := []struct {
		name string
		cfg  config.Config
		want nvlist.List
	}{
		{"empty", config.Config{}, nil},
		{
			// setconf: everything, replace-peers; the file's peers replace
			// their allowed IPs.
			"setconf",
			config.Config{PrivateKey: &priv, ListenPort: &port, FwMark: &mark, ReplacePeers: true, Peers: []config.Peer{{
				PublicKey: k1, PresharedKey: &psk, Endpoint: &v4, PersistentKeepalive: &ka25, ReplaceAllowedIPs: true,
				AllowedIPs: []config.AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}, {Prefix: netip.MustParsePrefix("fd00::/64")}},
			}}},
			nvlist.List{
				{Name: "private-key", Value: bin(priv)},
				{Name: "listen-port", Value: nvlist.Number(51820)},
				{Name: "user-cookie", Value: nvlist.Number(0x10)},
				{Name: "replace-peers", Value: nvlist.Bool(true)},
				{Name: "peers", Value: nvlist.ListArray{{
					{Name: "public-key", Value: bin(k1)},
					{Name: "preshared-key", Value: bin(psk)},
					{Name: "persistent-keepalive-interval", Value: nvlist.Number(25)},
					{Name: "endpoint", Value: sin([4]byte{192, 0, 2, 1}, 51820)},
					{Name: "replace-allowedips", Value: nvlist.Bool(true)},
					{Name: "allowed-ips", Value: nvlist.ListArray{
						aip("ipv4", []byte{10, 0, 0, 0}, 8),
						aip("ipv6", netip.MustParseAddr("fd00::").AsSlice(), 64),
					}},
				}}},
			},
		},
		{
			// wg set: a removed peer; a PSK removed (zero key) and
			// keepalive 0 are sent, an unset keepalive is not; a scoped
			// IPv6 endpoint; incremental allowed IPs.
			"set",
			config.Config{Peers: []config.Peer{
				{PublicKey: k2, Remove: true, Endpoint: &v4},
				{PublicKey: k1, PresharedKey: &zero, PersistentKeepalive: &ka0, Endpoint: &v6, AllowedIPs: []config.AllowedIP{
					{Prefix: netip.MustParsePrefix("10.1.0.0/16"), Remove: true},
					{Prefix: netip.MustParsePrefix("10.2.0.0/16")},
				}},
				{PublicKey: k2},
			}},
			nvlist.List{{Name: "peers", Value: nvlist.ListArray{
				{{Name: "public-key", Value: bin(k2)}, {Name: "remove", Value: nvlist.Bool(true)}},
				{
					{Name: "public-key", Value: bin(k1)},
					{Name: "preshared-key", Value: bin(zero)},
					{Name: "persistent-keepalive-interval", Value: nvlist.Number(0)},
					{Name: "endpoint", Value: sin6("fe80::1", 443, 7)},
					{Name: "allowed-ips", Value: nvlist.ListArray{
						{{Name: "flags", Value: nvlist.Number(1)}, {Name: "cidr", Value: nvlist.Number(16)}, {Name: "ipv4", Value: nvlist.Binary{10, 1, 0, 0}}},
						aip("ipv4", []byte{10, 2, 0, 0}, 16),
					}},
				},
				{{Name: "public-key", Value: bin(k2)}},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := setRequest(&tt.cfg, scope)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
			b, err := nvlist.Encode(got)
			if err != nil {
				t.Fatal(err)
			}
			back, err := nvlist.Decode(b)
			if err != nil || len(back) != len(got) {
				t.Fatalf("Decode = %d pairs, %v", len(back), err)
			}
		})
	}
}

// wgcGet is what if_wg's wgc_get returns for a device with two peers, as
// root sees it.
func wgcGet() nvlist.List {
	ts := make([]byte, 16)
	binary.NativeEndian.PutUint64(ts, 1700000000)
	binary.NativeEndian.PutUint64(ts[8:], 123)
	return nvlist.List{
		{Name: "listen-port", Value: nvlist.Number(51820)},
		{Name: "user-cookie", Value: nvlist.Number(42)},
		{Name: "public-key", Value: bin(testKey(5))},
		{Name: "private-key", Value: bin(testKey(4))},
		{Name: "peers", Value: nvlist.ListArray{
			{
				{Name: "public-key", Value: bin(testKey(1))},
				{Name: "preshared-key", Value: bin(testKey(3))},
				{Name: "endpoint", Value: sin6("fe80::1", 443, 7)},
				{Name: "last-handshake-time", Value: nvlist.Binary(ts)},
				{Name: "persistent-keepalive-interval", Value: nvlist.Number(25)},
				{Name: "rx-bytes", Value: nvlist.Number(1000)},
				{Name: "tx-bytes", Value: nvlist.Number(2000)},
				{Name: "allowed-ips", Value: nvlist.ListArray{
					aip("ipv4", []byte{10, 0, 0, 0}, 8),
					aip("ipv6", netip.MustParseAddr("fd00::").AsSlice(), 64),
				}},
			},
			{
				{Name: "public-key", Value: bin(testKey(2))},
				{Name: "preshared-key", Value: bin(config.Key{})},
				{Name: "endpoint", Value: sin([4]byte{192, 0, 2, 1}, 51820)},
				{Name: "last-handshake-time", Value: nvlist.Binary(make([]byte, 16))},
				{Name: "persistent-keepalive-interval", Value: nvlist.Number(0)},
				{Name: "rx-bytes", Value: nvlist.Number(0)},
				{Name: "tx-bytes", Value: nvlist.Number(0)},
			},
		}},
	}
}

func TestParseDevice(t *testing.T) {
	want := &config.Device{
		Name: "wg0", PrivateKey: testKey(4), PublicKey: testKey(5), ListenPort: 51820, FwMark: 42,
		Peers: []config.DevicePeer{
			{
				PublicKey: testKey(1), PresharedKey: testKey(3),
				Endpoint:         netip.MustParseAddrPort("[fe80::1%7]:443"),
				LastHandshakeSec: 1700000000, LastHandshakeNsec: 123, RxBytes: 1000, TxBytes: 2000, PersistentKeepalive: 25,
				AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/64")},
			},
			{PublicKey: testKey(2), Endpoint: netip.MustParseAddrPort("192.0.2.1:51820")},
		},
	}
	// The kernel's bytes, through our codec.
	b, err := nvlist.Encode(wgcGet())
	if err != nil {
		t.Fatal(err)
	}
	l, err := nvlist.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseDevice("wg0", l)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestParseDeviceLenient: as wg, values of the wrong type, size or range
// are ignored (an unprivileged reader gets no private-key); a bad allowed
// IP is EINVAL.
func TestParseDeviceLenient(t *testing.T) {
	l := nvlist.List{
		{Name: "listen-port", Value: nvlist.Number(70000)},
		{Name: "user-cookie", Value: nvlist.String("x")},
		{Name: "public-key", Value: nvlist.Binary{1, 2}},
		{Name: "peers", Value: nvlist.ListArray{{
			{Name: "endpoint", Value: nvlist.Binary{16, 99, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
			{Name: "persistent-keepalive-interval", Value: nvlist.Number(1 << 16)},
			{Name: "allowed-ips", Value: nvlist.ListArray{{{Name: "ipv4", Value: nvlist.Binary{1, 2, 3, 4}}}}},
		}}},
	}
	got, err := parseDevice("wg0", l)
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Device{Name: "wg0", Peers: []config.DevicePeer{{}}}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for _, bad := range []nvlist.List{aip("ipv4", []byte{1, 2, 3, 4}, 33), aip("ipv6", make([]byte, 16), 129), aip("ipv4", []byte{1, 2, 3}, 8)} {
		l := nvlist.List{{Name: "peers", Value: nvlist.ListArray{{{Name: "allowed-ips", Value: nvlist.ListArray{bad}}}}}}
		if _, err := parseDevice("wg0", l); err != syscall.EINVAL {
			t.Errorf("allowed IP %v: err = %v, want EINVAL", bad, err)
		}
	}
}

// TestIgnoredRemovals: a `-ip` entry the device still has after the change
// is reported (a kernel without the remove flag added it); one it no
// longer has, or a removed peer's, is not.
func TestIgnoredRemovals(t *testing.T) {
	k1, k2 := config.Key{1}, config.Key{2}
	p := func(s string) netip.Prefix { return netip.MustParsePrefix(s) }
	cfg := &config.Config{Peers: []config.Peer{
		{PublicKey: k1, AllowedIPs: []config.AllowedIP{{Prefix: p("10.1.0.0/16"), Remove: true}, {Prefix: p("10.2.0.0/16"), Remove: true}, {Prefix: p("10.3.0.0/16")}}},
		{PublicKey: k2, Remove: true},
	}}
	dev := &config.Device{Peers: []config.DevicePeer{
		{PublicKey: k1, AllowedIPs: []netip.Prefix{p("10.1.0.0/16"), p("10.3.0.0/16")}},
		{PublicKey: k2, AllowedIPs: []netip.Prefix{p("10.2.0.0/16")}},
	}}
	if d := cmp.Diff([]netip.Prefix{p("10.1.0.0/16")}, ignoredRemovals(cfg, dev), cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("ignored removals (-want +got):\n%s", d)
	}
}
