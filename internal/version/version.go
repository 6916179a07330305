// Package version tells which wgtools this is.
package version

import "runtime/debug"

// Version is set at build time with
// -ldflags "-X github.com/wgtools/wgtools/internal/version.Version=1.2.3".
var Version = ""

// Upstream is the wireguard-tools release whose behaviour we match.
const Upstream = "1.0.20260223"

// String returns the version without a leading "v".
func String() string {
	if Version != "" {
		return trimV(Version)
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return trimV(bi.Main.Version)
	}
	return "0.0.0-dev"
}

func trimV(s string) string {
	if len(s) > 0 && s[0] == 'v' {
		return s[1:]
	}
	return s
}

// Banner is what `wg --version` prints.
func Banner() string {
	return "wgtools v" + String() + " (wireguard-tools " + Upstream + " compatible)"
}
