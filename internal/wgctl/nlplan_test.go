package wgctl

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdlayher/netlink"
	"github.com/wgtools/wgtools/internal/config"
)

// tree decodes netlink attributes into a readable form: "path=hex" for
// leaves, "path{ ... }" for nested attributes.
func tree(t *testing.T, b []byte, path string) []string {
	t.Helper()
	ad, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for ad.Next() {
		p := fmt.Sprintf("%s/%d", path, ad.Type())
		if ad.TypeFlags()&0x8000 != 0 { // NLA_F_NESTED
			out = append(out, p+"{")
			out = append(out, tree(t, ad.Bytes(), p)...)
			out = append(out, "}")
			continue
		}
		out = append(out, fmt.Sprintf("%s=%x", p, ad.Bytes()))
	}
	return out
}

func TestSetDevicePlan(t *testing.T) {
	k := func(b byte) *config.Key { var k config.Key; k[0] = b; return &k }
	port, mark, ka := 51820, uint32(0x1234), 25
	ep4 := netip.MustParseAddrPort("192.0.2.1:51820")
	ep6 := netip.MustParseAddrPort("[fe80::1%eth0]:5")
	cfg := &config.Config{
		PrivateKey: k(1), ListenPort: &port, FwMark: &mark, ReplacePeers: true,
		Peers: []config.Peer{
			{PublicKey: *k(2), Remove: true},
			{PublicKey: *k(3), PresharedKey: k(4), Endpoint: &ep4, PersistentKeepalive: &ka, ReplaceAllowedIPs: false,
				AllowedIPs: []config.AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}, {Prefix: netip.MustParsePrefix("fd00::/64"), Remove: true}}},
			{PublicKey: *k(5), Endpoint: &ep6, ReplaceAllowedIPs: true},
		},
	}
	msgs, err := setDevicePlan("wg0", cfg, func(z string) uint32 { return map[string]uint32{"eth0": 2}[z] })
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	key := func(b byte) string {
		return fmt.Sprintf("%02x%s", b, "00000000000000000000000000000000000000000000000000000000000000")
	}
	le16 := func(v uint16) string {
		b := make([]byte, 2)
		binary.NativeEndian.PutUint16(b, v)
		return fmt.Sprintf("%x", b)
	}
	le32 := func(v uint32) string {
		b := make([]byte, 4)
		binary.NativeEndian.PutUint32(b, v)
		return fmt.Sprintf("%x", b)
	}
	want := []string{
		"/2=77673000",                                                              // ifname, NUL-terminated
		"/3=" + key(1), "/6=" + le16(51820), "/7=" + le32(0x1234), "/5=" + le32(1), // key, port, fwmark, REPLACE_PEERS
		"/8{",
		"/8/0{", "/8/0/1=" + key(2), "/8/0/3=" + le32(1), "}", // removed peer: REMOVE_ME
		"/8/0{", "/8/0/1=" + key(3), "/8/0/2=" + key(4),
		"/8/0/4=" + le16(2) + "ca6c" + "c0000201" + "0000000000000000", // sockaddr_in
		"/8/0/5=" + le16(25),
		"/8/0/9{",
		"/8/0/9/0{", "/8/0/9/0/1=" + le16(2), "/8/0/9/0/2=0a000000", "/8/0/9/0/3=08", "}",
		"/8/0/9/0{", "/8/0/9/0/1=" + le16(10), "/8/0/9/0/2=fd000000000000000000000000000000", "/8/0/9/0/3=40", "/8/0/9/0/4=" + le32(1), "}",
		"}", "}",
		"/8/0{", "/8/0/1=" + key(5),
		"/8/0/4=" + le16(10) + "0005" + "00000000" + "fe800000000000000000000000000001" + le32(2), // sockaddr_in6 with scope
		"/8/0/3=" + le32(2), "}", // REPLACE_ALLOWEDIPS
		"}",
	}
	if diff := cmp.Diff(want, tree(t, msgs[0], "")); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

// TestSetDevicePlanSplits: a change too large for one message continues in
// more, each within the limit, with device attributes only in the first and
// every allowed IP sent once.
func TestSetDevicePlanSplits(t *testing.T) {
	var peers []config.Peer
	for i := 0; i < 40; i++ {
		p := config.Peer{PublicKey: config.Key{byte(i)}, ReplaceAllowedIPs: true}
		n := 3
		if i == 7 {
			n = 500 // one peer larger than a message
		}
		for j := 0; j < n; j++ {
			p.AllowedIPs = append(p.AllowedIPs, config.AllowedIP{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), byte(j >> 8), byte(j)}), 32), Remove: j%2 == 1})
		}
		peers = append(peers, p)
	}
	port := 1
	msgs, err := setDevicePlan("wg0", &config.Config{ListenPort: &port, ReplacePeers: true, Peers: peers}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 3 {
		t.Fatalf("only %d messages", len(msgs))
	}
	ips, removes, replaceFlags := 0, 0, 0
	for i, m := range msgs {
		if len(m)+20 > nlMessageLimit {
			t.Errorf("message %d is %d bytes", i, len(m)+20)
		}
		lines := tree(t, m, "")
		hasPort := false
		for _, l := range lines {
			switch {
			case len(l) > 3 && l[:3] == "/6=":
				hasPort = true
			case len(l) > 12 && l[:12] == "/8/0/9/0/3=2":
				ips++
			case l == "/8/0/9/0/4=01000000":
				removes++
			case l == "/8/0/3=02000000":
				replaceFlags++
			}
		}
		if hasPort != (i == 0) {
			t.Errorf("message %d: device attributes present=%v", i, hasPort)
		}
	}
	if ips != 39*3+500 || removes != 39+250 || replaceFlags != 40 {
		t.Errorf("ips=%d removes=%d replace flags=%d; want %d, %d, 40", ips, removes, replaceFlags, 39*3+500, 39+250)
	}
}
