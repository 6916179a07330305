// Package bsd is wg-quick's FreeBSD and OpenBSD platform, as upstream's
// freebsd.bash and openbsd.bash: the kernel's WireGuard interface
// (FreeBSD: named after the config, with the embedded tunnel when the
// kernel has no if_wg; OpenBSD: the first free wgN, found again by its
// "wg-quick: NAME" description), addresses, MTU and up, DNS (FreeBSD:
// resolvconf; OpenBSD: resolvd's route proposal), routes through the
// interface (Table = N as a FIB or rtable; a /0 as two /1s with host
// routes to the endpoints), and a route monitor that keeps the endpoint
// routes right and removes them when the interface goes. It decides and
// logs upstream's `[#]` lines; Sys makes each change natively
// (sys_freebsd.go, sys_openbsd.go), or on a simulated machine in tests
// (internal/xplan).
package bsd

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsdroute"
	"github.com/wgtools/wgtools/internal/quick/pf"
)

// The systems this package is the platform of.
const (
	FreeBSD = "freebsd"
	OpenBSD = "openbsd"
)

// Sys is what the platform asks of and changes on the system. Each change
// is one command of upstream's scripts (named in the comment), done
// natively.
type Sys interface {
	bsdroute.Sys

	// CreateWG is FreeBSD's `ifconfig wg create name NAME`: a kernel
	// WireGuard interface, renamed to NAME. Its error reads as ifconfig's
	// (the kernel's missing if_wg shows there); a name already taken
	// wraps syscall.EEXIST.
	CreateWG(name string) error
	// StartUserspace is FreeBSD's fallback `wireguard-go NAME`: the
	// embedded tunnel on a tun named NAME.
	StartUserspace(name string) error
	// Userspace reports whether NAME's UAPI socket exists (a userspace
	// tunnel, which ends when the socket is removed).
	Userspace(name string) bool
	// StopUserspace is `rm -f /var/run/wireguard/NAME.sock`.
	StopUserspace(name string) error

	// Described is OpenBSD's get_real_interface: the wg interface whose
	// description is desc.
	Described(desc string) (ifname string, ok bool)
	// CreateDescribed is OpenBSD's `ifconfig wgN create description
	// DESC`; an interface of that name already there wraps
	// syscall.EEXIST.
	CreateDescribed(ifname, desc string) error
	// WireGuardInterfaces is `wg show interfaces`.
	WireGuardInterfaces() []string

	// InterfaceExists is `ifconfig IF` succeeding.
	InterfaceExists(ifname string) bool
	// Destroy is `ifconfig IF destroy`.
	Destroy(ifname string) error
	// InterfaceMTU is the `mtu N` of `ifconfig IF`.
	InterfaceMTU(ifname string) (int, bool)
	// InterfaceAddresses are the addresses of IF, IPv4 first.
	InterfaceAddresses(ifname string) []netip.Prefix
	// AddAddress is `ifconfig IF inet|inet6 ADDR/LEN alias`.
	AddAddress(ifname string, addr netip.Prefix) error
	// DeleteAddress is `ifconfig IF inet|inet6 ADDR -alias` (the
	// kernel's routes of the address, and OpenBSD's routes named by it,
	// go with it).
	DeleteAddress(ifname string, addr netip.Prefix) error
	// SetMTU is `ifconfig IF mtu N`.
	SetMTU(ifname string, mtu int) error
	// SetUp is `ifconfig IF up`.
	SetUp(ifname string) error

	// RouteInterface is the interface of the route `route -n get
	// -inet[6] P` finds for exactly that prefix.
	RouteInterface(p netip.Prefix) (string, bool)
	// LookupInterface is the interface `route -n get -inet[6] ADDR`
	// finds for an address (longest match).
	LookupInterface(a netip.Addr) (string, bool)

	// ResolvconfAdd is FreeBSD's `resolvconf -a IF -x` given text on its
	// standard input; ResolvconfDelete is `resolvconf -d IF`;
	// ResolvconfList is `resolvconf -l IF`.
	ResolvconfAdd(ifname, text string) error
	ResolvconfDelete(ifname string) error
	ResolvconfList(ifname string) (string, error)

	// Running is OpenBSD's `pgrep -qx NAME`.
	Running(process string) bool
	// RouteNameservers is OpenBSD's `route nameserver IF SERVER…`: the
	// resolvers proposed for IF to resolvd (none withdraws them).
	RouteNameservers(ifname string, servers []string) error
	// ReadFile, WriteFile, Rename and Exists are the scripts' cp, >, mv
	// and -f on /etc/resolv.conf and its backup.
	ReadFile(path string) ([]byte, error)
	WriteFile(path string, data []byte) error
	Rename(from, to string) error
	Exists(path string) bool

	// HasCommand reports whether a program is on the PATH.
	HasCommand(name string) bool

	// StartMonitor starts the route monitor of NAME in the background
	// and returns its process id.
	StartMonitor(name string) (pid int, err error)
	// MonitorRunning reports whether that monitor still runs.
	MonitorRunning(pid int) bool

	// Ctl is pfctl, for the kill switch.
	pf.Ctl
}

// Platform is FreeBSD's or OpenBSD's quick.Platform.
type Platform struct {
	// OS is FreeBSD or OpenBSD.
	OS      string
	Sys     Sys
	Devices quick.Devices
	// UserspaceName is logged as the command of FreeBSD's fallback
	// ($WG_QUICK_USERSPACE_IMPLEMENTATION, or wireguard-go).
	UserspaceName string
	// Log receives the [#], [+] and [!] lines.
	Log io.Writer

	kill pf.Kill
}

var _ quick.Platform = (*Platform)(nil)

// changeBSD is the kind of the platform's one record.
const changeBSD = "bsd"

// Record is what up did beyond the interface, shared with the route
// monitor so that whoever cleans up knows it.
type Record struct {
	Real string `json:"real"`
	// Userspace: FreeBSD's fallback tunnel runs for Real.
	Userspace bool `json:"userspace,omitempty"`
	// First4 and First6 are OpenBSD's FIRSTADDR4/6: the first address of
	// each family, which its routes name the interface by.
	First4 netip.Addr `json:"first4,omitzero"`
	First6 netip.Addr `json:"first6,omitzero"`
	bsdroute.EndpointRoutes
	// Resolvconf: FreeBSD's resolvconf has Real's servers.
	Resolvconf bool `json:"resolvconf,omitempty"`
	// Backup: OpenBSD's resolv.conf was backed up and the servers
	// proposed to resolvd.
	Backup     bool `json:"backup,omitempty"`
	MonitorPID int  `json:"monitor_pid,omitempty"`
	// Table is the Table up routed by (absent in an older version's
	// record), which a reload cannot change.
	Table *quick.Table `json:"table,omitempty"`
}

func (p *Platform) logf(format string, args ...any) { fmt.Fprintf(p.Log, format+"\n", args...) }

func (p *Platform) openBSD() bool { return p.OS == OpenBSD }

// record is the platform's record in j (a new one when there is none).
func record(j *quick.Journal) *Record {
	r := &Record{}
	j.Get(changeBSD, r)
	return r
}

func save(j *quick.Journal, r *Record) error { return j.Set(changeBSD, r) }

// StateRecord is the platform's record in a state (nil when there is none),
// for the route monitor.
func StateRecord(st *quick.State) *Record {
	r := &Record{}
	if !st.Get(changeBSD, r) {
		return nil
	}
	return r
}

// SaveRecord records r in j, for the route monitor.
func SaveRecord(j *quick.Journal, r *Record) error { return save(j, r) }

// description is how OpenBSD's wg-quick marks the interface of NAME.
func description(name string) string { return "wg-quick: " + name }

// Interface finds NAME's interface: FreeBSD's is NAME, OpenBSD's the wgN
// described as NAME's.
func (p *Platform) Interface(name string) (string, bool, bool) {
	real := name
	if p.openBSD() {
		var ok bool
		if real, ok = p.Sys.Described(description(name)); !ok {
			return "", false, false
		}
	} else if !p.Sys.InterfaceExists(name) {
		return "", false, false
	}
	for _, w := range p.Sys.WireGuardInterfaces() {
		if w == real {
			return real, true, true
		}
	}
	return real, true, false
}

// Found says nothing: neither script names the interface it found.
func (p *Platform) Found(string, string) {}

// ParseTable: auto, off, or a table number (a FIB on FreeBSD, an rtable on
// OpenBSD), checked before anything changes (upstream passes any word to
// route(8), which fails after the interface is up).
func (p *Platform) ParseTable(s string) (quick.Table, error) {
	switch s {
	case "", "auto":
		return quick.Table{Auto: true}, nil
	case "off":
		return quick.Table{Off: true}, nil
	}
	n, err := strconv.ParseUint(s, 10, 31)
	if err != nil {
		what := "a FIB"
		if p.openBSD() {
			what = "an rtable"
		}
		return quick.Table{}, fmt.Errorf("table `%s' is not auto, off or a number (%s)", config.Excerpt(s), what)
	}
	return quick.Table{ID: int(n)}, nil
}

// Check: FreeBSD's DNS needs resolvconf, which the base system does not
// have; upstream finds it missing after the interface is up (and exits
// 127 after undoing it), this before anything changes.
func (p *Platform) Check(q *config.QuickConfig) error {
	if !p.openBSD() && len(q.DNS) > 0 && !p.Sys.HasCommand("resolvconf") {
		return errors.New("DNS needs resolvconf, which is not installed (pkg install openresolv)")
	}
	return nil
}

// ConfigOnStdin: freebsd.bash pipes the config to `wg addconf IF
// /dev/stdin`.
func (p *Platform) ConfigOnStdin() bool { return !p.openBSD() }

// AddAddress is add_addr (OpenBSD's also keeps the first address of each
// family, which names the interface in its routes).
func (p *Platform) AddAddress(j *quick.Journal, real string, addr netip.Prefix, raw string) error {
	fam := "inet"
	if addr.Addr().Is6() {
		fam = "inet6"
	}
	if p.openBSD() {
		r := record(j)
		if addr.Addr().Is4() && !r.First4.IsValid() {
			r.First4 = addr.Addr()
		} else if addr.Addr().Is6() && !r.First6.IsValid() {
			r.First6 = addr.Addr()
		}
		if err := save(j, r); err != nil {
			return err
		}
	}
	p.logf("[#] ifconfig %s %s %s alias", real, fam, raw)
	return p.Sys.AddAddress(real, addr)
}

// SetMTUUp is set_mtu and up_if: the given MTU, else the largest MTU of
// the interfaces that route to the peers' endpoints − 80; without an
// endpoint, the default route's interface's (upstream's fallback reads
// only the first line of `route -n get default` and never finds it, so it
// always took 1500); then up.
func (p *Platform) SetMTUUp(_ *quick.Journal, real string, mtu int, dev *config.Device) error {
	mtu = p.mtuFor(mtu, dev, real)
	p.logf("[#] ifconfig %s mtu %d", real, mtu)
	if err := p.Sys.SetMTU(real, mtu); err != nil {
		return err
	}
	p.logf("[#] ifconfig %s up", real)
	return p.Sys.SetUp(real)
}

// mtuFor is the MTU set_mtu sets: mtu, or the automatic one when 0 (the
// routes through real itself, which a reload finds, are not counted).
func (p *Platform) mtuFor(mtu int, dev *config.Device, real string) int {
	if mtu != 0 {
		return mtu
	}
	for _, e := range bsdroute.DeviceEndpoints(dev) {
		if ifname, ok := p.Sys.LookupInterface(e); ok && ifname != real {
			if m, ok := p.Sys.InterfaceMTU(ifname); ok && m > mtu {
				mtu = m
			}
		}
	}
	if mtu == 0 {
		if _, ifname, ok := p.Sys.DefaultRoute(false); ok && ifname != "" {
			mtu, _ = p.Sys.InterfaceMTU(ifname)
		}
	}
	if mtu <= 0 {
		mtu = 1500
	}
	return mtu - 80
}

// DNSAfterRoutes: the BSDs set DNS before the routes.
func (p *Platform) DNSAfterRoutes() bool { return false }

// Started is monitor_daemon: the route monitor, in the background.
func (p *Platform) Started(j *quick.Journal, name, _ string, _ *config.QuickConfig) error {
	p.logf("[+] Backgrounding route monitor")
	pid, err := p.Sys.StartMonitor(name)
	if err != nil {
		return fmt.Errorf("start the route monitor: %w", err)
	}
	r := record(j)
	r.MonitorPID = pid
	return save(j, r)
}

// SaveLines is save_config's: the interface's addresses (with their
// lengths; upstream drops them), the DNS servers (FreeBSD: what
// resolvconf holds for the interface; OpenBSD: the config's) and the
// config's MTU.
func (p *Platform) SaveLines(_ *quick.Journal, real string, q *config.QuickConfig) (addresses, dns []string, mtu string, err error) {
	for _, a := range p.Sys.InterfaceAddresses(real) {
		if a.Addr().IsLinkLocalUnicast() {
			continue
		}
		addresses = append(addresses, string(config.AppendPrefix(nil, a)))
	}
	if p.openBSD() {
		return addresses, q.DNS, q.MTU, nil
	}
	return addresses, p.resolvconfServers(real), q.MTU, nil
}
