package quickcmd

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/darwin"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// systemBuilt: macOS has its platform.
const systemBuilt = true

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
	name, st, save, err := monitorState(args)
	if err != nil {
		return err
	}
	rec := darwin.StateRecord(st)
	if rec == nil {
		return fmt.Errorf("no record of %s's platform", name)
	}
	c, _ := wgctl.Open()
	defer c.Close()
	p := &darwin.Platform{Sys: &darwin.System{}, Devices: c, Log: env.Stderr}
	m := darwin.NewMonitor(p, os.Getpid(), rec, func(r *darwin.Record) error {
		return save(r.Real, func(j *quick.Journal) error { return darwin.SaveRecord(j, r) })
	})
	// What a reload changed is in the state: the monitor reads it anew.
	m.Load = func() *darwin.Record {
		st, _ := quick.Dir(stateDir()).Load(name)
		if st == nil {
			return nil
		}
		return darwin.StateRecord(st)
	}
	return watchUntilSignal(darwin.Watch, m.Run)
}
