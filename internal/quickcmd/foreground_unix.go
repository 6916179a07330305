//go:build unix

package quickcmd

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/tunnel"
)

// foregroundRun is `wg-quick up --foreground`: the embedded tunnel runs in
// this process, which stays until SIGINT or SIGTERM (or the interface goes
// away) and then runs `down`.
type foregroundRun struct {
	on   bool
	done chan struct{} // closed when the in-process tunnel ends; nil without one
}

// prepare readies this process to hold the tunnel.
func (f *foregroundRun) prepare() {
	f.on = true
	// A long-running process needs its garbage collector back.
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
}

// tunnels is how the platform runs the embedded tunnel: in this process
// when in the foreground, else detached.
func (f *foregroundRun) tunnels() tunnels {
	if !f.on {
		return detached
	}
	startIn := func(netns, name string) (string, error) {
		var t *tunnel.Tunnel
		var err error
		if netns == "" {
			t, err = tunnel.Open(name, 0, tunnel.LogError)
		} else {
			err = tunnel.InNetns(netns, func() (err error) {
				t, err = tunnel.Open(name, 0, tunnel.LogError)
				return err
			})
		}
		if err != nil {
			return "", err
		}
		f.done = make(chan struct{})
		go func() {
			defer close(f.done)
			t.Run(context.Background())
		}()
		return t.Name(), nil
	}
	return tunnels{
		start:   func(name string) (string, error) { return startIn("", name) },
		startIn: startIn,
		gone: func(name string) {
			if f.done == nil {
				userspaceGone(name)
				return
			}
			select {
			case <-f.done:
			case <-time.After(5 * time.Second):
			}
		},
	}
}

// wait blocks until a signal, the end of the in-process tunnel, or the
// interface going away, re-resolving endpoint names meanwhile
// (KeepResolved), then runs down (which does nothing when another
// `wg-quick down` already did: alreadyDown).
func (f *foregroundRun) wait(env *cli.Env, e *quick.Env, name string, down func() error) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	fmt.Fprintf(env.Stderr, "[+] `%s' is up; staying in the foreground until SIGINT or SIGTERM\n", name)
	// Re-resolve endpoint names meanwhile, stopped before down takes the
	// lock.
	real, _, _ := e.Platform.Interface(name)
	stop := keepResolvedBeside(env, real)
	defer stop()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case s := <-sigs:
			fmt.Fprintf(env.Stderr, "[+] Received %v; taking `%s' down\n", s, name)
			stop()
			return down()
		case <-f.done:
			stop()
			return down()
		case <-tick.C:
			if _, exists, _ := e.Platform.Interface(name); !exists {
				stop()
				return down()
			}
		}
	}
}

// alreadyDown reports whether another `wg-quick down` took NAME down: its
// state is gone and so is its WireGuard interface. When the interface
// ended on its own, the state is still there and down must clean up.
func alreadyDown(e *quick.Env, name string) bool {
	if st, _ := e.States.Load(name); st != nil {
		return false
	}
	_, _, wg := e.Platform.Interface(name)
	return !wg
}

// keepResolvedBeside runs KeepResolved for the interface real until the
// returned func is called, which waits for it to end (it may be calling).
func keepResolvedBeside(env *cli.Env, real string) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		KeepResolved(ctx, env, real)
	}()
	return func() {
		cancel()
		<-done
	}
}
