package xplan

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/wgtools/wgtools/internal/quick/bsdroute"
)

// AddRoute records the route(8) command of each script: FreeBSD's
// `-interface IF` (with `-fib N`), OpenBSD's `-iface ADDR` (with `-T N`),
// and both's `-gateway G` and `… 127.0.0.1|::1 -blackhole`.
func (s *bsdSys) AddRoute(p netip.Prefix, via bsdroute.Via) error {
	fam := bsdroute.Family(p)
	r := &mRoute{dest: p.Masked(), table: via.Table}
	flags := "US"
	argv := []string{"route", "-q", "-n"}
	switch {
	case via.IfaceAddr.IsValid():
		if via.Table != 0 {
			argv = append(argv, "-T", strconv.Itoa(via.Table))
		}
		argv = append(argv, "add", fam, p.String(), "-iface", via.IfaceAddr.String())
		r.gw = via.IfaceAddr.String()
		for _, i := range s.m.ifaces {
			for _, a := range i.addrs {
				if a.p.Addr() == via.IfaceAddr {
					r.iface = i.name
				}
			}
		}
	case via.Interface != "":
		argv = append(argv, "add", fam)
		if via.Table != 0 {
			argv = append(argv, "-fib", strconv.Itoa(via.Table))
		}
		argv = append(argv, p.String(), "-interface", via.Interface)
		if i := s.m.iface(via.Interface); i != nil {
			r.gw, r.iface = s.m.linkGW(i), i.name
		}
	case via.Blackhole:
		lo := "127.0.0.1"
		if p.Addr().Is6() {
			lo = "::1"
		}
		argv = append(argv, "add", fam, bsdroute.RouteText(p), lo, "-blackhole")
		r.gw, r.iface, flags = lo, s.m.gwIface(lo), "UGSB"
	default:
		gw := via.Gateway.String()
		argv = append(argv, "add", fam, bsdroute.RouteText(p), "-gateway", gw)
		r.gw, r.iface, flags = gw, s.m.gwIface(gw), "UGS"
	}
	if p.IsSingleIP() {
		if flags[1] == 'G' {
			flags = flags[:2] + "H" + flags[2:]
		} else {
			flags = flags[:1] + "H" + flags[1:]
		}
	}
	r.flags = flags
	s.m.t.Call(argv...)
	if err := s.m.change(); err != nil {
		return err
	}
	if s.m.iface(r.iface) == nil {
		return errors.New("route: writing to routing socket: Network is unreachable")
	}
	if !s.m.addRoute(r) {
		return errors.New("route: writing to routing socket: File exists")
	}
	return nil
}

func (s *bsdSys) DeleteRoute(p netip.Prefix) error {
	s.m.t.Call("route", "-q", "-n", "delete", bsdroute.Family(p), bsdroute.RouteText(p))
	r := s.m.lookupExact(p)
	if r == nil {
		return errors.New("route: writing to routing socket: No such process")
	}
	s.m.removeRoute(r)
	return nil
}

func (s *bsdSys) ResolvconfAdd(ifname, text string) error {
	if !s.m.resolvconfTool {
		return errors.New("resolvconf: command not found")
	}
	s.m.t.Call("resolvconf", "-a", ifname, "-x")
	if err := s.m.change(); err != nil {
		return err
	}
	s.m.resolvconf.set(ifname, text)
	s.m.writeResolv(s.m.resolvOriginal)
	return nil
}

func (s *bsdSys) ResolvconfDelete(ifname string) error {
	if !s.m.resolvconfTool {
		return errors.New("resolvconf: command not found")
	}
	s.m.t.Call("resolvconf", "-d", ifname)
	if s.m.resolvconf.remove(ifname) {
		s.m.writeResolv(s.m.resolvOriginal)
	}
	return nil
}

func (s *bsdSys) ResolvconfList(ifname string) (string, error) {
	if !s.m.resolvconfTool {
		return "", errors.New("resolvconf: command not found")
	}
	return s.m.resolvconf.vals[ifname], nil
}

func (s *bsdSys) HasCommand(name string) bool {
	switch name {
	case "resolvconf":
		return s.m.resolvconfTool
	}
	return true
}

func (s *bsdSys) Running(process string) bool { return slices.Contains(s.m.processes, process) }

func (s *bsdSys) RouteNameservers(ifname string, servers []string) error {
	s.m.t.Call(append([]string{"route", "nameserver", ifname}, servers...)...)
	if len(servers) > 0 {
		if err := s.m.change(); err != nil {
			return err
		}
	}
	if s.m.iface(ifname) == nil {
		return fmt.Errorf("route: %s: no such interface", ifname)
	}
	if len(servers) > 0 {
		s.m.nameservers[ifname] = servers
	} else {
		delete(s.m.nameservers, ifname)
	}
	return nil
}

func (s *bsdSys) ReadFile(path string) ([]byte, error) {
	if path == "/etc/resolv.conf" {
		return []byte(s.m.resolvConf), nil
	}
	if text, ok := s.m.files[path]; ok {
		return []byte(text), nil
	}
	return nil, fmt.Errorf("%s: No such file or directory", path)
}

func (s *bsdSys) WriteFile(path string, data []byte) error {
	if err := s.m.change(); err != nil {
		return err
	}
	if path == "/etc/resolv.conf" {
		s.m.resolvConf = string(data)
	} else {
		s.m.files[path] = string(data)
	}
	return nil
}

func (s *bsdSys) Rename(from, to string) error {
	text, ok := s.m.files[from]
	if !ok || to != "/etc/resolv.conf" {
		return fmt.Errorf("mv %s %s: not modelled", from, to)
	}
	delete(s.m.files, from)
	s.m.resolvConf = text
	return nil
}

func (s *bsdSys) Exists(path string) bool {
	_, ok := s.m.files[path]
	return ok || path == "/etc/resolv.conf"
}
