package config

import (
	"encoding/base64"
	"net/netip"
	"strconv"
)

// AppendAddr appends a as inet_ntop(3) writes it. Go agrees with glibc but
// for IPv4-compatible addresses (96 zero bits, then a non-zero second-last
// word), which glibc writes with a dotted tail: ::1.2.3.4.
func AppendAddr(b []byte, a netip.Addr) []byte {
	if a.Is6() && !a.Is4In6() {
		x := a.As16()
		compat := x[12]|x[13] != 0
		for _, c := range x[:12] {
			compat = compat && c == 0
		}
		if compat {
			b = append(b, "::"...)
			b = netip.AddrFrom4([4]byte{x[12], x[13], x[14], x[15]}).AppendTo(b)
			if z := a.Zone(); z != "" {
				b = append(append(b, '%'), z...)
			}
			return b
		}
	}
	return a.AppendTo(b)
}

// AppendEndpoint appends an endpoint as wg writes it: IPv6 in brackets, with
// its scope when it has one.
func AppendEndpoint(b []byte, ep netip.AddrPort) []byte {
	a := ep.Addr()
	if a.Is4() {
		b = AppendAddr(b, a)
	} else {
		b = append(AppendAddr(append(b, '['), a), ']')
	}
	return strconv.AppendUint(append(b, ':'), uint64(ep.Port()), 10)
}

// AppendPrefix appends ip/cidr.
func AppendPrefix(b []byte, p netip.Prefix) []byte {
	return strconv.AppendInt(append(AppendAddr(b, p.Addr()), '/'), int64(p.Bits()), 10)
}

// FormatEndpoint returns an endpoint as wg writes it.
func FormatEndpoint(ep netip.AddrPort) string { return string(AppendEndpoint(nil, ep)) }

// AppendKey appends the base64 form of k.
func AppendKey(b []byte, k Key) []byte { return base64.StdEncoding.AppendEncode(b, k[:]) }
