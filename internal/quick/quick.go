// Package quick is the wg-quick engine: `up`, `down` and `save` as ordered
// steps in upstream's order, with rollback. It works through interfaces;
// the command wires in netlink, nftables, DNS backends, wgctl and the
// embedded tunnel.
package quick

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// Host is what the engine changes on the host: links, addresses, routes,
// policy rules and sysctls.
type Host interface {
	LinkExists(name string) bool
	AddWireGuardLink(name string) error
	AddAddress(ifname string, addr netip.Prefix, raw ...string) error
	SetMTUUp(ifname string, mtu int) error
	LinkMTU(ifname string) (int, error)
	// Addresses lists one family's addresses on ifname in kernel order.
	Addresses(ifname string, v6 bool) ([]netip.Addr, error)
	// Prefixes lists every address with its length, IPv4 first.
	Prefixes(ifname string) ([]netip.Prefix, error)
	// RoutesThrough lists the main-table routes through ifname.
	RoutesThrough(ifname string, v6 bool) ([]netip.Prefix, error)
	// AddRoute adds prefix through ifname in table (0 = main); name is how
	// the log shows the table when it was given by name.
	AddRoute(ifname string, p netip.Prefix, table int, name ...string) error
	RouteMTU(a netip.Addr) (int, bool)
	DefaultRouteMTU() (int, bool)
	TableEmpty(n int, v6 bool) (bool, error)
	AddDefaultRules(n int, v6 bool) error
	DelDefaultRules(n int, v6 bool) error
	// SetSysctl sets a sysctl when it differs and returns the old value
	// ("" when unchanged).
	SetSysctl(name, value string) (old string, err error)
	DeleteLink(ifname string) error
	IsWireGuard(ifname string) bool
}

// Devices configures and reads WireGuard devices.
type Devices interface {
	Configure(name string, cfg *config.Config) error
	Device(name string) (*config.Device, error)
}

// Firewall installs and removes the wg-quick-IF tables a default route
// through the tunnel needs.
type Firewall interface {
	AddDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error
	Remove(ifname string) error
}

// DNS sets and unsets the interface's name servers through a backend it
// picks; the backend's name goes into the state so that a later `down`
// undoes it the same way.
type DNS interface {
	Set(ifname string, servers, search []string) (backend string, err error)
	Unset(ifname, backend string) error
	Servers(ifname, backend string) ([]string, error)
}

// Env is what one run of the engine uses.
type Env struct {
	Host     Host
	Devices  Devices
	Firewall Firewall
	DNS      DNS
	// States records what `up` applied; nil keeps nothing.
	States StateStore
	// Userspace starts a userspace implementation for the interface when
	// the kernel has no WireGuard; its name is logged as the command run.
	Userspace     func(name string) error
	UserspaceName string
	// UserspaceGone, when set, waits for a userspace implementation to
	// end after its link was deleted and removes what it left.
	UserspaceGone func(name string)
	// KernelModule reports whether the kernel has WireGuard loaded.
	KernelModule bool
	// RunHook runs a hook command (with %i already replaced).
	RunHook func(ctx context.Context, cmd string) error
	// TableID resolves a routing table name (rt_tables).
	TableID func(name string) (int, bool)
	// Log receives the [#] and [!] lines.
	Log io.Writer
}

func (e *Env) logf(format string, args ...any) { fmt.Fprintf(e.Log, format+"\n", args...) }

func (e *Env) hooks(ctx context.Context, name string, cmds []string) error {
	for _, c := range cmds {
		if err := ctx.Err(); err != nil {
			return interrupted(ctx)
		}
		c = strings.ReplaceAll(c, "%i", name)
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

// tableSpec is the Table key read: auto (the default), off, or a table.
type tableSpec struct {
	auto, off bool
	id        int
	name      string // as given, when it was a name
}

func parseTable(s string, lookup func(string) (int, bool)) (tableSpec, error) {
	switch {
	case s == "" || s == "auto":
		return tableSpec{auto: true}, nil
	case s == "off":
		return tableSpec{off: true}, nil
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil && v > 0 {
		return tableSpec{id: int(v)}, nil
	}
	if lookup != nil {
		if id, ok := lookup(s); ok {
			return tableSpec{id: id, name: s}, nil
		}
	}
	return tableSpec{}, fmt.Errorf("table `%s': no such routing table (hint: a number, `auto', `off', or a name from /etc/iproute2/rt_tables)", config.Excerpt(s))
}
