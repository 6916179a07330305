package linux

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/ipset"
	"github.com/wgtools/wgtools/internal/quick"
)

// ReloadRoutes routes the new allowed IPs as up would, and removes the
// routes of allowed IPs that went: first the plain routes of each family
// (new ones added before old ones go), then each family's default route
// with its policy rules and firewall table, which come, go, or stay (the
// firewall made anew when the addresses it names changed). When no
// default route is left, the fwmark up gave the device goes too.
func (p *Platform) ReloadRoutes(ctx context.Context, j *quick.Journal, r *quick.ReloadPlan) error {
	in, oldT, n := reloadFacts(j, r)
	oldSet, newSet := ipset.NewSet(quick.AllowedIPs(r.Old)), ipset.NewSet(quick.AllowedIPs(r.New))
	for _, v6 := range []bool{false, true} {
		if err := ctx.Err(); err != nil {
			return quick.Interrupted(ctx)
		}
		if err := p.reloadPlain(r, oldT, v6, oldSet, newSet); err != nil {
			return err
		}
	}
	if in.Table == nil || !in.Table.Same(r.Table) {
		if err := updateInstalled(j, func(in *installed) { in.Table = &r.Table }); err != nil {
			return err
		}
	}
	anyWas, anyNow := false, false
	for _, v6 := range []bool{false, true} {
		was := oldT.Auto && n != 0 && familyDefault(r.Old.Peers, v6)
		now := r.Table.Auto && familyDefault(r.New.Peers, v6)
		anyWas, anyNow = anyWas || was, anyNow || now
		var err error
		switch {
		case now && !was:
			err = p.addDefault(j, r.Real, defaultOf(v6), r.New)
		case was && !now:
			err = p.delDefault(j, r.Real, v6, n)
		case was:
			err = p.refreshFirewall(j, r.Real, v6, n, in)
		}
		if err != nil {
			return err
		}
	}
	if !anyWas || anyNow {
		return nil
	}
	if err := j.Set(changeTable, 0); err != nil {
		return err
	}
	var mark uint32
	if r.Wanted.FwMark != nil {
		mark = *r.Wanted.FwMark
	}
	if mark == r.New.FwMark {
		return nil
	}
	p.logf("[#] wg set %s fwmark %d", r.Real, mark)
	if err := p.Devices.Configure(r.Real, &config.Config{FwMark: &mark}); err != nil {
		return fmt.Errorf("set fwmark %d on %s: %w", mark, r.Real, err)
	}
	r.New.FwMark = mark
	return nil
}

// reloadPlain makes one family's routes other than a policy-routed /0 what
// up would add for the new config: in the table it names (a /0 too), or
// with Table auto in main, for each prefix not routed through the
// interface already (by the kernel's routes for its addresses, or by a
// route up added for a longer prefix before).
func (p *Platform) reloadPlain(r *quick.ReloadPlan, oldT quick.Table, v6 bool, oldSet, newSet ipset.Set) error {
	t := r.Table
	same := oldT.Same(t)
	var oldAdded, added, kernel []netip.Prefix
	var err error
	if !t.Off {
		if added, kernel, err = p.Sys.RoutesIn(r.Real, t.ID, v6); err != nil {
			return err
		}
	}
	oldAdded = added
	if !oldT.Off && !same {
		if oldAdded, _, err = p.Sys.RoutesIn(r.Real, oldT.ID, v6); err != nil {
			return err
		}
	} else if oldT.Off {
		oldAdded = nil
	}
	// What covers a prefix is the kernel's routes and others', not the
	// routes added here: up adds the longest prefixes first, each of which
	// covers no prefix after it but its own.
	var wanted []netip.Prefix
	if !t.Off {
		existing := kernel
		for _, a := range added {
			if !oldSet.Has(a) && !newSet.Has(a) {
				existing = append(existing, a) // someone else's
			}
		}
		covering := newCoverSet(existing)
		for _, peer := range r.New.Peers {
			for _, pr := range peer.AllowedIPs {
				if pr.Addr().Is6() == v6 && !(t.Auto && (pr.Bits() == 0 || covering.covers(pr))) {
					wanted = append(wanted, pr)
				}
			}
		}
	}
	want := ipset.NewSet(slices.Clone(wanted))
	// Only the routes missing are put in up's order (sorting all of a
	// thousand peers' took a millisecond).
	present := ipset.NewSet(slices.Clone(added))
	missing := slices.DeleteFunc(wanted, present.Has)
	order, _ := firstOfEach(quick.SortPrefixes(missing))
	for _, pr := range order {
		if err := p.Sys.AddRoute(r.Real, pr, t.ID, t.Name); err != nil {
			return err
		}
	}
	for _, a := range oldAdded {
		if !oldSet.Has(a) || (oldT.Auto && a.Bits() == 0) || (same && want.Has(a)) {
			continue // not ours, the policy-routed /0, or staying
		}
		if err := p.Sys.DelRoute(r.Real, a, oldT.ID); err != nil {
			return err
		}
	}
	return nil
}

// delDefault undoes addDefault for one family: the route, the policy
// rules (as down removes them), the firewall table. src_valid_mark stays,
// as down leaves it.
func (p *Platform) delDefault(j *quick.Journal, real string, v6 bool, n int) error {
	if err := p.Sys.DelRoute(real, defaultOf(v6), n); err != nil {
		return err
	}
	if err := p.Sys.DelDefaultRules(n, v6); err != nil {
		return err
	}
	if err := p.Firewall.RemoveFamily(real, v6); err != nil {
		return err
	}
	return updateInstalled(j, func(in *installed) { delete(in.Firewall, famKey(v6)) })
}

// refreshFirewall makes the family's firewall table anew when the
// interface's addresses it names changed (or are not recorded).
func (p *Platform) refreshFirewall(j *quick.Journal, real string, v6 bool, n int, in installed) error {
	addrs, err := p.Sys.Addresses(real, v6)
	if err != nil {
		return err
	}
	if had, ok := in.Firewall[famKey(v6)]; ok && slices.Equal(had, addrs) {
		return nil
	}
	if err := p.Firewall.ReplaceDefault(real, v6, addrs, uint32(n)); err != nil {
		return err
	}
	return updateInstalled(j, func(in *installed) { in.setFirewall(v6, addrs) })
}

func defaultOf(v6 bool) netip.Prefix {
	if v6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}
