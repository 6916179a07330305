//go:build freebsd || openbsd

package quickcmd

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsd"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// systemBuilt: FreeBSD and OpenBSD have their platform.
const systemBuilt = true

// newSystem wires the BSD platform: the kernel's WireGuard interface
// (on FreeBSD the embedded tunnel without if_wg, or
// $WG_QUICK_USERSPACE_IMPLEMENTATION, as upstream), ioctls, the routing
// socket, resolvconf (FreeBSD) or resolvd's proposal (OpenBSD), and our
// own route monitor.
func newSystem(env *cli.Env, c *wgctl.Client, t tunnels) (*system, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find own executable: %w", err)
	}
	sys := &bsd.System{
		StartUserspaceFunc: func(name string) error { _, err := t.start(name); return err },
		MonitorCommand:     []string{self, routeMonitorVerb},
	}
	name := "wireguard-go"
	if impl := env.Getenv("WG_QUICK_USERSPACE_IMPLEMENTATION"); impl != "" {
		name = impl
		sys.StartUserspaceFunc = func(iface string) error {
			cmd := exec.Command(impl, iface)
			cmd.Stdout, cmd.Stderr = env.Stderr, env.Stderr
			return cmd.Run()
		}
	}
	p := &bsd.Platform{OS: runtime.GOOS, Sys: sys, Devices: c, UserspaceName: name, Log: env.Stderr}
	return &system{platform: p, states: quick.Dir(stateDir())}, nil
}

// stateDir is where state and locks live.
func stateDir() string { return stateRoot }

// routeMonitor is `wg-quick __route-monitor NAME`: the route monitor of
// the tunnel NAME, from what `up` recorded, until its interface goes (or
// SIGINT/SIGTERM), then its cleanup, as upstream's trap. Its lines go to
// the stderr it was given (upstream's reach the terminal too).
func routeMonitor(env *cli.Env, args []string) error {
	name, st, save, err := monitorState(args)
	if err != nil {
		return err
	}
	rec := bsd.StateRecord(st)
	if rec == nil {
		return fmt.Errorf("no record of %s's platform", name)
	}
	c, _ := wgctl.Open()
	defer c.Close()
	p := &bsd.Platform{OS: runtime.GOOS, Sys: &bsd.System{}, Devices: c, Log: env.Stderr}
	m := bsd.NewMonitor(p, os.Getpid(), rec, func(r *bsd.Record) error {
		return save(r.Real, func(j *quick.Journal) error { return bsd.SaveRecord(j, r) })
	})
	// What a reload changed is in the state: the monitor reads it anew.
	m.Load = func() *bsd.Record {
		st, _ := quick.Dir(stateDir()).Load(name)
		if st == nil {
			return nil
		}
		return bsd.StateRecord(st)
	}
	return watchUntilSignal(bsd.Watch, m.Run)
}
