package xplan

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"syscall"

	"github.com/wgtools/wgtools/internal/quick/bsd"
)

// bsdSys is bsd.Sys on the simulated FreeBSD or OpenBSD machine; each
// change is recorded as the command upstream's script would have run for
// it.
type bsdSys struct{ machineSys }

var _ bsd.Sys = (*bsdSys)(nil)

func (s *bsdSys) addWG(name, desc string, sock bool) {
	i := s.m.newIface(name, "wg", s.m.tunMTU)
	i.desc, i.sock = desc, sock
	s.m.wg[name] = &wgDev{}
	s.m.tunnel = name
}

func (s *bsdSys) CreateWG(name string) error {
	s.m.t.Call("ifconfig", "wg", "create", "name", name)
	if err := s.m.change(); err != nil {
		return err
	}
	if !s.m.kernelWG {
		return errors.New(s.m.createError)
	}
	if s.m.iface(name) != nil {
		return fmt.Errorf("ifconfig: ioctl SIOCSIFNAME (set name): %w", syscall.EEXIST)
	}
	s.addWG(name, "", false)
	return nil
}

func (s *bsdSys) StartUserspace(name string) error {
	s.m.t.Call("wireguard-go", name)
	if err := s.m.change(); err != nil {
		return err
	}
	if s.m.iface(name) != nil {
		return fmt.Errorf("ERROR: (%s) Failed to create TUN device: interface %s already exists", name, name)
	}
	s.addWG(name, "", true)
	return nil
}

func (s *bsdSys) Userspace(name string) bool {
	i := s.m.iface(name)
	return i != nil && i.sock
}

func (s *bsdSys) StopUserspace(name string) error {
	if s.Userspace(name) {
		s.m.destroy(name, "socket removed", true)
	}
	return nil
}

func (s *bsdSys) Described(desc string) (string, bool) {
	for _, i := range s.m.ifaces {
		if i.kind == "wg" && i.desc == desc {
			return i.name, true
		}
	}
	return "", false
}

func (s *bsdSys) CreateDescribed(ifname, desc string) error {
	s.m.t.Call("ifconfig", ifname, "create", "description", desc)
	if err := s.m.change(); err != nil {
		return err
	}
	if s.m.iface(ifname) != nil {
		return fmt.Errorf("ifconfig: SIOCIFCREATE: %w", syscall.EEXIST)
	}
	s.addWG(ifname, desc, false)
	return nil
}

func (s *bsdSys) WireGuardInterfaces() []string {
	var out []string
	for _, i := range s.m.ifaces {
		if (i.kind == "wg" || i.kind == "utun") && s.m.wg[i.name] != nil {
			out = append(out, i.name)
		}
	}
	slices.Sort(out)
	return out
}

func (s *bsdSys) Destroy(ifname string) error {
	s.m.t.Call("ifconfig", ifname, "destroy")
	i := s.m.iface(ifname)
	if i == nil || i.kind == "ether" || i.kind == "loopback" {
		return errors.New("ifconfig: SIOCIFDESTROY: Invalid argument")
	}
	s.m.destroy(ifname, "destroyed", true)
	return nil
}

func (s *bsdSys) InterfaceAddresses(ifname string) []netip.Prefix {
	i := s.m.iface(ifname)
	if i == nil {
		return nil
	}
	var out []netip.Prefix
	for _, v6 := range []bool{false, true} {
		for _, a := range i.addrs {
			if a.p.Addr().Is6() == v6 {
				out = append(out, a.p)
			}
		}
	}
	return out
}

func (s *bsdSys) AddAddress(ifname string, addr netip.Prefix) error {
	fam := "inet"
	if addr.Addr().Is6() {
		fam = "inet6"
	}
	s.m.t.Call("ifconfig", ifname, fam, addr.String(), "alias")
	if err := s.m.change(); err != nil {
		return err
	}
	i := s.m.iface(ifname)
	if i == nil {
		return fmt.Errorf("ifconfig: interface %s does not exist", ifname)
	}
	s.m.addAddress(i, addr, netip.Addr{})
	return nil
}

func (s *bsdSys) SetMTU(ifname string, mtu int) error {
	s.m.t.Call("ifconfig", ifname, "mtu", strconv.Itoa(mtu))
	if err := s.m.change(); err != nil {
		return err
	}
	i := s.m.iface(ifname)
	if i == nil || mtu < 576 || mtu > 65535 {
		return errors.New("ifconfig: ioctl SIOCSIFMTU (set mtu): Invalid argument")
	}
	i.mtu = mtu
	return nil
}

// LookupInterface is `route -n get ADDR`: the longest match.
func (s *bsdSys) LookupInterface(a netip.Addr) (string, bool) {
	var best *mRoute
	for _, r := range s.m.routes {
		if r.table == 0 && r.dest.Addr().Is4() == a.Is4() && r.dest.Contains(a) {
			if best == nil || r.dest.Bits() > best.dest.Bits() {
				best = r
			}
		}
	}
	if best == nil {
		return "", false
	}
	return best.iface, true
}
