package quick

import (
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
)

// KillSwitcher is a Platform with a kill switch (`KillSwitch = true`, our
// extension): while the tunnel is up nothing leaves the host but through
// it. It goes in before the routes and stays when the tunnel dies, until
// down removes it, last.
type KillSwitcher interface {
	// AddKillSwitch installs the kill switch of real for q and the
	// device dev as configured (its listen port), recording it.
	AddKillSwitch(j *Journal, real string, q *config.QuickConfig, dev *config.Device) error
	// RemoveKillSwitch removes the kill switch of the interface name
	// without a state (`down` when tunnel and state are gone), reporting
	// whether there was one.
	RemoveKillSwitch(name string) (bool, error)
}

// removeOrphanKillSwitch is down's last resort when neither the interface
// nor its state is left: a kill switch of that name would keep the host
// cut off with nothing left to take it down.
func removeOrphanKillSwitch(e *Env, name string) (bool, error) {
	k, ok := e.Platform.(KillSwitcher)
	if !ok {
		return false, nil
	}
	found, err := k.RemoveKillSwitch(name)
	if found && err == nil {
		e.logf("[!] `%s' and its state are gone; removed its kill switch", name)
	}
	return found, err
}

// checkKillSwitch refuses a kill switch where the platform has none, and
// DNS entries it could not allow.
func checkKillSwitch(p Platform, q *config.QuickConfig) error {
	if !q.KillSwitch {
		return nil
	}
	if _, ok := p.(KillSwitcher); !ok {
		return &config.Error{Line: q.KillSwitchLine, Key: "KillSwitch", Msg: "a kill switch is not built for this system yet"}
	}
	for _, s := range q.DNS {
		if _, err := netip.ParseAddr(s); err != nil {
			return &config.Error{Key: "DNS", Msg: "DNS server `" + config.Excerpt(s) + "' is not an IP address, which the kill switch needs"}
		}
	}
	return nil
}

// DNSAddrs are q's DNS servers as addresses (checkKillSwitch checked
// them); others are left out.
func DNSAddrs(q *config.QuickConfig) []netip.Addr {
	var out []netip.Addr
	for _, s := range q.DNS {
		if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, a.WithZone(""))
		}
	}
	return out
}
