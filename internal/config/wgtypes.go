package config

import (
	"errors"
	"net"
	"time"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// ErrIncrementalRemove is returned for `-ip` allowed-IP entries, which the
// device layer cannot send yet.
var ErrIncrementalRemove = errors.New("removing single allowed IPs (-ip/cidr) is not supported yet by this version of wgtools")

// HasRemovals reports whether any peer removes single allowed IPs.
func (c *Config) HasRemovals() bool {
	for _, p := range c.Peers {
		for _, ip := range p.AllowedIPs {
			if ip.Remove {
				return true
			}
		}
	}
	return false
}

// WGTypes converts c into wgctrl's form.
func (c *Config) WGTypes() (wgtypes.Config, error) {
	if c.HasRemovals() {
		return wgtypes.Config{}, ErrIncrementalRemove
	}
	out := wgtypes.Config{PrivateKey: c.PrivateKey, ListenPort: c.ListenPort, ReplacePeers: c.ReplacePeers}
	if c.FwMark != nil {
		m := int(*c.FwMark)
		out.FirewallMark = &m
	}
	for _, p := range c.Peers {
		pc := wgtypes.PeerConfig{
			PublicKey:         p.PublicKey,
			Remove:            p.Remove,
			PresharedKey:      p.PresharedKey,
			ReplaceAllowedIPs: p.ReplaceAllowedIPs,
		}
		if p.Endpoint != nil {
			ep := p.Endpoint
			pc.Endpoint = &net.UDPAddr{IP: ep.Addr().AsSlice(), Port: int(ep.Port()), Zone: ep.Addr().Zone()}
		}
		if p.PersistentKeepalive != nil {
			d := time.Duration(*p.PersistentKeepalive) * time.Second
			pc.PersistentKeepaliveInterval = &d
		}
		for _, ip := range p.AllowedIPs {
			pc.AllowedIPs = append(pc.AllowedIPs, net.IPNet{
				IP:   ip.Prefix.Addr().AsSlice(),
				Mask: net.CIDRMask(ip.Prefix.Bits(), ip.Prefix.Addr().BitLen()),
			})
		}
		out.Peers = append(out.Peers, pc)
	}
	return out, nil
}
