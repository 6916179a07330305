package linux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/quick"
)

// fake is every interface of the engine in memory. Each call appends a line
// to log; the call named in failAt fails.
type fake struct {
	log     *strings.Builder
	failAt  string
	links   map[string]bool
	kernel  bool
	fwmark  uint32
	peers   []config.DevicePeer
	tables  map[int]bool // non-empty tables
	state   *quick.State
	sysctl  string
	addrs   []netip.Prefix
	dnsSet  bool
	onEvent func(string) // called after each logged call
	routes  map[fakeRoute]bool
	kill    bool // a kill switch is in place
	port    int  // the device's listen port
	lan     []netip.Prefix
	lanDevs []string
}

type fakeRoute struct {
	p     netip.Prefix
	table int
}

func newFake() *fake {
	return &fake{log: &strings.Builder{}, links: map[string]bool{}, tables: map[int]bool{}, sysctl: "0"}
}

func (f *fake) call(format string, args ...any) error {
	line := fmt.Sprintf(format, args...)
	fmt.Fprintf(f.log, "%s\n", line)
	if f.onEvent != nil {
		f.onEvent(line)
	}
	if f.failAt != "" && strings.HasPrefix(line, f.failAt) {
		return errors.New("injected failure: " + line)
	}
	return nil
}

func (f *fake) LinkExists(name string) bool { return f.links[name] }
func (f *fake) AddWireGuardLink(name string) error {
	if !f.kernel {
		return errors.New("operation not supported")
	}
	if err := f.call("link add %s", name); err != nil {
		return err
	}
	f.links[name] = true
	return nil
}
func (f *fake) AddAddress(ifname string, a netip.Prefix, raw ...string) error {
	f.addrs = append(f.addrs, a)
	return f.call("address %s %s", ifname, a)
}
func (f *fake) SetMTUUp(ifname string, mtu int) error { return f.call("mtu %s %d", ifname, mtu) }
func (f *fake) LinkMTU(string) (int, error)           { return 1420, nil }
func (f *fake) Addresses(_ string, v6 bool) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range f.addrs {
		if a.Addr().Is6() == v6 {
			out = append(out, a.Addr())
		}
	}
	return out, nil
}
func (f *fake) Prefixes(string) ([]netip.Prefix, error) { return f.addrs, nil }
func (f *fake) RoutesThrough(_ string, v6 bool) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, a := range f.addrs {
		if a.Addr().Is6() == v6 {
			out = append(out, a.Masked())
		}
	}
	return out, nil
}
func (f *fake) AddRoute(ifname string, p netip.Prefix, table int, name ...string) error {
	if f.routes == nil {
		f.routes = map[fakeRoute]bool{}
	}
	f.routes[fakeRoute{p.Masked(), table}] = true
	return f.call("route %s %s table %d", ifname, p, table)
}
func (f *fake) RouteMTU(netip.Addr) (int, bool) { return 1500, true }
func (f *fake) DefaultRouteMTU() (int, bool)    { return 1500, true }
func (f *fake) TableEmpty(n int, v6 bool) (bool, error) {
	return !f.tables[n], nil
}
func (f *fake) AddDefaultRules(n int, v6 bool) error { return f.call("rules add %d v6=%v", n, v6) }
func (f *fake) AddExcludeRule(p netip.Prefix) error  { return f.call("rule add to %s main", p) }
func (f *fake) DelExcludeRule(p netip.Prefix) error  { return f.call("rule del to %s main", p) }
func (f *fake) LANPrefixes(except string) ([]netip.Prefix, []string, error) {
	return f.lan, f.lanDevs, f.call("lan except %s", except)
}
func (f *fake) DelDefaultRules(n int, v6 bool) error { return f.call("rules del %d v6=%v", n, v6) }
func (f *fake) SetSysctl(name, value string) (string, error) {
	if f.sysctl == value {
		return "", nil
	}
	old := f.sysctl
	if err := f.call("sysctl %s=%s", name, value); err != nil {
		return "", err
	}
	f.sysctl = value
	return old, nil
}
func (f *fake) DeleteLink(ifname string) error {
	delete(f.links, ifname)
	return f.call("link del %s", ifname)
}
func (f *fake) IsWireGuard(ifname string) bool { return f.links[ifname] }
func (f *fake) DelAddress(ifname string, a netip.Prefix) error {
	f.addrs = slices.DeleteFunc(f.addrs, func(x netip.Prefix) bool { return x == a })
	return f.call("address del %s %s", ifname, a)
}
func (f *fake) DelRoute(ifname string, p netip.Prefix, table int) error {
	delete(f.routes, fakeRoute{p, table})
	return f.call("route del %s %s table %d", ifname, p, table)
}
func (f *fake) RoutesIn(_ string, table int, v6 bool) (added, kernel []netip.Prefix, err error) {
	for r := range f.routes {
		if r.table == table && r.p.Addr().Is6() == v6 {
			added = append(added, r.p)
		}
	}
	slices.SortFunc(added, netip.Prefix.Compare)
	if table == 0 {
		kernel, _ = f.RoutesThrough("", v6)
	}
	return added, kernel, nil
}

func (f *fake) Configure(name string, c *config.Config) error {
	if c.ListenPort != nil {
		f.port = *c.ListenPort
	}
	if c.FwMark != nil {
		f.fwmark = *c.FwMark
		return f.call("fwmark %s %d", name, *c.FwMark)
	}
	for _, p := range c.Peers {
		dp := config.DevicePeer{PublicKey: p.PublicKey}
		for _, a := range p.AllowedIPs {
			dp.AllowedIPs = append(dp.AllowedIPs, a.Prefix)
		}
		f.peers = append(f.peers, dp)
	}
	return f.call("configure %s", name)
}
func (f *fake) Device(name string) (*config.Device, error) {
	if !f.links[name] {
		return nil, errors.New("no such device")
	}
	port := f.port
	if port == 0 {
		port = 43210 // a running device's port, bound at random
	}
	return &config.Device{Name: name, FwMark: f.fwmark, ListenPort: port, Peers: f.peers}, nil
}

func (f *fake) AddDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	return f.call("firewall add %s v6=%v %v %d", ifname, v6, addrs, mark)
}
func (f *fake) Remove(ifname string) error { return f.call("firewall remove %s", ifname) }
func (f *fake) RemoveFamily(ifname string, v6 bool) error {
	return f.call("firewall remove %s v6=%v", ifname, v6)
}
func (f *fake) ReplaceDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	return f.call("firewall replace %s v6=%v %v %d", ifname, v6, addrs, mark)
}
func (f *fake) AddKillSwitch(ifname string, k firewall.KillSwitch) error {
	if err := f.call("killswitch %s tunnel=%s port=%d dns=%v allow=%v", ifname, k.Tunnel, k.ListenPort, k.DNS, k.Allow); err != nil {
		return err
	}
	f.kill = true
	return nil
}
func (f *fake) RemoveKillSwitch(ifname string) (bool, error) {
	if !f.kill {
		return false, nil
	}
	f.kill = false
	return true, f.call("killswitch remove %s", ifname)
}

type fakeDNS struct{ *fake }

func (d fakeDNS) Set(ifname string, servers, search []string) (string, error) {
	if err := d.call("dns set %s %v %v", ifname, servers, search); err != nil {
		return "", err
	}
	d.dnsSet = true
	return "test", nil
}
func (d fakeDNS) Unset(ifname, backend string) error {
	return d.call("dns unset %s %s", ifname, backend)
}
func (d fakeDNS) Servers(string, string) ([]string, error) { return []string{"10.0.0.53"}, nil }
func (d fakeDNS) SetWith(ifname, backend string, servers, search []string) error {
	return d.call("dns set %s with %s %v %v", ifname, backend, servers, search)
}

type fakeStates struct{ *fake }

func (s fakeStates) Save(st *quick.State) error {
	c := *st
	s.state = &c
	return nil
}
func (s fakeStates) Load(string) (*quick.State, error) { return s.state, nil }
func (s fakeStates) Remove(string) error {
	s.state = nil
	return nil
}

// platform is the Linux platform on f.
func (f *fake) platform() *Platform {
	return &Platform{
		Sys: f, Devices: f, Firewall: f, DNS: fakeDNS{f},
		Userspace: func(name string) error {
			if err := f.call("userspace %s", name); err != nil {
				return err
			}
			f.links[name] = true
			return nil
		},
		UserspaceName: "wireguard-go",
		TableID: func(s string) (int, bool) {
			return map[string]int{"main": 254, "vpn": 100}[s], s == "main" || s == "vpn"
		},
		Log: io.Discard,
	}
}

// env is an engine Env on f's platform; hooks log and fail like the other
// calls.
func (f *fake) env() *quick.Env {
	return &quick.Env{
		Platform: f.platform(), Devices: f, States: fakeStates{f},
		RunHook: func(_ context.Context, cmd string) error { return f.call("hook %s", cmd) },
		Log:     io.Discard,
	}
}

// got is the state's change of that kind, decoded into a T.
func got[T any](st *quick.State, kind string) T {
	var v T
	if st != nil {
		st.Get(kind, &v)
	}
	return v
}

// stateOf is a state with the given changes recorded.
func stateOf(t *testing.T, name string, changes map[string]any) *quick.State {
	t.Helper()
	st := &quick.State{Interface: name, Real: name}
	j := quick.NewJournal(st, nil)
	for _, k := range []string{changeUserspace, changeTable, changeSysctl, changeFirewall, changeDNS, changeKill} {
		if v, ok := changes[k]; ok {
			if err := j.Set(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return st
}
