package darwin

import (
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsdroute"
)

var _ quick.Reloader = (*Platform)(nil)

// PrepareReload refuses a change of Table (the routes up made depend on
// it).
func (p *Platform) PrepareReload(j *quick.Journal, r *quick.ReloadPlan) error {
	return quick.RefuseTableChange(record(j).Table, r.Table, r.Real)
}

// ReloadAddresses removes the utun's addresses the config no longer has
// (all but the link-local one are wg-quick's), then adds the missing ones.
func (p *Platform) ReloadAddresses(j *quick.Journal, r *quick.ReloadPlan) error {
	live := p.Sys.InterfaceAddresses(r.Real)
	for _, a := range live {
		if a.Addr().IsLinkLocalUnicast() || wanted(r.Addresses, a) {
			continue
		}
		a = netip.PrefixFrom(a.Addr().WithZone(""), a.Bits())
		p.logf("[#] ifconfig %s %s %s -alias", r.Real, inetOf(a), a.Addr())
		if err := p.Sys.DeleteAddress(r.Real, a); err != nil {
			return err
		}
	}
	for i, a := range r.Addresses {
		if present(live, a, r.Config.Addresses[i]) {
			continue
		}
		if err := p.AddAddress(j, r.Real, a, r.Config.Addresses[i]); err != nil {
			return err
		}
	}
	return nil
}

func inetOf(a netip.Prefix) string {
	if a.Addr().Is4() {
		return "inet"
	}
	return "inet6"
}

// wanted reports whether the config has the address a (any length: a
// length that changed is set by adding it again).
func wanted(addrs []netip.Prefix, a netip.Prefix) bool {
	return slices.ContainsFunc(addrs, func(w netip.Prefix) bool { return w.Addr() == a.Addr().WithZone("") })
}

// present reports whether the interface has a as the config writes it (a
// bare IPv6 address with whatever length the system gave it).
func present(live []netip.Prefix, a netip.Prefix, raw string) bool {
	return slices.ContainsFunc(live, func(l netip.Prefix) bool {
		return l.Addr().WithZone("") == a.Addr() && (l.Bits() == a.Bits() || (a.Addr().Is6() && !strings.Contains(raw, "/")))
	})
}

// ReloadMTU sets the config's MTU, or the automatic one, when it differs,
// and records the config's for the route monitor (which keeps the
// automatic one).
func (p *Platform) ReloadMTU(j *quick.Journal, r *quick.ReloadPlan) error {
	if r.MTU != 0 {
		if cur, ok := p.Sys.InterfaceMTU(r.Real); !ok || cur != r.MTU {
			p.logf("[#] ifconfig %s mtu %d", r.Real, r.MTU)
			if err := p.Sys.SetMTU(r.Real, r.MTU); err != nil {
				return err
			}
		}
	} else if err := p.autoMTU(r.Real); err != nil {
		return err
	}
	rec := record(j)
	if rec.MTU == r.Config.MTU {
		return nil
	}
	rec.MTU = r.Config.MTU
	return save(j, rec)
}

// ReloadDNS sets the config's DNS on every service (their DNS before the
// tunnel stays recorded, to be put back), or puts it back when the config
// has none any more; nothing when it is as set.
func (p *Platform) ReloadDNS(j *quick.Journal, r *quick.ReloadPlan) error {
	rec := record(j)
	q := r.Config
	if len(q.DNS) > 0 {
		if rec.DNSSet && slices.Equal(rec.DNS, q.DNS) && slices.Equal(rec.Search, q.DNSSearch) {
			return nil
		}
		return p.SetDNS(j, r.Name, r.Real, q.DNS, q.DNSSearch)
	}
	if !rec.DNSSet && len(rec.DNS) == 0 {
		return nil
	}
	if rec.DNSSet {
		p.restoreDNS(rec, true)
	}
	rec.DNSSet, rec.DNS, rec.Search = false, nil, nil
	return save(j, rec)
}

// ReloadRoutes routes the new allowed IPs as up would, and removes the
// routes of those that went (a /0's halves with its endpoint routes).
func (p *Platform) ReloadRoutes(ctx context.Context, j *quick.Journal, r *quick.ReloadPlan) error {
	t := r.Table
	if t.Off {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return quick.Interrupted(ctx)
	}
	rec := record(j)
	x := &bsdroute.Reload{Real: r.Real, Auto: t.Auto, Check: true, Old: r.Old, New: r.New,
		Kernel: bsdroute.KernelRoutes(p.Sys.InterfaceAddresses(r.Real), func(a netip.Prefix) bool { return a.Addr().Is6() }), Sys: p.Sys, RouteInterface: p.Sys.RouteInterface,
		Add: func(pr netip.Prefix) error { return p.routeThrough(r.Real, pr) }, Logf: p.logf}
	err := rec.EndpointRoutes.Reload(x, quick.SortedAllowedIPs(r.New))
	if serr := save(j, rec); err == nil {
		err = serr
	}
	return err
}

// Reloaded makes the kill switch what the new config wants, and starts
// the route monitor again when it is not running (the running one reads
// the record anew on each message).
func (p *Platform) Reloaded(j *quick.Journal, r *quick.ReloadPlan) error {
	if err := p.killSwitch().Reload(j, r); err != nil {
		return err
	}
	rec := record(j)
	if rec.MonitorPID != 0 && p.Sys.MonitorRunning(rec.MonitorPID) {
		return nil
	}
	return p.Started(j, r.Name, r.Real, r.Config)
}
