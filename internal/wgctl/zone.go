package wgctl

import (
	"net"
	"net/netip"
	"strconv"
)

// withZoneName shows an IPv6 scope the way getnameinfo(3) does: by the
// interface's name when an interface has that index, else as a number.
func withZoneName(ep netip.AddrPort) netip.AddrPort {
	z := ep.Addr().Zone()
	if z == "" {
		return ep
	}
	if idx, err := strconv.Atoi(z); err == nil {
		if ifi, err := net.InterfaceByIndex(idx); err == nil {
			return netip.AddrPortFrom(ep.Addr().WithZone(ifi.Name), ep.Port())
		}
	}
	return ep
}
