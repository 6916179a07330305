package bsd

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsdroute"
)

// AddRoutes is add_route for each allowed IP, longest prefix first, then
// set_endpoint_direct_route when a default route went through the
// interface. Table N puts every prefix as it is into that FIB or rtable;
// otherwise a /0 becomes two /1s, and another prefix is routed through the
// interface unless `route get` finds it there already (its own subnet).
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
		via := bsdroute.Via{Interface: real}
		if p.openBSD() {
			first, fam := r.First4, "IPv4"
			if pr.Addr().Is6() {
				first, fam = r.First6, "IPv6"
			}
			if !first.IsValid() {
				return upstreamError("Local " + fam + " address must be set to have routes")
			}
			via.IfaceAddr = first
		}
		if !t.Auto {
			via.Table = t.ID
			if err := p.route(pr, via); err != nil {
				return err
			}
			continue
		}
		if halves, ok := r.Halve(pr); ok {
			if err := save(j, r); err != nil {
				return err
			}
			for _, h := range halves {
				if err := p.route(h, via); err != nil {
					return err
				}
			}
			continue
		}
		if ifname, ok := p.Sys.RouteInterface(pr); ok && ifname == real {
			continue
		}
		if err := p.route(pr, via); err != nil {
			return err
		}
	}
	if r.Any() {
		r.EndpointRoutes.Update(p.Sys, p.logf, dev, true)
		return save(j, r)
	}
	return nil
}

// route adds one route through the interface, as the script writes it.
func (p *Platform) route(pr netip.Prefix, via bsdroute.Via) error {
	fam, dest := bsdroute.Family(pr), pr.String()
	switch {
	case p.openBSD() && via.Table != 0:
		p.logf("[#] route -q -n -T %d add %s %s -iface %s", via.Table, fam, dest, via.IfaceAddr)
	case p.openBSD():
		p.logf("[#] route -q -n add %s %s -iface %s", fam, dest, via.IfaceAddr)
	case via.Table != 0:
		p.logf("[#] route -q -n add %s -fib %d %s -interface %s", fam, via.Table, dest, via.Interface)
	default:
		p.logf("[#] route -q -n add %s %s -interface %s", fam, dest, via.Interface)
	}
	if err := p.Sys.AddRoute(pr, via); err != nil {
		return fmt.Errorf("route %s: %w", dest, err)
	}
	return nil
}

// upstreamError is an error in upstream's words, capital letter included.
type upstreamError string

func (e upstreamError) Error() string { return string(e) }
