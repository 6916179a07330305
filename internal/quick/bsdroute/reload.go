package bsdroute

import (
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/config"
)

// Reload is what a reload (`wg-quick reload`) needs to route the new
// allowed IPs as up would and remove the routes of those that went.
type Reload struct {
	Real string
	// Auto: Table auto, a /0 as its two halves with the endpoint routes.
	Auto bool
	// Check: up skips a prefix `route get` finds through the interface
	// already (macOS always, the BSDs with Table auto); otherwise it adds
	// every prefix (a BSD's Table = N), and a reload adds those that came.
	Check bool
	// Old and New are the device before and after the reload.
	Old, New *config.Device
	// Kernel are the routes the kernel made for the interface's
	// addresses, never removed.
	Kernel []netip.Prefix
	// Redo says, per family (0: IPv4, 1: IPv6), that every route of the
	// family is to be made anew (OpenBSD names the interface in its
	// routes by its first address, which changed).
	Redo [2]bool
	// Sys answers `route get` and deletes; Add adds a route through the
	// interface as the platform does (logged).
	Sys            Sys
	RouteInterface func(netip.Prefix) (string, bool)
	Add            func(netip.Prefix) error
	// Logf prints the lines; ShowDeletes says whether the endpoint
	// routes' deletes are printed (not on macOS, as up's).
	Logf        Logger
	ShowDeletes bool
}

func famIndex(p netip.Prefix) int {
	if p.Addr().Is6() {
		return 1
	}
	return 0
}

// Allowed is the set of a device's allowed IPs (masked).
func Allowed(d *config.Device) map[netip.Prefix]bool {
	out := map[netip.Prefix]bool{}
	if d == nil {
		return out
	}
	for _, p := range d.Peers {
		for _, a := range p.AllowedIPs {
			out[a.Masked()] = true
		}
	}
	return out
}

// sortedSet is a set's prefixes in a fixed order (longest first).
func sortedSet(s map[netip.Prefix]bool) []netip.Prefix {
	out := make([]netip.Prefix, 0, len(s))
	for p := range s {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if a.Bits() != b.Bits() {
			return b.Bits() - a.Bits()
		}
		return a.Addr().Compare(b.Addr())
	})
	return out
}

// KernelRoutes are the routes a kernel makes for addresses: each one's
// own, and its subnet's unless subnet says no for it (macOS's utun, a
// point-to-point interface, makes none for an IPv4 address).
func KernelRoutes(addrs []netip.Prefix, subnet func(netip.Prefix) bool) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range addrs {
		a = netip.PrefixFrom(a.Addr().WithZone(""), a.Bits())
		out = append(out, HostPrefix(a.Addr()))
		if subnet(a) {
			out = append(out, a.Masked())
		}
	}
	return out
}

// Reload changes the routes through the interface from what up made for
// x.Old to what it would make for x.New (sorted, longest first): the
// routes of allowed IPs that went are deleted (each logged as route(8)'s
// delete, as the BSDs' del_routes shows it), a family's
// default route that went takes its halves and its endpoint routes with
// it, the new ones are added; then the endpoint routes are brought up to
// date when a default route goes through the tunnel.
func (e *EndpointRoutes) Reload(x *Reload, sorted []netip.Prefix) error {
	del := func(p netip.Prefix) error {
		x.Logf("[#] route -q -n delete %s %s", Family(p), RouteText(p))
		return x.Sys.DeleteRoute(p)
	}
	oldSet, newSet := Allowed(x.Old), map[netip.Prefix]bool{}
	for _, p := range sorted {
		newSet[p.Masked()] = true
	}
	through := func(p netip.Prefix) bool {
		ifname, ok := x.RouteInterface(p)
		return ok && ifname == x.Real
	}
	for _, p := range sortedSet(oldSet) {
		if (x.Auto && p.Bits() == 0) || (newSet[p] && !x.Redo[famIndex(p)]) || slices.Contains(x.Kernel, p) || !through(p) {
			continue
		}
		if err := del(p); err != nil {
			return err
		}
	}
	for i, v6 := range []bool{false, true} {
		was := e.Auto4
		if v6 {
			was = e.Auto6
		}
		now := x.Auto && hasDefault(sorted, v6)
		if !was || (now && !x.Redo[i]) {
			continue
		}
		for _, h := range Halves(v6) {
			if through(h) {
				if err := del(h); err != nil {
					return err
				}
			}
		}
		if !now {
			e.dropFamily(x.Sys, x.Logf, v6, x.ShowDeletes)
		}
	}
	for _, p := range sorted {
		if x.Auto && p.Bits() == 0 {
			halves, _ := e.Halve(p)
			for _, h := range halves {
				if !through(h) {
					if err := x.Add(h); err != nil {
						return err
					}
				}
			}
			continue
		}
		if x.Check && through(p) {
			continue
		}
		if !x.Check && oldSet[p.Masked()] && !x.Redo[famIndex(p)] {
			continue
		}
		if err := x.Add(p); err != nil {
			return err
		}
	}
	if e.Any() {
		e.Update(x.Sys, x.Logf, x.New, x.ShowDeletes)
	} else if len(e.Endpoints) > 0 {
		e.Delete(x.Sys, x.Logf)
	}
	return nil
}

func hasDefault(ps []netip.Prefix, v6 bool) bool {
	for _, p := range ps {
		if p.Bits() == 0 && p.Addr().Is6() == v6 {
			return true
		}
	}
	return false
}

// dropFamily removes the endpoint routes of one family, whose default
// route no longer goes through the tunnel.
func (e *EndpointRoutes) dropFamily(sys Sys, logf Logger, v6, show bool) {
	var keep []netip.Addr
	for _, a := range e.Endpoints {
		if a.Is6() != v6 {
			keep = append(keep, a)
			continue
		}
		h := HostPrefix(a)
		if show && logf != nil {
			logf("[#] route -q -n delete %s %s", Family(h), RouteText(h))
		}
		sys.DeleteRoute(h)
	}
	e.Endpoints = keep
	if v6 {
		e.Auto6, e.Gateway6 = false, ""
	} else {
		e.Auto4, e.Gateway4 = false, ""
	}
}
