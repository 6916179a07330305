package xplan

import (
	"fmt"
	"net/netip"
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
	// resolvConf is /etc/resolv.conf; configPath and configText the
	// config file, as the simulator installs it (SaveConfig rewrites it).
	resolvConf, configPath, configText string
	tunnel                             string
	nextIndex                          int
	utun                               *int
	tunMTU                             int
	t                                  *Transcript
	// changes counts the changes made; the failAt-th fails (0: none).
	changes, failAt int
	// gone are the interfaces that went away since the monitor last read.
	gone []gone
	bsdState
	pf pfState
}

// gone is an interface that went away, and why.
type gone struct{ name, reason string }

type mIface struct {
	name, kind string
	desc       string // OpenBSD's description
	mac        string // ether's, as the simulator makes it up
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
	table int // a FreeBSD FIB or OpenBSD rtable; 0 is the main one
}

type mService struct {
	name        string
	enabled     bool
	dns, search []string
}

type wgDev struct {
	privateKey string
	listenPort int
	fwmark     uint32
	peers      []*wgPeer
}

type wgPeer struct {
	key        string
	endpoint   string // host:port as wg show prints it, or ""
	psk        string
	keepalive  int
	allowedIPs []netip.Prefix
}

// NewMachine builds the machine of the facts for osName, its changes
// recorded in t.
func NewMachine(osName string, f *Facts, t *Transcript) (*Machine, error) {
	m := &Machine{OS: osName, wg: map[string]*wgDev{}, hosts: f.Hosts, wgShow: f.WGShow,
		nameFiles: map[string]string{}, utun: f.Darwin.Utun, tunMTU: f.TunnelMTU, t: t, resolvConf: resolvConf(f)}
	if err := m.bsdState.init(f); err != nil {
		return nil, err
	}
	m.resolvOriginal = m.resolvConf
	if err := m.initPF(f); err != nil {
		return nil, err
	}
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
	i.desc = spec.Description
	i.mac = spec.MAC
	if i.mac == "" && kind == "ether" {
		i.mac = fmt.Sprintf("02:00:00:00:00:%02x", i.index)
	}
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
	if m.OS != "darwin" {
		m.bsdAddressRoutes(i, p, owner)
		return
	}
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
		gw := i.mac
		if gw == "" {
			gw = i.name
		}
		m.addRoute(&mRoute{dest: netip.PrefixFrom(a, 128), gw: gw, iface: "lo0", flags: "UHL", owner: owner})
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
