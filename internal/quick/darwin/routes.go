package darwin

import (
	"context"
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsdroute"
)

// AddRoutes is add_route for each allowed IP, longest prefix first, then
// set_endpoint_direct_route when a default route went through the tunnel.
// A /0 (Table auto) becomes two /1s; another prefix is routed through the
// utun unless `route get` finds it there already.
func (p *Platform) AddRoutes(ctx context.Context, j *quick.Journal, real string, t quick.Table, prefixes []netip.Prefix, dev *config.Device) error {
	r := record(j)
	r.Table = &t
	if err := save(j, r); err != nil || t.Off {
		return err
	}
	for _, pr := range prefixes {
		if err := ctx.Err(); err != nil {
			return quick.Interrupted(ctx)
		}
		if halves, ok := p.halve(r, t, pr); ok {
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
	if r.Any() {
		p.endpointRoutes(r, dev)
		return save(j, r)
	}
	return nil
}

// halve is a /0's two halves with Table auto (Table = main routes it as it
// is).
func (p *Platform) halve(r *Record, t quick.Table, pr netip.Prefix) ([]netip.Prefix, bool) {
	if !t.Auto {
		return nil, false
	}
	return r.Halve(pr)
}

func (p *Platform) routeThrough(real string, pr netip.Prefix) error {
	p.logf("[#] route -q -n add %s %s -interface %s", bsdroute.Family(pr), bsdroute.RouteText(pr), real)
	return p.Sys.AddRoute(pr, Via{Interface: real})
}

// endpointRoutes is set_endpoint_direct_route; darwin.bash hides its
// delete lines (its cmd writes to the stderr they send to /dev/null).
func (p *Platform) endpointRoutes(r *Record, dev *config.Device) {
	r.EndpointRoutes.Update(p.Sys, p.logf, dev, false)
}

// delRoutes is del_routes: the routes through the utun and the endpoint
// routes. log says whether to print upstream's lines (not in the monitor,
// whose output upstream discards).
func (p *Platform) delRoutes(r *Record, log bool) {
	logf := bsdroute.Logger(nil)
	if log {
		logf = p.logf
	}
	if r.Real != "" {
		for _, v6 := range []bool{false, true} {
			for _, pr := range p.Sys.RoutesThrough(r.Real, v6) {
				if logf != nil {
					logf("[#] route -q -n delete %s %s", bsdroute.Family(pr), bsdroute.RouteText(pr))
				}
				p.Sys.DeleteRoute(pr)
			}
		}
	}
	eps := r.Endpoints
	r.EndpointRoutes.Delete(p.Sys, logf)
	r.Endpoints = eps
}
