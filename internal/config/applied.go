package config

import (
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/ipset"
)

// Applied is the device d would be after c is applied to it, as the
// kernel and wireguard-go apply a configuration: an allowed IP belongs to
// one peer at a time (the last given it); a removed peer takes its allowed
// IPs with it, and one added again after starts anew. Counters and
// handshakes of peers that stay are kept; new peers have none.
//
// It works in the memory of what c touches: a reload that changes one
// peer of a thousand copies the peer list once and shares every other
// peer's allowed IPs with d (maps of every peer and prefix cost a
// short-lived process more in page faults than the rest of the work).
func (d *Device) Applied(c *Config) *Device {
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
		n.Peers = slices.Clone(d.Peers) // allowed IPs shared until changed
	}
	a := applying{n: &n, private: map[int]bool{}, dead: map[int]bool{}, fresh: map[Key]int{}}
	a.byKey = newKeyIndex(len(n.Peers), func(i int) *Key { return &n.Peers[i].PublicKey })
	for _, p := range c.Peers {
		for _, ip := range p.AllowedIPs {
			a.touched = append(a.touched, ip.Prefix.Masked())
		}
	}
	a.touched = ipset.NewSet(a.touched)
	a.owner = make(map[netip.Prefix]Key, len(a.touched))
	for _, p := range n.Peers {
		for _, ip := range p.AllowedIPs {
			if a.isTouched(ip) {
				a.owner[ip.Masked()] = p.PublicKey
			}
		}
	}
	for i := range c.Peers {
		a.apply(&c.Peers[i])
	}
	out := n.Peers[:0] // n.Peers is a copy
	for i, p := range n.Peers {
		if a.dead[i] {
			continue
		}
		if slices.ContainsFunc(p.AllowedIPs, a.isTouched) {
			kept := []netip.Prefix(nil)
			if a.private[i] {
				kept = p.AllowedIPs[:0]
			}
			for _, ip := range p.AllowedIPs {
				if !a.isTouched(ip) || (a.owner[ip.Masked()] == p.PublicKey && !slices.Contains(kept, ip)) {
					kept = append(kept, ip)
				}
			}
			p.AllowedIPs = kept
		}
		out = append(out, p)
	}
	n.Peers = out
	return &n
}

// applying is the work of one Applied.
type applying struct {
	n *Device
	// byKey orders d's peers by key, for lookups; fresh are the peers c
	// added; dead those it removed; private those whose allowed IPs are
	// no longer d's.
	byKey   keyIndex
	fresh   map[Key]int
	dead    map[int]bool
	private map[int]bool
	// touched are the prefixes c gives or takes (sorted), owner their
	// owners as c goes.
	touched ipset.Set
	owner   map[netip.Prefix]Key
}

// find is the position of the live peer with key k, or -1.
func (a *applying) find(k Key) int {
	if i, ok := a.fresh[k]; ok {
		return i
	}
	i := a.byKey.last(&k)
	if i < 0 || a.dead[i] {
		return -1
	}
	return i
}

func (a *applying) isTouched(p netip.Prefix) bool {
	return a.touched.Has(p)
}

// disown takes from k the touched prefixes of ips it owns.
func (a *applying) disown(k Key, ips []netip.Prefix) {
	for _, ip := range ips {
		if m := ip.Masked(); a.isTouched(m) && a.owner[m] == k {
			delete(a.owner, m)
		}
	}
}

func (a *applying) apply(p *Peer) {
	i := a.find(p.PublicKey)
	if p.Remove {
		if i >= 0 {
			a.dead[i] = true
			delete(a.fresh, p.PublicKey)
			a.disown(p.PublicKey, a.n.Peers[i].AllowedIPs)
		}
		return
	}
	if i < 0 {
		i = len(a.n.Peers)
		a.n.Peers = append(a.n.Peers, DevicePeer{PublicKey: p.PublicKey})
		a.fresh[p.PublicKey] = i
		a.private[i] = true
	}
	np := &a.n.Peers[i]
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
		a.disown(p.PublicKey, np.AllowedIPs)
		np.AllowedIPs = nil
		a.private[i] = true
	}
	for _, ip := range p.AllowedIPs {
		m := ip.Prefix.Masked()
		if ip.Remove {
			if a.owner[m] == p.PublicKey {
				delete(a.owner, m)
			}
			continue
		}
		a.owner[m] = p.PublicKey
		if !a.private[i] {
			np.AllowedIPs = slices.Clone(np.AllowedIPs)
			a.private[i] = true
		}
		np.AllowedIPs = append(np.AllowedIPs, m)
	}
}
