package darwin

import (
	"context"
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

// The halves a default route becomes, so that the system's own default
// route stays (and the endpoint routes can go through it).
var (
	halves4 = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/1"), netip.MustParsePrefix("128.0.0.0/1")}
	halves6 = []netip.Prefix{netip.MustParsePrefix("::/1"), netip.MustParsePrefix("8000::/1")}
)

// AddRoutes is add_route for each allowed IP, longest prefix first, then
// set_endpoint_direct_route when a default route went through the tunnel.
// A /0 (Table auto) becomes two /1s; another prefix is routed through the
// utun unless `route get` finds it there already.
func (p *Platform) AddRoutes(ctx context.Context, j *quick.Journal, real string, t quick.Table, prefixes []netip.Prefix, dev *config.Device) error {
	if t.Off {
		return nil
	}
	r := record(j)
	for _, pr := range prefixes {
		if err := ctx.Err(); err != nil {
			return quick.Interrupted(ctx)
		}
		if pr.Bits() == 0 && t.Auto {
			halves := halves4
			if pr.Addr().Is6() {
				r.Auto6, halves = true, halves6
			} else {
				r.Auto4 = true
			}
			if err := save(j, r); err != nil {
				return err
			}
			for _, h := range halves {
				if err := p.routeThrough(real, h); err != nil {
					return err
				}
			}
			continue
		}
		if ifname, ok := p.Sys.RouteInterface(pr); ok && ifname == real {
			continue
		}
		if err := p.routeThrough(real, pr); err != nil {
			return err
		}
	}
	if r.Auto4 || r.Auto6 {
		p.endpointRoutes(r, dev)
		return save(j, r)
	}
	return nil
}

func (p *Platform) routeThrough(real string, pr netip.Prefix) error {
	p.logf("[#] route -q -n add %s %s -interface %s", family(pr), routeText(pr), real)
	return p.Sys.AddRoute(pr, Via{Interface: real})
}

// endpointRoutes is set_endpoint_direct_route: a host route to each peer's
// endpoint through the default gateway of its family (a blackhole when
// there is none, so that the tunnel's packets cannot loop into it), for the
// families whose default route goes through the tunnel. Routes of
// endpoints that went away are deleted; when a gateway changed, all are
// made again. Failures are ignored, as upstream's are.
func (p *Platform) endpointRoutes(r *Record, dev *config.Device) {
	old := r.Endpoints
	oldG4, oldG6 := r.Gateway4, r.Gateway6
	g4, _, _ := p.Sys.DefaultRoute(false)
	g6, _, _ := p.Sys.DefaultRoute(true)
	r.Gateway4, r.Gateway6 = gatewayText(g4), gatewayText(g6)
	endpoints := deviceEndpoints(dev)
	removeAll := oldG4 != r.Gateway4 || oldG6 != r.Gateway6
	if removeAll {
		for _, e := range endpoints {
			if !slices.Contains(old, e) {
				old = append(old, e)
			}
		}
	}
	for _, e := range old {
		if !removeAll && slices.Contains(endpoints, e) {
			continue
		}
		if r.routes(e) {
			p.Sys.DeleteRoute(hostPrefix(e)) // upstream's hides this line
		}
	}
	var added []netip.Addr
	for _, e := range endpoints {
		if !removeAll && slices.Contains(old, e) {
			added = append(added, e)
			continue
		}
		if !r.routes(e) {
			continue
		}
		h := hostPrefix(e)
		gw, blackhole := g4, "127.0.0.1"
		if e.Is6() {
			gw, blackhole = g6, "::1"
		}
		if gw.IsValid() {
			p.logf("[#] route -q -n add %s %s -gateway %s", family(h), routeText(h), gw)
			p.Sys.AddRoute(h, Via{Gateway: gw})
		} else {
			p.logf("[#] route -q -n add %s %s %s -blackhole", family(h), routeText(h), blackhole)
			p.Sys.AddRoute(h, Via{Blackhole: true})
		}
		added = append(added, e)
	}
	r.Endpoints = added
}

// routes reports whether the tunnel holds the default route of e's family,
// so that e needs a route around it. (Upstream routes an IPv6 endpoint
// with -inet when only IPv4's default goes through the tunnel.)
func (r *Record) routes(e netip.Addr) bool {
	if e.Is6() {
		return r.Auto6
	}
	return r.Auto4
}

// deviceEndpoints are the peers' endpoint addresses, as collect_endpoints
// reads them from `wg show IF endpoints` (a scoped IPv6 one is not: its
// pattern has no room for the %).
func deviceEndpoints(dev *config.Device) []netip.Addr {
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

// delRoutes is del_routes: the routes through the utun and the endpoint
// routes. log says whether to print upstream's lines (not in the monitor,
// whose output upstream discards).
func (p *Platform) delRoutes(r *Record, log bool) {
	if r.Real != "" {
		for _, v6 := range []bool{false, true} {
			for _, pr := range p.Sys.RoutesThrough(r.Real, v6) {
				if log {
					p.logf("[#] route -q -n delete %s %s", family(pr), routeText(pr))
				}
				p.Sys.DeleteRoute(pr)
			}
		}
	}
	for _, e := range r.Endpoints {
		h := hostPrefix(e)
		if log {
			p.logf("[#] route -q -n delete %s %s", family(h), routeText(h))
		}
		p.Sys.DeleteRoute(h)
	}
}
