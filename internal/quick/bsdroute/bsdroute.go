// Package bsdroute is the routing that upstream's macOS, FreeBSD and
// OpenBSD scripts share: a default route through the tunnel as two
// halves, and host routes to the peers' endpoints through the default
// gateway of their family (set_endpoint_direct_route), kept current by the
// route monitor and removed when the tunnel goes. The platforms log and
// make the routes through their own Sys.
package bsdroute

import (
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/config"
)

// Sys is the part of a platform's system the endpoint routes need.
type Sys interface {
	// DefaultRoute is the default route of a family: its gateway (invalid
	// for a link#N one) and interface.
	DefaultRoute(v6 bool) (gateway netip.Addr, ifname string, ok bool)
	// AddRoute is `route -q -n add -inet[6] P …`, as via says.
	AddRoute(p netip.Prefix, via Via) error
	// DeleteRoute is `route -q -n delete -inet[6] P`.
	DeleteRoute(p netip.Prefix) error
}

// Via is where a route goes: through an interface (on OpenBSD named by
// one of its addresses, -iface ADDR), to a gateway, or nowhere; in the
// main table (0) or another (a FreeBSD FIB, an OpenBSD rtable).
type Via struct {
	Interface string
	// IfaceAddr is OpenBSD's -iface ADDR: the interface that has ADDR.
	IfaceAddr netip.Addr
	Gateway   netip.Addr
	Blackhole bool
	Table     int
}

// Halves are the two routes a default route of a family becomes, so that
// the system's own default route stays (and the endpoint routes can go
// through it).
func Halves(v6 bool) []netip.Prefix {
	if v6 {
		return []netip.Prefix{netip.MustParsePrefix("::/1"), netip.MustParsePrefix("8000::/1")}
	}
	return []netip.Prefix{netip.MustParsePrefix("0.0.0.0/1"), netip.MustParsePrefix("128.0.0.0/1")}
}

// EndpointRoutes is upstream's AUTO_ROUTE4/6, ENDPOINTS and GATEWAY4/6: which
// families' default routes go through the tunnel, the endpoints routed
// around it, and the gateways they were routed through. Platforms keep it
// in their state record (its JSON names are theirs).
type EndpointRoutes struct {
	Auto4     bool         `json:"auto4,omitempty"`
	Auto6     bool         `json:"auto6,omitempty"`
	Endpoints []netip.Addr `json:"endpoints,omitempty"`
	Gateway4  string       `json:"gateway4,omitempty"`
	Gateway6  string       `json:"gateway6,omitempty"`
}

// Halve is add_route's for a /0 (Table auto): its family's default route
// goes through the tunnel from now on, as the two halves returned; ok is
// false for any other prefix.
func (e *EndpointRoutes) Halve(p netip.Prefix) (halves []netip.Prefix, ok bool) {
	if p.Bits() != 0 {
		return nil, false
	}
	if p.Addr().Is6() {
		e.Auto6 = true
	} else {
		e.Auto4 = true
	}
	return Halves(p.Addr().Is6()), true
}

// Any reports whether a default route goes through the tunnel.
func (e *EndpointRoutes) Any() bool { return e.Auto4 || e.Auto6 }

// Logger prints one of upstream's lines.
type Logger func(format string, args ...any)

// Update is set_endpoint_direct_route: a host route to each peer's
// endpoint through the default gateway of its family (a blackhole when
// there is none, so that the tunnel's packets cannot loop into it), for
// the families whose default route goes through the tunnel. Routes of
// endpoints that went away are deleted; when a gateway changed, all are
// made again. Failures are ignored, as upstream's are. showDeletes says
// whether the delete lines are logged (macOS's script hides them, the
// BSDs' show them).
func (e *EndpointRoutes) Update(sys Sys, logf Logger, dev *config.Device, showDeletes bool) {
	old := e.Endpoints
	oldG4, oldG6 := e.Gateway4, e.Gateway6
	g4, _, _ := sys.DefaultRoute(false)
	g6, _, _ := sys.DefaultRoute(true)
	e.Gateway4, e.Gateway6 = gatewayText(g4), gatewayText(g6)
	endpoints := DeviceEndpoints(dev)
	removeAll := oldG4 != e.Gateway4 || oldG6 != e.Gateway6
	if removeAll {
		for _, a := range endpoints {
			if !slices.Contains(old, a) {
				old = append(old, a)
			}
		}
	}
	for _, a := range old {
		if !removeAll && slices.Contains(endpoints, a) {
			continue
		}
		if e.routes(a) {
			h := HostPrefix(a)
			if showDeletes {
				logf("[#] route -q -n delete %s %s", Family(h), RouteText(h))
			}
			sys.DeleteRoute(h)
		}
	}
	var added []netip.Addr
	for _, a := range endpoints {
		if !removeAll && slices.Contains(old, a) {
			added = append(added, a)
			continue
		}
		if !e.routes(a) {
			continue
		}
		h := HostPrefix(a)
		gw, blackhole := g4, "127.0.0.1"
		if a.Is6() {
			gw, blackhole = g6, "::1"
		}
		if gw.IsValid() {
			logf("[#] route -q -n add %s %s -gateway %s", Family(h), RouteText(h), gw)
			sys.AddRoute(h, Via{Gateway: gw})
		} else {
			logf("[#] route -q -n add %s %s %s -blackhole", Family(h), RouteText(h), blackhole)
			sys.AddRoute(h, Via{Blackhole: true})
		}
		added = append(added, a)
	}
	e.Endpoints = added
}

// Delete removes the endpoint routes (the end of upstream's del_routes),
// logging each when logf is not nil.
func (e *EndpointRoutes) Delete(sys Sys, logf Logger) {
	for _, a := range e.Endpoints {
		h := HostPrefix(a)
		if logf != nil {
			logf("[#] route -q -n delete %s %s", Family(h), RouteText(h))
		}
		sys.DeleteRoute(h)
	}
	e.Endpoints = nil
}

// routes reports whether the tunnel holds the default route of a's
// family, so that a needs a route around it.
func (e *EndpointRoutes) routes(a netip.Addr) bool {
	if a.Is6() {
		return e.Auto6
	}
	return e.Auto4
}

// DeviceEndpoints are the peers' endpoint addresses, as collect_endpoints
// reads them from `wg show IF endpoints` (a scoped IPv6 one is not: its
// pattern has no room for the %).
func DeviceEndpoints(dev *config.Device) []netip.Addr {
	var out []netip.Addr
	if dev == nil {
		return nil
	}
	for _, peer := range dev.Peers {
		if !peer.Endpoint.IsValid() {
			continue
		}
		a := peer.Endpoint.Addr().Unmap()
		if a.Zone() != "" {
			continue
		}
		out = append(out, a)
	}
	return out
}

// HostPrefix is a single address as a prefix.
func HostPrefix(a netip.Addr) netip.Prefix { return netip.PrefixFrom(a, a.BitLen()) }

// Family is route(8)'s -inet or -inet6 of a prefix.
func Family(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "-inet"
	}
	return "-inet6"
}

// RouteText is how route(8) is given a destination: a host as its address.
func RouteText(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// gatewayText is a gateway as upstream collects it ("" for none).
func gatewayText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
