//go:build linux

package firewall

import (
	"net/netip"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// The link made in each namespace, with addresses of both families; its
// peer has none.
const (
	testLink = "wgfw0"
	testPeer = "wgfw1"
)

// testNS is a fresh network namespace.
type testNS struct {
	name string
	fd   int
}

// needTools skips the test unless it runs as root with the given commands;
// with CI set, a root run fails instead of skipping.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	needs := []testenv.Need{testenv.Root(), testenv.Command("ip", "iproute2")}
	for _, tool := range tools {
		pkg := "iptables"
		if tool == "nft" {
			pkg = "nftables"
		}
		needs = append(needs, testenv.Command(tool, pkg))
	}
	testenv.Require(t, needs...)
}

// newNS makes a network namespace named wgfw<pid>_<n> with the veth pair
// testLink/testPeer, up, testLink carrying two IPv4 and two IPv6 addresses
// (one link-local). It is deleted when the test ends.
func newNS(t *testing.T) *testNS {
	t.Helper()
	name := netnstest.NewNetns(t, "wgfw")
	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	h, err := netns.GetFromName(name)
	if err != nil {
		t.Fatalf("open netns %s: %v", name, err)
	}
	t.Cleanup(func() { h.Close() })

	ip("-n", name, "link", "add", testLink, "type", "veth", "peer", "name", testPeer)
	for _, l := range []string{testLink, testPeer} {
		// No automatic link-local address: the test adds its own, so the
		// address list does not depend on timing.
		ip("-n", name, "link", "set", l, "addrgenmode", "none")
		ip("-n", name, "link", "set", l, "up")
	}
	for _, a := range []string{"10.77.0.1/24", "fd77::1/64", "10.78.0.1/24", "fe80::77/64"} {
		ip("-n", name, "addr", "add", a, "dev", testLink, "nodad")
	}
	return &testNS{name: name, fd: int(h)}
}

// run runs a command in the namespace with `ip netns exec` and returns its
// stdout.
func (ns *testNS) run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.name}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ip netns exec %s %s: %v: %s", ns.name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// upstreamAddrRE is the pattern upstream's add_default matches against
// each line of `ip -o addr show`.
var upstreamAddrRE = regexp.MustCompile(`.*inet6? ([0-9a-f:.]+)/[0-9]+.*`)

// addrs lists ifname's addresses of one family as upstream reads them.
func (ns *testNS) addrs(t *testing.T, ifname string, v6 bool) []string {
	t.Helper()
	proto := "-4"
	if v6 {
		proto = "-6"
	}
	var out []string
	for _, line := range strings.Split(ns.run(t, "", "ip", "-o", proto, "addr", "show", "dev", ifname), "\n") {
		if m := upstreamAddrRE.FindStringSubmatch(line); m != nil {
			out = append(out, m[1])
		}
	}
	return out
}

func parseAddrs(t *testing.T, ss []string) []netip.Addr {
	t.Helper()
	var out []netip.Addr
	for _, s := range ss {
		a, err := netip.ParseAddr(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}
