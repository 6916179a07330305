package bsd

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

// fakeSys answers the few calls a test makes; any other call panics (the
// embedded interface is nil), which fails the test that makes it.
type fakeSys struct {
	Sys
	wgIfaces  []string
	taken     map[string]bool
	described map[string]string // description -> interface
	created   []string
	destroyed []string
	createWG  error
	resolv    string
}

func (f *fakeSys) WireGuardInterfaces() []string { return f.wgIfaces }

func (f *fakeSys) CreateDescribed(ifname, desc string) error {
	f.created = append(f.created, ifname)
	if f.taken[ifname] {
		return fmt.Errorf("ifconfig: SIOCIFCREATE: %w", syscall.EEXIST)
	}
	f.described[desc] = ifname
	return nil
}

func (f *fakeSys) Described(desc string) (string, bool) {
	n, ok := f.described[desc]
	return n, ok
}

func (f *fakeSys) Destroy(ifname string) error {
	f.destroyed = append(f.destroyed, ifname)
	return nil
}

func (f *fakeSys) CreateWG(string) error { return f.createWG }

func (f *fakeSys) Exists(string) bool { return false }

func (f *fakeSys) MonitorRunning(int) bool { return false }

func (f *fakeSys) ResolvconfList(string) (string, error) { return f.resolv, nil }

func TestParseTable(t *testing.T) {
	for _, c := range []struct {
		os, in string
		want   quick.Table
		err    string
	}{
		{FreeBSD, "", quick.Table{Auto: true}, ""},
		{FreeBSD, "auto", quick.Table{Auto: true}, ""},
		{OpenBSD, "off", quick.Table{Off: true}, ""},
		{FreeBSD, "1234", quick.Table{ID: 1234}, ""},
		{OpenBSD, "0", quick.Table{ID: 0}, ""},
		{FreeBSD, "main", quick.Table{}, "table `main' is not auto, off or a number (a FIB)"},
		{OpenBSD, "-1", quick.Table{}, "table `-1' is not auto, off or a number (an rtable)"},
	} {
		p := &Platform{OS: c.os}
		got, err := p.ParseTable(c.in)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%s ParseTable(%q): error %v, want %q", c.os, c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s ParseTable(%q) = %+v, %v; want %+v", c.os, c.in, got, err, c.want)
		}
	}
}

// TestOpenBSDCreateRace: the lowest wgN `wg show interfaces` leaves out
// is taken by another process before we create it (not yet a WireGuard
// interface it lists): the next one is tried, each attempt logged as
// upstream's loop logs it.
func TestOpenBSDCreateRace(t *testing.T) {
	f := &fakeSys{wgIfaces: []string{"wg0"}, taken: map[string]bool{"wg0": true, "wg1": true}, described: map[string]string{}}
	var log bytes.Buffer
	p := &Platform{OS: OpenBSD, Sys: f, Log: &log}
	real, err := p.AddInterface(quick.NewJournal(&quick.State{Interface: "office"}, nil), "office")
	if err != nil || real != "wg2" {
		t.Fatalf("AddInterface = %q, %v; want wg2", real, err)
	}
	want := "[#] ifconfig wg1 create description wg-quick: office\n[#] ifconfig wg2 create description wg-quick: office\n"
	if d := cmp.Diff(want, log.String()); d != "" {
		t.Errorf("log (-want +got):\n%s", d)
	}
}

// TestOpenBSDTeardownLeavesOthers: a state's wgN that no longer carries
// the config's description (the tunnel died and another one got the
// number) is not destroyed.
func TestOpenBSDTeardownLeavesOthers(t *testing.T) {
	f := &fakeSys{described: map[string]string{"wg-quick: other": "wg0"}}
	var log bytes.Buffer
	p := &Platform{OS: OpenBSD, Sys: f, Log: &log}
	st := &quick.State{Interface: "office", Real: "wg0"}
	j := quick.NewJournal(st, nil)
	if err := save(j, &Record{Real: "wg0"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Teardown(j, "office", "wg0", &config.QuickConfig{}, quick.ForLeftovers); err != nil {
		t.Fatal(err)
	}
	if len(f.destroyed) != 0 || log.Len() != 0 {
		t.Errorf("destroyed %v, logged %q; want nothing", f.destroyed, log.String())
	}
}

// TestFreeBSDNameTaken: when if_wg exists but the name is taken, up fails
// with ifconfig's error instead of falling back to userspace.
func TestFreeBSDNameTaken(t *testing.T) {
	f := &fakeSys{createWG: fmt.Errorf("ifconfig: ioctl SIOCSIFNAME (set name): %w", syscall.EEXIST)}
	var log bytes.Buffer
	p := &Platform{OS: FreeBSD, Sys: f, Log: &log}
	_, err := p.AddInterface(quick.NewJournal(&quick.State{Interface: "wg0"}, nil), "wg0")
	if err == nil || !strings.Contains(err.Error(), "SIOCSIFNAME") {
		t.Fatalf("AddInterface error %v, want ifconfig's", err)
	}
	if strings.Contains(log.String(), "userspace") {
		t.Errorf("fell back to userspace:\n%s", log.String())
	}
}

// TestFreeBSDSaveDNS: save takes the interface's servers from
// `resolvconf -l IF`, not the search line.
func TestFreeBSDSaveDNS(t *testing.T) {
	f := &fakeSys{resolv: "nameserver 10.9.0.1\nnameserver fd00:9::1\nsearch corp.example\n"}
	p := &Platform{OS: FreeBSD, Sys: f}
	got := p.resolvconfServers("wg0")
	if d := cmp.Diff([]string{"10.9.0.1", "fd00:9::1"}, got); d != "" {
		t.Errorf("servers (-want +got):\n%s", d)
	}
}
