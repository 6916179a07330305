package config

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// DefaultRetries is how often an endpoint lookup that failed temporarily is
// retried when WG_ENDPOINT_RESOLUTION_RETRIES is not set.
const DefaultRetries = 15

// retries reads WG_ENDPOINT_RESOLUTION_RETRIES: "infinity" (-1) or a decimal
// up to INT_MAX. A bad value is fatal, as upstream exits at once.
func (o *Options) retries() (int, error) {
	v, ok := o.lookupEnv("WG_ENDPOINT_RESOLUTION_RETRIES")
	if !ok {
		return DefaultRetries, nil
	}
	if v == "infinity" {
		return -1, nil
	}
	n, used := strtoul(v, 10)
	if used != len(v) || n > math.MaxInt32 { // "" is 0, as strtoul gives
		return 0, &valueError{msg: quote("Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES", v), fatal: true}
	}
	return int(n), nil
}

// Endpoint parses and resolves `host:port` or `[host]:port`, splitting at the
// last colon, as upstream does at parse time. Temporary lookup failures are
// retried with a growing delay (1 s, ×1.2 each time, at most 20 s), each
// reported through Warn.
func (o *Options) Endpoint(s string) (netip.AddrPort, error) {
	retries, err := o.retries()
	if err != nil {
		return netip.AddrPort{}, err
	}
	if s == "" {
		return netip.AddrPort{}, &valueError{msg: "Unable to parse empty endpoint"}
	}
	var host, port string
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.AddrPort{}, errValue("Unable to find matching brace of endpoint", s)
		}
		host, port = s[1:end], s[end+1:]
		if !strings.HasPrefix(port, ":") || len(port) == 1 {
			return netip.AddrPort{}, errValue("Unable to find port of endpoint", s)
		}
		port = port[1:]
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 || i == len(s)-1 {
			return netip.AddrPort{}, errValue("Unable to find port of endpoint", s)
		}
		host, port = s[:i], s[i+1:]
	}
	delay := time.Second
	for attempt := 0; ; attempt++ {
		ap, lerr := o.getaddrinfo(host, port)
		if lerr == nil {
			return ap, nil
		}
		if lerr.Permanent || (retries >= 0 && attempt >= retries) {
			return netip.AddrPort{}, errValue(lerr.Msg, s)
		}
		o.warn(quote(lerr.Msg, s) + ". Trying again in " + fmtSeconds(delay) + " seconds...")
		if o.Sleep != nil {
			o.Sleep(delay)
		} else {
			time.Sleep(delay)
		}
		delay = min(delay*6/5, 20*time.Second)
	}
}

// getaddrinfo resolves like glibc's getaddrinfo(host, port) for UDP: the
// service first, then a numeric IPv4 (inet_aton forms) or IPv6 host, then a
// name lookup. It returns the first address.
func (o *Options) getaddrinfo(host, port string) (netip.AddrPort, *LookupError) {
	p, ok := o.servicePort(port)
	if !ok {
		return netip.AddrPort{}, &LookupError{Msg: MsgService}
	}
	if host == "" {
		return netip.AddrPort{}, &LookupError{Msg: MsgNoName, Permanent: true}
	}
	if a, ok := inetAton(host); ok {
		return netip.AddrPortFrom(netip.AddrFrom4(a), uint16(p)), nil
	}
	if strings.Contains(host, ":") {
		addr, zone, _ := strings.Cut(host, "%")
		if a, err := netip.ParseAddr(addr); err == nil && a.Is6() && a.Zone() == "" {
			if zone != "" || strings.Contains(host, "%") {
				z, ok := o.scope(a, zone)
				if !ok {
					return netip.AddrPort{}, &LookupError{Msg: MsgNoName, Permanent: true}
				}
				a = a.WithZone(z)
			}
			return netip.AddrPortFrom(a, uint16(p)), nil
		}
	}
	addrs, err := o.resolver().LookupHost(strings.Clone(host)) // a parse's lines are views of its buffer
	if err != nil {
		if le, ok := err.(*LookupError); ok {
			return netip.AddrPort{}, le
		}
		return netip.AddrPort{}, &LookupError{Msg: MsgNoName, Permanent: true}
	}
	if len(addrs) == 0 {
		return netip.AddrPort{}, &LookupError{Msg: MsgNoName, Permanent: true}
	}
	return netip.AddrPortFrom(addrs[0].Unmap(), uint16(p)), nil
}

// scope checks an IPv6 scope as glibc does: an interface name for link-local
// addresses, otherwise a decimal number.
func (o *Options) scope(a netip.Addr, zone string) (string, bool) {
	if a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() {
		if _, ok := o.resolver().InterfaceIndex(strings.Clone(zone)); ok {
			return zone, true
		}
	}
	if v, n := strtoul(zone, 10); zone != "" && n == len(zone) && v <= math.MaxUint32 {
		return strconv.FormatUint(v, 10), true
	}
	return "", false
}

func fmtSeconds(d time.Duration) string { return fmt.Sprintf("%.2f", d.Seconds()) }
