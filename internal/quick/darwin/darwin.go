// Package darwin is wg-quick's macOS platform, as upstream's darwin.bash:
// the embedded tunnel on a utun (its name found through
// /var/run/wireguard/NAME.name), addresses, MTU and up, routes through the
// utun (a /0 as two /1s) with host routes to the endpoints through the
// default gateway, DNS on every network service, and a route monitor that
// keeps the endpoint routes, MTU and DNS right and cleans up when the
// interface goes. It decides and logs upstream's `[#]` lines; Sys makes
// each change natively (sys_darwin.go), or on a simulated machine in tests
// (internal/xplan), where each change is recorded as the command upstream
// would have run.
package darwin

import (
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsdroute"
	"github.com/wgtools/wgtools/internal/quick/pf"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// Sys is what the platform asks of and changes on the system. Each change
// is one command of upstream's script (named in the comment), done
// natively.
type Sys interface {
	// Tunnel finds the utun of NAME as get_real_interface does: the name
	// file names it and its UAPI socket exists, made within 2 s of it.
	Tunnel(name string) (real string, ok bool)
	// StartTunnel starts the embedded tunnel on a new utun and records
	// its name in NAME's name file (`wireguard-go utun`).
	StartTunnel(name string) error
	// StopTunnel removes the utun's socket, which ends the tunnel, and
	// NAME's name file (`rm -f …/utunN.sock`, `rm -f …/NAME.name`).
	StopTunnel(name, real string) error
	// IsWireGuard reports whether real is a running WireGuard interface.
	IsWireGuard(real string) bool

	// InterfaceExists is `ifconfig IF` succeeding.
	InterfaceExists(ifname string) bool
	// InterfaceMTU is the `mtu N` of `ifconfig IF`.
	InterfaceMTU(ifname string) (int, bool)
	// InterfaceAddresses are the addresses of IF in `ifconfig IF` order.
	InterfaceAddresses(ifname string) []netip.Prefix
	// AddAddress is `ifconfig IF inet RAW ADDR alias` (a point-to-point
	// address to itself) or `ifconfig IF inet6 RAW alias`.
	AddAddress(ifname string, addr netip.Prefix, raw string) error
	// DeleteAddress is `ifconfig IF inet ADDR -alias` or `ifconfig IF
	// inet6 ADDR -alias` (the kernel's routes of the address go with it).
	DeleteAddress(ifname string, addr netip.Prefix) error
	// SetMTU is `ifconfig IF mtu N`.
	SetMTU(ifname string, mtu int) error
	// SetUp is `ifconfig IF up`.
	SetUp(ifname string) error

	// DefaultRoute is the default route of a family: its gateway (invalid
	// for a link#N one) and interface.
	DefaultRoute(v6 bool) (gateway netip.Addr, ifname string, ok bool)
	// RouteInterface is the interface of the route `route -n get P`
	// finds for the prefix.
	RouteInterface(p netip.Prefix) (string, bool)
	// RoutesThrough lists the routes of a family through ifname.
	RoutesThrough(ifname string, v6 bool) []netip.Prefix
	// AddRoute is `route -q -n add -inet[6] P -interface IF`, `… -gateway
	// G`, or `… 127.0.0.1|::1 -blackhole`.
	AddRoute(p netip.Prefix, via Via) error
	// DeleteRoute is `route -q -n delete -inet[6] P`.
	DeleteRoute(p netip.Prefix) error

	// Services are the network services, in `networksetup
	// -listallnetworkservices` order (disabled ones too, without their *).
	Services() ([]string, error)
	// DNSServers and SearchDomains are `networksetup -getdnsservers S`
	// and `-getsearchdomains S`; none is an empty list.
	DNSServers(service string) ([]string, error)
	SearchDomains(service string) ([]string, error)
	// SetDNSServers and SetSearchDomains are `networksetup -setdnsservers
	// S …` and `-setsearchdomains S …`; none is `Empty`.
	SetDNSServers(service string, servers []string) error
	SetSearchDomains(service string, domains []string) error

	// StartMonitor starts the route monitor of NAME in the background
	// and returns its process id.
	StartMonitor(name string) (pid int, err error)
	// MonitorRunning reports whether that monitor still runs.
	MonitorRunning(pid int) bool

	// Ctl is pfctl, for the kill switch.
	pf.Ctl
}

// Via is where a route goes: an interface, a gateway, or nowhere (macOS
// has one table, and names interfaces by name).
type Via = bsdroute.Via

// Platform is macOS's quick.Platform.
type Platform struct {
	Sys     Sys
	Devices quick.Devices
	// UserspaceName is logged as the command that makes the utun
	// ($WG_QUICK_USERSPACE_IMPLEMENTATION, or wireguard-go).
	UserspaceName string
	// Log receives the [#], [+] and [!] lines.
	Log io.Writer

	kill pf.Kill
}

var _ quick.Platform = (*Platform)(nil)

// changeDarwin is the kind of the platform's one record.
const changeDarwin = "darwin"

// Record is what up did beyond the tunnel, shared with the route monitor
// (which keeps it current in its own state) so that whoever cleans up
// knows it: upstream's AUTO_ROUTE4/6, ENDPOINTS, GATEWAY4/6, SERVICE_DNS
// and SERVICE_DNS_SEARCH, the config's MTU and DNS, and the monitor.
type Record struct {
	Real string `json:"real"`
	bsdroute.EndpointRoutes
	Services   []Service `json:"services,omitempty"`
	DNSSet     bool      `json:"dns_set,omitempty"`
	MTU        string    `json:"mtu,omitempty"`
	DNS        []string  `json:"dns,omitempty"`
	Search     []string  `json:"search,omitempty"`
	MonitorPID int       `json:"monitor_pid,omitempty"`
	// Table is the Table up routed by (absent in an older version's
	// record), which a reload cannot change.
	Table *quick.Table `json:"table,omitempty"`
}

// Service is a network service's DNS before the tunnel changed it.
type Service struct {
	Name    string   `json:"name"`
	Servers []string `json:"servers"`
	Search  []string `json:"search"`
}

func (p *Platform) logf(format string, args ...any) { fmt.Fprintf(p.Log, format+"\n", args...) }

// record is the platform's record in j (a new one when there is none).
func record(j *quick.Journal) *Record {
	r := &Record{}
	j.Get(changeDarwin, r)
	return r
}

func save(j *quick.Journal, r *Record) error { return j.Set(changeDarwin, r) }

// Interface finds NAME's utun through its name file.
func (p *Platform) Interface(name string) (string, bool, bool) {
	real, ok := p.Sys.Tunnel(name)
	if !ok {
		return "", false, false
	}
	return real, true, p.Sys.IsWireGuard(real)
}

// Found says which utun NAME is, as get_real_interface does.
func (p *Platform) Found(name, real string) {
	p.logf("[+] Interface for %s is %s", name, real)
}

// ParseTable: macOS has one routing table; Table can be auto, main or off.
func (p *Platform) ParseTable(s string) (quick.Table, error) {
	switch s {
	case "", "auto":
		return quick.Table{Auto: true}, nil
	case "off":
		return quick.Table{Off: true}, nil
	case "main":
		return quick.Table{Name: "main"}, nil
	}
	return quick.Table{}, upstreamError("Darwin only supports TABLE=auto|main|off (not `" + config.Excerpt(s) + "')")
}

// AddInterface is add_if: the embedded tunnel on a new utun, whose name
// comes back through NAME's name file.
func (p *Platform) AddInterface(j *quick.Journal, name string) (string, error) {
	p.logf("[#] %s utun", p.UserspaceName)
	if err := p.Sys.StartTunnel(name); err != nil {
		return "", err
	}
	real, ok := p.Sys.Tunnel(name)
	if !ok {
		p.Sys.StopTunnel(name, "")
		return "", fmt.Errorf("the tunnel for %s started, but %s names no live utun", name, wgctl.NameFile(name))
	}
	p.Found(name, real)
	return real, save(j, &Record{Real: real})
}

// AddAddress is add_addr.
func (p *Platform) AddAddress(_ *quick.Journal, real string, addr netip.Prefix, raw string) error {
	if addr.Addr().Is4() {
		p.logf("[#] ifconfig %s inet %s %s alias", real, raw, strings.SplitN(raw, "/", 2)[0])
	} else {
		p.logf("[#] ifconfig %s inet6 %s alias", real, raw)
	}
	return p.Sys.AddAddress(real, addr, raw)
}

// SetMTUUp is set_mtu and up_if: the given MTU, or the default route's
// interface's MTU − 80 (1500 − 80 without one) when it differs from the
// utun's; then up.
func (p *Platform) SetMTUUp(_ *quick.Journal, real string, mtu int, _ *config.Device) error {
	if mtu != 0 {
		p.logf("[#] ifconfig %s mtu %d", real, mtu)
		if err := p.Sys.SetMTU(real, mtu); err != nil {
			return err
		}
	} else if err := p.autoMTU(real); err != nil {
		return err
	}
	p.logf("[#] ifconfig %s up", real)
	return p.Sys.SetUp(real)
}

// autoMTU is set_mtu without an MTU. Upstream reads the default route's
// interface from netstat's sixth field, which macOS 11.3 and later leave
// empty, so it always took 1500; this reads the route itself.
func (p *Platform) autoMTU(real string) error {
	mtu := 0
	if _, ifname, ok := p.Sys.DefaultRoute(false); ok && ifname != "" {
		mtu, _ = p.Sys.InterfaceMTU(ifname)
	}
	if mtu <= 0 {
		mtu = 1500
	}
	mtu -= 80
	if current, ok := p.Sys.InterfaceMTU(real); ok && current == mtu {
		return nil
	}
	p.logf("[#] ifconfig %s mtu %d", real, mtu)
	return p.Sys.SetMTU(real, mtu)
}

// DNSAfterRoutes: macOS sets DNS after the routes and endpoint routes.
func (p *Platform) DNSAfterRoutes() bool { return true }

// SetDNS is set_dns: every network service's servers and search domains
// are saved (once), then set to the config's.
func (p *Platform) SetDNS(j *quick.Journal, _, _ string, servers, search []string) error {
	r := record(j)
	r.DNS, r.Search = servers, search
	r.Services = p.collectServices(r.Services)
	if err := save(j, r); err != nil {
		return err
	}
	p.applyDNS(r)
	r.DNSSet = true
	return save(j, r)
}

// Started is monitor_daemon: the route monitor, in the background.
func (p *Platform) Started(j *quick.Journal, name, real string, q *config.QuickConfig) error {
	r := record(j)
	r.MTU = q.MTU
	if len(r.DNS) == 0 {
		r.DNS, r.Search = q.DNS, q.DNSSearch
	}
	if err := save(j, r); err != nil {
		return err
	}
	p.logf("[+] Backgrounding route monitor")
	pid, err := p.Sys.StartMonitor(name)
	if err != nil {
		return fmt.Errorf("start the route monitor: %w", err)
	}
	r.MonitorPID = pid
	return save(j, r)
}

// SaveLines is save_config's: the utun's addresses with their lengths
// (upstream drops the lengths and saves the link-local address, which
// names this utun), the config's DNS and MTU.
func (p *Platform) SaveLines(_ *quick.Journal, real string, q *config.QuickConfig) (addresses, dns []string, mtu string, err error) {
	for _, a := range p.Sys.InterfaceAddresses(real) {
		if a.Addr().IsLinkLocalUnicast() {
			continue
		}
		addresses = append(addresses, string(config.AppendPrefix(nil, a)))
	}
	return addresses, q.DNS, q.MTU, nil
}

// StateRecord is the platform's record in a state (nil when there is none),
// for the route monitor.
func StateRecord(st *quick.State) *Record {
	r := &Record{}
	if !st.Get(changeDarwin, r) {
		return nil
	}
	return r
}

// SaveRecord records r in j, for the route monitor.
func SaveRecord(j *quick.Journal, r *Record) error { return save(j, r) }

// upstreamError is an error in upstream's words, capital letter included.
type upstreamError string

func (e upstreamError) Error() string { return string(e) }
