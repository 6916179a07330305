package firewall

import (
	"fmt"
	"io"
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
)

// Backend selects how AddDefault installs the rules.
type Backend int

// Possible Backend values.
const (
	// Auto uses nf_tables, or iptables-restore when nf_tables is unavailable.
	Auto Backend = iota
	// Nftables always uses nf_tables over netlink.
	Nftables
	// Iptables always uses iptables-restore and ip6tables-restore.
	Iptables
)

// String returns the backend's name.
func (b Backend) String() string {
	switch b {
	case Auto:
		return "auto"
	case Nftables:
		return "nftables"
	case Iptables:
		return "iptables"
	}
	return fmt.Sprintf("Backend(%d)", int(b))
}

// Firewall installs and removes wg-quick's rules. The zero value works in
// the current network namespace and logs nothing.
type Firewall struct {
	// Log gets one `[#] …` line per change, as upstream's wg-quick prints.
	Log io.Writer
	// NetNS is an fd of the network namespace to work in; 0 is the
	// current one. It applies to netlink and to the iptables commands.
	NetNS int
	// Backend selects how AddDefault installs rules; Remove and Has
	// always look at both, as upstream's remove_firewall does.
	Backend Backend
}

func checkName(ifname string) error {
	if !config.ValidInterfaceName(ifname) {
		return fmt.Errorf("firewall: invalid interface name %q", ifname)
	}
	return nil
}

// familyAddrs returns the addresses of one family, in order and without
// zones, as `ip -o -4|-6 addr show` lists them; others are ignored.
func familyAddrs(v6 bool, addrs []netip.Addr) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range addrs {
		if !a.IsValid() {
			return nil, fmt.Errorf("firewall: invalid address in %v", addrs)
		}
		if a.Is6() == v6 {
			out = append(out, a.WithZone(""))
		}
	}
	return out, nil
}
