// Package firewall installs and removes the firewall rules wg-quick adds
// when a configuration routes a /0 through the tunnel: a wg-quick-IF table
// per address family that drops packets addressed to the interface's own
// addresses arriving from elsewhere, and that saves and restores the fwmark
// through conntrack so replies to the tunnel's UDP packets keep it.
//
// On Linux the rules go in with nf_tables over netlink, in one atomic batch,
// and list exactly as upstream's `nft -f` script does; where nf_tables is
// unavailable, iptables-restore gets upstream's iptables script instead.
// Every change prints the `[#] …` line upstream's wg-quick prints for the
// command it would have run. Other systems get an error.
//
// It is not meant for end users.
package firewall
