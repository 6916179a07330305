package doctor

import (
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/ipset"
)

// Probe is what the checks read from the system. Each answer is a fact;
// an error means the fact could not be read (the check then says so).
type Probe interface {
	// KernelModule reports whether the kernel has WireGuard.
	KernelModule() bool
	// TUN is nil when a TUN device can be made (/dev/net/tun opens).
	TUN() error
	// CapNetAdmin reports whether this process may change the network.
	CapNetAdmin() bool
	// IPv6Disabled reports whether IPv6 is turned off (disable_ipv6).
	IPv6Disabled() bool
	// SysctlWritable reports whether /proc/sys can be written;
	// SrcValidMark is net.ipv4.conf.all.src_valid_mark's value.
	SysctlWritable() bool
	SrcValidMark() bool
	// DNSBackend is the DNS backend up would use, and why.
	DNSBackend() (name, why string)
	// Firewall says whether nf_tables works and how many iptables-legacy
	// rules are loaded.
	Firewall() (nftables bool, legacyRules int)
	// Routes are the routes of the main table, and the interface of each.
	Routes() ([]Route, error)
	// WireGuardAllowed are the allowed IPs of the WireGuard interfaces
	// there are, by interface (every interface has an entry).
	WireGuardAllowed() (map[string][]netip.Prefix, error)
	// Resolve looks a host name up.
	Resolve(host string) ([]netip.Addr, error)
	// PathMTU is the largest packet that reaches ap unfragmented, probed
	// with packets of want bytes.
	PathMTU(ap netip.AddrPort, want int) (int, error)
	// UDPPortUser is who holds the UDP port ("" when nobody does).
	UDPPortUser(port uint16) string
	// FileMode is the mode of a file.
	FileMode(path string) (fs.FileMode, error)
}

// Route is a route of the main table.
type Route struct {
	Dst       netip.Prefix
	Interface string
}

// ChecksFor are the checks that apply on the system goos: all of them
// on Linux; elsewhere those about the config, privileges, endpoints and
// the listen port (the others read what only Linux has: modules, /proc,
// nf_tables, its routing).
func ChecksFor(goos string) []Check {
	if goos == "linux" {
		return Checks
	}
	return pick(Checks, "interface-name", "config-file", "privileges", "endpoints", "listen-port")
}

// pick are those of checks named, in checks' order.
func pick(checks []Check, names ...string) []Check {
	var out []Check
	for _, c := range checks {
		if slices.Contains(names, c.Name) {
			out = append(out, c)
		}
	}
	return out
}

// HostChecks are those of checks that look at the host alone (doctor
// without a config).
func HostChecks(checks []Check) []Check {
	return pick(checks, "tunnel", "privileges", "dns", "firewall")
}

// Checks are every check, in the order doctor prints them.
var Checks = []Check{
	{"interface-name", checkName},
	{"config-file", checkFile},
	{"tunnel", checkTunnel},
	{"privileges", checkPrivileges},
	{"ipv6", checkIPv6},
	{"sysctl", checkSysctl},
	{"dns", checkDNS},
	{"firewall", checkFirewall},
	{"leak", checkLeak},
	{"overlap", checkOverlap},
	{"endpoints", checkEndpoints},
	{"mtu", checkMTU},
	{"listen-port", checkListenPort},
}

// NameProblem says what is wrong with an interface name ("" when
// nothing): the interface-name check's message, and the hint wg-quick
// gives when it refuses a config file's name.
func NameProblem(name string) string {
	switch {
	case len(name) > config.InterfaceNameMax:
		return fmt.Sprintf("`%s' has %d characters; interface names have at most %d", name, len(name), config.InterfaceNameMax)
	case !config.ValidInterfaceName(name):
		return fmt.Sprintf("`%s' is not an interface name: use 1 to %d letters, digits and _=+.-", name, config.InterfaceNameMax)
	}
	return ""
}

func checkName(e *Env) Finding {
	if p := NameProblem(e.Name); p != "" {
		return fail(fmt.Sprintf("rename the file: at most %d letters, digits and _=+.- before .conf", config.InterfaceNameMax),
			"%s (wg-quick reads a longer operand as a path)", p)
	}
	return ok("`%s' is a valid interface name", e.Name)
}

func checkFile(e *Env) Finding {
	if e.Path == "" {
		return ok("no config file (the interface alone is checked)")
	}
	mode, err := e.Probe.FileMode(e.Path)
	if err != nil {
		return fail("check the path", "%s: %v", e.Path, err)
	}
	if mode.Perm()&0o077 != 0 {
		return warn("chmod 600 "+e.Path, "%s is readable by others (mode %04o) and holds a private key", e.Path, mode.Perm())
	}
	return ok("%s is readable by its owner only", e.Path)
}

func checkTunnel(e *Env) Finding {
	if e.Probe.KernelModule() {
		return ok("the kernel has WireGuard")
	}
	if err := e.Probe.TUN(); err != nil {
		return fail("load the module (modprobe wireguard), or give the container /dev/net/tun (docker run --device /dev/net/tun --cap-add NET_ADMIN; on a host: mkdir -p /dev/net && mknod /dev/net/tun c 10 200)",
			"no WireGuard in the kernel, and no TUN device for the embedded tunnel: %v", err)
	}
	return ok("no WireGuard in the kernel; the embedded tunnel will run on a TUN device")
}

func checkPrivileges(e *Env) Finding {
	if !e.Probe.CapNetAdmin() {
		return fail("run as root (wg-quick asks sudo), or grant CAP_NET_ADMIN", "this process may not change the network (no CAP_NET_ADMIN, not root)")
	}
	return ok("allowed to change the network")
}

// families reports which families the config's addresses and allowed IPs
// use.
func families(e *Env) (v4, v6 bool) {
	for _, a := range e.Quick.Addresses {
		if p, err := config.ParseAddress(a); err == nil {
			v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
		}
	}
	for _, p := range allowed(e) {
		v4, v6 = v4 || p.Addr().Is4(), v6 || p.Addr().Is6()
	}
	return v4, v6
}

// allowed are every peer's allowed IPs.
func allowed(e *Env) []netip.Prefix {
	var out []netip.Prefix
	if e.WG == nil {
		return nil
	}
	for _, p := range e.WG.Peers {
		for _, a := range p.AllowedIPs {
			if !a.Remove {
				out = append(out, a.Prefix.Masked())
			}
		}
	}
	return out
}

func checkIPv6(e *Env) Finding {
	_, v6 := families(e)
	if !v6 {
		return ok("the config has no IPv6")
	}
	if e.Probe.IPv6Disabled() {
		return fail("enable IPv6 (sysctl -w net.ipv6.conf.all.disable_ipv6=0), or take the IPv6 addresses and allowed IPs out of the config",
			"the config has IPv6 but IPv6 is disabled here (up fails with `Permission denied')")
	}
	return ok("IPv6 is enabled")
}

// fullTunnel reports which families a default route of the config covers.
func fullTunnel(e *Env) (v4, v6 bool) { return ipset.Defaults(allowed(e)) }

func checkSysctl(e *Env) Finding {
	v4, _ := fullTunnel(e)
	if !v4 || e.Quick.Table == "off" {
		return ok("up sets no sysctl for this config")
	}
	if e.Probe.SrcValidMark() {
		return ok("net.ipv4.conf.all.src_valid_mark is already 1")
	}
	if !e.Probe.SysctlWritable() {
		return fail("set net.ipv4.conf.all.src_valid_mark=1 from outside (docker run --sysctl net.ipv4.conf.all.src_valid_mark=1)",
			"a full IPv4 tunnel needs net.ipv4.conf.all.src_valid_mark=1, and /proc/sys is read-only here")
	}
	return ok("/proc/sys is writable (up sets src_valid_mark)")
}

func checkDNS(e *Env) Finding {
	name, why := e.Probe.DNSBackend()
	how := "DNS through " + name
	if name == "direct" {
		how = "DNS written to /etc/resolv.conf directly"
	}
	switch {
	case e.Path == "":
		return ok("%s (%s)", how, why)
	case len(e.Quick.DNS) == 0:
		return ok("the config sets no DNS (%s: %s)", how, why)
	case name == "unsupported":
		return fail("set DNS in a PostUp hook, or remove DNS", "%s", why)
	}
	return ok("%s (%s)", how, why)
}

func checkFirewall(e *Env) Finding {
	nft, legacy := e.Probe.Firewall()
	switch {
	case !nft:
		return ok("no nf_tables; up uses iptables-restore")
	case legacy > 0:
		return warn("write PostUp rules with nft or iptables-nft, or move the legacy rules over (iptables-legacy-save | iptables-nft-restore)",
			"nf_tables works, and %d iptables-legacy rules are loaded too: rules written for one do not see the other's", legacy)
	}
	return ok("nf_tables works; no iptables-legacy rules")
}

func checkLeak(e *Env) Finding {
	v4, v6 := fullTunnel(e)
	if v4 == v6 {
		return ok("the config's default routes leave no family out")
	}
	fam, prefix := "IPv6", "::/0"
	if v6 {
		fam, prefix = "IPv4", "0.0.0.0/0"
	}
	routes, err := e.Probe.Routes()
	if err != nil {
		return warn("check the routes", "the routes could not be read: %v", err)
	}
	for _, r := range routes {
		if r.Dst.Bits() == 0 && r.Dst.Addr().Is4() == v6 {
			return warn("add "+prefix+" to AllowedIPs, or set KillSwitch = true",
				"a full tunnel of one family: %s still leaves through %s", fam, r.Interface)
		}
	}
	return ok("a full tunnel of one family; the host has no %s default route", fam)
}

func checkOverlap(e *Env) Finding {
	var found []string
	others, err := e.Probe.WireGuardAllowed()
	if err == nil {
		for dev, prefixes := range others {
			if dev == e.Name {
				continue
			}
			for _, p := range allowed(e) {
				for _, o := range prefixes {
					if p.Overlaps(o) && p.Bits() > 0 && o.Bits() > 0 {
						found = append(found, fmt.Sprintf("%s with %s's %s", p, dev, o))
					}
				}
			}
		}
	}
	routes, rerr := e.Probe.Routes()
	if rerr == nil {
		for _, p := range allowed(e) {
			for _, r := range routes {
				if p.Bits() > 0 && r.Dst.Bits() > 0 && r.Interface != e.Name && p.Overlaps(r.Dst) && p.Bits() <= r.Dst.Bits() {
					found = append(found, fmt.Sprintf("%s with the route to %s on %s", p, r.Dst, r.Interface))
				}
			}
		}
	}
	if len(found) > 0 {
		return warn("narrow AllowedIPs, or exclude the LAN (ExcludedIPs, AllowLAN)", "allowed IPs overlap: %s", strings.Join(found, "; "))
	}
	return ok("no allowed IP overlaps another tunnel or a route")
}

func checkEndpoints(e *Env) Finding {
	var bad []string
	for _, ep := range e.Endpoints {
		if ep.Addr.IsValid() {
			continue
		}
		if _, err := e.Probe.Resolve(ep.Host); err != nil {
			bad = append(bad, fmt.Sprintf("%s (%v)", ep.Host, err))
		}
	}
	if len(bad) > 0 {
		return fail("check the names and this host's DNS", "endpoints that do not resolve: %s", strings.Join(bad, ", "))
	}
	switch len(e.Endpoints) {
	case 0:
		return ok("no endpoints")
	case 1:
		return ok("1 endpoint, its name resolves")
	}
	return ok("%d endpoints, every name resolves", len(e.Endpoints))
}

// overhead is what WireGuard adds to a packet sent to a: the outer IP
// and UDP headers and its own 32 bytes.
func overhead(a netip.Addr) int {
	if a.Is4() || a.Is4In6() {
		return 20 + 8 + 32
	}
	return 40 + 8 + 32
}

func checkMTU(e *Env) Finding {
	if e.Quick.MTU == "" {
		return ok("automatic MTU (the route's MTU minus 80)")
	}
	var mtu int
	fmt.Sscan(e.Quick.MTU, &mtu)
	var low []string
	best := mtu
	for _, ep := range e.Endpoints {
		addrs := []netip.Addr{ep.Addr}
		if !ep.Addr.IsValid() {
			addrs, _ = e.Probe.Resolve(ep.Host)
		}
		for _, a := range addrs {
			need := mtu + overhead(a)
			path, err := e.Probe.PathMTU(netip.AddrPortFrom(a, ep.Port), need)
			if err == nil && path < need {
				low = append(low, fmt.Sprintf("%s: %d, needs %d", a, path, need))
				best = min(best, path-overhead(a))
			}
		}
	}
	if len(low) > 0 {
		return warn(fmt.Sprintf("set MTU = %d (or less)", best),
			"MTU %d is too large for the path to %s: large packets will stall", mtu, strings.Join(low, "; "))
	}
	return ok("MTU %d fits the path to every endpoint", mtu)
}

func checkListenPort(e *Env) Finding {
	if e.WG == nil || e.WG.ListenPort == nil || *e.WG.ListenPort == 0 {
		return ok("no fixed listen port")
	}
	port := uint16(*e.WG.ListenPort)
	if up, err := e.Probe.WireGuardAllowed(); err == nil {
		if _, running := up[e.Name]; running {
			return ok("%s is up: UDP port %d is its own", e.Name, port)
		}
	}
	if who := e.Probe.UDPPortUser(port); who != "" {
		return fail("stop it, or choose another ListenPort", "UDP port %d is taken by %s (up fails with `Address already in use')", port, who)
	}
	return ok("UDP port %d is free", port)
}
