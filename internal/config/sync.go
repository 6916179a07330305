package config

import (
	"bytes"
	"net/netip"
	"slices"
)

// Sync turns cfg, a whole config as setconf would apply it (ReplacePeers
// set), into the change `wg syncconf` makes against the running device rt:
// no replace-peers; the running peers missing from cfg are removed (their
// removals go first); a preshared key or keepalive that cfg no longer sets
// is cleared. Peers that stay keep their sessions. With no peers in cfg or
// in rt it leaves cfg as it is.
func Sync(cfg *Config, rt *Device) {
	if len(cfg.Peers) == 0 || len(rt.Peers) == 0 {
		return
	}
	cfg.ReplacePeers = false
	// wg merges both peer lists sorted by key; a runtime peer matches the
	// (first) file peer with its key.
	inFile := newKeyIndex(len(cfg.Peers), func(i int) *Key { return &cfg.Peers[i].PublicKey })
	var gone []Key
	for i := range rt.Peers {
		rp := &rt.Peers[i]
		fi := inFile.first(&rp.PublicKey)
		if fi < 0 {
			gone = append(gone, rp.PublicKey)
			continue
		}
		fp := &cfg.Peers[fi]
		if !IsZero(rp.PresharedKey) && fp.PresharedKey == nil {
			fp.PresharedKey = new(Key)
		}
		if rp.PersistentKeepalive != 0 && fp.PersistentKeepalive == nil {
			fp.PersistentKeepalive = new(int)
		}
	}
	// wg prepends each removal while walking the keys in ascending order, so
	// removals go out first, in descending key order.
	if len(gone) == 0 {
		return
	}
	slices.SortFunc(gone, func(a, b Key) int { return bytes.Compare(b[:], a[:]) })
	removals := make([]Peer, len(gone))
	for i, k := range gone {
		removals[i] = Peer{PublicKey: k, HasPublicKey: true, Remove: true}
	}
	cfg.Peers = append(removals, cfg.Peers...)
}

// Minimize drops from cfg, a change made by Sync against rt, the peers it
// would leave as they run, and turns a peer whose allowed IPs only grow
// into an addition of the new ones: what stays is sent to the device
// untouched, so not even a replace of its allowed IPs disturbs its
// traffic (`wg-quick reload`).
func Minimize(cfg *Config, rt *Device) {
	running := newKeyIndex(len(rt.Peers), func(i int) *Key { return &rt.Peers[i].PublicKey })
	out := cfg.Peers[:0]
	for _, p := range cfg.Peers {
		ri := running.last(&p.PublicKey)
		if p.Remove || ri < 0 || cfg.ReplacePeers {
			out = append(out, p)
			continue
		}
		rp := &rt.Peers[ri]
		same := (p.PresharedKey == nil || *p.PresharedKey == rp.PresharedKey) &&
			(p.Endpoint == nil || *p.Endpoint == rp.Endpoint) &&
			(p.PersistentKeepalive == nil || *p.PersistentKeepalive == rp.PersistentKeepalive)
		added, removed := allowedDiff(p, rp.AllowedIPs)
		if same && len(added) == 0 && !removed {
			continue
		}
		if !removed {
			p.ReplaceAllowedIPs = false
			p.AllowedIPs = added
		}
		out = append(out, p)
	}
	cfg.Peers = out
}

// allowedDiff compares the allowed IPs p gives with those running: the
// ones to add, and whether any running one would go.
func allowedDiff(p Peer, running []netip.Prefix) (added []AllowedIP, removed bool) {
	if len(running) <= 8 && len(p.AllowedIPs) <= 8 {
		return allowedDiffFew(p, running)
	}
	have := make(map[netip.Prefix]bool, len(running))
	for _, a := range running {
		have[a.Masked()] = true
	}
	want := make(map[netip.Prefix]bool, len(p.AllowedIPs))
	for _, a := range p.AllowedIPs {
		m := a.Prefix.Masked()
		if a.Remove {
			removed = removed || have[m]
			continue
		}
		want[m] = true
		if !have[m] {
			added = append(added, a)
		}
	}
	if p.ReplaceAllowedIPs {
		for a := range have {
			if !want[a] {
				removed = true
			}
		}
	}
	return added, removed
}

// allowedDiffFew is allowedDiff of a few allowed IPs, without maps (a
// thousand peers with one each are compared in microseconds).
func allowedDiffFew(p Peer, running []netip.Prefix) (added []AllowedIP, removed bool) {
	var have, want [8]netip.Prefix
	for i, a := range running {
		have[i] = a.Masked()
	}
	hv, nw := have[:len(running)], want[:0]
	for _, a := range p.AllowedIPs {
		m := a.Prefix.Masked()
		if a.Remove {
			removed = removed || slices.Contains(hv, m)
			continue
		}
		nw = append(nw, m)
		if !slices.Contains(hv, m) {
			added = append(added, a)
		}
	}
	if p.ReplaceAllowedIPs {
		for _, a := range hv {
			if !slices.Contains(nw, a) {
				removed = true
			}
		}
	}
	return added, removed
}
