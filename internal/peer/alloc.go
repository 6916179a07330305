package peer

import (
	"fmt"
	"net/netip"
)

// Taken is every address and prefix in use: the server's own addresses and
// every peer's allowed IPs.
func (f *File) Taken() []netip.Prefix {
	var out []netip.Prefix
	for _, a := range f.Addresses {
		out = append(out, netip.PrefixFrom(a.Addr(), a.Addr().BitLen()))
	}
	for _, p := range f.Peers {
		out = append(out, p.AllowedIPs...)
	}
	return out
}

// NextFree is the lowest usable address of network that no taken prefix
// contains. IPv4 networks up to /30 leave out the network and broadcast
// addresses and IPv6 ones up to /126 the subnet-router anycast address;
// /31 and /127 (point to point) use both.
func NextFree(network netip.Prefix, taken []netip.Prefix) (netip.Addr, error) {
	network = network.Masked()
	bits := network.Addr().BitLen()
	a := network.Addr()
	if network.Bits() < bits-1 {
		a = a.Next() // not the network (or anycast) address
	}
	for ; a.IsValid() && network.Contains(a); a = a.Next() {
		if a.Is4() && network.Bits() < 31 && isBroadcast(network, a) {
			break
		}
		if !covered(a, taken) {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("no free address left in %s", network)
}

func covered(a netip.Addr, taken []netip.Prefix) bool {
	for _, t := range taken {
		if t.Contains(a) {
			return true
		}
	}
	return false
}

func isBroadcast(network netip.Prefix, a netip.Addr) bool {
	n := a.Next()
	return !n.IsValid() || !network.Contains(n)
}

// Allocate picks one client address in each of the server's networks
// (IPv4 and IPv6 alike), with the network's prefix length.
func (f *File) Allocate() ([]netip.Prefix, error) {
	if len(f.Addresses) == 0 {
		return nil, fmt.Errorf("the interface has no Address to take client addresses from (hint: add one, or pass --address)")
	}
	taken := f.Taken()
	var out []netip.Prefix
	for _, n := range f.Addresses {
		if n.Bits() == n.Addr().BitLen() {
			continue // a host address: no network to share
		}
		a, err := NextFree(n, taken)
		if err != nil {
			return nil, err
		}
		out = append(out, netip.PrefixFrom(a, n.Bits()))
		taken = append(taken, netip.PrefixFrom(a, a.BitLen()))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the interface's addresses are all single hosts (/32 or /128): no network to take client addresses from (hint: pass --address)")
	}
	return out, nil
}

// Claim checks addresses given by hand: each must be free; one inside a
// server network gets that network's prefix length.
func (f *File) Claim(addrs []netip.Addr) ([]netip.Prefix, error) {
	taken := f.Taken()
	var out []netip.Prefix
	for _, a := range addrs {
		for _, p := range f.Peers {
			for _, ip := range p.AllowedIPs {
				if ip.Contains(a) {
					return nil, fmt.Errorf("address %s is taken by peer %s", a, p.label())
				}
			}
		}
		if covered(a, taken) {
			return nil, fmt.Errorf("address %s is the interface's own", a)
		}
		bits := a.BitLen()
		for _, n := range f.Addresses {
			if n.Masked().Contains(a) && n.Bits() < bits {
				bits = n.Bits()
			}
		}
		out = append(out, netip.PrefixFrom(a, bits))
		taken = append(taken, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

func (e *Entry) label() string {
	if e.Name != "" {
		return e.Name
	}
	return e.PublicKey
}
