// Package dns sets and removes wg-quick's DNS servers and search domains.
// It is internal to wgtools and not meant for end users.
//
// Three backends are picked at run time by Pick, in this order:
//
//   - "resolvconf": when a resolvconf program is in PATH. It is called with
//     exactly the arguments and input that upstream's bash wg-quick uses
//     (`resolvconf -a <prefix>IF -m 0 -x`, `resolvconf -d <prefix>IF -f`),
//     including the `tun.` interface-order prefix rule.
//   - "systemd-resolved": when resolvconf is absent and
//     org.freedesktop.resolve1 is on the system bus (DBUS_SYSTEM_BUS_ADDRESS
//     is honoured). The link gets its servers, its search domains, the
//     routing-only domain "~." and the default-route flag over D-Bus.
//   - "direct": otherwise, /etc/resolv.conf is rewritten in place, with a
//     backup in a state directory that `down` restores, even from another
//     process.
//
// # Exclusive DNS
//
// Upstream passes -x to resolvconf, which makes the tunnel's servers the
// only ones used while it is up, whatever the AllowedIPs are. The other two
// backends do the same on purpose, so that a config behaves alike on every
// host: systemd-resolved always gets "~." (route every query to this link)
// and the default-route flag, and the direct backend replaces the whole file.
// Users who want split DNS on systemd-resolved can leave DNS out of the
// config and run `resolvectl domain %i ~corp.example` in PostUp.
//
// # Logging
//
// Every change is echoed to Env.Log as a `[#] …` line: the resolvconf command
// line, the resolvectl command equivalent to each D-Bus call, or a
// `[#] # DNS: …` comment for the direct backend. A backend returned by Pick
// first prints `[#] # DNS: <choice> (<reason>)`. Warnings are `[!] …` lines.
package dns
