//go:build unix

package quickcmd

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/reresolve"
	"github.com/wgtools/wgtools/internal/resolve"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// reresolveOnce runs one pass over the tunnel NAME, or over every tunnel
// with a state for "all" (those without named endpoints pass quickly).
func reresolveOnce(env *cli.Env, prog, name string) error {
	if os.Geteuid() != 0 {
		return autoSu(env, prog, "reresolve", name)
	}
	dir := quick.Dir(stateDir())
	names := []string{name}
	if name == "all" {
		var err error
		if names, err = dir.List(); err != nil {
			return err
		}
	}
	c, _ := wgctl.Open()
	defer c.Close()
	var errs []error
	for _, n := range names {
		unlock, err := lock(n, env.Stderr)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		st, err := dir.Load(n)
		switch {
		case err != nil:
			errs = append(errs, err)
		case st == nil && name != "all":
			errs = append(errs, fmt.Errorf("`%s' is not a tunnel wg-quick brought up", n))
		case st != nil:
			r := newResolver(env, c, st, env.LookupEnv)
			errs = append(errs, pass(r, dir, st))
		}
		unlock()
	}
	return errors.Join(errs...)
}

// pass runs one pass of r over st's endpoints and records what it set;
// the caller holds the lock.
func pass(r *reresolve.Resolver, dir quick.Dir, st *quick.State) error {
	if len(st.Endpoints) == 0 {
		return nil
	}
	eps, changed, err := r.Pass(st.Endpoints)
	if changed {
		st.Endpoints = eps
		if serr := dir.Save(st); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

// newResolver is the rule applied to st's interface through c, looking
// names up as wg-quick up does (lookupEnv gives
// WG_ENDPOINT_RESOLUTION_RETRIES), logging to env.Stderr.
func newResolver(env *cli.Env, c *wgctl.Client, st *quick.State, lookupEnv func(string) (string, bool)) *reresolve.Resolver {
	real := st.Real
	if real == "" {
		real = st.Interface
	}
	interval, age := reresolveTimes(env)
	opts := &config.Options{
		Resolver:  resolve.System(),
		LookupEnv: lookupEnv,
		Warn:      func(msg string) { fmt.Fprintf(env.Stderr, "[!] %s: %s\n", real, msg) },
	}
	return &reresolve.Resolver{
		Interface: real,
		Device:    device{c, real},
		Lookup:    opts.Endpoint,
		Now:       time.Now,
		Logf:      func(format string, args ...any) { fmt.Fprintf(env.Stderr, format+"\n", args...) },
		Interval:  interval,
		Age:       age,
	}
}

// KeepResolved re-resolves the named endpoints of the tunnel on interface
// real (see internal/reresolve) every interval until ctx ends. The
// embedded tunnel's daemon runs it beside the tunnel (app wires it in), as
// `up --foreground` does. A tunnel without a state of ours (a
// wireguard-go that upstream's wg-quick runs) only has its handshakes
// read. Lookups are tried once a pass: the back-off does the retrying.
func KeepResolved(ctx context.Context, env *cli.Env, real string) {
	c, _ := wgctl.Open()
	defer c.Close()
	dir := quick.Dir(stateDir())
	once := func(key string) (string, bool) {
		if key == "WG_ENDPOINT_RESOLUTION_RETRIES" {
			return "0", true
		}
		return env.LookupEnv(key)
	}
	var r *reresolve.Resolver
	interval, _ := reresolveTimes(env)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if r == nil {
			r = newResolver(env, c, &quick.State{Interface: real, Real: real}, once)
		}
		if stale, err := r.Stale(); err != nil || !stale {
			continue
		}
		st, _ := stateOf(dir, real)
		if st == nil || len(st.Endpoints) == 0 {
			continue
		}
		unlock, err := tryLock(st.Interface)
		if err != nil {
			continue // up, down or reload at work: next time
		}
		if st, _ = dir.Load(st.Interface); st != nil && (st.Real == "" || st.Real == real) {
			if err := pass(r, dir, st); err != nil {
				fmt.Fprintf(env.Stderr, "[!] %s: %v\n", real, err)
			}
		}
		unlock()
	}
}

// stateOf finds the state of the tunnel on interface real: the state named
// so (Linux, FreeBSD), or the one whose Real it is (macOS's utunN,
// OpenBSD's wgN).
func stateOf(dir quick.Dir, real string) (*quick.State, error) {
	if st, err := dir.Load(real); err != nil || st != nil && (st.Real == "" || st.Real == real) {
		return st, err
	}
	names, err := dir.List()
	for _, n := range names {
		if st, _ := dir.Load(n); st != nil && st.Real == real {
			return st, nil
		}
	}
	return nil, err
}

// device is the running interface as internal/reresolve reads and sets it.
type device struct {
	c    *wgctl.Client
	name string
}

func (d device) Peers() (map[string]reresolve.Peer, error) {
	dev, err := d.c.Device(d.name)
	if err != nil {
		return nil, err
	}
	peers := make(map[string]reresolve.Peer, len(dev.Peers))
	for _, p := range dev.Peers {
		var hs time.Time
		if p.LastHandshakeSec != 0 || p.LastHandshakeNsec != 0 {
			hs = time.Unix(p.LastHandshakeSec, p.LastHandshakeNsec)
		}
		peers[config.FormatKey(p.PublicKey)] = reresolve.Peer{Endpoint: p.Endpoint, Handshake: hs}
	}
	return peers, nil
}

// SetEndpoint sets one peer's endpoint, as `wg set INTERFACE peer KEY
// endpoint ADDR` does: no replace flags, so nothing else changes.
func (d device) SetEndpoint(peer string, ep netip.AddrPort) error {
	k, ok := config.ParseKey(peer)
	if !ok {
		return fmt.Errorf("bad public key %q in the state", peer)
	}
	return d.c.Configure(d.name, &config.Config{Peers: []config.Peer{{PublicKey: k, HasPublicKey: true, Endpoint: &ep}}})
}

// reresolveTimes are the rule's interval and age, which the environment
// of a test may shorten (WGTOOLS_TEST_RERESOLVE_INTERVAL and _AGE, Go
// durations such as "500ms"; documented as being for tests only).
func reresolveTimes(env *cli.Env) (interval, age time.Duration) {
	interval, age = reresolve.DefaultInterval, reresolve.DefaultAge
	if d, err := time.ParseDuration(env.Getenv("WGTOOLS_TEST_RERESOLVE_INTERVAL")); err == nil && d > 0 {
		interval = d
	}
	if d, err := time.ParseDuration(env.Getenv("WGTOOLS_TEST_RERESOLVE_AGE")); err == nil && d > 0 {
		age = d
	}
	return interval, age
}
