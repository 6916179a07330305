package pf

import (
	"errors"
	"fmt"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/quick"
)

// errNoPort: a kill switch needs the port the tunnel's own packets
// leave from, which a running tunnel always has.
var errNoPort = errors.New("kill switch: the tunnel reports no listen port")

// Change is the kind of the kill switch's record in a state.
const Change = "pf"

// Kill is a platform's quick.KillSwitcher on pf: macOS and the BSDs hold
// one and hand their KillSwitcher methods, teardown and reload to it.
type Kill struct {
	Switch
	// kept is the record of a dead tunnel's kill switch that this
	// process's up keeps and replaces (Teardown for leftovers).
	kept *Record
}

// recorded is the kill switch recorded in j, if any.
func recorded(j *quick.Journal) (Record, bool) {
	var r Record
	return r, j.Get(Change, &r) && r.Anchor != ""
}

func saver(j *quick.Journal) func(*Record) error {
	return func(r *Record) error { return j.Set(Change, r) }
}

// AddKillSwitch installs (or replaces) the kill switch of j's config on
// the interface real: its own listen port, the config's DNS servers and
// the prefixes kept out of the tunnel. It is recorded before it goes in.
func (k *Kill) AddKillSwitch(j *quick.Journal, real string, q *config.QuickConfig, dev *config.Device) error {
	var rec *Record
	if r, ok := recorded(j); ok {
		rec = &r
	} else if k.kept != nil {
		rec, k.kept = k.kept, nil
		if err := j.Set(Change, rec); err != nil {
			return err
		}
	}
	if dev.ListenPort == 0 {
		return errNoPort
	}
	ks := firewall.KillSwitch{Tunnel: real, ListenPort: uint16(dev.ListenPort), DNS: quick.DNSAddrs(q), Allow: quick.RecordedExcluded(j)}
	if err := k.Add(j.Name(), ks, rec, saver(j)); err != nil {
		return fmt.Errorf("kill switch: %w", err)
	}
	return nil
}

// RemoveKillSwitch empties the anchor of NAME's kill switch (down with
// tunnel and state gone).
func (k *Kill) RemoveKillSwitch(name string) (bool, error) { return k.RemoveOrphan(name) }

// Teardown removes the kill switch, last of all: unless it is a dead
// tunnel's (leftovers) whose config still wants one, which stays for the
// up that follows to replace, with no moment without. A failed up
// removes one it kept so.
func (k *Kill) Teardown(j *quick.Journal, q *config.QuickConfig, why quick.Reason) error {
	rec, ok := recorded(j)
	if !ok && why == quick.ForRollback && k.kept != nil {
		rec, ok, k.kept = *k.kept, true, nil
	}
	if !ok {
		return nil
	}
	if why == quick.ForLeftovers && q != nil && q.KillSwitch {
		k.kept = &rec
		return nil
	}
	if err := k.Remove(rec); err != nil {
		return fmt.Errorf("kill switch: %w", err)
	}
	return nil
}

// Reload makes the kill switch what the new config wants: put in or
// replaced (a new listen port or DNS), or removed.
func (k *Kill) Reload(j *quick.Journal, r *quick.ReloadPlan) error {
	if r.Config.KillSwitch {
		return k.AddKillSwitch(j, r.Real, r.Config, r.New)
	}
	rec, ok := recorded(j)
	if !ok {
		return nil
	}
	if err := k.Remove(rec); err != nil {
		return fmt.Errorf("kill switch: %w", err)
	}
	return j.Set(Change, Record{})
}
