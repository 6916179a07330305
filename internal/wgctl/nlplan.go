package wgctl

import (
	"encoding/binary"
	"net/netip"

	"github.com/mdlayher/netlink"
	"github.com/wgtools/wgtools/internal/config"
)

// The kernel's WireGuard generic netlink interface (uapi/linux/wireguard.h).
const (
	wgDeviceAIfname     = 2
	wgDeviceAPrivateKey = 3
	wgDeviceAFlags      = 5
	wgDeviceAListenPort = 6
	wgDeviceAFwmark     = 7
	wgDeviceAPeers      = 8

	wgPeerAPublicKey    = 1
	wgPeerAPresharedKey = 2
	wgPeerAFlags        = 3
	wgPeerAEndpoint     = 4
	wgPeerAKeepalive    = 5
	wgPeerAAllowedIPs   = 9

	wgAllowedIPAFamily   = 1
	wgAllowedIPAIPAddr   = 2
	wgAllowedIPACidrMask = 3
	wgAllowedIPAFlags    = 4

	wgDeviceFReplacePeers           = 1
	wgPeerFRemoveMe                 = 1
	wgPeerFReplaceAllowedIPs        = 2
	wgAllowedIPFRemoveMe            = 1
	afInet, afInet6                 = 2, 10
	nlMessageLimit                  = 4096 // what wg fits in one message (a page)
	nlHeaderSpace                   = 16 + 4
	allowedIPSpace                  = 4 + (4 + 4) + (4 + 16) + (4 + 4) + (4 + 4)
	peerFixedSpace                  = 4 + 36 + 36 + 32 + 8 + 8 + 8 + 4
	scopeNone                uint32 = 0
)

// setDevicePlan encodes cfg as the WG_CMD_SET_DEVICE messages wg would send
// (attribute payloads, without netlink and genetlink headers), in wg's
// order. A change too large for one message continues in the next: device
// attributes go only in the first, and a peer whose allowed IPs do not fit
// continues under its public key without flags. scope maps an IPv6 zone to
// an interface index.
func setDevicePlan(name string, cfg *config.Config, scope func(string) uint32) ([][]byte, error) {
	var msgs [][]byte
	type chunk struct {
		peer  *config.Peer
		ips   []config.AllowedIP
		first bool
	}
	// Cut every peer's allowed IPs into pieces that fit a message.
	var chunks []chunk
	perMsg := (nlMessageLimit - nlHeaderSpace - peerFixedSpace - 64) / allowedIPSpace
	for i := range cfg.Peers {
		p := &cfg.Peers[i]
		ips := p.AllowedIPs
		first := true
		for {
			n := min(len(ips), perMsg)
			chunks = append(chunks, chunk{peer: p, ips: ips[:n], first: first})
			ips, first = ips[n:], false
			if len(ips) == 0 {
				break
			}
		}
	}
	size := func(c chunk) int { return peerFixedSpace + 8 + len(c.ips)*allowedIPSpace }
	for start, msgNo := 0, 0; start < len(chunks) || msgNo == 0; msgNo++ {
		used := nlHeaderSpace + 4 + len(name) + 1 + 80
		end := start
		for end < len(chunks) && (end == start || used+size(chunks[end]) <= nlMessageLimit) {
			used += size(chunks[end])
			end++
		}
		ae := netlink.NewAttributeEncoder()
		ae.String(wgDeviceAIfname, name)
		if msgNo == 0 {
			if cfg.PrivateKey != nil {
				ae.Bytes(wgDeviceAPrivateKey, cfg.PrivateKey[:])
			}
			if cfg.ListenPort != nil {
				ae.Uint16(wgDeviceAListenPort, uint16(*cfg.ListenPort))
			}
			if cfg.FwMark != nil {
				ae.Uint32(wgDeviceAFwmark, *cfg.FwMark)
			}
			if cfg.ReplacePeers {
				ae.Uint32(wgDeviceAFlags, wgDeviceFReplacePeers)
			}
		}
		if end > start {
			ae.Nested(wgDeviceAPeers, func(nae *netlink.AttributeEncoder) error {
				for _, c := range chunks[start:end] {
					nae.Nested(0, func(pae *netlink.AttributeEncoder) error {
						encodePeer(pae, c.peer, c.ips, c.first, scope)
						return nil
					})
				}
				return nil
			})
		}
		b, err := ae.Encode()
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, b)
		start = end
	}
	return msgs, nil
}

func encodePeer(ae *netlink.AttributeEncoder, p *config.Peer, ips []config.AllowedIP, first bool, scope func(string) uint32) {
	ae.Bytes(wgPeerAPublicKey, p.PublicKey[:])
	var flags uint32
	if p.Remove {
		flags |= wgPeerFRemoveMe
	}
	if first {
		if p.ReplaceAllowedIPs {
			flags |= wgPeerFReplaceAllowedIPs
		}
		if p.PresharedKey != nil {
			ae.Bytes(wgPeerAPresharedKey, p.PresharedKey[:])
		}
		if p.Endpoint != nil {
			ae.Bytes(wgPeerAEndpoint, sockaddr(*p.Endpoint, scope))
		}
		if p.PersistentKeepalive != nil {
			ae.Uint16(wgPeerAKeepalive, uint16(*p.PersistentKeepalive))
		}
	}
	if flags != 0 {
		ae.Uint32(wgPeerAFlags, flags)
	}
	if len(ips) == 0 {
		return
	}
	ae.Nested(wgPeerAAllowedIPs, func(iae *netlink.AttributeEncoder) error {
		for _, a := range ips {
			iae.Nested(0, func(x *netlink.AttributeEncoder) error {
				addr := a.Prefix.Addr()
				if addr.Is4() {
					x.Uint16(wgAllowedIPAFamily, afInet)
				} else {
					x.Uint16(wgAllowedIPAFamily, afInet6)
				}
				x.Bytes(wgAllowedIPAIPAddr, addr.AsSlice())
				x.Uint8(wgAllowedIPACidrMask, uint8(a.Prefix.Bits()))
				if a.Remove {
					x.Uint32(wgAllowedIPAFlags, wgAllowedIPFRemoveMe)
				}
				return nil
			})
		}
		return nil
	})
}

// sockaddr encodes an endpoint as struct sockaddr_in or sockaddr_in6.
func sockaddr(ep netip.AddrPort, scope func(string) uint32) []byte {
	a := ep.Addr()
	if a.Is4() {
		b := make([]byte, 16)
		binary.NativeEndian.PutUint16(b[0:], afInet)
		binary.BigEndian.PutUint16(b[2:], ep.Port())
		v4 := a.As4()
		copy(b[4:], v4[:])
		return b
	}
	b := make([]byte, 28)
	binary.NativeEndian.PutUint16(b[0:], afInet6)
	binary.BigEndian.PutUint16(b[2:], ep.Port())
	v6 := a.As16()
	copy(b[8:], v6[:])
	id := scopeNone
	if z := a.Zone(); z != "" {
		id = scope(z)
	}
	binary.NativeEndian.PutUint32(b[24:], id)
	return b
}
