package config

import "net/netip"

// Device is the state of a running WireGuard device, as wg reads it.
type Device struct {
	Name string
	// PrivateKey is zero when the device has none; PublicKey is derived
	// from it.
	PrivateKey, PublicKey Key
	ListenPort            int
	FwMark                uint32
	Peers                 []DevicePeer
}

// HasPrivateKey reports whether the device has a private key.
func (d *Device) HasPrivateKey() bool { return !IsZero(d.PrivateKey) }

// DevicePeer is one peer of a running device.
type DevicePeer struct {
	PublicKey Key
	// PresharedKey is zero when the peer has none.
	PresharedKey Key
	// Endpoint is the zero AddrPort when the peer has none.
	Endpoint   netip.AddrPort
	AllowedIPs []netip.Prefix
	// LastHandshakeSec and LastHandshakeNsec are 0 when there was none.
	LastHandshakeSec, LastHandshakeNsec int64
	RxBytes, TxBytes                    uint64
	// PersistentKeepalive is in seconds, 0 when off.
	PersistentKeepalive int
}

// AsConfig returns the device's configuration in the form the writer and
// syncconf use.
func (d *Device) AsConfig() *Config {
	c := &Config{ListenPort: &d.ListenPort, FwMark: &d.FwMark}
	if d.HasPrivateKey() {
		c.PrivateKey = &d.PrivateKey
	}
	for i := range d.Peers {
		p := &d.Peers[i]
		cp := Peer{PublicKey: p.PublicKey, HasPublicKey: true}
		if !IsZero(p.PresharedKey) {
			cp.PresharedKey = &p.PresharedKey
		}
		if p.Endpoint.IsValid() {
			cp.Endpoint = &p.Endpoint
		}
		if p.PersistentKeepalive != 0 {
			cp.PersistentKeepalive = &p.PersistentKeepalive
		}
		for _, a := range p.AllowedIPs {
			cp.AllowedIPs = append(cp.AllowedIPs, AllowedIP{Prefix: a})
		}
		c.Peers = append(c.Peers, cp)
	}
	return c
}
