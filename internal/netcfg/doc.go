// Package netcfg changes the host's network state for wg-quick: addresses,
// MTU and link state, routes, policy rules, firewall marks and DNS. On Linux
// every change is a netlink call made here; each prints the `[#] …` line
// that upstream's wg-quick prints for the command it would have run, so
// logs read the same.
package netcfg
