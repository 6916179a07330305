package linux

import (
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

// Teardown is upstream's del_if with what cmd_down does around it.
//
// For `down`: the policy rules (of the device's fwmark when Table is auto
// and a /0 is routed, else of the recorded table), the link, DNS, the
// firewall. After a failed `up` (del_if in the trap): DNS and firewall as
// far as this run set them, the rules, src_valid_mark back, the link. For
// the leftovers of a dead tunnel, the same but src_valid_mark, which
// `down` leaves too. The kill switch goes last (a dead tunnel's stays when
// the config being brought up wants one: up replaces it).
func (p *Platform) Teardown(j *quick.Journal, name, real string, q *config.QuickConfig, why quick.Reason) error {
	var table int
	j.Get(changeTable, &table)
	var backend string
	j.Get(changeDNS, &backend)
	userspace := j.Get(changeUserspace, nil)
	if why != quick.ForDown {
		if backend != "" {
			if err := p.DNS.Unset(real, backend); err != nil {
				p.logf("[!] rollback: %v", err)
			}
		}
		if j.Get(changeFirewall, nil) {
			if err := p.Firewall.Remove(real); err != nil {
				p.logf("[!] rollback: %v", err)
			}
		}
		p.delRules(table)
		p.delExcludeRules(j)
		var old string
		if why == quick.ForRollback && j.Get(changeSysctl, &old) {
			if _, err := p.Sys.SetSysctl(srcValidMark, old); err != nil {
				p.logf("[!] rollback: %v", err)
			}
		}
		if p.Sys.LinkExists(real) {
			if err := p.Sys.DeleteLink(real); err != nil {
				p.logf("[!] rollback: %v", err)
			}
		}
		if userspace && p.UserspaceGone != nil {
			p.UserspaceGone(real)
		}
		// Last, once nothing is routed through the tunnel any more. A
		// failed up removes one it kept from leftovers too.
		if (killRecorded(j) || (why == quick.ForRollback && q.KillSwitch)) && !keepKillSwitch(why, q) {
			if err := p.removeKillSwitch(real); err != nil {
				p.logf("[!] rollback: %v", err)
			}
		}
		return nil
	}
	alive := p.Sys.IsWireGuard(real)
	n := 0
	if t, err := p.ParseTable(q.Table); err == nil && t.Auto && alive {
		if dev, err := p.Devices.Device(real); err == nil && dev.FwMark != 0 && hasDefault(dev) {
			n = int(dev.FwMark)
		}
	}
	if n == 0 {
		n = table
	}
	p.delRules(n)
	p.delExcludeRules(j)
	// A link of that name that is not WireGuard is someone else's.
	if alive {
		if err := p.Sys.DeleteLink(real); err != nil {
			return err
		}
	}
	if p.UserspaceGone != nil && (userspace || j.Empty()) {
		p.UserspaceGone(real)
	}
	if backend != "" || len(q.DNS) > 0 {
		if err := p.DNS.Unset(real, backend); err != nil {
			p.logf("[!] %v", err)
		}
	}
	if err := p.Firewall.Remove(real); err != nil {
		p.logf("[!] %v", err)
	}
	// Last, by name: also the kill switch of a tunnel whose state is gone.
	if err := p.removeKillSwitch(real); err != nil {
		p.logf("[!] %v", err)
	}
	return nil
}

// delRules removes the default-route policy rules of table n, IPv4 then
// IPv6, as del_if does.
func (p *Platform) delRules(n int) {
	if n == 0 {
		return
	}
	for _, v6 := range []bool{false, true} {
		if err := p.Sys.DelDefaultRules(n, v6); err != nil {
			p.logf("[!] %v", err)
		}
	}
}

func hasDefault(d *config.Device) bool {
	for _, p := range d.Peers {
		for _, a := range p.AllowedIPs {
			if a.Bits() == 0 {
				return true
			}
		}
	}
	return false
}
