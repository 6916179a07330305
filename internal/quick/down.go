package quick

import (
	"context"
	"fmt"

	"github.com/wgtools/wgtools/internal/config"
)

// Down takes the interface down in upstream's order: PreDown, SaveConfig,
// the policy rules, the link, DNS, the firewall, PostDown. When the
// interface is already gone (its tunnel process died) but the state file
// says `up` applied things, it removes those and runs the hooks.
func Down(ctx context.Context, e *Env, name string, q *config.QuickConfig, file string) error {
	var st *State
	if e.States != nil {
		st, _ = e.States.Load(name)
	}
	alive := e.Host.IsWireGuard(name)
	if !alive {
		if st == nil {
			return fmt.Errorf("`%s' is not a WireGuard interface", name)
		}
		e.logf("[!] `%s' is gone (its tunnel process ended); removing what `up' left behind", name)
	}
	if err := e.hooks(ctx, name, q.PreDown); err != nil {
		return err
	}
	if q.SaveConfig && alive {
		if err := Save(e, name, q, file); err != nil {
			return err
		}
	}
	n := 0
	if tbl, err := parseTable(q.Table, e.TableID); err == nil && tbl.auto && alive {
		if dev, err := e.Devices.Device(name); err == nil && dev.FwMark != 0 && hasDefault(dev) {
			n = int(dev.FwMark)
		}
	}
	if n == 0 && st != nil {
		n = st.Table
	}
	e.delRules(n)
	// A link of that name that is not WireGuard is someone else's.
	if alive {
		if err := e.Host.DeleteLink(name); err != nil {
			return err
		}
	}
	if e.UserspaceGone != nil && (st == nil || st.Userspace) {
		e.UserspaceGone(name)
	}
	backend := ""
	if st != nil {
		backend = st.DNS
	}
	if backend != "" || len(q.DNS) > 0 {
		if err := e.DNS.Unset(name, backend); err != nil {
			e.logf("[!] %v", err)
		}
	}
	if err := e.Firewall.Remove(name); err != nil {
		e.logf("[!] %v", err)
	}
	if e.States != nil {
		if err := e.States.Remove(name); err != nil {
			e.logf("[!] %v", err)
		}
	}
	return e.hooks(ctx, name, q.PostDown)
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
