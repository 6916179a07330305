package xplan

import (
	"encoding/json"
	"fmt"
	"slices"
)

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
			// OpenBSD's daemons (resolvd, unwind) start or stop.
			var v struct {
				Name    string `json:"name"`
				Running *bool  `json:"running"`
			}
			if err := json.Unmarshal(raw, &v); err != nil {
				return err
			}
			m.processes = slices.DeleteFunc(m.processes, func(p string) bool { return p == v.Name })
			if v.Running == nil || *v.Running {
				m.processes = append(m.processes, v.Name)
			}
		default:
			return fmt.Errorf("unknown event change %q", k)
		}
	}
	return nil
}
