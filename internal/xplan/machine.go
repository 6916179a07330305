package xplan

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Machine is the simulated system: interfaces with their addresses, the
// routing table, network services, WireGuard devices and the tunnel's
// files, modelled as the reference simulator models them.
type Machine struct {
	OS        string
	ifaces    []*mIface
	routes    []*mRoute
	services  []*mService
	wg        map[string]*wgDev
	hosts     map[string]string
	wgShow    map[string]string
	nameFiles map[string]string // config name -> tunnel
	tunnel    string
	nextIndex int
	utun      *int
	tunMTU    int
	t         *Transcript
	// changes counts the changes made; the failAt-th fails (0: none).
	changes, failAt int
	// gone are the interfaces that went away since the monitor last read.
	gone []gone
}

// gone is an interface that went away, and why.
type gone struct{ name, reason string }

type mIface struct {
	name, kind string
	mtu, index int
	up         bool
	addrs      []mAddr
	sock       bool
}

type mAddr struct {
	p     netip.Prefix
	dest  netip.Addr
	scope string
}

type mRoute struct {
	dest  netip.Prefix
	gw    string // an address, link#N, or an interface name
	iface string
	flags string
	owner string
}

type mService struct {
	name        string
	enabled     bool
	dns, search []string
}

type wgDev struct {
	peers []*wgPeer
}

type wgPeer struct {
	key        string
	endpoint   string // host:port as wg show prints it, or ""
	allowedIPs []netip.Prefix
}

// NewMachine builds the machine of the facts for osName, its changes
// recorded in t.
func NewMachine(osName string, f *Facts, t *Transcript) (*Machine, error) {
	m := &Machine{OS: osName, wg: map[string]*wgDev{}, hosts: f.Hosts, wgShow: f.WGShow,
		nameFiles: map[string]string{}, utun: f.Darwin.Utun, tunMTU: f.TunnelMTU, t: t}
	for _, s := range f.Darwin.Services {
		m.services = append(m.services, &mService{name: s.Name, enabled: s.Enabled == nil || *s.Enabled,
			dns: append([]string{}, s.DNS...), search: append([]string{}, s.Search...)})
	}
	ifaces := f.Interfaces
	if !hasIface(ifaces, "lo0") {
		ifaces = append([]IfaceFact{{Name: "lo0", Addresses: []string{"127.0.0.1/8", "::1/128"}}}, ifaces...)
	}
	for _, spec := range ifaces {
		if err := m.addIfaceFact(spec); err != nil {
			return nil, err
		}
	}
	for _, fam := range []string{"inet", "inet6"} {
		if g, ok := f.Gateways[fam]; ok {
			if err := m.setDefault(fam == "inet6", g.Gateway, g.Interface); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range f.Routes {
		if err := m.addRouteFact(r); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func hasIface(fs []IfaceFact, name string) bool {
	for _, f := range fs {
		if f.Name == name {
			return true
		}
	}
	return false
}

func (m *Machine) iface(name string) *mIface {
	for _, i := range m.ifaces {
		if i.name == name {
			return i
		}
	}
	return nil
}

func (m *Machine) newIface(name, kind string, mtu int) *mIface {
	m.nextIndex++
	i := &mIface{name: name, kind: kind, mtu: mtu, index: m.nextIndex}
	m.ifaces = append(m.ifaces, i)
	return i
}

func (m *Machine) addIfaceFact(spec IfaceFact) error {
	kind := spec.Kind
	if kind == "" {
		kind = "ether"
		if strings.HasPrefix(spec.Name, "lo") {
			kind = "loopback"
		}
	}
	mtu := spec.MTU
	if mtu == 0 {
		mtu = map[string]int{"loopback": 16384, "ether": 1500}[kind]
		if mtu == 0 {
			mtu = 1420
		}
		if kind == "loopback" && m.OS == "openbsd" {
			mtu = 32768
		}
	}
	i := m.newIface(spec.Name, kind, mtu)
	i.up = true
	for _, a := range spec.Addresses {
		p, err := parseCIDR(a)
		if err != nil {
			return fmt.Errorf("interface %s: %w", spec.Name, err)
		}
		var dest netip.Addr
		if spec.Destination != "" {
			dest, _ = netip.ParseAddr(spec.Destination)
		}
		m.addAddress(i, p, dest)
	}
	if kind == "wg" || kind == "utun" {
		m.wg[spec.Name] = &wgDev{}
	}
	return nil
}

// parseCIDR reads an address with an optional length (a host without).
func parseCIDR(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad address %q", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (m *Machine) linkGW(i *mIface) string { return fmt.Sprintf("link#%d", i.index) }

func (m *Machine) addRoute(r *mRoute) bool {
	for _, x := range m.routes {
		if x.dest == r.dest {
			return false
		}
	}
	m.routes = append(m.routes, r)
	return true
}

// addAddress configures an address and the routes the kernel makes for
// it (macOS: a utun's IPv4 address is point-to-point, a host route to its
// destination; a first IPv6 address brings a link-local one).
func (m *Machine) addAddress(i *mIface, p netip.Prefix, dest netip.Addr) {
	if m.OS == "darwin" && i.kind == "utun" && p.Addr().Is6() && !i.hasScoped() {
		ll := netip.AddrFrom16([16]byte{0xfe, 0x80, 14: byte(i.index >> 8), 15: byte(i.index)})
		i.addrs = append(i.addrs, mAddr{p: netip.PrefixFrom(ll, 64), scope: i.name})
	}
	for k, a := range i.addrs {
		if a.p.Addr() == p.Addr() {
			i.addrs = append(i.addrs[:k], i.addrs[k+1:]...)
			m.dropOwner(i.name + " " + p.Addr().String())
			break
		}
	}
	i.addrs = append(i.addrs, mAddr{p: p, dest: dest})
	owner := i.name + " " + p.Addr().String()
	a := p.Addr()
	bits := a.BitLen()
	if i.kind == "loopback" {
		if a.Is4() {
			m.addRoute(&mRoute{dest: p.Masked(), gw: a.String(), iface: "lo0", flags: "UCS", owner: owner})
			m.addRoute(&mRoute{dest: netip.PrefixFrom(a, 32), gw: a.String(), iface: "lo0", flags: "UH", owner: owner})
		} else {
			m.addRoute(&mRoute{dest: netip.PrefixFrom(a, 128), gw: a.String(), iface: "lo0", flags: "UHL", owner: owner})
		}
		return
	}
	p2p := i.kind == "utun"
	if a.Is4() && p2p {
		d := dest
		if !d.IsValid() {
			d = a
		}
		m.addRoute(&mRoute{dest: netip.PrefixFrom(d, 32), gw: d.String(), iface: i.name, flags: "UH", owner: owner})
		return
	}
	if p.Bits() < bits {
		gw := m.linkGW(i)
		if p2p {
			gw = i.name
		}
		m.addRoute(&mRoute{dest: p.Masked(), gw: gw, iface: i.name, flags: "UCS", owner: owner})
	}
	if a.Is4() {
		m.addRoute(&mRoute{dest: netip.PrefixFrom(a, 32), gw: m.linkGW(i), iface: i.name, flags: "UCS", owner: owner})
	} else {
		m.addRoute(&mRoute{dest: netip.PrefixFrom(a, 128), gw: i.name, iface: "lo0", flags: "UHL", owner: owner})
	}
}

func (i *mIface) hasScoped() bool {
	for _, a := range i.addrs {
		if a.scope != "" {
			return true
		}
	}
	return false
}

func (m *Machine) dropOwner(owner string) {
	var keep []*mRoute
	for _, r := range m.routes {
		if r.owner != owner {
			keep = append(keep, r)
		}
	}
	m.routes = keep
}

// destroy removes an interface, its routes and its device; a monitor
// learns of it after the current phase.
func (m *Machine) destroy(name, reason string, queue bool) {
	i := m.iface(name)
	if i == nil {
		return
	}
	for k, x := range m.ifaces {
		if x == i {
			m.ifaces = append(m.ifaces[:k], m.ifaces[k+1:]...)
			break
		}
	}
	var keep []*mRoute
	for _, r := range m.routes {
		if r.iface != name && r.gw != name && !strings.HasPrefix(r.owner, name+" ") {
			keep = append(keep, r)
		}
	}
	m.routes = keep
	delete(m.wg, name)
	if queue {
		m.gone = append(m.gone, gone{name, reason})
	}
}

// gwIface is the interface through which a gateway is directly reachable.
func (m *Machine) gwIface(gw string) string {
	if _, scope, ok := strings.Cut(gw, "%"); ok {
		if m.iface(scope) != nil {
			return scope
		}
		return ""
	}
	a, err := netip.ParseAddr(gw)
	if err != nil {
		return ""
	}
	var best *mRoute
	for _, r := range m.routes {
		if !strings.Contains(r.flags, "G") && r.dest.Addr().Is4() == a.Is4() && r.dest.Contains(a) {
			if best == nil || r.dest.Bits() > best.dest.Bits() {
				best = r
			}
		}
	}
	if best == nil {
		return ""
	}
	if best.iface == "lo0" && !strings.HasPrefix(gw, "127.") && gw != "::1" {
		for _, i := range m.ifaces {
			for _, ad := range i.addrs {
				if ad.p.Addr() == a {
					return i.name
				}
			}
		}
	}
	return best.iface
}

func (m *Machine) setDefault(v6 bool, gw *string, ifname string) error {
	var keep []*mRoute
	for _, r := range m.routes {
		if !(r.dest.Bits() == 0 && r.dest.Addr().Is6() == v6) {
			keep = append(keep, r)
		}
	}
	m.routes = keep
	if gw == nil || *gw == "" {
		return nil
	}
	if m.iface(ifname) == nil {
		return fmt.Errorf("default route via %s: no interface %q", *gw, ifname)
	}
	dest := netip.MustParsePrefix("0.0.0.0/0")
	flags := "UGScg"
	if v6 {
		dest, flags = netip.MustParsePrefix("::/0"), "UGcg"
	}
	m.addRoute(&mRoute{dest: dest, gw: *gw, iface: ifname, flags: flags})
	return nil
}

func (m *Machine) addRouteFact(r RouteFact) error {
	dest, err := parseDest(r.Destination)
	if err != nil {
		return err
	}
	host := dest.IsSingleIP()
	if r.Gateway != "" {
		ifname := r.Interface
		if ifname == "" {
			ifname = m.gwIface(r.Gateway)
		}
		if m.iface(ifname) == nil {
			return fmt.Errorf("route %s: gateway %s is not reachable on any interface", r.Destination, r.Gateway)
		}
		flags := r.Flags
		if flags == "" {
			flags = map[bool]string{true: "UGHS", false: "UGS"}[host]
		}
		if !m.addRoute(&mRoute{dest: dest, gw: r.Gateway, iface: ifname, flags: flags}) {
			return fmt.Errorf("route %s: duplicate", r.Destination)
		}
		return nil
	}
	i := m.iface(r.Interface)
	if i == nil {
		return fmt.Errorf("route %s: needs a gateway or an existing interface", r.Destination)
	}
	flags := r.Flags
	if flags == "" {
		flags = map[bool]string{true: "UHS", false: "US"}[host]
	}
	m.addRoute(&mRoute{dest: dest, gw: m.linkGW(i), iface: i.name, flags: flags})
	return nil
}

func parseDest(s string) (netip.Prefix, error) {
	switch s {
	case "default":
		return netip.MustParsePrefix("0.0.0.0/0"), nil
	}
	p, err := parseCIDR(s)
	if err != nil {
		return p, err
	}
	return p.Masked(), nil
}

// lookupExact is the route of exactly that destination.
func (m *Machine) lookupExact(p netip.Prefix) *mRoute {
	for _, r := range m.routes {
		if r.dest == p.Masked() {
			return r
		}
	}
	return nil
}

// applyChange is one change of an event, as the simulator applies it.
func (m *Machine) applyChange(ch map[string]json.RawMessage) error {
	if len(ch) != 1 {
		return fmt.Errorf("event change must have one key: %v", ch)
	}
	for k, raw := range ch {
		switch k {
		case "default_route":
			var g GwFact
			if err := json.Unmarshal(raw, &g); err != nil {
				return err
			}
			v6 := g.Family == "inet6"
			ifname := g.Interface
			if ifname == "@default" {
				cur := m.defaultRoute(v6)
				if cur == nil {
					return fmt.Errorf("default_route: @default, but there is no %s default route", g.Family)
				}
				ifname = cur.iface
			}
			return m.setDefault(v6, g.Gateway, ifname)
		case "add_route":
			var r RouteFact
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			return m.addRouteFact(r)
		case "delete_route":
			var r RouteFact
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			dest, err := parseDest(r.Destination)
			if err != nil {
				return err
			}
			x := m.lookupExact(dest)
			if x == nil {
				return fmt.Errorf("delete_route: no route %s", r.Destination)
			}
			m.removeRoute(x)
		case "interface":
			var f IfaceFact
			if err := json.Unmarshal(raw, &f); err != nil {
				return err
			}
			if m.iface(f.Name) != nil {
				m.destroy(f.Name, "", false)
			}
			return m.addIfaceFact(f)
		case "remove_interface", "destroy_interface":
			var name string
			if err := json.Unmarshal(raw, &name); err != nil {
				return err
			}
			if name == "@tunnel" {
				name = m.tunnel
			}
			if m.iface(name) == nil {
				return fmt.Errorf("%s: no interface %s", k, name)
			}
			m.destroy(name, "", false)
		case "interface_mtu":
			var v struct {
				Interface string `json:"interface"`
				MTU       int    `json:"mtu"`
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			if v.Interface == "@tunnel" || v.Interface == "" {
				v.Interface = m.tunnel
			}
			i := m.iface(v.Interface)
			if i == nil {
				return fmt.Errorf("interface_mtu: no interface %s", v.Interface)
			}
			i.mtu = v.MTU
		case "endpoint":
			var v struct {
				Interface, Peer, Endpoint string
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			name := v.Interface
			if name == "" || name == "@tunnel" {
				name = m.tunnel
			}
			p := m.peer(name, v.Peer)
			if p == nil {
				return fmt.Errorf("endpoint: no peer %s", v.Peer)
			}
			p.endpoint = v.Endpoint
		case "service":
			var v struct {
				Name    string    `json:"name"`
				Enabled *bool     `json:"enabled"`
				DNS     *[]string `json:"dns"`
				Search  *[]string `json:"search"`
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			s := m.service(v.Name)
			if s == nil {
				s = &mService{name: v.Name, enabled: true}
				m.services = append(m.services, s)
			}
			if v.Enabled != nil {
				s.enabled = *v.Enabled
			}
			if v.DNS != nil {
				s.dns = *v.DNS
			}
			if v.Search != nil {
				s.search = *v.Search
			}
		case "remove_service":
			var name string
			if err := json.Unmarshal(raw, &name); err != nil {
				return err
			}
			var keep []*mService
			for _, s := range m.services {
				if s.name != name {
					keep = append(keep, s)
				}
			}
			m.services = keep
		case "process":
			// OpenBSD's daemons: nothing on the systems modelled here.
		default:
			return fmt.Errorf("unknown event change %q", k)
		}
	}
	return nil
}

func (m *Machine) removeRoute(x *mRoute) {
	for k, r := range m.routes {
		if r == x {
			m.routes = append(m.routes[:k], m.routes[k+1:]...)
			return
		}
	}
}

func (m *Machine) defaultRoute(v6 bool) *mRoute {
	for _, r := range m.routes {
		if r.dest.Bits() == 0 && r.dest.Addr().Is6() == v6 {
			return r
		}
	}
	return nil
}

func (m *Machine) service(name string) *mService {
	for _, s := range m.services {
		if s.name == name {
			return s
		}
	}
	return nil
}

func (m *Machine) peer(dev, key string) *wgPeer {
	d := m.wg[dev]
	if d == nil {
		return nil
	}
	for _, p := range d.peers {
		if p.key == key {
			return p
		}
	}
	return nil
}

// change counts a change and says whether it is the one to fail.
func (m *Machine) change() error {
	m.changes++
	if m.failAt != 0 && m.changes == m.failAt {
		return fmt.Errorf("injected failure of change %d", m.changes)
	}
	return nil
}

// dump is the machine's state, canonical: what a test compares before
// and after.
func (m *Machine) dump() map[string]any {
	ifaces := map[string]any{}
	for _, i := range m.ifaces {
		var addrs []string
		for _, a := range i.addrs {
			addrs = append(addrs, a.p.String())
		}
		ifaces[i.name] = map[string]any{"mtu": i.mtu, "up": i.up, "addresses": addrs}
	}
	var routes []string
	for _, r := range m.routes {
		routes = append(routes, r.dest.String()+" "+r.gw+" "+r.iface)
	}
	sort.Strings(routes)
	var services []any
	for _, s := range m.services {
		services = append(services, map[string]any{"name": s.name, "dns": nonNil(s.dns), "search": nonNil(s.search)})
	}
	return map[string]any{"interfaces": ifaces, "routes": routes, "services": services, "name_files": m.nameFiles}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
