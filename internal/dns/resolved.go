package dns

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// D-Bus names of systemd-resolved, see org.freedesktop.resolve1(5).
const (
	resolveDest    = "org.freedesktop.resolve1"
	resolvePath    = dbus.ObjectPath("/org/freedesktop/resolve1")
	resolveManager = "org.freedesktop.resolve1.Manager"
	resolveLink    = "org.freedesktop.resolve1.Link"
)

// busTimeout bounds each D-Bus call.
const busTimeout = 10 * time.Second

// Address families as systemd-resolved expects them (Linux values).
const (
	afInet  = 2
	afInet6 = 10
)

// linkDNS is one element of SetLinkDNS's a(iay).
type linkDNS struct {
	Family  int32
	Address []byte
}

// linkDomain is one element of SetLinkDomains's a(sb).
type linkDomain struct {
	Domain      string
	RoutingOnly bool
}

// resolved talks to systemd-resolved over the system bus.
type resolved struct {
	env      *Env
	announce string // the choice line, when picked by Pick
}

// Name implements Backend.
func (r *resolved) Name() string { return NameResolved }

// Set implements Backend: SetLinkDNS, SetLinkDomains (the search domains,
// then "~.") and SetLinkDefaultRoute(true); see the package doc for why
// "~." is unconditional. If a call fails, RevertLink undoes the others.
func (r *resolved) Set(ifname string, c Config) error {
	if len(c.Servers) == 0 {
		return nil
	}
	if err := validate(c); err != nil {
		return err
	}
	servers, err := linkServers(c.Servers)
	if err != nil {
		return err
	}
	domains := make([]linkDomain, 0, len(c.Search)+1)
	for _, d := range c.Search {
		domains = append(domains, linkDomain{Domain: d})
	}
	domains = append(domains, linkDomain{Domain: ".", RoutingOnly: true})

	idx, err := r.env.ifIndex(ifname)
	if err != nil {
		return fmt.Errorf("dns: systemd-resolved: %w", err)
	}
	conn, err := r.env.bus()
	if err != nil {
		return fmt.Errorf("dns: systemd-resolved: connecting to the system bus: %w", err)
	}
	defer conn.Close()

	if r.announce != "" {
		r.env.logf("[#] # DNS: %s", r.announce)
	}
	steps := []struct {
		line   string
		method string
		arg    any
	}{
		{"dns " + ifname + " " + strings.Join(c.Servers, " "), "SetLinkDNS", servers},
		{"domain " + ifname + " " + strings.Join(append(slices.Clone(c.Search), "~."), " "), "SetLinkDomains", domains},
		{"default-route " + ifname + " true", "SetLinkDefaultRoute", true},
	}
	for i, s := range steps {
		if err := r.call(conn, s.line, s.method, int32(idx), s.arg); err != nil {
			if i > 0 {
				_ = r.call(conn, "revert "+ifname, "RevertLink", int32(idx))
			}
			return err
		}
	}
	return nil
}

// Unset implements Backend: RevertLink. When the link is already gone,
// systemd-resolved has dropped its settings and nothing is done.
func (r *resolved) Unset(ifname string) error {
	idx, err := r.env.ifIndex(ifname)
	if err != nil {
		return nil
	}
	conn, err := r.env.bus()
	if err != nil {
		return fmt.Errorf("dns: systemd-resolved: connecting to the system bus: %w", err)
	}
	defer conn.Close()
	return r.call(conn, "revert "+ifname, "RevertLink", int32(idx))
}

// Servers implements Backend: the DNS property of the link.
func (r *resolved) Servers(ifname string) ([]string, error) {
	idx, err := r.env.ifIndex(ifname)
	if err != nil {
		return nil, fmt.Errorf("dns: systemd-resolved: %w", err)
	}
	conn, err := r.env.bus()
	if err != nil {
		return nil, fmt.Errorf("dns: systemd-resolved: connecting to the system bus: %w", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	var link dbus.ObjectPath
	err = conn.Object(resolveDest, resolvePath).CallWithContext(ctx, resolveManager+".GetLink", 0, int32(idx)).Store(&link)
	if err != nil {
		return nil, fmt.Errorf("dns: systemd-resolved: GetLink %s: %w", ifname, err)
	}
	v, err := conn.Object(resolveDest, link).GetProperty(resolveLink + ".DNS")
	if err != nil {
		return nil, fmt.Errorf("dns: systemd-resolved: DNS of %s: %w", ifname, err)
	}
	var entries []linkDNS
	if err := dbus.Store([]any{v.Value()}, &entries); err != nil {
		return nil, fmt.Errorf("dns: systemd-resolved: DNS of %s: %w", ifname, err)
	}
	var servers []string
	for _, e := range entries {
		if a, ok := netip.AddrFromSlice(e.Address); ok {
			servers = append(servers, a.String())
		}
	}
	return servers, nil
}

// call invokes a Manager method, echoed as the resolvectl command line that
// does the same.
func (r *resolved) call(conn *dbus.Conn, line, method string, args ...any) error {
	r.env.logf("[#] resolvectl %s", line)
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	call := conn.Object(resolveDest, resolvePath).CallWithContext(ctx, resolveManager+"."+method, 0, args...)
	if call.Err != nil {
		return fmt.Errorf("resolvectl %s: systemd-resolved %s: %w", line, method, call.Err)
	}
	return nil
}

// linkServers converts nameservers to SetLinkDNS's form. A zone is dropped:
// the link itself is the scope.
func linkServers(servers []string) ([]linkDNS, error) {
	out := make([]linkDNS, 0, len(servers))
	for _, s := range servers {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("dns: systemd-resolved needs IP addresses: %w", err)
		}
		a = a.WithZone("")
		if a.Is4() {
			b := a.As4()
			out = append(out, linkDNS{Family: afInet, Address: b[:]})
		} else {
			b := a.As16()
			out = append(out, linkDNS{Family: afInet6, Address: b[:]})
		}
	}
	return out, nil
}

// errNoResolved says org.freedesktop.resolve1 has no owner on the bus.
var errNoResolved = errors.New("org.freedesktop.resolve1 is not on the system bus")

// resolvedPresent reports, as nil, whether systemd-resolved is running on
// the system bus. Merely activatable does not count: a disabled
// systemd-resolved is often installed and would fail to start.
func resolvedPresent(e *Env) error {
	conn, err := e.bus()
	if err != nil {
		return fmt.Errorf("no system bus: %w", err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), busTimeout)
	defer cancel()
	var has bool
	err = conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, resolveDest).Store(&has)
	if err != nil {
		return fmt.Errorf("asking the system bus: %w", err)
	}
	if !has {
		return errNoResolved
	}
	return nil
}
