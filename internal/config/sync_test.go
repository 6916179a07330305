package config

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSyncMinimize: syncconf's change against a running device, then
// without the peers that would stay as they run.
func TestSyncMinimize(t *testing.T) {
	key := func(b byte) Key { var k Key; k[0] = b; return k }
	pfx := netip.MustParsePrefix
	ep := netip.MustParseAddrPort("192.0.2.1:51820")
	rt := &Device{Peers: []DevicePeer{
		{PublicKey: key(1), Endpoint: ep, AllowedIPs: []netip.Prefix{pfx("10.1.0.0/24")}},
		{PublicKey: key(2), AllowedIPs: []netip.Prefix{pfx("10.2.0.0/24")}, PersistentKeepalive: 25},
		{PublicKey: key(3), AllowedIPs: []netip.Prefix{pfx("10.3.0.0/24")}},
		{PublicKey: key(4), AllowedIPs: []netip.Prefix{pfx("10.4.0.0/24"), pfx("10.44.0.0/24")}},
		{PublicKey: key(5), AllowedIPs: []netip.Prefix{pfx("10.5.0.0/24")}},
	}}
	allowed := func(ps ...string) []AllowedIP {
		var out []AllowedIP
		for _, p := range ps {
			out = append(out, AllowedIP{Prefix: pfx(p)})
		}
		return out
	}
	peer := func(k byte, ps ...string) Peer {
		return Peer{PublicKey: key(k), HasPublicKey: true, ReplaceAllowedIPs: true, AllowedIPs: allowed(ps...)}
	}
	same := peer(1, "10.1.0.1/24") // host bits as written
	same.Endpoint = &ep
	cfg := &Config{ReplacePeers: true, Peers: []Peer{
		same,
		peer(2, "10.2.0.0/24"),                 // its keepalive goes
		peer(3, "10.3.0.0/24", "10.33.0.0/24"), // grows
		peer(4, "10.4.0.0/24"),                 // shrinks
		peer(6, "10.6.0.0/24"),                 // new; 5 goes
	}}
	Sync(cfg, rt)
	Minimize(cfg, rt)
	zero := 0
	grown := peer(3, "10.33.0.0/24")
	grown.ReplaceAllowedIPs = false
	ka := peer(2) // only the keepalive: its allowed IPs are not touched
	ka.ReplaceAllowedIPs, ka.PersistentKeepalive = false, &zero
	want := []Peer{{PublicKey: key(5), HasPublicKey: true, Remove: true}, ka, grown, peer(4, "10.4.0.0/24"), peer(6, "10.6.0.0/24")}
	if diff := cmp.Diff(want, cfg.Peers, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
		cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if cfg.ReplacePeers {
		t.Error("ReplacePeers left set")
	}
	// The device the change makes, worked out as a reload does.
	got := map[byte][]string{}
	for _, p := range rt.Applied(cfg).Peers {
		for _, a := range p.AllowedIPs {
			got[p.PublicKey[0]] = append(got[p.PublicKey[0]], a.String())
		}
		if p.PublicKey[0] == 2 && p.PersistentKeepalive != 0 {
			t.Error("peer 2 kept its keepalive")
		}
	}
	wantIPs := map[byte][]string{1: {"10.1.0.0/24"}, 2: {"10.2.0.0/24"}, 3: {"10.3.0.0/24", "10.33.0.0/24"}, 4: {"10.4.0.0/24"}, 6: {"10.6.0.0/24"}}
	if diff := cmp.Diff(wantIPs, got); diff != "" {
		t.Errorf("Applied (-want +got):\n%s", diff)
	}
	// An allowed IP given to another peer moves.
	moved := rt.Applied(&Config{Peers: []Peer{{PublicKey: key(6), AllowedIPs: allowed("10.1.0.0/24")}}})
	if len(moved.Peers[0].AllowedIPs) != 0 || moved.Peers[5].AllowedIPs[0] != pfx("10.1.0.0/24") {
		t.Errorf("moved allowed IP: %+v", moved.Peers)
	}
}
