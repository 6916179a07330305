package linux

import (
	"errors"
	"fmt"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/quick"
)

var _ quick.KillSwitcher = (*Platform)(nil)

// AddKillSwitch installs (or replaces, at once) the kill switch of real:
// an nftables table that lets out only loopback, the tunnel, the tunnel's
// own UDP port, what the underlay needs (DHCP, NDP) and, with DNS set,
// queries to those servers only. It is recorded before it goes in, so
// that down removes it even if this process dies in between.
func (p *Platform) AddKillSwitch(j *quick.Journal, real string, q *config.QuickConfig, dev *config.Device) error {
	if dev.ListenPort == 0 {
		return errors.New("kill switch: the tunnel reports no listen port")
	}
	if err := j.Set(changeKill, true); err != nil {
		return err
	}
	k := firewall.KillSwitch{Tunnel: real, ListenPort: uint16(dev.ListenPort), DNS: quick.DNSAddrs(q), Allow: quick.RecordedExcluded(j)}
	if err := p.Firewall.AddKillSwitch(real, k); err != nil {
		return fmt.Errorf("kill switch: %w", err)
	}
	return nil
}

// killRecorded says whether the journal has the kill switch on.
func killRecorded(j *quick.Journal) bool {
	var on bool
	return j.Get(changeKill, &on) && on
}

// reloadKillSwitch makes the kill switch what the new config wants: put in
// or replaced (a new listen port or DNS), or removed.
func (p *Platform) reloadKillSwitch(j *quick.Journal, r *quick.ReloadPlan) error {
	switch {
	case r.Config.KillSwitch:
		return p.AddKillSwitch(j, r.Real, r.Config, r.New)
	case killRecorded(j):
		if err := p.removeKillSwitch(r.Real); err != nil {
			return fmt.Errorf("kill switch: %w", err)
		}
		return j.Set(changeKill, false)
	}
	return nil
}

// removeKillSwitch removes the kill switch of real, if there is one.
func (p *Platform) removeKillSwitch(real string) error {
	_, err := p.Firewall.RemoveKillSwitch(real)
	return err
}

// RemoveKillSwitch removes the kill switch of the link name (the same
// name on Linux) when there is one.
func (p *Platform) RemoveKillSwitch(name string) (bool, error) {
	return p.Firewall.RemoveKillSwitch(name)
}

// keepKillSwitch says whether a teardown for why leaves the kill switch:
// the leftovers of a dead tunnel whose config still wants one keep it, so
// that the up that follows replaces it without a moment of no kill switch.
func keepKillSwitch(why quick.Reason, q *config.QuickConfig) bool {
	return why == quick.ForLeftovers && q != nil && q.KillSwitch
}
