// Package quick is the wg-quick engine: `up`, `down` and `save` as ordered
// steps in upstream's order, with hooks, the state file and rollback. What
// each step does on a system is a Platform's (quick/linux, quick/darwin),
// at the level of upstream's per-OS functions; the engine knows no system.
package quick

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// Platform is how one operating system does wg-quick's steps. Each method
// that changes the host records in the journal what `down` (or a failed
// `up`) needs to undo it, as it goes, so that the state file always holds
// what was done even if the process dies.
type Platform interface {
	// Interface finds the interface of the config NAME: its real name
	// (NAME on Linux and FreeBSD, utunN on macOS, wgN on OpenBSD),
	// whether an interface of that name exists, and whether it is a
	// WireGuard interface.
	Interface(name string) (real string, exists, wireguard bool)
	// Found says which interface NAME is, where upstream says so (its
	// macOS and OpenBSD scripts: "[+] Interface for NAME is REAL").
	Found(name, real string)
	// ParseTable reads the config's Table value ("" when unset).
	ParseTable(s string) (Table, error)
	// AddInterface creates the interface for NAME and returns its real
	// name (upstream's add_if).
	AddInterface(j *Journal, name string) (real string, err error)
	// AddAddress adds one Address entry (raw is as the config wrote it).
	AddAddress(j *Journal, real string, addr netip.Prefix, raw string) error
	// SetMTUUp sets the MTU, or the platform's automatic one for dev when
	// mtu is 0, and brings the link up.
	SetMTUUp(j *Journal, real string, mtu int, dev *config.Device) error
	// SetDNS makes servers and search the system's resolvers.
	SetDNS(j *Journal, name, real string, servers, search []string) error
	// DNSAfterRoutes tells whether DNS is set after the routes (macOS) or
	// before them (the others).
	DNSAfterRoutes() bool
	// AddRoutes routes the allowed IPs through the interface as t says,
	// given longest prefix first; the platform decides what a /0 becomes
	// and adds what it needs besides (endpoint routes, policy rules).
	AddRoutes(ctx context.Context, j *Journal, real string, t Table, prefixes []netip.Prefix, dev *config.Device) error
	// Started runs once everything is up, before PostUp (macOS and the
	// BSDs start their route monitor here).
	Started(j *Journal, name, real string, q *config.QuickConfig) error
	// Teardown removes the interface and undoes what the journal records,
	// in the platform's order, for `down` or after a failed `up`.
	Teardown(j *Journal, name, real string, q *config.QuickConfig, why Reason) error
	// SaveLines gives what `save` writes for the running interface:
	// its Address values, DNS values and MTU ("" for none).
	SaveLines(j *Journal, real string, q *config.QuickConfig) (addresses, dns []string, mtu string, err error)
}

// Reason says why a Platform's Teardown runs.
type Reason int

const (
	// ForDown is `wg-quick down`.
	ForDown Reason = iota
	// ForRollback undoes a failed or interrupted `up` of this process.
	ForRollback
	// ForLeftovers undoes what an `up` whose tunnel has died left behind,
	// before a new `up` (like a rollback, but what `down` leaves stays).
	ForLeftovers
)

// Table is the Table key read by a Platform: auto (the default), off, or
// a table.
type Table struct {
	Auto, Off bool
	ID        int
	// Name is the table as given, when it was a name.
	Name string
}

// Same reports whether t and o are the same table (a name and its number
// are).
func (t Table) Same(o Table) bool { return t.Auto == o.Auto && t.Off == o.Off && t.ID == o.ID }

// RefuseTableChange is the refusal of a platform whose routes depend on
// the table up used (old, nil when not recorded) when a reload asks for
// another one.
func RefuseTableChange(old *Table, t Table, real string) error {
	if old == nil || old.Same(t) {
		return nil
	}
	return fmt.Errorf("cannot change Table of `%s' while it runs (its routes depend on it); take it down and up instead", real)
}

// Devices configures and reads WireGuard devices.
type Devices interface {
	Configure(name string, cfg *config.Config) error
	Device(name string) (*config.Device, error)
}

// Env is what one run of the engine uses.
type Env struct {
	Platform Platform
	Devices  Devices
	// States records what `up` applied; nil keeps nothing.
	States StateStore
	// RunHook runs a hook command (with %i and %I already replaced).
	RunHook func(ctx context.Context, cmd string) error
	// Log receives the [#], [+] and [!] lines.
	Log io.Writer
	// ConfigFile is the config file of this run, recorded in the state.
	ConfigFile string
	// WriteConfig replaces the config file for save; nil is WriteAtomic.
	WriteConfig func(file string, data []byte) error
}

func (e *Env) logf(format string, args ...any) { fmt.Fprintf(e.Log, format+"\n", args...) }

// hooks runs hook commands in order, %i being the real interface and %I
// the config's name, as upstream's darwin.bash expands them.
func (e *Env) hooks(ctx context.Context, name, real string, cmds []string) error {
	for _, c := range cmds {
		if err := ctx.Err(); err != nil {
			return interrupted(ctx)
		}
		c = strings.ReplaceAll(strings.ReplaceAll(c, "%i", real), "%I", name)
		e.logf("[#] %s", c)
		if err := e.RunHook(ctx, c); err != nil {
			if ctx.Err() != nil {
				return interrupted(ctx)
			}
			return fmt.Errorf("hook `%s' failed: %w", c, err)
		}
	}
	return nil
}

func interrupted(ctx context.Context) error {
	if c := context.Cause(ctx); c != nil && c != context.Canceled {
		return c
	}
	return fmt.Errorf("interrupted")
}

// Interrupted is the error of a ctx that ended, for platforms' long steps.
func Interrupted(ctx context.Context) error { return interrupted(ctx) }
