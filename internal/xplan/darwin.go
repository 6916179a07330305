package xplan

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/wgtools/wgtools/internal/quick/darwin"
)

// darwinSys is darwin.Sys on the simulated Mac; each change is recorded
// as the command upstream's darwin.bash would have run for it.
type darwinSys struct{ machineSys }

var _ darwin.Sys = (*darwinSys)(nil)

func (s *darwinSys) Tunnel(name string) (string, bool) {
	real, ok := s.m.nameFiles[name]
	if !ok {
		return "", false
	}
	i := s.m.iface(real)
	return real, i != nil && i.sock
}

func (s *darwinSys) StartTunnel(name string) error {
	s.m.t.Call("wireguard-go", "utun")
	if err := s.m.change(); err != nil {
		return err
	}
	n := 0
	if s.m.utun != nil {
		n = *s.m.utun
	} else {
		for s.m.iface("utun"+strconv.Itoa(n)) != nil {
			n++
		}
	}
	real := "utun" + strconv.Itoa(n)
	if s.m.iface(real) != nil {
		return fmt.Errorf("ERROR: (%s) Failed to create TUN device: resource busy", real)
	}
	i := s.m.newIface(real, "utun", s.m.tunMTU)
	i.sock = true
	s.m.wg[real] = &wgDev{}
	s.m.tunnel = real
	s.m.nameFiles[name] = real
	return nil
}

func (s *darwinSys) StopTunnel(name, real string) error {
	delete(s.m.nameFiles, name)
	if i := s.m.iface(real); i != nil && i.sock {
		s.m.destroy(real, "socket removed", true)
	}
	return nil
}

func (s *darwinSys) IsWireGuard(real string) bool {
	i := s.m.iface(real)
	return i != nil && s.m.wg[real] != nil
}

func (s *darwinSys) InterfaceAddresses(ifname string) []netip.Prefix {
	i := s.m.iface(ifname)
	if i == nil {
		return nil
	}
	var out []netip.Prefix
	for _, fam := range []bool{false, true} {
		for _, a := range i.addrs {
			if a.p.Addr().Is6() == fam {
				p := a.p
				if a.scope != "" {
					p = netip.PrefixFrom(p.Addr().WithZone(a.scope), p.Bits())
				}
				out = append(out, p)
			}
		}
	}
	return out
}

func (s *darwinSys) AddAddress(ifname string, addr netip.Prefix, raw string) error {
	if addr.Addr().Is4() {
		s.m.t.Call("ifconfig", ifname, "inet", raw, strings.SplitN(raw, "/", 2)[0], "alias")
	} else {
		s.m.t.Call("ifconfig", ifname, "inet6", raw, "alias")
	}
	if err := s.m.change(); err != nil {
		return err
	}
	i := s.m.iface(ifname)
	if i == nil {
		return fmt.Errorf("ifconfig: interface %s does not exist", ifname)
	}
	s.m.addAddress(i, addr, addr.Addr())
	return nil
}

func (s *darwinSys) SetMTU(ifname string, mtu int) error {
	s.m.t.Call("ifconfig", ifname, "mtu", strconv.Itoa(mtu))
	if err := s.m.change(); err != nil {
		return err
	}
	i := s.m.iface(ifname)
	if i == nil {
		return fmt.Errorf("ifconfig: interface %s does not exist", ifname)
	}
	i.mtu = mtu
	return nil
}

func (s *darwinSys) RoutesThrough(ifname string, v6 bool) []netip.Prefix {
	var out []netip.Prefix
	for _, r := range s.m.routes {
		if r.iface == ifname && r.dest.Addr().Is6() == v6 {
			out = append(out, r.dest)
		}
	}
	return out
}

func (s *darwinSys) AddRoute(p netip.Prefix, via darwin.Via) error {
	fam, dest := routeFamily(p), routeDest(p)
	r := &mRoute{dest: p.Masked()}
	switch {
	case via.Interface != "":
		s.m.t.Call("route", "-q", "-n", "add", fam, dest, "-interface", via.Interface)
		r.gw, r.iface, r.flags = via.Interface, via.Interface, "USc"
	case via.Blackhole:
		lo := "127.0.0.1"
		if p.Addr().Is6() {
			lo = "::1"
		}
		s.m.t.Call("route", "-q", "-n", "add", fam, dest, lo, "-blackhole")
		r.gw, r.iface, r.flags = lo, "lo0", "UGHSB"
	default:
		gw := via.Gateway.String()
		s.m.t.Call("route", "-q", "-n", "add", fam, dest, "-gateway", gw)
		r.gw, r.iface, r.flags = gw, s.m.gwIface(gw), "UGHS"
		if r.iface == "" {
			return errors.New("route: writing to routing socket: Network is unreachable")
		}
	}
	if err := s.m.change(); err != nil {
		return err
	}
	if s.m.iface(r.iface) == nil {
		return fmt.Errorf("route: writing to routing socket: Network is unreachable")
	}
	if !s.m.addRoute(r) {
		return errors.New("route: writing to routing socket: File exists")
	}
	return nil
}

func (s *darwinSys) DeleteRoute(p netip.Prefix) error {
	s.m.t.Call("route", "-q", "-n", "delete", routeFamily(p), routeDest(p))
	r := s.m.lookupExact(p)
	if r == nil {
		return errors.New("route: writing to routing socket: not in table")
	}
	s.m.removeRoute(r)
	return nil
}

func routeFamily(p netip.Prefix) string {
	if p.Addr().Is4() {
		return "-inet"
	}
	return "-inet6"
}

func routeDest(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

func (s *darwinSys) Services() ([]string, error) {
	var out []string
	for _, sv := range s.m.services {
		out = append(out, sv.name)
	}
	return out, nil
}

func (s *darwinSys) serviceOf(name string) (*mService, error) {
	sv := s.m.service(name)
	if sv == nil {
		return nil, fmt.Errorf("%s is not a recognized network service", name)
	}
	return sv, nil
}

func (s *darwinSys) DNSServers(service string) ([]string, error) {
	sv, err := s.serviceOf(service)
	if err != nil {
		return nil, err
	}
	return append([]string(nil), sv.dns...), nil
}

func (s *darwinSys) SearchDomains(service string) ([]string, error) {
	sv, err := s.serviceOf(service)
	if err != nil {
		return nil, err
	}
	return append([]string(nil), sv.search...), nil
}

func (s *darwinSys) SetDNSServers(service string, servers []string) error {
	s.m.t.Call(append([]string{"networksetup", "-setdnsservers", service}, emptyOr(servers)...)...)
	if err := s.m.change(); err != nil {
		return err
	}
	sv, err := s.serviceOf(service)
	if err != nil {
		return err
	}
	for _, v := range servers {
		if _, err := netip.ParseAddr(v); err != nil {
			return fmt.Errorf("%s is not a valid IP address", v)
		}
	}
	sv.dns = append([]string(nil), servers...)
	return nil
}

func (s *darwinSys) SetSearchDomains(service string, domains []string) error {
	s.m.t.Call(append([]string{"networksetup", "-setsearchdomains", service}, emptyOr(domains)...)...)
	if err := s.m.change(); err != nil {
		return err
	}
	sv, err := s.serviceOf(service)
	if err != nil {
		return err
	}
	sv.search = append([]string(nil), domains...)
	return nil
}

func emptyOr(vs []string) []string {
	if len(vs) == 0 {
		return []string{"Empty"}
	}
	return vs
}
