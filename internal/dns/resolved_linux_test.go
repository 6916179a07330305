package dns

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/google/go-cmp/cmp"
)

// busCall is one method call the fake systemd-resolved received.
type busCall struct {
	Method string
	Args   []any
}

// fakeResolved is org.freedesktop.resolve1 on a private bus: it records the
// Manager calls and serves the Link.DNS property.
type fakeResolved struct {
	mu    sync.Mutex
	calls []busCall
	fail  string // a method that returns an error
	dns   map[int32][]linkDNS
}

func (f *fakeResolved) record(method string, args ...any) *dbus.Error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, busCall{method, args})
	if method == f.fail {
		return dbus.NewError("org.freedesktop.DBus.Error.InvalidArgs", []any{"fake failure"})
	}
	return nil
}

func (f *fakeResolved) SetLinkDNS(idx int32, servers []linkDNS) *dbus.Error {
	if err := f.record("SetLinkDNS", idx, servers); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dns[idx] = servers
	return nil
}

func (f *fakeResolved) SetLinkDomains(idx int32, domains []linkDomain) *dbus.Error {
	return f.record("SetLinkDomains", idx, domains)
}

func (f *fakeResolved) SetLinkDefaultRoute(idx int32, on bool) *dbus.Error {
	return f.record("SetLinkDefaultRoute", idx, on)
}

func (f *fakeResolved) RevertLink(idx int32) *dbus.Error {
	if err := f.record("RevertLink", idx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.dns, idx)
	return nil
}

func (f *fakeResolved) GetLink(idx int32) (dbus.ObjectPath, *dbus.Error) {
	return dbus.ObjectPath(fmt.Sprintf("/org/freedesktop/resolve1/link/_3%d", idx)), nil
}

func (f *fakeResolved) setFail(method string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = method
}

func (f *fakeResolved) take() []busCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// fakeLink serves org.freedesktop.DBus.Properties.Get for one link.
type fakeLink struct {
	f   *fakeResolved
	idx int32
}

func (l fakeLink) Get(iface, prop string) (dbus.Variant, *dbus.Error) {
	if iface != resolveLink || prop != "DNS" {
		return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", []any{prop})
	}
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	return dbus.MakeVariant(append([]linkDNS{}, l.f.dns[l.idx]...)), nil
}

// serveFakeResolved registers a fakeResolved on the bus at addr, with link 7.
func serveFakeResolved(t *testing.T, addr string) *fakeResolved {
	t.Helper()
	conn, err := dbus.Connect(addr)
	must(t, err)
	t.Cleanup(func() { conn.Close() })
	f := &fakeResolved{dns: map[int32][]linkDNS{}}
	must(t, conn.Export(f, resolvePath, resolveManager))
	must(t, conn.Export(fakeLink{f, 7}, "/org/freedesktop/resolve1/link/_37", "org.freedesktop.DBus.Properties"))
	reply, err := conn.RequestName(resolveDest, dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("RequestName: %v %v", reply, err)
	}
	return f
}

func fakeIndex(name string) (int, error) {
	if name == "wg0" {
		return 7, nil
	}
	return 0, errors.New("route ip+net: no such network interface")
}

func TestResolvedPick(t *testing.T) {
	addr := startBus(t)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	e := &Env{LookPath: notFound}
	b, reason := Pick(e)
	if b.Name() != NameDirect || reason != "no resolvconf in PATH; no systemd-resolved: org.freedesktop.resolve1 is not on the system bus" {
		t.Errorf("Pick without systemd-resolved = %s, %q", b.Name(), reason)
	}
	serveFakeResolved(t, addr)
	b, reason = Pick(e)
	if b.Name() != NameResolved || reason != "no resolvconf in PATH; org.freedesktop.resolve1 is on the system bus" {
		t.Errorf("Pick with systemd-resolved = %s, %q", b.Name(), reason)
	}
}

func TestResolvedCalls(t *testing.T) {
	addr := startBus(t)
	f := serveFakeResolved(t, addr)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr) // Bus is nil: the system bus
	var log bytes.Buffer
	e := &Env{Log: &log, LookPath: notFound, IfIndex: fakeIndex}
	b, reason := Pick(e)

	must(t, b.Set("wg0", testConfig))
	v6 := []byte{0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53}
	want := []busCall{
		{"SetLinkDNS", []any{int32(7), []linkDNS{{2, []byte{10, 0, 0, 1}}, {10, v6}}}},
		{"SetLinkDomains", []any{int32(7), []linkDomain{{"example.com", false}, {"corp.example", false}, {".", true}}}},
		{"SetLinkDefaultRoute", []any{int32(7), true}},
	}
	if diff := cmp.Diff(want, f.take()); diff != "" {
		t.Errorf("D-Bus calls for up (-want +got):\n%s", diff)
	}
	wantLog := "[#] # DNS: using systemd-resolved over D-Bus (" + reason + ")\n" +
		"[#] resolvectl dns wg0 10.0.0.1 fd00::53\n" +
		"[#] resolvectl domain wg0 example.com corp.example ~.\n" +
		"[#] resolvectl default-route wg0 true\n"
	if diff := cmp.Diff(wantLog, log.String()); diff != "" {
		t.Errorf("up log (-want +got):\n%s", diff)
	}

	// down and save run in another process: ByName, no memory of Set.
	log.Reset()
	b = ByName(e, NameResolved)
	servers, err := b.Servers("wg0")
	must(t, err)
	if diff := cmp.Diff([]string{"10.0.0.1", "fd00::53"}, servers); diff != "" {
		t.Errorf("Servers (-want +got):\n%s", diff)
	}
	must(t, b.Unset("wg0"))
	if diff := cmp.Diff([]busCall{{"RevertLink", []any{int32(7)}}}, f.take()); diff != "" {
		t.Errorf("D-Bus calls for down (-want +got):\n%s", diff)
	}
	if got := log.String(); got != "[#] resolvectl revert wg0\n" {
		t.Errorf("down log = %q", got)
	}
}

func TestResolvedFailures(t *testing.T) {
	addr := startBus(t)
	f := serveFakeResolved(t, addr)
	var log bytes.Buffer
	e := &Env{Log: &log, Bus: dialBus(addr), IfIndex: fakeIndex}
	b := ByName(e, NameResolved)

	tests := []struct {
		name    string
		fail    string
		ifname  string
		c       Config
		err     string
		methods []string
	}{
		{
			name: "a later call fails: the link is reverted", fail: "SetLinkDomains", ifname: "wg0", c: testConfig,
			err:     "resolvectl domain wg0 example.com corp.example ~.: systemd-resolved SetLinkDomains: fake failure",
			methods: []string{"SetLinkDNS", "SetLinkDomains", "RevertLink"},
		},
		{
			name: "the first call fails: nothing to revert", fail: "SetLinkDNS", ifname: "wg0", c: testConfig,
			err:     "resolvectl dns wg0 10.0.0.1 fd00::53: systemd-resolved SetLinkDNS: fake failure",
			methods: []string{"SetLinkDNS"},
		},
		{
			name: "a server that is not an address", ifname: "wg0", c: Config{Servers: []string{"10.0.0.1:53"}},
			err: `dns: systemd-resolved needs IP addresses: ParseAddr("10.0.0.1:53"): unexpected character (at ":53")`,
		},
		{
			name: "no such link", ifname: "wg9", c: testConfig,
			err: "dns: systemd-resolved: route ip+net: no such network interface",
		},
		{name: "search domains only", ifname: "wg0", c: Config{Search: []string{"example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.setFail(tt.fail)
			err := b.Set(tt.ifname, tt.c)
			if fmt.Sprint(err) != fmt.Sprint(errOrNil(tt.err)) {
				t.Errorf("Set = %v, want %s", err, tt.err)
			}
			var methods []string
			for _, c := range f.take() {
				methods = append(methods, c.Method)
			}
			if diff := cmp.Diff(tt.methods, methods); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
	f.setFail("")
	// Down after the link is gone: systemd-resolved forgot it already.
	log.Reset()
	must(t, b.Unset("wg9"))
	if calls := f.take(); len(calls) != 0 || log.Len() != 0 {
		t.Errorf("Unset of a gone link made calls %v, log %q", calls, log.String())
	}
}

func errOrNil(s string) error {
	if s == "" {
		return nil
	}
	return errors.New(s)
}

func TestLinkServers(t *testing.T) {
	got, err := linkServers([]string{"192.0.2.1", "fe80::1%wg0", "::ffff:192.0.2.2"})
	must(t, err)
	want := []linkDNS{
		{2, []byte{192, 0, 2, 1}},
		{10, []byte{0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{10, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 2}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("linkServers (-want +got):\n%s", diff)
	}
	if _, err := linkServers([]string{"dns.example"}); err == nil || !strings.Contains(err.Error(), "needs IP addresses") {
		t.Errorf("linkServers(name) = %v", err)
	}
}

// notFound is a LookPath that finds nothing.
func notFound(file string) (string, error) {
	return "", &exec.Error{Name: file, Err: exec.ErrNotFound}
}
