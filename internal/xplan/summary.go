package xplan

import (
	"cmp"
	"fmt"
	"slices"
)

// dump is the machine's state in the simulator's STATE schema
// (state_summary in ../shared/xplat/lib/inner.py): interfaces by index
// with their addresses (a scoped one as ADDR%SCOPE/LEN), the routes as
// `DEST GW FLAGS IFACE` ordered by family, network and length ("default"
// for a /0), the WireGuard peers, the network services, and the files
// (/etc/resolv.conf, the config, /var/run/wireguard/*). Tests compare it
// with upstream's recorded STATE lines and before with after.
func (m *Machine) dump() map[string]any {
	ifaces := map[string]any{}
	for _, i := range slices.SortedFunc(slices.Values(m.ifaces), func(a, b *mIface) int { return cmp.Compare(a.index, b.index) }) {
		addrs := []string{}
		for _, a := range i.addrs {
			s := a.p.Addr().WithZone("").String()
			if a.scope != "" {
				s += "%" + a.scope
			}
			addrs = append(addrs, fmt.Sprintf("%s/%d", s, a.p.Bits()))
		}
		ifaces[i.name] = map[string]any{"mtu": i.mtu, "up": i.up, "addresses": addrs}
		if i.desc != "" {
			ifaces[i.name].(map[string]any)["description"] = i.desc
		}
	}
	routes := []string{}
	for _, r := range slices.SortedFunc(slices.Values(m.routes), routeOrder) {
		dest := r.dest.String()
		if r.dest.Bits() == 0 {
			dest = "default"
		}
		table := ""
		if r.table != 0 {
			table = fmt.Sprintf("table %d: ", r.table)
		}
		routes = append(routes, fmt.Sprintf("%s%s %s %s %s", table, dest, r.gw, r.flags, r.iface))
	}
	wg := map[string]any{}
	for name, d := range m.wg {
		peers := []any{}
		for _, p := range d.peers {
			allowed := []string{}
			for _, a := range p.allowedIPs {
				allowed = append(allowed, a.String())
			}
			var endpoint any
			if p.endpoint != "" {
				endpoint = p.endpoint
			}
			peers = append(peers, map[string]any{"public_key": p.key, "endpoint": endpoint, "allowed_ips": allowed})
		}
		wg[name] = peers
	}
	services := []any{}
	for _, s := range m.services {
		services = append(services, map[string]any{"name": s.name, "enabled": s.enabled, "dns": nonNil(s.dns), "search": nonNil(s.search)})
	}
	out := map[string]any{"interfaces": ifaces, "routes": routes, "wg": wg, "files": m.fileDump()}
	if p, ok := m.pf.changed(); ok {
		out["pf"] = p
	}
	switch m.OS {
	case "darwin":
		out["network_services"] = services
	case "freebsd":
		out["resolvconf"] = m.resolvconf.dump()
	case "openbsd":
		out["route_nameservers"] = m.nameservers
	}
	return out
}

// routeOrder is the simulator's: by table, IPv4 before IPv6, then by
// network and length.
func routeOrder(a, b *mRoute) int {
	if a.table != b.table {
		return cmp.Compare(a.table, b.table)
	}
	if a.dest.Addr().Is4() != b.dest.Addr().Is4() {
		if a.dest.Addr().Is4() {
			return -1
		}
		return 1
	}
	return cmp.Or(a.dest.Addr().Compare(b.dest.Addr()), cmp.Compare(a.dest.Bits(), b.dest.Bits()))
}

// fileDump is the files the simulator shows: /etc/resolv.conf, the config,
// and /var/run/wireguard's name files and sockets.
func (m *Machine) fileDump() map[string]string {
	files := map[string]string{"/etc/resolv.conf": m.resolvConf}
	for path, text := range m.files {
		files[path] = text
	}
	if m.configPath != "" {
		files[m.configPath] = m.configText
	}
	for name, real := range m.nameFiles {
		files["/var/run/wireguard/"+name+".name"] = real + "\n"
	}
	for _, i := range m.ifaces {
		if i.sock {
			files["/var/run/wireguard/"+i.name+".sock"] = "<socket>"
		}
	}
	return files
}

// resolvConf is the machine's /etc/resolv.conf as the simulator makes it.
func resolvConf(f *Facts) string {
	if f.ResolvConf != nil {
		return *f.ResolvConf
	}
	if g, ok := f.Gateways["inet"]; ok && g.Gateway != nil {
		return "nameserver " + *g.Gateway + "\n"
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeConfig is save's write of the config file, on the machine.
func (m *Machine) writeConfig(file string, data []byte) error {
	if file != m.configPath {
		return fmt.Errorf("%s: not the config file of this run (%s)", file, m.configPath)
	}
	m.configText = string(data)
	return nil
}
