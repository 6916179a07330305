package config

import (
	"net/netip"
	"strings"
)

// HiddenValue stands in a message where upstream would print a private or
// preshared key. Keys never appear in our errors.
const HiddenValue = "(hidden)"

// Port parses a port as getaddrinfo(3) does for a UDP service: a number
// (strtoul, kept if it is not negative as a C int, then truncated to 16 bits,
// so 65537 is 1) or else a UDP service name.
func (o *Options) Port(s string) (int, error) {
	if s == "" {
		return 0, &valueError{msg: "Unable to parse empty port"}
	}
	if p, ok := o.servicePort(s); ok {
		return p, nil
	}
	return 0, errValue(MsgService, s)
}

func (o *Options) servicePort(s string) (int, bool) {
	if v, n := strtoul(s, 10); n > 0 && n == len(s) && int32(v) >= 0 {
		return int(uint16(v)), true
	}
	return o.resolver().LookupPort(strings.Clone(s))
}

// FwMark parses a firewall mark: "off" (any case), or a decimal number, or a
// hexadecimal one with a lowercase 0x prefix, at most 0xffffffff.
func FwMark(s string) (uint32, error) {
	if equalFold(s, "off") {
		return 0, nil
	}
	if s == "" || !isDigit(s[0]) {
		return 0, errValue("Fwmark is neither 0/off nor 0-0xffffffff", s)
	}
	base := 10
	if len(s) > 2 && s[0] == '0' && s[1] == 'x' {
		base = 16
	}
	v, n := strtoul(s, base)
	if n != len(s) || v > 0xffffffff {
		return 0, errValue("Fwmark is neither 0/off nor 0-0xffffffff", s)
	}
	return uint32(v), nil
}

// Keepalive parses a persistent keepalive interval: "off" (any case) or a
// decimal number of seconds up to 65535; 0 means off.
func Keepalive(s string) (int, error) {
	if equalFold(s, "off") {
		return 0, nil
	}
	if s == "" || !isDigit(s[0]) {
		return 0, errValue("Persistent keepalive interval is neither 0/off nor 1-65535", s)
	}
	v, n := strtoul(s, 10)
	if n != len(s) || v > 65535 {
		return 0, errValue("Persistent keepalive interval is neither 0/off nor 1-65535", s)
	}
	return int(v), nil
}

// PublicKey parses a peer's public key. Public keys are not secret, so the
// message repeats the input as upstream's does.
func PublicKey(s string) (Key, error) {
	k, ok := ParseKey(s)
	if !ok {
		return k, errValue("Key is not the correct length or format", s)
	}
	return k, nil
}

// SecretKey parses a private or preshared key. Unlike upstream, the message
// never repeats the input.
func SecretKey(s string) (Key, error) {
	k, ok := ParseKey(s)
	if !ok {
		return k, errValue("Key is not the correct length or format", HiddenValue)
	}
	return k, nil
}

// AllowedIPs parses a comma-separated allowed-IPs list into p, as one
// AllowedIPs line or `allowed-ips` argument does: replace is switched on, then
// off again if any entry carries a '+' or '-' prefix. Entries with nonzero
// host bits are kept and warned about.
func (o *Options) AllowedIPs(p *Peer, s string) error {
	p.ReplaceAllowedIPs = true
	if s == "" {
		return nil
	}
	for rest, more := s, true; more; {
		var entry string
		entry, rest, more = strings.Cut(rest, ",")
		remove := false
		if entry != "" && (entry[0] == '+' || entry[0] == '-') {
			remove = entry[0] == '-'
			p.ReplaceAllowedIPs = false
			entry = entry[1:]
		}
		ip, mask, hasMask := strings.Cut(entry, "/")
		addr, ok := parseInetPton(ip)
		if !ok {
			return errValue("Unable to parse IP address", ip)
		}
		bits := addr.BitLen()
		if hasMask {
			v, n := strtoul(mask, 10)
			if mask == "" || !isDigit(mask[0]) || n != len(mask) || v > uint64(bits) {
				return errValue("AllowedIP is not in the correct format", entry)
			}
			bits = int(v)
		}
		prefix := netip.PrefixFrom(addr, bits)
		if prefix.Masked().Addr() != addr {
			o.warn("Warning: AllowedIP has nonzero host part: " + ip + "/" + mask)
		}
		if o.mem == nil { // called on its own, not in a parse
			p.AllowedIPs = append(p.AllowedIPs, AllowedIP{Prefix: prefix, Remove: remove})
		} else {
			p.AllowedIPs = o.mem.allowed.Append(p.AllowedIPs, AllowedIP{Prefix: prefix, Remove: remove})
		}
	}
	return nil
}

// parseInetPton parses an address as inet_pton(3): IPv6 when the text has a
// colon, else strict dotted-quad IPv4. Zones are not accepted.
func parseInetPton(s string) (netip.Addr, bool) {
	if strings.Contains(s, ":") {
		if strings.Contains(s, "%") {
			return netip.Addr{}, false
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			return netip.Addr{}, false
		}
		return a, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	return a, true
}
