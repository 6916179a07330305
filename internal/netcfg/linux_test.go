//go:build linux

package netcfg

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// newNS makes a network namespace with a link "wgt0" (and an uplink with a
// default route) and returns a
// Linux bound to it.
func newNS(t *testing.T) (*Linux, *bytes.Buffer, string) {
	t.Helper()
	testenv.Require(t, testenv.Root(), testenv.Command("ip", "iproute2"))
	name := netnstest.NewNetns(t, "wgnc")
	// veth pairs: this kernel may have no dummy links.
	ip(t, name, "link", "add", "wgt0", "type", "veth", "peer", "name", "wgt0p")
	ip(t, name, "link", "set", "wgt0p", "up")
	ip(t, name, "link", "add", "up0", "type", "veth", "peer", "name", "up0p")
	ip(t, name, "link", "set", "up0p", "up")
	ip(t, name, "link", "set", "up0", "mtu", "1400", "up")
	ip(t, name, "addr", "add", "192.0.2.1/24", "dev", "up0")
	ip(t, name, "route", "add", "default", "via", "192.0.2.254", "dev", "up0")
	ns, err := netns.GetFromName(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ns.Close() })
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	var log bytes.Buffer
	return &Linux{Log: &log, Handle: h, NS: &ns}, &log, name
}

func ip(t *testing.T, ns string, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip %v: %v %s", args, err, out)
	}
	return string(out)
}

func TestLinux(t *testing.T) {
	h, log, ns := newNS(t)
	if !h.LinkExists("wgt0") || h.LinkExists("nosuch0") {
		t.Fatal("LinkExists")
	}
	steps := []struct {
		run  func() error
		line string
	}{
		{func() error { return h.AddAddress("wgt0", netip.MustParsePrefix("10.0.0.1/24")) }, "ip -4 address add 10.0.0.1/24 dev wgt0"},
		{func() error { return h.AddAddress("wgt0", netip.MustParsePrefix("fd00::1/64")) }, "ip -6 address add fd00::1/64 dev wgt0"},
		{func() error { return h.SetMTUUp("wgt0", 1380) }, "ip link set mtu 1380 up dev wgt0"},
		{func() error { return h.AddRoute("wgt0", netip.MustParsePrefix("10.9.0.0/16"), 0) }, "ip -4 route add 10.9.0.0/16 dev wgt0"},
		{func() error { return h.AddRoute("wgt0", netip.MustParsePrefix("fd09::/32"), 0) }, "ip -6 route add fd09::/32 dev wgt0"},
		{func() error { return h.AddRoute("wgt0", netip.MustParsePrefix("0.0.0.0/0"), 1234) }, "ip -4 route add 0.0.0.0/0 dev wgt0 table 1234"},
	}
	var want []string
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatal(err)
		}
		want = append(want, "[#] "+s.line)
	}
	if diff := cmp.Diff(strings.Join(want, "\n")+"\n", log.String()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
	link := ip(t, ns, "link", "show", "wgt0")
	if !strings.Contains(link, "mtu 1380") || !strings.Contains(link, ",UP") {
		t.Errorf("link: %s", link)
	}
	if a := ip(t, ns, "addr", "show", "dev", "wgt0"); !strings.Contains(a, "inet 10.0.0.1/24") || !strings.Contains(a, "inet6 fd00::1/64") {
		t.Errorf("addresses: %s", a)
	}
	if r := ip(t, ns, "route", "show", "table", "1234"); !strings.Contains(r, "default dev wgt0") {
		t.Errorf("table 1234: %q", r)
	}
	if r := ip(t, ns, "-4", "route", "show", "dev", "wgt0"); !strings.Contains(r, "10.9.0.0/16") {
		t.Errorf("main: %q", r)
	}

	// The address's own subnet and the added route count as routed through
	// the interface; other prefixes do not.
	for p, want := range map[string]bool{"10.0.0.0/24": true, "10.0.0.128/25": true, "10.9.1.0/24": true, "10.10.0.0/16": false, "0.0.0.0/0": false, "fd09:0:1::/48": true, "fd09:1::/48": false, "fd0a::/16": false} {
		pp := netip.MustParsePrefix(p)
		routes, err := h.RoutesThrough("wgt0", pp.Addr().Is6())
		got := false
		for _, r := range routes {
			got = got || (r.Bits() <= pp.Bits() && r.Contains(pp.Addr()))
		}
		if err != nil || got != want {
			t.Errorf("routed through wgt0 (%s) = %v, %v (routes %v); want %v", p, got, err, routes, want)
		}
	}
	if mtu, ok := h.RouteMTU(netip.MustParseAddr("198.51.100.7")); !ok || mtu != 1400 {
		t.Errorf("RouteMTU via the default route = %d, %v; want 1400", mtu, ok)
	}
	if mtu, ok := h.RouteMTU(netip.MustParseAddr("10.9.3.4")); !ok || mtu != 1380 {
		t.Errorf("RouteMTU via wgt0 = %d, %v; want 1380", mtu, ok)
	}
	if mtu, ok := h.DefaultRouteMTU(); !ok || mtu != 1400 {
		t.Errorf("DefaultRouteMTU = %d, %v", mtu, ok)
	}
	log.Reset()
	if err := h.DeleteLink("wgt0"); err != nil {
		t.Fatal(err)
	}
	if log.String() != "[#] ip link delete dev wgt0\n" || h.LinkExists("wgt0") {
		t.Errorf("delete: %q, exists=%v", log.String(), h.LinkExists("wgt0"))
	}
	if err := h.AddAddress("wgt0", netip.MustParsePrefix("10.0.0.1/24")); err == nil {
		t.Error("address on a missing link succeeded")
	}
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// TestRouteListings compares the route listings read from the kernel's
// messages (the NS socket, filtered by the kernel) with those through
// netlink's own listing (a Handle without NS): table, interface, kernel
// routes, the mtu metric, a table that does not exist.
func TestRouteListings(t *testing.T) {
	fast, _, ns := newNS(t)
	slow := &Linux{Handle: fast.Handle}
	ip(t, ns, "link", "set", "wgt0", "up")
	ip(t, ns, "addr", "add", "10.0.0.1/24", "dev", "wgt0")
	ip(t, ns, "addr", "add", "fd00::1/64", "dev", "wgt0", "nodad")
	for _, r := range []string{"10.9.0.0/16", "10.8.1.0/24", "fd09::/32"} {
		ip(t, ns, "route", "add", r, "dev", "wgt0")
	}
	ip(t, ns, "route", "add", "10.7.0.0/16", "dev", "wgt0", "table", "1234")
	ip(t, ns, "route", "add", "10.6.0.0/16", "dev", "up0")
	ip(t, ns, "route", "replace", "default", "via", "192.0.2.254", "dev", "up0", "mtu", "1300")
	sorted := func(ps []netip.Prefix) string {
		var s []string
		for _, p := range ps {
			s = append(s, p.String())
		}
		slices.Sort(s)
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		table         int
		v6            bool
		added, kernel string
	}{
		{0, false, "10.8.1.0/24 10.9.0.0/16", "10.0.0.0/24"},
		{1234, false, "10.7.0.0/16", ""},
		{4321, false, "", ""},
		{0, true, "fd09::/32", "fd00::/64 fe80::/64"},
		{4321, true, "", ""},
	} {
		for _, h := range []*Linux{fast, slow} {
			added, kernel, err := h.RoutesIn("wgt0", c.table, c.v6)
			if err != nil || sorted(added) != c.added || sorted(kernel) != c.kernel {
				t.Errorf("RoutesIn(table %d, v6 %v) (NS %v) = %v, %v, %v; want %s, %s", c.table, c.v6, h.NS != nil, added, kernel, err, c.added, c.kernel)
			}
		}
	}
	// A listing the kernel sends in many reads (about 30 KiB each).
	var batch strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&batch, "route add 10.%d.%d.0/24 dev wgt0 table 77\n", 100+i>>8, i&255)
	}
	path := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(path, []byte(batch.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	ip(t, ns, "-batch", path)
	var lists [2][]netip.Prefix
	for i, h := range []*Linux{fast, slow} {
		added, _, err := h.RoutesIn("wgt0", 77, false)
		if err != nil || len(added) != 3000 {
			t.Fatalf("RoutesIn(table 77) (NS %v): %d routes, %v; want 3000", h.NS != nil, len(added), err)
		}
		lists[i] = added
	}
	if sorted(lists[0]) != sorted(lists[1]) {
		t.Error("the two listings of table 77 differ")
	}
	for _, h := range []*Linux{fast, slow} {
		if mtu, ok := h.DefaultRouteMTU(); !ok || mtu != 1300 {
			t.Errorf("DefaultRouteMTU (NS %v) = %d, %v; want 1300", h.NS != nil, mtu, ok)
		}
		if got, err := h.RoutesThrough("wgt0", false); err != nil || sorted(got) != "10.0.0.0/24 10.8.1.0/24 10.9.0.0/16" {
			t.Errorf("RoutesThrough (NS %v) = %v, %v", h.NS != nil, got, err)
		}
	}
}
