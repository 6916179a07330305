// Package config parses and writes WireGuard configuration: the wg(8) file
// format, the wg-quick(8) superset, and the token grammar of `wg set`.
//
// The package is pure. Everything it needs from the operating system (service
// and host name lookups, key files, the environment, warnings) comes in
// through [Options]. Error texts are exactly those of wireguard-tools
// 1.0.20260223, except that private and preshared key material is never
// repeated in a message; errors also carry the line they come from, which the
// upstream texts do not show.
package config
