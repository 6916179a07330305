package config

import (
	"net/netip"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Key is a Curve25519 key or a preshared key.
type Key = wgtypes.Key

// Config is a device configuration as read from a wg(8) file or from the
// arguments of `wg set`. Nil pointers mean "not given".
type Config struct {
	PrivateKey *Key
	ListenPort *int
	FwMark     *uint32
	// ReplacePeers is set by setconf and syncconf, never by the parser.
	ReplacePeers bool
	Peers        []Peer
}

// Peer is one [Peer] section or one `peer` scope of `wg set`.
type Peer struct {
	PublicKey    Key
	HasPublicKey bool
	// Remove asks for the peer to be removed (`wg set … peer K remove`).
	Remove              bool
	PresharedKey        *Key
	Endpoint            *netip.AddrPort
	PersistentKeepalive *int
	// ReplaceAllowedIPs replaces the peer's allowed IPs with AllowedIPs
	// instead of adding to them.
	ReplaceAllowedIPs bool
	AllowedIPs        []AllowedIP
	// Line is where the peer's section started (0 for `wg set`).
	Line int
}

// AllowedIP is one allowed-IPs entry. The prefix keeps any host bits as
// written; the kernel and wireguard-go mask them.
type AllowedIP struct {
	Prefix netip.Prefix
	// Remove is set for a `-ip/cidr` entry.
	Remove bool
}
