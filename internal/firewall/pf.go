package firewall

import (
	"fmt"
	"strings"
)

// PFLoopback is the loopback interface of macOS, FreeBSD and OpenBSD.
const PFLoopback = "lo0"

// PF is the kill switch as a pf ruleset (pf.conf(5) syntax) for an anchor
// of its own, what macOS, FreeBSD and OpenBSD load with `pfctl -a ANCHOR
// -f -`. It lets out what Script does, in the same order: every rule is
// quick, so the first that matches decides, and the last blocks the rest.
// ICMPv6 types are numbers (the systems name them differently); the DNS
// servers are a table, since pf reads `! { a b }` as "not a or not b".
// It filters outgoing packets only, as Script's postrouting chain does;
// connections pf already tracked before it was loaded keep their state.
func (k KillSwitch) PF() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# wgtools kill switch of %s: nothing leaves but through it\n", k.Tunnel)
	if len(k.DNS) > 0 {
		b.WriteString("table <wgtools_dns> const {")
		for _, a := range k.DNS {
			b.WriteString(" " + a.String())
		}
		b.WriteString(" }\n")
	}
	fmt.Fprintf(&b, "pass out quick on %s all\n", PFLoopback)
	if len(k.DNS) > 0 {
		b.WriteString("block drop out quick proto { tcp udp } from any to ! <wgtools_dns> port 53\n")
	}
	fmt.Fprintf(&b, "pass out quick on %s all\n", k.Tunnel)
	fmt.Fprintf(&b, "pass out quick proto udp from any port %d to any\n", k.ListenPort)
	b.WriteString("pass out quick proto udp from any port 68 to any port 67\n")
	b.WriteString("pass out quick proto udp from any port 546 to any port 547\n")
	b.WriteString("pass out quick inet6 proto icmp6 all icmp6-type {")
	for _, t := range ndpTypes {
		fmt.Fprintf(&b, " %d", t.typ)
	}
	b.WriteString(" }\n")
	for _, p := range k.Allow {
		fam := "inet"
		if p.Addr().Is6() {
			fam = "inet6"
		}
		fmt.Fprintf(&b, "pass out quick %s from any to %s\n", fam, prefixText(p))
	}
	b.WriteString("block drop out quick all\n")
	return b.String()
}
