package config

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
)

// FormatEndpoint writes an endpoint as wg does: IPv6 in brackets, with its
// scope when it has one.
func FormatEndpoint(ep netip.AddrPort) string {
	a := ep.Addr()
	if a.Is4() {
		return fmt.Sprintf("%s:%d", a, ep.Port())
	}
	return fmt.Sprintf("[%s]:%d", a, ep.Port())
}

// FormatAllowedIPs joins allowed IPs as inet_ntop forms with their prefix
// lengths, separated by sep.
func FormatAllowedIPs(ips []AllowedIP, sep string) string {
	parts := make([]string, len(ips))
	for i, ip := range ips {
		parts[i] = ip.Prefix.Addr().String() + "/" + fmt.Sprint(ip.Prefix.Bits())
	}
	return strings.Join(parts, sep)
}

// Write writes c in the layout of `wg showconf`. Zero keys, ports, marks and
// intervals are left out; peers are separated by blank lines.
func Write(w io.Writer, c *Config) error {
	var b strings.Builder
	b.WriteString("[Interface]\n")
	if c.ListenPort != nil && *c.ListenPort != 0 {
		fmt.Fprintf(&b, "ListenPort = %d\n", *c.ListenPort)
	}
	if c.FwMark != nil && *c.FwMark != 0 {
		fmt.Fprintf(&b, "FwMark = 0x%x\n", *c.FwMark)
	}
	if c.PrivateKey != nil && !IsZero(*c.PrivateKey) {
		fmt.Fprintf(&b, "PrivateKey = %s\n", FormatKey(*c.PrivateKey))
	}
	b.WriteByte('\n')
	for i, p := range c.Peers {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "[Peer]\nPublicKey = %s\n", FormatKey(p.PublicKey))
		if p.PresharedKey != nil && !IsZero(*p.PresharedKey) {
			fmt.Fprintf(&b, "PresharedKey = %s\n", FormatKey(*p.PresharedKey))
		}
		if len(p.AllowedIPs) > 0 {
			fmt.Fprintf(&b, "AllowedIPs = %s\n", FormatAllowedIPs(p.AllowedIPs, ", "))
		}
		if p.Endpoint != nil {
			fmt.Fprintf(&b, "Endpoint = %s\n", FormatEndpoint(*p.Endpoint))
		}
		if p.PersistentKeepalive != nil && *p.PersistentKeepalive != 0 {
			fmt.Fprintf(&b, "PersistentKeepalive = %d\n", *p.PersistentKeepalive)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
