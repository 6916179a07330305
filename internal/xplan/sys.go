package xplan

import (
	"fmt"
	"net/netip"
)

// machineSys is what the simulated systems answer and change alike:
// interfaces' existence, MTU and flags, the default and exact routes, and
// the route monitor's process.
type machineSys struct {
	m *Machine
	monitorHost
}

func (s *machineSys) InterfaceExists(ifname string) bool { return s.m.iface(ifname) != nil }

func (s *machineSys) InterfaceMTU(ifname string) (int, bool) {
	i := s.m.iface(ifname)
	if i == nil {
		return 0, false
	}
	return i.mtu, true
}

func (s *machineSys) SetUp(ifname string) error {
	s.m.t.Call("ifconfig", ifname, "up")
	if err := s.m.change(); err != nil {
		return err
	}
	i := s.m.iface(ifname)
	if i == nil {
		return fmt.Errorf("ifconfig: interface %s does not exist", ifname)
	}
	i.up = true
	return nil
}

func (s *machineSys) DefaultRoute(v6 bool) (netip.Addr, string, bool) {
	r := s.m.defaultRoute(v6)
	if r == nil {
		return netip.Addr{}, "", false
	}
	gw, _ := netip.ParseAddr(r.gw) // invalid for link#N
	return gw, r.iface, true
}

// RouteInterface is `route -n get P`: with a prefix, the simulator's
// route(8) looks up that exact destination.
func (s *machineSys) RouteInterface(p netip.Prefix) (string, bool) {
	r := s.m.lookupExact(p)
	if r == nil {
		return "", false
	}
	return r.iface, true
}

func (s *machineSys) StartMonitor(name string) (int, error) {
	s.m.t.Call("route", "-n", "monitor")
	if err := s.m.change(); err != nil {
		return 0, err
	}
	s.monitor, s.monitorRunning = 1, true
	if s.onMonitor != nil {
		s.onMonitor(name)
	}
	return s.monitor, nil
}

func (s *machineSys) MonitorRunning(pid int) bool { return pid == s.monitor && s.monitorRunning }

// monitorHost is the route monitor's process on the simulated machine.
type monitorHost struct {
	// monitor is the pid of the route monitor once started (0: none), and
	// whether it still runs.
	monitor        int
	monitorRunning bool
	// onMonitor starts the simulated monitor process of NAME.
	onMonitor func(name string)
}
