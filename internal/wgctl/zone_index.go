//go:build linux || freebsd

package wgctl

import (
	"net"
	"strconv"
)

// zoneIndex is the interface index an IPv6 zone names, by name or as a
// number, as getaddrinfo(3) gives it in sin6_scope_id.
func zoneIndex(z string) uint32 {
	if ifi, err := net.InterfaceByName(z); err == nil {
		return uint32(ifi.Index)
	}
	n, _ := strconv.ParseUint(z, 10, 32)
	return uint32(n)
}
