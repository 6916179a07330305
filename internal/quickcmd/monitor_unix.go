//go:build darwin || freebsd || openbsd

package quickcmd

import (
	"context"
	"errors"
	"fmt"
	"os/signal"
	"syscall"

	"github.com/wgtools/wgtools/internal/quick"
)

// routeMonitorVerb is the hidden wg-quick command that runs a tunnel's
// route monitor (the platform starts it, detached).
const routeMonitorVerb = "__route-monitor"

// monitorState reads `wg-quick __route-monitor NAME`'s arguments and
// NAME's state, and gives the save the monitor keeps its record with:
// only while the state is there and is still of the same interface (after
// down it is gone, and must stay gone).
func monitorState(args []string) (name string, st *quick.State, save func(real string, set func(*quick.Journal) error) error, err error) {
	if len(args) != 1 {
		return "", nil, nil, errors.New("usage: wg-quick " + routeMonitorVerb + " NAME")
	}
	name = args[0]
	states := quick.Dir(stateDir())
	st, err = states.Load(name)
	if err != nil || st == nil {
		return "", nil, nil, fmt.Errorf("no state of %s: %v", name, err)
	}
	save = func(real string, set func(*quick.Journal) error) error {
		st, _ := states.Load(name)
		if st == nil || st.Real != real {
			return nil
		}
		return set(quick.NewJournal(st, states))
	}
	return name, st, save, nil
}

// watchUntilSignal runs a monitor over the routing socket's messages
// (watch) until they end, the monitor returns, or SIGINT or SIGTERM
// arrives.
func watchUntilSignal(watch func(done <-chan struct{}) (<-chan string, error), run func(context.Context, <-chan string)) error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	messages, err := watch(ctx.Done())
	if err != nil {
		return fmt.Errorf("route monitor: %w", err)
	}
	run(ctx, messages)
	return nil
}
