// Package linux is wg-quick's Linux platform, as upstream's linux.bash: a
// kernel WireGuard link (else a userspace implementation), addresses, MTU,
// routes with the fwmark policy routing of a default route (rules,
// src_valid_mark, the wg-quick-IF firewall tables), DNS through a
// backend. It decides and logs; Sys, Firewall and DNS make the changes
// (netlink, nftables and the DNS backends in the real program).
package linux

import (
	"fmt"
	"io"
	"net/netip"
	"strconv"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/quick"
)

// Sys is what the platform changes on the host: links, addresses, routes,
// policy rules and sysctls (netcfg.Linux).
type Sys interface {
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
	// ExcludedIPs and AllowLAN (ours): a rule to main per prefix kept out
	// of a policy-routed tunnel, and the networks of the other links.
	AddExcludeRule(p netip.Prefix) error
	DelExcludeRule(p netip.Prefix) error
	LANPrefixes(except string) ([]netip.Prefix, []string, error)
	DelDefaultRules(n int, v6 bool) error
	// SetSysctl sets a sysctl when it differs and returns the old value
	// ("" when unchanged).
	SetSysctl(name, value string) (old string, err error)
	DeleteLink(ifname string) error
	IsWireGuard(ifname string) bool

	// For reload: an address or a route that goes, and the routes of one
	// family through ifname in a table (0 = main), those added apart
	// from the kernel's own for the addresses.
	DelAddress(ifname string, addr netip.Prefix) error
	DelRoute(ifname string, p netip.Prefix, table int) error
	RoutesIn(ifname string, table int, v6 bool) (added, kernel []netip.Prefix, err error)
}

// Firewall installs and removes the wg-quick-IF tables a default route
// through the tunnel needs.
type Firewall interface {
	AddDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error
	Remove(ifname string) error
	// For reload: one family's table goes, or is made anew at once.
	RemoveFamily(ifname string, v6 bool) error
	ReplaceDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error
	// The kill switch (our extension): installed or replaced at once,
	// and removed (reporting whether there was one).
	AddKillSwitch(ifname string, k firewall.KillSwitch) error
	RemoveKillSwitch(ifname string) (bool, error)
}

// DNS sets and unsets the interface's name servers through a backend it
// picks; the backend's name is recorded so that a later `down` undoes it
// the same way.
type DNS interface {
	Set(ifname string, servers, search []string) (backend string, err error)
	Unset(ifname, backend string) error
	Servers(ifname, backend string) ([]string, error)
	// SetWith sets them again through the backend recorded (reload).
	SetWith(ifname, backend string, servers, search []string) error
}

// Platform is Linux's quick.Platform.
type Platform struct {
	Sys      Sys
	Devices  quick.Devices
	Firewall Firewall
	DNS      DNS
	// Userspace starts a userspace implementation for the interface when
	// the kernel has no WireGuard; UserspaceName is logged as the command.
	Userspace     func(name string) error
	UserspaceName string
	// UserspaceGone, when set, waits for a userspace implementation to
	// end after its link was deleted and removes what it left.
	UserspaceGone func(name string)
	// KernelModule reports whether the kernel has WireGuard loaded.
	KernelModule bool
	// TableID resolves a routing table name (rt_tables).
	TableID func(name string) (int, bool)
	// Log receives the [#] and [!] lines.
	Log io.Writer
	// Netns names the network namespace the interface was moved into
	// (`up --netns`); there a default route is a plain route of its main
	// table: the namespace has no other way out, so no policy routing.
	Netns string
}

var _ quick.Platform = (*Platform)(nil)

// The kinds of change the platform records.
const (
	changeUserspace = "userspace"      // true: the link is a userspace tunnel
	changeTable     = "table"          // the table and fwmark of the policy rules
	changeSysctl    = "src_valid_mark" // its value before up set it
	changeFirewall  = "firewall"       // true once wg-quick-IF tables may exist
	changeDNS       = "dns"            // the DNS backend used
	changeInstalled = "installed"      // what reload compares with (reload.go)
	changeKill      = "killswitch"     // true once the kill switch may be in place
	changeExclude   = "exclude_rules"  // the prefixes given a rule to main
)

// firstTable is where wg-quick starts looking for a free table (and fwmark)
// for default routes.
const firstTable = 51820

const srcValidMark = "net.ipv4.conf.all.src_valid_mark"

func (p *Platform) logf(format string, args ...any) { fmt.Fprintf(p.Log, format+"\n", args...) }

// Interface: on Linux the interface is the link NAME.
func (p *Platform) Interface(name string) (string, bool, bool) {
	if !p.Sys.LinkExists(name) {
		return "", false, false
	}
	return name, true, p.Sys.IsWireGuard(name)
}

// Found: on Linux the interface is NAME, which upstream does not say.
func (p *Platform) Found(string, string) {}

// ParseTable reads Table: auto, off, a number, or a name from rt_tables.
func (p *Platform) ParseTable(s string) (quick.Table, error) {
	switch {
	case s == "" || s == "auto":
		return quick.Table{Auto: true}, nil
	case s == "off":
		return quick.Table{Off: true}, nil
	}
	if v, err := strconv.ParseUint(s, 10, 32); err == nil && v > 0 {
		return quick.Table{ID: int(v)}, nil
	}
	if p.TableID != nil {
		if id, ok := p.TableID(s); ok {
			return quick.Table{ID: id, Name: s}, nil
		}
	}
	return quick.Table{}, fmt.Errorf("table `%s': no such routing table (hint: a number, `auto', `off', or a name from /etc/iproute2/rt_tables)", config.Excerpt(s))
}

// AddInterface is add_if: a kernel WireGuard link, else the userspace
// implementation.
func (p *Platform) AddInterface(j *quick.Journal, name string) (string, error) {
	if err := p.Sys.AddWireGuardLink(name); err != nil {
		if p.KernelModule {
			return "", fmt.Errorf("ip link add dev %s type wireguard: %w", name, err)
		}
		p.logf("[!] Missing WireGuard kernel module. Falling back to slow userspace implementation.")
		p.logf("[#] %s %s", p.UserspaceName, name)
		if err := p.Userspace(name); err != nil {
			return "", err
		}
		if err := j.Set(changeUserspace, true); err != nil {
			p.Sys.DeleteLink(name)
			return "", err
		}
	}
	return name, nil
}

// AddAddress is add_addr.
func (p *Platform) AddAddress(j *quick.Journal, real string, addr netip.Prefix, raw string) error {
	if err := p.Sys.AddAddress(real, addr, raw); err != nil {
		return err
	}
	return updateInstalled(j, func(in *installed) { in.Addresses = append(in.Addresses, addr) })
}

// SetMTUUp is set_mtu_up: the given MTU, or the smallest on the way to any
// endpoint, else the default route's, else 1500, minus 80.
func (p *Platform) SetMTUUp(_ *quick.Journal, real string, mtu int, dev *config.Device) error {
	if mtu == 0 {
		mtu = p.autoMTU(dev)
	}
	return p.Sys.SetMTUUp(real, mtu)
}

func (p *Platform) autoMTU(d *config.Device) int {
	best := 0
	for _, peer := range d.Peers {
		if !peer.Endpoint.IsValid() {
			continue
		}
		if m, ok := p.Sys.RouteMTU(peer.Endpoint.Addr().Unmap()); ok && (best == 0 || m < best) {
			best = m
		}
	}
	if best == 0 {
		if m, ok := p.Sys.DefaultRouteMTU(); ok {
			best = m
		}
	}
	if best == 0 {
		best = 1500
	}
	return best - 80
}

// SetDNS is set_dns, through the backend DNS picks.
func (p *Platform) SetDNS(j *quick.Journal, _, real string, servers, search []string) error {
	backend, err := p.DNS.Set(real, servers, search)
	if backend != "" {
		if serr := j.Set(changeDNS, backend); serr != nil && err == nil {
			err = serr
		}
	}
	return err
}

// DNSAfterRoutes: Linux sets DNS before the routes.
func (p *Platform) DNSAfterRoutes() bool { return false }

// Started: Linux has nothing running beside the tunnel.
func (p *Platform) Started(*quick.Journal, string, string, *config.QuickConfig) error { return nil }

// SaveLines reads the addresses (`ip -all -brief address show dev`), the
// DNS servers of the backend, and the MTU when the config gave one.
func (p *Platform) SaveLines(j *quick.Journal, real string, q *config.QuickConfig) (addresses, dns []string, mtu string, err error) {
	prefixes, err := p.Sys.Prefixes(real)
	if err != nil {
		return nil, nil, "", err
	}
	for _, pr := range prefixes {
		addresses = append(addresses, string(config.AppendPrefix(nil, pr)))
	}
	var backend string
	j.Get(changeDNS, &backend)
	if p.DNS != nil && (backend != "" || len(q.DNS) > 0) {
		dns, _ = p.DNS.Servers(real, backend)
	}
	if q.MTU != "" {
		if m, err := p.Sys.LinkMTU(real); err == nil {
			mtu = strconv.Itoa(m)
		}
	}
	return addresses, dns, mtu, nil
}
