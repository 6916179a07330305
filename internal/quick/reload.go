package quick

import (
	"context"
	"errors"
	"fmt"
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
)

// Reloader is a Platform that can change its running interface to a new
// config in place (`wg-quick reload`): each method compares what is there
// (its records in the journal, the live interface) with what the new
// config wants and changes only the difference, recording as it goes.
type Reloader interface {
	// PrepareReload refuses, before anything changes, what cannot change
	// while the interface runs, and may adjust r.Change (a setting the
	// platform put on the device itself, such as Linux's fwmark).
	PrepareReload(j *Journal, r *ReloadPlan) error
	// ReloadAddresses makes r.Addresses the interface's addresses.
	ReloadAddresses(j *Journal, r *ReloadPlan) error
	// ReloadMTU sets the MTU (r.MTU, or the automatic one) when it differs.
	ReloadMTU(j *Journal, r *ReloadPlan) error
	// ReloadDNS sets the config's DNS through the backend up used, sets
	// it anew, or removes it.
	ReloadDNS(j *Journal, r *ReloadPlan) error
	// ReloadRoutes routes r.New's allowed IPs as up would, removing the
	// routes of r.Old's that go (a /0 with what the platform added for
	// it).
	ReloadRoutes(ctx context.Context, j *Journal, r *ReloadPlan) error
	// Reloaded runs last, before PostUp when asked (macOS and the BSDs
	// start their route monitor again).
	Reloaded(j *Journal, r *ReloadPlan) error
}

// ReloadPlan is what one reload works from.
type ReloadPlan struct {
	Name, Real string
	Config     *config.QuickConfig
	// Table, MTU (0: automatic) and Addresses are the new config's, read.
	Table     Table
	MTU       int
	Addresses []netip.Prefix
	// Wanted is the new config's wg(8) part, as parsed.
	Wanted *config.Config
	// Old is the device before the reload, New after its Change (as
	// config.Device.Applied works it out).
	Old, New *config.Device
	// Change is what the device is sent: syncconf's change, less what
	// already runs as wanted.
	Change *config.Config
}

// ReloadOptions are reload's choices.
type ReloadOptions struct {
	// RunPostUp runs the new config's PostUp hooks after the reload.
	RunPostUp bool
}

// ErrNoReload is the error of a system whose platform cannot reload.
var ErrNoReload = errors.New("`reload' is not built for this system yet")

// Reload applies the config NAME, edited, to its running interface
// without taking it down: peers as `wg syncconf` (peers that stay as they
// were are not touched, and keep their sessions), addresses, MTU, DNS and
// the routes of allowed IPs that came or went, in up's order. Everything
// that can be refused is refused before anything changes; the state is
// kept current, so that `down` undoes what is there. No hook runs unless
// o.RunPostUp.
func Reload(ctx context.Context, e *Env, name string, q *config.QuickConfig, wg *config.Config, o ReloadOptions) error {
	p := e.Platform
	rl, ok := p.(Reloader)
	if !ok {
		return ErrNoReload
	}
	tbl, mtu, addrs, err := check(p, q)
	if err != nil {
		return err
	}
	real, exists, alive := p.Interface(name)
	if exists {
		p.Found(name, real)
	}
	if !alive {
		return fmt.Errorf("`%s' is not up; reload changes a running interface (the config's name must be that of the interface `wg-quick up' brought up)", name)
	}
	var st *State
	if e.States != nil {
		st, _ = e.States.Load(name)
	}
	if st == nil {
		return fmt.Errorf("`%s' has no state of `wg-quick up' (another tool brought it up?); take it down and up instead", name)
	}
	if len(q.ExcludedIPs) > 0 || q.AllowLAN || st.Get(ChangeExcluded, nil) {
		return fmt.Errorf("`%s' keeps prefixes out of the tunnel (ExcludedIPs, AllowLAN), which reload cannot change yet; take it down and up instead", name)
	}
	if st.Real != "" && st.Real != real {
		return fmt.Errorf("the state of `%s' is of `%s', not of the running `%s'; take it down and up instead", name, st.Real, real)
	}
	old, err := e.Devices.Device(real)
	if err != nil {
		return fmt.Errorf("read %s: %w", real, err)
	}
	r := &ReloadPlan{Name: name, Real: real, Config: q, Table: tbl, MTU: mtu, Addresses: addrs,
		Wanted: wg, Old: old, Change: deviceChange(wg, old)}
	j := NewJournal(st, e.States)
	if err := rl.PrepareReload(j, r); err != nil {
		return err
	}
	minimizeDevice(r.Change, old)
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}

	if !emptyChange(r.Change) {
		e.logf("[#] wg syncconf %s /dev/fd/63", real)
		if err := e.Devices.Configure(real, r.Change); err != nil {
			return fmt.Errorf("configure %s: %w", real, err)
		}
	}
	// What the device holds now, without reading a thousand peers again.
	r.New = old.Applied(r.Change)
	steps := []func() error{
		func() error { return rl.ReloadAddresses(j, r) },
		func() error { return rl.ReloadMTU(j, r) },
		func() error { return rl.ReloadDNS(j, r) },
		func() error { return rl.ReloadRoutes(ctx, j, r) },
	}
	if p.DNSAfterRoutes() {
		steps[2], steps[3] = steps[3], steps[2]
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return partly(interrupted(ctx))
		}
		if err := step(); err != nil {
			return partly(err)
		}
	}
	if err := rl.Reloaded(j, r); err != nil {
		return partly(err)
	}
	if e.ConfigFile != "" {
		st.Config = e.ConfigFile
	}
	// The names to re-resolve are the new config's.
	st.Endpoints = NamedEndpoints(q, wg)
	if err := j.save(); err != nil {
		return err
	}
	if o.RunPostUp {
		return e.hooks(ctx, name, real, q.PostUp)
	}
	return nil
}

// partly says that a reload stopped half way: what it changed is recorded,
// so another reload or a down finishes the job.
func partly(err error) error {
	return fmt.Errorf("%w\n  hint: the reload stopped half way; what it changed is recorded: reload again, or take the interface down", err)
}

// deviceChange is what setconf of wg would send, turned into syncconf's
// change against the running device: an unset private key removes the
// device's, an unset fwmark clears it, an unset listen port keeps the one
// in use (the kernel would pick a new one, and every peer would have to
// find it).
func deviceChange(wg *config.Config, old *config.Device) *config.Config {
	c := *wg
	c.Peers = append([]config.Peer(nil), wg.Peers...)
	c.ReplacePeers = true
	if c.PrivateKey == nil {
		c.PrivateKey = new(config.Key)
	}
	if c.FwMark == nil {
		c.FwMark = new(uint32)
	}
	config.Sync(&c, old)
	if len(old.Peers) == 0 && len(c.Peers) == 0 {
		c.ReplacePeers = false
	}
	return &c
}

// minimizeDevice leaves out of c what already runs as c says.
func minimizeDevice(c *config.Config, old *config.Device) {
	if c.PrivateKey != nil && *c.PrivateKey == old.PrivateKey {
		c.PrivateKey = nil
	}
	if c.ListenPort != nil && *c.ListenPort == old.ListenPort {
		c.ListenPort = nil
	}
	if c.FwMark != nil && *c.FwMark == old.FwMark {
		c.FwMark = nil
	}
	config.Minimize(c, old)
}

func emptyChange(c *config.Config) bool {
	return c.PrivateKey == nil && c.ListenPort == nil && c.FwMark == nil && !c.ReplacePeers && len(c.Peers) == 0
}
