package config

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// appliedModel is Applied in its plain form (maps of every peer and
// prefix), the model Applied is tested against.
func appliedModel(d *Device, c *Config) *Device {
	n := *d
	if c.PrivateKey != nil {
		n.PrivateKey = *c.PrivateKey
	}
	if c.ListenPort != nil {
		n.ListenPort = *c.ListenPort
	}
	if c.FwMark != nil {
		n.FwMark = *c.FwMark
	}
	n.Peers = nil
	if !c.ReplacePeers {
		n.Peers = make([]DevicePeer, len(d.Peers))
		for i, p := range d.Peers {
			n.Peers[i] = p
			n.Peers[i].AllowedIPs = slices.Clone(p.AllowedIPs)
		}
	}
	index := make(map[Key]int, len(n.Peers))
	allowed := 0
	for _, p := range n.Peers {
		allowed += len(p.AllowedIPs)
	}
	owner := make(map[netip.Prefix]Key, allowed)
	for i, p := range n.Peers {
		index[p.PublicKey] = i
		for _, a := range p.AllowedIPs {
			owner[a.Masked()] = p.PublicKey
		}
	}
	dead := map[int]bool{}
	for _, p := range c.Peers {
		i, ok := index[p.PublicKey]
		if p.Remove {
			if ok {
				dead[i] = true
				delete(index, p.PublicKey)
				for _, a := range n.Peers[i].AllowedIPs {
					if owner[a] == p.PublicKey {
						delete(owner, a)
					}
				}
			}
			continue
		}
		if !ok {
			i = len(n.Peers)
			index[p.PublicKey] = i
			n.Peers = append(n.Peers, DevicePeer{PublicKey: p.PublicKey})
		}
		np := &n.Peers[i]
		if p.PresharedKey != nil {
			np.PresharedKey = *p.PresharedKey
		}
		if p.Endpoint != nil {
			np.Endpoint = *p.Endpoint
		}
		if p.PersistentKeepalive != nil {
			np.PersistentKeepalive = *p.PersistentKeepalive
		}
		if p.ReplaceAllowedIPs {
			for _, a := range np.AllowedIPs {
				if owner[a] == p.PublicKey {
					delete(owner, a)
				}
			}
			np.AllowedIPs = nil
		}
		for _, a := range p.AllowedIPs {
			m := a.Prefix.Masked()
			if a.Remove {
				if owner[m] == p.PublicKey {
					delete(owner, m)
				}
				continue
			}
			owner[m] = p.PublicKey
			np.AllowedIPs = append(np.AllowedIPs, m)
		}
	}
	// Keep each allowed IP with its owner only, and drop removed peers.
	out := n.Peers[:0]
	for i, p := range n.Peers {
		if dead[i] {
			continue
		}
		kept := p.AllowedIPs[:0]
		for _, a := range p.AllowedIPs {
			if owner[a] == p.PublicKey && !slices.Contains(kept, a) {
				kept = append(kept, a)
			}
		}
		p.AllowedIPs = kept
		out = append(out, p)
	}
	n.Peers = out
	return &n
}

// TestAppliedModel holds Applied to the model on random devices and
// changes: peers from a few keys (so that changes meet running peers,
// remove them and add them again), prefixes from a few (so that they move
// between peers), replaced and removed allowed IPs.
func TestAppliedModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	prefix := func() netip.Prefix {
		p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(r.IntN(6)), byte(r.IntN(2)), 0}), 24-r.IntN(2))
		if r.IntN(4) == 0 {
			return netip.PrefixFrom(netip.AddrFrom16([16]byte{0xfd, 15: byte(r.IntN(4))}), 64)
		}
		return p
	}
	for round := 0; round < 1000; round++ {
		d := &Device{ListenPort: 1}
		used := map[netip.Prefix]bool{}
		for k := range byte(r.IntN(6)) {
			p := DevicePeer{PublicKey: Key{k + 1}, RxBytes: uint64(r.IntN(100))}
			for range r.IntN(4) {
				if a := prefix().Masked(); !used[a] { // a device has each prefix once
					used[a] = true
					p.AllowedIPs = append(p.AllowedIPs, a)
				}
			}
			d.Peers = append(d.Peers, p)
		}
		r.Shuffle(len(d.Peers), func(i, j int) { d.Peers[i], d.Peers[j] = d.Peers[j], d.Peers[i] })
		c := &Config{ReplacePeers: r.IntN(8) == 0}
		if r.IntN(4) == 0 {
			port := r.IntN(1000)
			c.ListenPort = &port
		}
		for range r.IntN(5) {
			p := Peer{PublicKey: Key{byte(1 + r.IntN(7))}, Remove: r.IntN(5) == 0, ReplaceAllowedIPs: r.IntN(3) == 0}
			if r.IntN(3) == 0 {
				ka := r.IntN(30)
				p.PersistentKeepalive = &ka
			}
			for range r.IntN(4) {
				p.AllowedIPs = append(p.AllowedIPs, AllowedIP{Prefix: prefix(), Remove: r.IntN(4) == 0})
			}
			c.Peers = append(c.Peers, p)
		}
		before := cloneDevice(d)
		want := appliedModel(cloneDevice(d), c)
		got := d.Applied(c)
		opts := cmp.Options{cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
			cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }), cmpopts.EquateEmpty()}
		if diff := cmp.Diff(want, got, opts); diff != "" {
			t.Fatalf("round %d: device %+v, change %+v: Applied differs from the model (-model +Applied):\n%s", round, before, c, diff)
		}
		if diff := cmp.Diff(before, d, opts); diff != "" {
			t.Fatalf("round %d: Applied changed the device it read (-before +after):\n%s", round, diff)
		}
	}
}

func cloneDevice(d *Device) *Device {
	n := *d
	n.Peers = slices.Clone(d.Peers)
	for i := range n.Peers {
		n.Peers[i].AllowedIPs = slices.Clone(n.Peers[i].AllowedIPs)
	}
	return &n
}
