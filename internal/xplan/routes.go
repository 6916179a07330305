package xplan

import (
	"fmt"
	"net/netip"
	"strings"
)

func (m *Machine) linkGW(i *mIface) string { return fmt.Sprintf("link#%d", i.index) }

func (m *Machine) addRoute(r *mRoute) bool {
	for _, x := range m.routes {
		if x.dest == r.dest && x.table == r.table {
			return false
		}
	}
	m.routes = append(m.routes, r)
	return true
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
		if r.table == 0 && !strings.Contains(r.flags, "G") && r.dest.Addr().Is4() == a.Is4() && r.dest.Contains(a) {
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
		if !(r.dest.Bits() == 0 && r.dest.Addr().Is6() == v6 && r.table == 0) {
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
	if m.OS != "darwin" {
		flags = "UGS"
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
		if !m.addRoute(&mRoute{dest: dest, gw: r.Gateway, iface: ifname, flags: flags, table: r.Table}) {
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
	m.addRoute(&mRoute{dest: dest, gw: m.linkGW(i), iface: i.name, flags: flags, table: r.Table})
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
	return m.lookupTable(p, 0)
}

// lookupTable is the route of exactly that destination in a table.
func (m *Machine) lookupTable(p netip.Prefix, table int) *mRoute {
	for _, r := range m.routes {
		if r.dest == p.Masked() && r.table == table {
			return r
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
		if r.dest.Bits() == 0 && r.dest.Addr().Is6() == v6 && r.table == 0 {
			return r
		}
	}
	return nil
}
