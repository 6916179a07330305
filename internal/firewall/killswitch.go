package firewall

import (
	"fmt"
	"net/netip"
	"strings"
)

// KillSwitch is what a kill switch lets leave the host (our extension,
// `KillSwitch = true`): everything else is dropped on its way out, until
// the kill switch is removed, whether or not the tunnel still runs.
type KillSwitch struct {
	// Tunnel is the interface packets may leave through.
	Tunnel string
	// ListenPort is the tunnel's UDP port: its own packets (to the peers'
	// endpoints, wherever they roam) leave from it.
	ListenPort uint16
	// DNS, when set, are the only name servers a query (port 53) may go to
	// (other than on loopback, where a local resolver forwards it).
	DNS []netip.Addr
	// Allow are the destinations that may be reached outside the tunnel
	// (ExcludedIPs, the LAN).
	Allow []netip.Prefix
}

// KillSwitchTable is the nftables table of the kill switch of ifname (inet
// family).
func KillSwitchTable(ifname string) string { return "wgtools-killswitch-" + ifname }

// ndpTypes are the ICMPv6 messages the underlay's IPv6 needs (router and
// neighbour discovery, and the multicast listener reports that switches
// snooping MLD need to deliver neighbour solicitations), by number and by
// nft's name.
var ndpTypes = []struct {
	typ  byte
	name string
}{{133, "nd-router-solicit"}, {135, "nd-neighbor-solicit"}, {136, "nd-neighbor-advert"}, {131, "mld-listener-report"}, {143, "mld2-listener-report"}}

// Script is the kill switch in nft syntax, as `nft list table` prints it:
// what the [#] log and the documentation show, and what the tests compare
// the kernel's listing with.
func (k KillSwitch) Script() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table inet %s {\n", KillSwitchTable(k.Tunnel))
	if len(k.DNS) > 0 {
		b.WriteString("\tchain dns {\n")
		for _, a := range k.DNS {
			fmt.Fprintf(&b, "\t\t%s daddr %s return\n", ipFamily(a), a)
		}
		b.WriteString("\t\tcounter packets 0 bytes 0 drop\n\t}\n\n")
	}
	b.WriteString("\tchain postrouting {\n\t\ttype filter hook postrouting priority raw - 10; policy drop;\n")
	b.WriteString("\t\toifname \"lo\" accept\n")
	if len(k.DNS) > 0 {
		b.WriteString("\t\tudp dport 53 jump dns\n\t\ttcp dport 53 jump dns\n")
	}
	fmt.Fprintf(&b, "\t\toifname %q accept\n", k.Tunnel)
	fmt.Fprintf(&b, "\t\tudp sport %d accept\n", k.ListenPort)
	b.WriteString("\t\tudp sport 68 udp dport 67 accept\n")
	b.WriteString("\t\tudp sport 546 udp dport 547 accept\n")
	for _, t := range ndpTypes {
		fmt.Fprintf(&b, "\t\ticmpv6 type %s accept\n", t.name)
	}
	for _, p := range k.Allow {
		fmt.Fprintf(&b, "\t\t%s daddr %s accept\n", ipFamily(p.Addr()), prefixText(p))
	}
	b.WriteString("\t\tcounter packets 0 bytes 0 drop\n\t}\n}\n")
	return b.String()
}

// prefixText is a prefix as nft prints it: a host without its length.
func prefixText(p netip.Prefix) string {
	p = p.Masked()
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

func ipFamily(a netip.Addr) string {
	if a.Is4() {
		return "ip"
	}
	return "ip6"
}
