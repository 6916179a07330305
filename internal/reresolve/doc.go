// Package reresolve is the rule by which the peers of a running tunnel
// whose Endpoint is a host name are looked up again, so that a peer behind
// a dynamic-DNS name is found after its address changed (what upstream
// leaves to contrib/reresolve-dns). It reads and sets the device, looks
// names up and tells time only through what it is given; wg-quick runs it
// in the embedded tunnel's daemon, in `up --foreground`, and once per
// `wg-quick reresolve`. It is not meant for end users.
//
// # The rule
//
// A peer is looked up again when its latest handshake is older than Age
// (135 s, as upstream's script: a rekey after 120 s and three handshake
// attempts) or never happened, and its endpoint is still the one wg-quick
// set (one that differs was set by hand, with `wg set`, and is left
// alone). A new address is set for that peer alone. A failed lookup keeps
// the old address, is logged once, and is tried again after one interval,
// then two, four, … up to MaxFailWait intervals; an unchanged answer is
// asked again the same way up to MaxSameWait intervals. While handshakes
// are fresh a pass reads the device and does nothing else.
package reresolve
