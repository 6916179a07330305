package firewall

import (
	"fmt"
	"net/netip"
	"strings"
)

// marker is the comment upstream tags every iptables rule with.
func marker(ifname string) string {
	return fmt.Sprintf(`-m comment --comment "wg-quick(8) rule for %s"`, ifname)
}

// restoreScript is the iptables-restore input upstream's add_default
// feeds to `iptables-restore -n` (or ip6tables-restore) when nft is
// missing; addrs must all be of one family.
func restoreScript(ifname string, addrs []netip.Addr, mark uint32) string {
	m := marker(ifname)
	var b strings.Builder
	b.WriteString("*raw\n")
	for _, a := range addrs {
		fmt.Fprintf(&b, "-I PREROUTING ! -i %s -d %s -m addrtype ! --src-type LOCAL -j DROP %s\n", ifname, a, m)
	}
	b.WriteString("COMMIT\n*mangle\n")
	fmt.Fprintf(&b, "-I POSTROUTING -m mark --mark %d -p udp -j CONNMARK --save-mark %s\n", mark, m)
	fmt.Fprintf(&b, "-I PREROUTING -p udp -j CONNMARK --restore-mark %s\n", m)
	b.WriteString("COMMIT\n")
	return b.String()
}

// deleteScript turns iptables-save output into the iptables-restore input
// that deletes ifname's tagged rules, as upstream's remove_firewall does:
// table headers, COMMITs and the tagged -A lines turned into -D. found
// reports whether there is any rule to delete.
func deleteScript(ifname, save string) (script string, found bool) {
	tag := marker(ifname)
	var b strings.Builder
	for _, line := range strings.Split(save, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "*"), line == "COMMIT":
		case strings.HasPrefix(line, "-A ") && strings.Contains(line, tag):
			line = "-D" + strings.TrimPrefix(line, "-A")
			found = true
		default:
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String(), found
}
