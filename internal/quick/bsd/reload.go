package bsd

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsdroute"
)

var _ quick.Reloader = (*Platform)(nil)

// PrepareReload refuses a change of Table, and with Table = N (whose
// routes a reload cannot find again) allowed IPs that go and, on
// OpenBSD, a first address that changes (its routes name the interface
// by it).
func (p *Platform) PrepareReload(j *quick.Journal, r *quick.ReloadPlan) error {
	rec := record(j)
	t := r.Table
	if err := quick.RefuseTableChange(rec.Table, t, r.Real); err != nil {
		return err
	}
	if t.Auto || t.Off {
		return nil
	}
	wanted := map[netip.Prefix]bool{}
	for _, peer := range r.Wanted.Peers {
		for _, a := range peer.AllowedIPs {
			if !a.Remove {
				wanted[a.Prefix.Masked()] = true
			}
		}
	}
	for a := range bsdroute.Allowed(r.Old) {
		if !wanted[a] {
			return fmt.Errorf("cannot remove the route of %s from table %d of `%s' while it runs; take it down and up instead", a, t.ID, r.Real)
		}
	}
	if p.openBSD() {
		f4, f6 := firsts(r.Addresses)
		if (rec.First4.IsValid() && f4 != rec.First4) || (rec.First6.IsValid() && f6 != rec.First6) {
			return fmt.Errorf("cannot change the first address of a family of `%s' while it runs with Table = %d (its routes name it); take it down and up instead", r.Real, t.ID)
		}
	}
	return nil
}

// firsts are the first address of each family, as OpenBSD's add_addr
// records them.
func firsts(addrs []netip.Prefix) (f4, f6 netip.Addr) {
	for _, a := range addrs {
		if a.Addr().Is4() && !f4.IsValid() {
			f4 = a.Addr()
		} else if a.Addr().Is6() && !f6.IsValid() {
			f6 = a.Addr()
		}
	}
	return f4, f6
}

// ReloadAddresses removes the interface's addresses the config no longer
// has (all but link-local ones are wg-quick's), then adds the missing
// ones.
func (p *Platform) ReloadAddresses(j *quick.Journal, r *quick.ReloadPlan) error {
	live := p.Sys.InterfaceAddresses(r.Real)
	for _, a := range live {
		if a.Addr().IsLinkLocalUnicast() || slices.ContainsFunc(r.Addresses, func(w netip.Prefix) bool { return w.Addr() == a.Addr() }) {
			continue
		}
		fam := "inet"
		if a.Addr().Is6() {
			fam = "inet6"
		}
		p.logf("[#] ifconfig %s %s %s -alias", r.Real, fam, a.Addr())
		if err := p.Sys.DeleteAddress(r.Real, a); err != nil {
			return err
		}
	}
	for i, a := range r.Addresses {
		if slices.Contains(live, a) {
			continue
		}
		if err := p.AddAddress(j, r.Real, a, r.Config.Addresses[i]); err != nil {
			return err
		}
	}
	return nil
}

// ReloadMTU sets the config's MTU, or the automatic one, when it differs.
func (p *Platform) ReloadMTU(_ *quick.Journal, r *quick.ReloadPlan) error {
	mtu := p.mtuFor(r.MTU, r.New, r.Real)
	if cur, ok := p.Sys.InterfaceMTU(r.Real); ok && cur == mtu {
		return nil
	}
	p.logf("[#] ifconfig %s mtu %d", r.Real, mtu)
	return p.Sys.SetMTU(r.Real, mtu)
}

// ReloadDNS sets the config's DNS anew (FreeBSD: resolvconf -a again,
// when what it holds differs; OpenBSD: the search line and the proposal
// to resolvd), sets it when up set none, or removes it.
func (p *Platform) ReloadDNS(j *quick.Journal, r *quick.ReloadPlan) error {
	rec := record(j)
	q := r.Config
	if len(q.DNS) == 0 {
		if !rec.Resolvconf && !rec.Backup {
			return nil
		}
		err := p.unsetDNS(rec, r.Name, r.Real, false)
		if serr := save(j, rec); err == nil {
			err = serr
		}
		return err
	}
	if !p.openBSD() {
		if rec.Resolvconf {
			if have, err := p.Sys.ResolvconfList(r.Real); err == nil && have == resolvconfText(q.DNS, q.DNSSearch) {
				return nil
			}
		}
		return p.SetDNS(j, r.Name, r.Real, q.DNS, q.DNSSearch)
	}
	if !rec.Backup {
		return p.SetDNS(j, r.Name, r.Real, q.DNS, q.DNSSearch)
	}
	// The backup holds resolv.conf from before up: with search domains,
	// they replace it, as up's; without, it comes back.
	want, err := p.Sys.ReadFile(backupPath(r.Name))
	if err != nil {
		return err
	}
	if len(q.DNSSearch) > 0 {
		want = []byte("search " + strings.Join(q.DNSSearch, " ") + "\n")
	}
	if have, err := p.Sys.ReadFile(resolvConf); err != nil || string(have) != string(want) {
		if len(q.DNSSearch) > 0 {
			p.logf(`[#] printf search %%s\n %s`, strings.Join(q.DNSSearch, " "))
		} else {
			p.logf("[#] cp %s %s", backupPath(r.Name), resolvConf)
		}
		if err := p.Sys.WriteFile(resolvConf, want); err != nil {
			return err
		}
	}
	return p.Sys.RouteNameservers(r.Real, q.DNS)
}

// ReloadRoutes routes the new allowed IPs as up would, and removes the
// routes of those that went (a /0's halves with its endpoint routes). On
// OpenBSD, a family whose first address changed has its routes made anew
// through the new one.
func (p *Platform) ReloadRoutes(ctx context.Context, j *quick.Journal, r *quick.ReloadPlan) error {
	t := r.Table
	if t.Off {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return quick.Interrupted(ctx)
	}
	rec := record(j)
	x := &bsdroute.Reload{Real: r.Real, Auto: t.Auto, Check: t.Auto, Old: r.Old, New: r.New,
		Kernel: bsdroute.KernelRoutes(p.Sys.InterfaceAddresses(r.Real), func(netip.Prefix) bool { return true }), Sys: p.Sys, RouteInterface: p.Sys.RouteInterface,
		Logf: p.logf, ShowDeletes: true}
	if p.openBSD() {
		f4, f6 := firsts(r.Addresses)
		x.Redo = [2]bool{f4 != rec.First4, f6 != rec.First6}
		rec.First4, rec.First6 = f4, f6
	}
	x.Add = func(pr netip.Prefix) error {
		via := bsdroute.Via{Interface: r.Real, Table: t.ID}
		if p.openBSD() {
			first, fam := rec.First4, "IPv4"
			if pr.Addr().Is6() {
				first, fam = rec.First6, "IPv6"
			}
			if !first.IsValid() {
				return upstreamError("Local " + fam + " address must be set to have routes")
			}
			via.IfaceAddr = first
		}
		return p.route(pr, via)
	}
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
