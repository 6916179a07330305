package quick

import (
	"context"
	"fmt"

	"github.com/wgtools/wgtools/internal/config"
)

// Down takes the config NAME down in upstream's order: PreDown,
// SaveConfig, the platform's teardown (the interface and what `up`
// recorded), PostDown. When the interface is already gone (its tunnel
// process died) but the state file says `up` did things, it undoes those
// and runs the hooks.
func Down(ctx context.Context, e *Env, name string, q *config.QuickConfig, file string) error {
	var st *State
	if e.States != nil {
		st, _ = e.States.Load(name)
	}
	real, exists, alive := e.Platform.Interface(name)
	if exists {
		e.Platform.Found(name, real)
	}
	if !alive {
		if st == nil {
			if found, err := removeOrphanKillSwitch(e, name); found || err != nil {
				return err
			}
			return fmt.Errorf("`%s' is not a WireGuard interface", name)
		}
		e.logf("[!] `%s' is gone (its tunnel process ended); removing what `up' left behind", name)
	}
	if st == nil {
		st = &State{Interface: name}
	}
	if real == "" {
		real = st.Real
	}
	if err := e.hooks(ctx, name, real, q.PreDown); err != nil {
		return err
	}
	if q.SaveConfig && alive {
		if err := save(e, name, real, q, file); err != nil {
			return err
		}
	}
	if err := e.Platform.Teardown(NewJournal(st, nil), name, real, q, ForDown); err != nil {
		return err
	}
	if e.States != nil {
		if err := e.States.Remove(name); err != nil {
			e.logf("[!] %v", err)
		}
	}
	return e.hooks(ctx, name, real, q.PostDown)
}
