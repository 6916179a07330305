package quickcmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/wgtools/wgtools/internal/atomicfile"
	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/netcfg"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// action runs `wg-quick up|down|save CONFIG`.
func action(env *cli.Env, prog, verb, operand string, foreground bool, args []string) error {
	if os.Geteuid() != 0 {
		return autoSu(env, prog, args...)
	}
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return cli.Fail(prog + ": " + err.Error())
	}
	q, wgcfg, err := load(env, src.Path)
	if err != nil {
		return cli.Fail(prog + ": " + err.Error())
	}
	unlock, err := lock(src.Interface, env.Stderr)
	if err != nil {
		return cli.Fail(prog + ": " + err.Error())
	}
	defer func() { unlock() }()
	c, _ := wgctl.Open()
	defer c.Close()
	e := linuxEnv(env, c)
	removeTemps(e, src)

	ctx, stop := signalContext()
	defer stop()
	switch verb {
	case "down":
		err = quick.Down(ctx, e, src.Interface, q, src.Path)
	case "save":
		if !e.Host.IsWireGuard(src.Interface) {
			err = fmt.Errorf("`%s' is not a WireGuard interface", src.Interface)
		} else {
			err = quick.Save(e, src.Interface, q, src.Path)
		}
	default:
		fg := &foregroundRun{}
		if foreground {
			fg.prepare(env, e)
		}
		if err = quick.Up(ctx, e, src.Interface, q, wgcfg); err == nil && foreground {
			stop()
			unlock()
			err = fg.wait(env, e, src.Interface, func() error {
				var uerr error
				if unlock, uerr = lock(src.Interface, env.Stderr); uerr != nil {
					unlock = func() {}
					return uerr
				}
				if st, _ := e.States.Load(src.Interface); st == nil && !e.Host.IsWireGuard(src.Interface) {
					return nil // another `wg-quick down' took it down
				}
				return quick.Down(context.Background(), e, src.Interface, q, src.Path)
			})
		}
		if err != nil {
			err = hint(err)
		}
	}
	if err != nil {
		return cli.Fail(prog + ": " + lineMessage(src.Path, err))
	}
	return nil
}

// linuxEnv wires the engine to netlink, nftables, the DNS backends, the
// devices and the embedded tunnel.
func linuxEnv(env *cli.Env, c *wgctl.Client) *quick.Env {
	e := &quick.Env{
		Host:          &netcfg.Linux{Log: env.Stderr},
		Devices:       c,
		Firewall:      &firewall.Firewall{Log: env.Stderr},
		DNS:           newDNS(env),
		States:        quick.Dir(stateDir()),
		Log:           env.Stderr,
		TableID:       netcfg.TableID,
		UserspaceName: "wireguard-go",
		RunHook: func(ctx context.Context, cmd string) error {
			h := exec.CommandContext(ctx, "bash", "-c", cmd)
			h.Stdin, h.Stdout, h.Stderr = os.Stdin, env.Stdout, env.Stderr
			h.Cancel = func() error { return h.Process.Signal(syscall.SIGTERM) }
			return h.Run()
		},
	}
	if _, err := os.Stat("/sys/module/wireguard"); err == nil {
		e.KernelModule = true
	}
	if impl := env.Getenv("WG_QUICK_USERSPACE_IMPLEMENTATION"); impl != "" {
		e.UserspaceName = impl
		e.Userspace = func(name string) error {
			cmd := exec.Command(impl, name)
			cmd.Stdout, cmd.Stderr = env.Stderr, env.Stderr
			return cmd.Run()
		}
	} else {
		e.Userspace = startEmbedded
	}
	e.UserspaceGone = userspaceGone
	return e
}

// signalContext ends when SIGINT or SIGTERM arrives, with the signal as
// the cause.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(fmt.Errorf("interrupted by %v; everything done so far was undone", s))
		case <-done:
		}
	}()
	stopped := false
	return ctx, func() {
		if !stopped {
			stopped = true
			signal.Stop(ch)
			close(done)
			cancel(nil)
		}
	}
}

// removeTemps removes the temporary files that a wg-quick of the same
// interface, killed while it wrote, left in the state directory (state,
// DNS backup) and beside the config (save). The caller holds the lock.
func removeTemps(e *quick.Env, src *Source) {
	if d, ok := e.States.(quick.Dir); ok {
		d.RemoveTemps(src.Interface)
	}
	if d, ok := e.DNS.(*dnsBackends); ok {
		d.env.RemoveTemps(src.Interface)
	}
	atomicfile.RemoveTemps(src.Path)
}
