package linux

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

var _ quick.Reloader = (*Platform)(nil)

// installed is what up (and each reload) put on the interface that a
// reload compares the new config with: the Address entries, the Table
// the routes went by, and the addresses each family's firewall table
// names ("4", "6"; a family without a table is absent).
type installed struct {
	Addresses []netip.Prefix          `json:"addresses,omitempty"`
	Table     *quick.Table            `json:"table,omitempty"`
	Firewall  map[string][]netip.Addr `json:"firewall,omitempty"`
}

func famKey(v6 bool) string {
	if v6 {
		return "6"
	}
	return "4"
}

func (in *installed) setFirewall(v6 bool, addrs []netip.Addr) {
	if in.Firewall == nil {
		in.Firewall = map[string][]netip.Addr{}
	}
	in.Firewall[famKey(v6)] = append([]netip.Addr{}, addrs...)
}

// updateInstalled changes the installed record (a new one when there is none).
func updateInstalled(j *quick.Journal, change func(*installed)) error {
	var in installed
	j.Get(changeInstalled, &in)
	change(&in)
	return j.Set(changeInstalled, &in)
}

// reloadFacts is what a reload knows of up's routing: the Table it used
// (the new one when a state of an older version does not say) and the
// fwmark table of its default routes (0: none).
func reloadFacts(j *quick.Journal, r *quick.ReloadPlan) (in installed, oldT quick.Table, n int) {
	j.Get(changeInstalled, &in)
	oldT = r.Table
	if in.Table != nil {
		oldT = *in.Table
	}
	j.Get(changeTable, &n)
	return in, oldT, n
}

// PrepareReload refuses a change of Table while a default route goes
// through the tunnel (its policy routing depends on it), and a change of
// FwMark while it stays; a full tunnel's fwmark stays until ReloadRoutes
// has removed the rules that use it.
func (p *Platform) PrepareReload(j *quick.Journal, r *quick.ReloadPlan) error {
	_, oldT, n := reloadFacts(j, r)
	was := oldT.Auto && n != 0 && (familyDefault(r.Old.Peers, false) || familyDefault(r.Old.Peers, true))
	now := r.Table.Auto && (wantsDefault(r.Wanted, false) || wantsDefault(r.Wanted, true))
	if (was || now) && !oldT.Same(r.Table) {
		return fmt.Errorf("cannot change Table from %s to %s while a default route goes through `%s': its policy routing depends on it; take it down and up instead",
			tableText(oldT), tableText(r.Table), r.Real)
	}
	if !was {
		return nil
	}
	if now && r.Wanted.FwMark != nil && int(*r.Wanted.FwMark) != n {
		return fmt.Errorf("cannot change FwMark to %d while a default route goes through `%s' (its rules use fwmark %d); take it down and up instead",
			*r.Wanted.FwMark, r.Real, n)
	}
	mark := uint32(n)
	r.Change.FwMark = &mark
	return nil
}

// ReloadAddresses removes the addresses up or a reload added that the
// config no longer has, then adds the missing ones (again those that a
// removed primary IPv4 address took with it).
func (p *Platform) ReloadAddresses(j *quick.Journal, r *quick.ReloadPlan) error {
	var in installed
	known := j.Get(changeInstalled, &in)
	live, err := p.Sys.Prefixes(r.Real)
	if err != nil {
		return err
	}
	owned := in.Addresses
	if !known { // a state of an older version: all but the link-local
		for _, a := range live {
			if !a.Addr().IsLinkLocalUnicast() {
				owned = append(owned, a)
			}
		}
	}
	removed := false
	for _, a := range owned {
		if slices.Contains(live, a) && !slices.Contains(r.Addresses, a) {
			if err := p.Sys.DelAddress(r.Real, a); err != nil {
				return err
			}
			removed = true
		}
	}
	if removed {
		if live, err = p.Sys.Prefixes(r.Real); err != nil {
			return err
		}
	}
	for i, a := range r.Addresses {
		if !slices.Contains(live, a) {
			if err := p.Sys.AddAddress(r.Real, a, r.Config.Addresses[i]); err != nil {
				return err
			}
		}
	}
	if known && slices.Equal(in.Addresses, r.Addresses) {
		return nil
	}
	// The link goes with down, and its addresses with it: the record is
	// only for the next reload, and can be written once.
	return updateInstalled(j, func(in *installed) { in.Addresses = slices.Clone(r.Addresses) })
}

// ReloadMTU sets the config's MTU, or the automatic one, when it differs.
func (p *Platform) ReloadMTU(_ *quick.Journal, r *quick.ReloadPlan) error {
	mtu := r.MTU
	if mtu == 0 {
		mtu = p.autoMTU(r.New)
	}
	if cur, err := p.Sys.LinkMTU(r.Real); err == nil && cur == mtu {
		return nil
	}
	return p.Sys.SetMTUUp(r.Real, mtu)
}

// ReloadDNS sets the DNS through the backend up used, picks one when there
// was none, or removes it when the config has none any more.
func (p *Platform) ReloadDNS(j *quick.Journal, r *quick.ReloadPlan) error {
	var backend string
	j.Get(changeDNS, &backend)
	q := r.Config
	switch {
	case len(q.DNS) == 0 && backend == "":
		return nil
	case len(q.DNS) == 0:
		if err := p.DNS.Unset(r.Real, backend); err != nil {
			return err
		}
		return j.Set(changeDNS, "")
	case backend == "":
		return p.SetDNS(j, r.Name, r.Real, q.DNS, q.DNSSearch)
	}
	return p.DNS.SetWith(r.Real, backend, q.DNS, q.DNSSearch)
}

// Reloaded: Linux has nothing running beside the tunnel; the kill switch
// is made what the new config wants, last.
func (p *Platform) Reloaded(j *quick.Journal, r *quick.ReloadPlan) error {
	return p.reloadKillSwitch(j, r)
}

func tableText(t quick.Table) string {
	switch {
	case t.Auto:
		return "auto"
	case t.Off:
		return "off"
	case t.Name != "":
		return t.Name
	}
	return fmt.Sprint(t.ID)
}

// familyDefault reports whether a peer has the /0 of the family.
func familyDefault(peers []config.DevicePeer, v6 bool) bool {
	for _, p := range peers {
		for _, a := range p.AllowedIPs {
			if a.Bits() == 0 && a.Addr().Is6() == v6 {
				return true
			}
		}
	}
	return false
}

// wantsDefault reports whether the config gives a peer the /0 of the
// family.
func wantsDefault(c *config.Config, v6 bool) bool {
	for _, p := range c.Peers {
		for _, a := range p.AllowedIPs {
			if !a.Remove && a.Prefix.Bits() == 0 && a.Prefix.Addr().Is6() == v6 {
				return true
			}
		}
	}
	return false
}
