// Package quick is the wg-quick engine: `up` and `down` as ordered steps in
// upstream's order, with rollback. It works through interfaces; the command
// wires in netlink, wgctl and the embedded tunnel.
//
// Built so far: the link (kernel, else the embedded tunnel or
// $WG_QUICK_USERSPACE_IMPLEMENTATION), PreUp/PostUp/PreDown/PostDown hooks,
// the WireGuard configuration (addconf), addresses, MTU (fixed or automatic),
// and routes for allowed IPs (Table auto, off, a number or main). Configs that
// need what is not built yet (DNS, a /0 route with Table auto, SaveConfig,
// named tables) are refused before anything changes.
package quick

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// Host is what the engine changes on the host.
type Host interface {
	LinkExists(name string) bool
	AddWireGuardLink(name string) error
	AddAddress(ifname string, addr netip.Prefix, raw ...string) error
	SetMTUUp(ifname string, mtu int) error
	RoutedThrough(ifname string, p netip.Prefix) (bool, error)
	AddRoute(ifname string, p netip.Prefix, table int) error
	RouteMTU(a netip.Addr) (int, bool)
	DefaultRouteMTU() (int, bool)
	DeleteLink(ifname string) error
	IsWireGuard(ifname string) bool
}

// Devices configures and reads WireGuard devices.
type Devices interface {
	Configure(name string, cfg *config.Config) error
	Device(name string) (*config.Device, error)
}

// Env is what one run of the engine uses.
type Env struct {
	Host    Host
	Devices Devices
	// Userspace starts a userspace implementation for the interface when the
	// kernel has no WireGuard; its name is logged as the command run.
	Userspace     func(name string) error
	UserspaceName string
	// KernelModule reports whether the kernel has WireGuard loaded.
	KernelModule bool
	// RunHook runs a hook command (with %i already replaced).
	RunHook func(cmd string) error
	// Log receives the [#] and [!] lines.
	Log  io.Writer
	Opts *config.Options
	// Path is the config file, for file:line in errors.
	Path string
}

// Unsupported tells why a config needs parts of wg-quick not built yet, or
// "" when it can be brought up.
func Unsupported(q *config.QuickConfig, allowed []netip.Prefix) string {
	switch {
	case len(q.DNS) > 0:
		return "DNS is not built yet in this version of wgtools"
	case q.SaveConfig:
		return "SaveConfig is not built yet in this version of wgtools"
	}
	if _, _, err := table(q.Table); err != nil {
		return err.Error()
	}
	auto, _, _ := table(q.Table)
	for _, p := range allowed {
		if auto && p.Bits() == 0 {
			return "routing all traffic through the tunnel (an AllowedIPs of /0 with Table auto) is not built yet in this version of wgtools"
		}
	}
	return ""
}

// table reads the Table key: auto, off (-1), a number, or main.
func table(s string) (auto bool, n int, err error) {
	switch {
	case s == "" || strings.EqualFold(s, "auto"):
		return true, 0, nil
	case strings.EqualFold(s, "off"):
		return false, -1, nil
	case s == "main":
		return false, 254, nil
	}
	if v, err := strconv.Atoi(s); err == nil && v > 0 {
		return false, v, nil
	}
	return false, 0, fmt.Errorf("table %q: named routing tables are not built yet in this version of wgtools", s)
}

func (e *Env) logf(format string, args ...any) { fmt.Fprintf(e.Log, format+"\n", args...) }

func (e *Env) hooks(name string, cmds []string) error {
	for _, c := range cmds {
		c = strings.ReplaceAll(c, "%i", name)
		e.logf("[#] %s", c)
		if err := e.RunHook(c); err != nil {
			return fmt.Errorf("hook `%s': %w", c, err)
		}
	}
	return nil
}

// Up brings the interface up from a parsed config; on any failure
// everything done so far is undone.
func Up(e *Env, name string, q *config.QuickConfig, wg *config.Config) (err error) {
	if e.Host.LinkExists(name) {
		return fmt.Errorf("`%s' already exists", name)
	}
	if err := e.Host.AddWireGuardLink(name); err != nil {
		if e.KernelModule {
			return fmt.Errorf("ip link add dev %s type wireguard: %w", name, err)
		}
		e.logf("[!] Missing WireGuard kernel module. Falling back to slow userspace implementation.")
		e.logf("[#] %s %s", e.UserspaceName, name)
		if err := e.Userspace(name); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			if derr := e.Host.DeleteLink(name); derr != nil {
				e.logf("[!] rollback: %v", derr)
			}
		}
	}()
	if err := e.hooks(name, q.PreUp); err != nil {
		return err
	}
	e.logf("[#] wg addconf %s /dev/fd/63", name)
	if err := e.Devices.Configure(name, wg); err != nil {
		return fmt.Errorf("configure %s: %w", name, err)
	}
	for _, a := range q.Addresses {
		p, perr := parseAddress(a)
		if perr != nil {
			return perr
		}
		if err := e.Host.AddAddress(name, p, a); err != nil {
			return err
		}
	}
	dev, err := e.Devices.Device(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	mtu := 0
	if q.MTU != "" {
		if mtu, err = strconv.Atoi(q.MTU); err != nil || mtu <= 0 {
			return fmt.Errorf("MTU %q is not a number", q.MTU)
		}
	} else {
		mtu = autoMTU(e.Host, dev)
	}
	if err := e.Host.SetMTUUp(name, mtu); err != nil {
		return err
	}
	auto, tbl, _ := table(q.Table)
	if tbl >= 0 {
		for _, p := range sortedAllowedIPs(dev) {
			if auto {
				routed, err := e.Host.RoutedThrough(name, p)
				if err != nil {
					return err
				}
				if routed {
					continue
				}
				tbl = 0
			}
			if err := e.Host.AddRoute(name, p, tbl); err != nil {
				return err
			}
		}
	}
	return e.hooks(name, q.PostUp)
}

// Down takes the interface down: PreDown, the link, PostDown.
func Down(e *Env, name string, q *config.QuickConfig) error {
	if !e.Host.IsWireGuard(name) {
		return fmt.Errorf("`%s' is not a WireGuard interface", name)
	}
	if err := e.hooks(name, q.PreDown); err != nil {
		return err
	}
	if err := e.Host.DeleteLink(name); err != nil {
		return err
	}
	return e.hooks(name, q.PostDown)
}

// parseAddress reads an Address entry as ip(8) does: ip/cidr, or a bare ip
// for a host route.
func parseAddress(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, errors.New("invalid address `" + s + "'")
}

// autoMTU is wg-quick's choice: the smallest MTU on the way to any
// endpoint, else the default route's, else 1500; minus 80.
func autoMTU(h Host, d *config.Device) int {
	best := 0
	for _, p := range d.Peers {
		if !p.Endpoint.IsValid() {
			continue
		}
		if m, ok := h.RouteMTU(p.Endpoint.Addr().Unmap()); ok && (best == 0 || m < best) {
			best = m
		}
	}
	if best == 0 {
		if m, ok := h.DefaultRouteMTU(); ok {
			best = m
		}
	}
	if best == 0 {
		best = 1500
	}
	return best - 80
}

// sortedAllowedIPs orders the device's allowed IPs as `sort -nr -k 2 -t /`
// does: longest prefix first, ties in reverse text order.
func sortedAllowedIPs(d *config.Device) []netip.Prefix {
	var ps []netip.Prefix
	for _, p := range d.Peers {
		ps = append(ps, p.AllowedIPs...)
	}
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Bits() != ps[j].Bits() {
			return ps[i].Bits() > ps[j].Bits()
		}
		return ps[i].String() > ps[j].String()
	})
	return ps
}
