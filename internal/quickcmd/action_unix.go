//go:build unix

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
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/resolve"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// action runs `wg-quick up|down|save|reload CONFIG` on this system's
// platform, with the verb's flags.
func action(env *cli.Env, prog, verb, operand string, flags actionFlags, args []string) error {
	foreground := flags.Foreground
	if !systemBuilt {
		return fmt.Errorf("`%s' is not built for this system yet", verb)
	}
	if os.Geteuid() != 0 {
		return autoSu(env, prog, args...)
	}
	signalContext := watchSignals()
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return err
	}
	q, wgcfg, err := load(env, src.Path)
	if err != nil {
		return err
	}
	q.KillSwitch = q.KillSwitch || flags.KillSwitch
	ns, err := startNetns(env, flags, q)
	if err != nil {
		return err
	}
	dir := stateDir()
	if ns != nil {
		dir = ns.dir
	}
	unlock, err := lockIn(dir, src.Interface, env.Stderr)
	if err != nil {
		if ns != nil {
			return ns.finish(env, verb, src.Interface, err)
		}
		return err
	}
	defer func() { unlock() }()
	var c *wgctl.Client
	if ns != nil {
		c = ns.devices()
	} else {
		c, _ = wgctl.Open()
	}
	defer c.Close()
	fg := &foregroundRun{}
	if foreground {
		fg.prepare()
	}
	var sys *system
	if ns != nil {
		sys, err = ns.system(env, c, fg.tunnels())
	} else {
		sys, err = newSystem(env, c, fg.tunnels())
	}
	if err != nil {
		if ns != nil {
			return ns.finish(env, verb, src.Interface, err)
		}
		return err
	}
	e := &quick.Env{
		Platform:   sys.platform,
		Devices:    c,
		States:     sys.states,
		Log:        env.Stderr,
		ConfigFile: src.Path,
		RunHook: func(ctx context.Context, cmd string) error {
			h := exec.CommandContext(ctx, "bash", "-c", cmd)
			h.Stdin, h.Stdout, h.Stderr = os.Stdin, env.Stdout, env.Stderr
			h.Cancel = func() error { return h.Process.Signal(syscall.SIGTERM) }
			if ns != nil {
				return ns.hook(h)
			}
			return h.Run()
		},
	}
	sys.removeTemps(src.Interface)
	atomicfile.RemoveTemps(src.Path) // of a save that was killed half way

	ctx, stop := signalContext()
	defer stop()
	switch verb {
	case "down":
		err = quick.Down(ctx, e, src.Interface, q, src.Path)
	case "save":
		err = quick.Save(e, src.Interface, q, src.Path)
	case "reload":
		err = quick.Reload(ctx, e, src.Interface, q, wgcfg, quick.ReloadOptions{RunPostUp: flags.RunPostUp})
	default:
		if err = quick.Up(ctx, e, src.Interface, q, wgcfg); err == nil && foreground {
			stop()
			unlock()
			err = fg.wait(env, e, src.Interface, func() error {
				var uerr error
				if unlock, uerr = lockIn(dir, src.Interface, env.Stderr); uerr != nil {
					unlock = func() {}
					return uerr
				}
				if alreadyDown(e, src.Interface) {
					return nil
				}
				return quick.Down(context.Background(), e, src.Interface, q, src.Path)
			})
		}
		if err != nil && ns == nil {
			err = explain(err, src, q, wgcfg)
		}
	}
	if ns != nil {
		err = ns.finish(env, verb, src.Interface, err)
	}
	return inFile(src.Path, err)
}

// system is what one operating system gives the engine: its platform, the
// state store, and its own cleanups and hints. Each OS has a newSystem.
type system struct {
	platform quick.Platform
	states   quick.Dir
	// temps removes what writes of the platform's own, killed half way,
	// left in the state directory (nil: nothing).
	temps func(name string)
}

// removeTemps removes the temporary files that a wg-quick of the same
// interface, killed while it wrote, left in the state directory. The
// caller holds the lock.
func (s *system) removeTemps(name string) {
	s.states.RemoveTemps(name)
	if s.temps != nil {
		s.temps(name)
	}
}

// watchSignals starts catching SIGINT and SIGTERM in the background and
// returns signalContext, whose context ends when one arrives, with the
// signal as the cause. Catching the first signal costs the runtime a
// thread's start (about a millisecond), which so overlaps reading the
// config; signalContext waits until the signals are caught. Until then
// (before anything changed) a signal ends the process as it would anyway.
func watchSignals() (signalContext func() (context.Context, func())) {
	ch := make(chan os.Signal, 1)
	caught := make(chan struct{})
	go func() {
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
		close(caught)
	}()
	return func() (context.Context, func()) {
		<-caught
		return contextOf(ch)
	}
}

// contextOf ends when a signal arrives on ch, which is caught.
func contextOf(ch chan os.Signal) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
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

// load reads and parses the config file as up and down use it, endpoint
// host names resolved.
func load(env *cli.Env, path string) (*config.QuickConfig, *config.Config, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return parse(env, path, text, resolve.System())
}
