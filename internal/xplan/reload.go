package xplan

import (
	"context"
	"fmt"
	"net/netip"
	"os"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

// deleteAddress removes an address and the routes the kernel made for it;
// on OpenBSD the routes named by it (`-iface ADDR`) go too, as the kernel
// purges the routes of an address that goes.
func (m *Machine) deleteAddress(ifname string, p netip.Prefix) error {
	i := m.iface(ifname)
	if i == nil {
		return fmt.Errorf("ifconfig: interface %s does not exist", ifname)
	}
	a := p.Addr().WithZone("")
	for k, x := range i.addrs {
		if x.p.Addr().WithZone("") != a {
			continue
		}
		i.addrs = append(i.addrs[:k], i.addrs[k+1:]...)
		m.dropOwner(i.name + " " + a.String())
		if m.OS == "openbsd" {
			var keep []*mRoute
			for _, r := range m.routes {
				if r.iface != i.name || r.gw != a.String() {
					keep = append(keep, r)
				}
			}
			m.routes = keep
		}
		return nil
	}
	return fmt.Errorf("ifconfig: SIOCDIFADDR: Can't assign requested address")
}

func (s *darwinSys) DeleteAddress(ifname string, p netip.Prefix) error {
	s.m.t.Call("ifconfig", ifname, inet(p), p.Addr().String(), "-alias")
	if err := s.m.change(); err != nil {
		return err
	}
	return s.m.deleteAddress(ifname, p)
}

func (s *bsdSys) DeleteAddress(ifname string, p netip.Prefix) error {
	s.m.t.Call("ifconfig", ifname, inet(p), p.Addr().String(), "-alias")
	if err := s.m.change(); err != nil {
		return err
	}
	return s.m.deleteAddress(ifname, p)
}

func inet(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "inet"
	}
	return "inet6"
}

// reload is the reload phase: the config file now holds path's text
// (under the name of the one up read), and `wg-quick reload` applies it.
// The monitor then reads its record anew, as the routing messages of the
// reload's changes (or its periodic read) make it. The config read is
// down's.
func (r *run) reload(path string) (*config.QuickConfig, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	_, q, wg, err := readConfig(path, r.facts)
	if err != nil {
		return nil, err
	}
	r.m.configText = string(text)
	r.phase("reload", quick.Reload(context.Background(), r.env, r.name, q, wg, quick.ReloadOptions{}))
	if m, ok := r.mon.(interface{ Refresh() }); ok {
		m.Refresh()
	}
	r.dumpState("reload")
	return q, nil
}

// loadRecord is the monitor's Load: the platform's record in NAME's state,
// nil when the state is gone.
func loadRecord[R any](r *run, name string, get func(*quick.State) *R) *R {
	st, _ := r.states.Load(name)
	if st == nil {
		return nil
	}
	return get(st)
}
