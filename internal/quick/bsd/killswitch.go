package bsd

import (
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/pf"
)

var _ quick.KillSwitcher = (*Platform)(nil)

// killSwitch is the kill switch on pf (anchor wgtools/killswitch.NAME).
func (p *Platform) killSwitch() *pf.Kill {
	p.kill.Switch = pf.Switch{OS: p.OS, Ctl: p.Sys, Log: p.Log}
	return &p.kill
}

// AddKillSwitch installs or replaces the kill switch of the interface real.
func (p *Platform) AddKillSwitch(j *quick.Journal, real string, q *config.QuickConfig, dev *config.Device) error {
	return p.killSwitch().AddKillSwitch(j, real, q, dev)
}

// RemoveKillSwitch empties NAME's kill switch anchor (down with tunnel and
// state gone).
func (p *Platform) RemoveKillSwitch(name string) (bool, error) {
	return p.killSwitch().RemoveKillSwitch(name)
}
