package firewall

// TableName is the nftables table (and iptables tag) wg-quick uses for
// ifname: wg-quick-IF, as upstream.
func TableName(ifname string) string { return "wg-quick-" + ifname }
