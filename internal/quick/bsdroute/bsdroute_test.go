package bsdroute

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
)

// fakeSys records the routes asked for, as route(8) lines.
type fakeSys struct {
	gw4, gw6 netip.Addr
	calls    []string
}

func (f *fakeSys) DefaultRoute(v6 bool) (netip.Addr, string, bool) {
	if v6 {
		return f.gw6, "em0", f.gw6.IsValid()
	}
	return f.gw4, "em0", f.gw4.IsValid()
}

func (f *fakeSys) AddRoute(p netip.Prefix, via Via) error {
	f.calls = append(f.calls, fmt.Sprintf("add %s gw=%v blackhole=%v", p, via.Gateway, via.Blackhole))
	return nil
}

func (f *fakeSys) DeleteRoute(p netip.Prefix) error {
	f.calls = append(f.calls, "delete "+p.String())
	return nil
}

func device(endpoints ...string) *config.Device {
	d := &config.Device{}
	for _, e := range endpoints {
		d.Peers = append(d.Peers, config.DevicePeer{Endpoint: netip.MustParseAddrPort(e)})
	}
	return d
}

// TestUpdate follows set_endpoint_direct_route through a tunnel's life:
// the first run (every route deleted before it is added), a message that
// changes nothing, a new gateway, a peer that roams, an IPv6 endpoint whose
// family's default route is not the tunnel's, and no gateway at all.
func TestUpdate(t *testing.T) {
	sys := &fakeSys{gw4: netip.MustParseAddr("192.168.1.1")}
	e := &EndpointRoutes{Auto4: true}
	var lines []string
	logf := func(f string, args ...any) { lines = append(lines, fmt.Sprintf(f, args...)) }
	steps := []struct {
		name  string
		do    func()
		calls []string
	}{
		{"first", func() { e.Update(sys, logf, device("203.0.113.1:51820", "[2001:db8::9]:51820"), true) }, []string{
			"delete 203.0.113.1/32", "add 203.0.113.1/32 gw=192.168.1.1 blackhole=false"}},
		{"nothing changed", func() { e.Update(sys, logf, device("203.0.113.1:51820"), true) }, nil},
		{"new gateway", func() {
			sys.gw4 = netip.MustParseAddr("192.168.1.254")
			e.Update(sys, logf, device("203.0.113.1:51820"), true)
		}, []string{"delete 203.0.113.1/32", "add 203.0.113.1/32 gw=192.168.1.254 blackhole=false"}},
		{"roamed", func() { e.Update(sys, logf, device("198.51.100.7:51820"), true) }, []string{
			"delete 203.0.113.1/32", "add 198.51.100.7/32 gw=192.168.1.254 blackhole=false"}},
		{"no gateway", func() {
			sys.gw4 = netip.Addr{}
			e.Update(sys, logf, device("198.51.100.7:51820"), true)
		}, []string{"delete 198.51.100.7/32", "add 198.51.100.7/32 gw=invalid IP blackhole=true"}},
		{"delete", func() { e.Delete(sys, logf) }, []string{"delete 198.51.100.7/32"}},
	}
	for _, s := range steps {
		sys.calls = nil
		s.do()
		if d := cmp.Diff(s.calls, sys.calls); d != "" {
			t.Errorf("%s: calls (-want +got):\n%s", s.name, d)
		}
	}
	want := []string{
		"[#] route -q -n delete -inet 203.0.113.1",
		"[#] route -q -n add -inet 203.0.113.1 -gateway 192.168.1.1",
		"[#] route -q -n delete -inet 203.0.113.1",
		"[#] route -q -n add -inet 203.0.113.1 -gateway 192.168.1.254",
		"[#] route -q -n delete -inet 203.0.113.1",
		"[#] route -q -n add -inet 198.51.100.7 -gateway 192.168.1.254",
		"[#] route -q -n delete -inet 198.51.100.7",
		"[#] route -q -n add -inet 198.51.100.7 127.0.0.1 -blackhole",
		"[#] route -q -n delete -inet 198.51.100.7",
	}
	if d := cmp.Diff(want, lines); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
	if len(e.Endpoints) != 0 {
		t.Errorf("endpoints after Delete: %v", e.Endpoints)
	}
}

// TestUpdateHidesDeletes: macOS's script hides its delete lines; the
// deletes still happen.
func TestUpdateHidesDeletes(t *testing.T) {
	sys := &fakeSys{gw6: netip.MustParseAddr("fe80::1")}
	e := &EndpointRoutes{Auto6: true}
	var lines []string
	e.Update(sys, func(f string, args ...any) { lines = append(lines, fmt.Sprintf(f, args...)) }, device("[2001:db8::9]:51820"), false)
	if d := cmp.Diff([]string{"[#] route -q -n add -inet6 2001:db8::9 -gateway fe80::1"}, lines); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"delete 2001:db8::9/128", "add 2001:db8::9/128 gw=fe80::1 blackhole=false"}, sys.calls); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}
