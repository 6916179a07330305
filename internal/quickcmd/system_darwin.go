package quickcmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/darwin"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// systemBuilt: macOS has its platform.
const systemBuilt = true

// routeMonitorVerb is the hidden wg-quick command that runs a tunnel's
// route monitor (the platform starts it, detached).
const routeMonitorVerb = "__route-monitor"

// newSystem wires macOS's platform: the embedded tunnel on a utun (or
// $WG_QUICK_USERSPACE_IMPLEMENTATION, given WG_TUN_NAME_FILE, as
// upstream), ioctls, the routing socket, networksetup, and our own route
// monitor.
func newSystem(env *cli.Env, c *wgctl.Client, t tunnels) (*system, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	sys := &darwin.System{
		StartTunnelFunc: func(string) (string, error) { return t.start("utun") },
		MonitorCommand:  []string{self, routeMonitorVerb},
	}
	name := "wireguard-go"
	if impl := env.Getenv("WG_QUICK_USERSPACE_IMPLEMENTATION"); impl != "" {
		name = impl
		sys.StartTunnelFunc = func(conf string) (string, error) {
			file := wgctl.NameFile(conf)
			cmd := exec.Command(impl, "utun")
			cmd.Env = append(os.Environ(), "WG_TUN_NAME_FILE="+file)
			cmd.Stdout, cmd.Stderr = env.Stderr, env.Stderr
			if err := cmd.Run(); err != nil {
				return "", err
			}
			data, err := os.ReadFile(file)
			return strings.TrimSpace(string(data)), err
		}
	}
	p := &darwin.Platform{Sys: sys, Devices: c, UserspaceName: name, Log: env.Stderr}
	return &system{platform: p, states: quick.Dir(stateDir())}, nil
}

// stateDir is where state and locks live.
func stateDir() string { return stateRoot }

// routeMonitor is `wg-quick __route-monitor NAME`: the route monitor of
// the tunnel NAME, from what `up` recorded, until its utun goes (or
// SIGINT/SIGTERM), then its cleanup, as upstream's trap.
func routeMonitor(env *cli.Env, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: wg-quick " + routeMonitorVerb + " NAME")
	}
	name := args[0]
	states := quick.Dir(stateDir())
	st, err := states.Load(name)
	if err != nil || st == nil {
		return fmt.Errorf("no state of %s: %v", name, err)
	}
	rec := darwin.StateRecord(st)
	if rec == nil {
		return fmt.Errorf("no record of %s's platform", name)
	}
	c, _ := wgctl.Open()
	defer c.Close()
	p := &darwin.Platform{Sys: &darwin.System{}, Devices: c, Log: env.Stderr}
	m := darwin.NewMonitor(p, os.Getpid(), rec, func(r *darwin.Record) error {
		// Only while the tunnel's state is there: after down it is gone,
		// and must stay gone.
		st, _ := states.Load(name)
		if st == nil || st.Real != r.Real {
			return nil
		}
		return darwin.SaveRecord(quick.NewJournal(st, states), r)
	})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	messages, err := darwin.Watch(ctx.Done())
	if err != nil {
		return fmt.Errorf("route monitor: %w", err)
	}
	m.Run(ctx, messages)
	return nil
}
