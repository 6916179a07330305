package xplan

import (
	"errors"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/resolve"
)

// devices is quick.Devices on the simulated machine's WireGuard state.
type devices struct {
	m *Machine
	// addconf is the file `wg addconf` is given the config as (upstream's
	// /dev/fd/63, FreeBSD's /dev/stdin).
	addconf string
}

var _ quick.Devices = devices{}

// Configure is `wg addconf IF FILE`.
func (d devices) Configure(name string, c *config.Config) error {
	d.m.t.Call("wg", "addconf", name, d.addconf)
	if err := d.m.change(); err != nil {
		return err
	}
	dev := d.m.wg[name]
	if dev == nil {
		return errors.New("unable to modify interface: no such device")
	}
	if c.PrivateKey != nil {
		dev.privateKey = config.FormatKey(*c.PrivateKey)
	}
	if c.ListenPort != nil {
		dev.listenPort = *c.ListenPort
	}
	if c.FwMark != nil {
		dev.fwmark = *c.FwMark
	}
	for _, p := range c.Peers {
		key := config.FormatKey(p.PublicKey)
		peer := d.m.peer(name, key)
		if peer == nil {
			peer = &wgPeer{key: key}
			dev.peers = append(dev.peers, peer)
		}
		if p.Endpoint != nil {
			peer.endpoint = p.Endpoint.String()
		}
		if p.PresharedKey != nil {
			peer.psk = config.FormatKey(*p.PresharedKey)
		}
		if p.PersistentKeepalive != nil {
			peer.keepalive = *p.PersistentKeepalive
		}
		if p.ReplaceAllowedIPs {
			peer.allowedIPs = nil
		}
		for _, a := range p.AllowedIPs {
			peer.allowedIPs = append(peer.allowedIPs, a.Prefix.Masked())
		}
	}
	return nil
}

// Device is what `wg show IF …` reports; a wg_show "endpoints" text of
// the facts stands instead of the peers' endpoints.
func (d devices) Device(name string) (*config.Device, error) {
	dev := d.m.wg[name]
	if dev == nil || d.m.iface(name) == nil {
		return nil, errors.New("unable to access interface: no such device")
	}
	override := map[string]string{}
	if text, ok := d.m.wgShow["endpoints"]; ok {
		for _, line := range strings.Split(strings.ReplaceAll(text, "%i", name), "\n") {
			if k, v, ok := strings.Cut(line, "\t"); ok {
				override[k] = v
			}
		}
	}
	out := &config.Device{Name: name, ListenPort: dev.listenPort, FwMark: dev.fwmark}
	if dev.privateKey != "" {
		out.PrivateKey, _ = config.ParseKey(dev.privateKey)
	}
	for _, p := range dev.peers {
		k, _ := config.PublicKey(p.key)
		dp := config.DevicePeer{PublicKey: k, AllowedIPs: p.allowedIPs, PersistentKeepalive: p.keepalive}
		if p.psk != "" {
			dp.PresharedKey, _ = config.ParseKey(p.psk)
		}
		ep := p.endpoint
		if v, ok := override[p.key]; ok {
			ep = v
		}
		if ap, err := netip.ParseAddrPort(ep); err == nil {
			dp.Endpoint = ap
		}
		out.Peers = append(out.Peers, dp)
	}
	return out, nil
}

// resolver resolves endpoint names through the facts' hosts, as the
// simulator's wg does; everything else as on this system.
type resolver struct {
	config.Resolver
	hosts map[string]string
}

func newResolver(hosts map[string]string) resolver {
	return resolver{Resolver: resolve.System(), hosts: hosts}
}

func (r resolver) LookupHost(host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	if v, ok := r.hosts[host]; ok {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, err
		}
		return []netip.Addr{a}, nil
	}
	return nil, &config.LookupError{Msg: "Name or service not known", Permanent: true}
}
