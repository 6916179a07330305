package pf

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/quick"
)

// fakePF is pf as pfctl shows and changes it: the main ruleset, the
// anchors' rules, whether it is on, macOS's tokens. Each call is in calls,
// as pfctl's arguments.
type fakePF struct {
	os      string
	main    string
	anchors map[string]string
	on      bool
	tokens  []string
	next    int
	calls   []string
	// failLoad makes loading an anchor fail.
	failLoad bool
}

func (f *fakePF) snapshot() fakePF {
	c := *f
	c.anchors = maps.Clone(f.anchors)
	if len(c.anchors) == 0 {
		c.anchors = nil
	}
	c.tokens = append([]string(nil), f.tokens...)
	c.calls, c.next = nil, 0
	return c
}

func (f *fakePF) call(args ...string) { f.calls = append(f.calls, strings.Join(args, " ")) }

func (f *fakePF) Rules(anchor string) (string, error) {
	if anchor == "" {
		return f.main, nil
	}
	return f.anchors[anchor], nil
}

func (f *fakePF) Load(anchor, rules string) error {
	if anchor == "" {
		f.call("-f", "-")
		f.main = rules
		return nil
	}
	f.call("-a", anchor, "-f", "-")
	if f.failLoad {
		return errors.New("stdin:3: syntax error")
	}
	if f.anchors == nil {
		f.anchors = map[string]string{}
	}
	f.anchors[anchor] = rules
	return nil
}

func (f *fakePF) Flush(anchor string) error {
	if anchor == "" {
		f.call("-F", "rules")
		f.main = ""
		return nil
	}
	f.call("-a", anchor, "-F", "all")
	delete(f.anchors, anchor)
	return nil
}

func (f *fakePF) Enabled() (bool, error) { return f.on, nil }

func (f *fakePF) Enable() (string, error) {
	if f.os == Darwin {
		f.call("-E")
		f.next++
		t := fmt.Sprint(1000 + f.next)
		f.tokens = append(f.tokens, t)
		f.on = true
		return t, nil
	}
	f.call("-e")
	if f.on {
		return "", errors.New("pf already enabled")
	}
	f.on = true
	return "", nil
}

func (f *fakePF) Release(token string) error {
	if f.os == Darwin {
		f.call("-X", token)
		i := strings.Index(" "+strings.Join(f.tokens, " ")+" ", " "+token+" ")
		if i < 0 {
			return errors.New("invalid token")
		}
		var rest []string
		for _, t := range f.tokens {
			if t != token {
				rest = append(rest, t)
			}
		}
		f.tokens = rest
		f.on = len(rest) > 0
		return nil
	}
	f.call("-d")
	f.on = false
	return nil
}

var ks = firewall.KillSwitch{Tunnel: "utun4", ListenPort: 51820, DNS: []netip.Addr{netip.MustParseAddr("10.9.0.1")}}

// TestSwitch: on each system and pf as found, Add makes the calls listed
// and records what Remove needs to leave pf exactly as found; a main
// ruleset that would not evaluate the anchor is refused with pf as found.
func TestSwitch(t *testing.T) {
	for _, tt := range []struct {
		name    string
		pf      fakePF
		add     []string
		rec     Record
		remove  []string
		wantErr string
	}{
		{name: "macOS as shipped", pf: fakePF{os: Darwin, main: "scrub-anchor \"com.apple/*\" all fragment reassemble\nanchor \"com.apple/*\" all\n"},
			add:    []string{"-a com.apple/100.wgtools.killswitch.wg0 -f -", "-E"},
			rec:    Record{Anchor: "com.apple/100.wgtools.killswitch.wg0", Token: "1001"},
			remove: []string{"-a com.apple/100.wgtools.killswitch.wg0 -F all", "-X 1001"}},
		{name: "macOS with pf on by another's token", pf: fakePF{os: Darwin, main: "anchor \"com.apple/*\" all\n", on: true, tokens: []string{"77"}},
			add:    []string{"-a com.apple/100.wgtools.killswitch.wg0 -f -", "-E"},
			rec:    Record{Anchor: "com.apple/100.wgtools.killswitch.wg0", Token: "1001"},
			remove: []string{"-a com.apple/100.wgtools.killswitch.wg0 -F all", "-X 1001"}},
		{name: "FreeBSD with pf off and no rules", pf: fakePF{os: "freebsd"},
			add:    []string{"-f -", "-a wgtools/killswitch.wg0 -f -", "-e"},
			rec:    Record{Anchor: "wgtools/killswitch.wg0", Enabled: true, Main: true},
			remove: []string{"-a wgtools/killswitch.wg0 -F all", "-d", "-F rules"}},
		{name: "OpenBSD with the anchor in its rules", pf: fakePF{os: "openbsd", on: true, main: "anchor \"wgtools/*\" all\nblock return all\npass all flags S/SA\n"},
			add:    []string{"-a wgtools/killswitch.wg0 -f -"},
			rec:    Record{Anchor: "wgtools/killswitch.wg0"},
			remove: []string{"-a wgtools/killswitch.wg0 -F all"}},
		{name: "OpenBSD without the anchor", pf: fakePF{os: "openbsd", on: true, main: "block return all\npass all flags S/SA\n"},
			wantErr: "kill switch: pf's main ruleset does not evaluate `anchor \"wgtools/*\"'"},
		{name: "macOS with an empty main ruleset", pf: fakePF{os: Darwin},
			add:    []string{"-f -", "-a com.apple/100.wgtools.killswitch.wg0 -f -", "-E"},
			rec:    Record{Anchor: "com.apple/100.wgtools.killswitch.wg0", Token: "1001", Main: true},
			remove: []string{"-a com.apple/100.wgtools.killswitch.wg0 -F all", "-X 1001", "-F rules"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.pf
			before := f.snapshot()
			var log strings.Builder
			k := &Kill{Switch: Switch{OS: f.os, Ctl: &f, Log: &log}}
			j := quick.NewJournal(&quick.State{Interface: "wg0"}, nil)
			err := k.AddKillSwitch(j, ks.Tunnel, &config.QuickConfig{KillSwitch: true, DNS: []string{"10.9.0.1"}}, &config.Device{ListenPort: 51820})
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q…", err, tt.wantErr)
				}
				// A failed up removes what the record says: nothing here.
				if err := k.Teardown(j, &config.QuickConfig{KillSwitch: true}, quick.ForRollback); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(before, f.snapshot(), cmp.AllowUnexported(fakePF{})); diff != "" || len(f.calls) != 1 {
					t.Errorf("pf changed (%q):\n%s", f.calls, diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.add, f.calls); diff != "" {
				t.Errorf("up's pfctl calls (-want +got):\n%s", diff)
			}
			if got := f.anchors[tt.rec.Anchor]; got != ks.PF() {
				t.Errorf("anchor has\n%s\nwant\n%s", got, ks.PF())
			}
			if rec, _ := recorded(j); rec != tt.rec {
				t.Errorf("record %+v, want %+v", rec, tt.rec)
			}
			if !f.on || !HasAnchorRule(f.main, AnchorPoint(f.os)) {
				t.Errorf("pf on %v, main ruleset %q", f.on, f.main)
			}
			f.calls = nil
			if err := k.Teardown(j, &config.QuickConfig{KillSwitch: true}, quick.ForDown); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.remove, f.calls); diff != "" {
				t.Errorf("down's pfctl calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(before, f.snapshot(), cmp.AllowUnexported(fakePF{})); diff != "" {
				t.Errorf("pf after down is not as before (-before +after):\n%s", diff)
			}
			for _, c := range strings.Split(strings.TrimSpace(log.String()), "\n") {
				if !strings.HasPrefix(c, "[#] pfctl ") {
					t.Errorf("log line %q", c)
				}
			}
		})
	}
}

// TestKillLeftovers: a dead tunnel's kill switch stays through the
// leftovers' teardown and is replaced by the next up in one load, under
// the same token; a failed up removes it; down after that finds nothing.
func TestKillLeftovers(t *testing.T) {
	f := &fakePF{os: Darwin, main: "anchor \"com.apple/*\" all\n"}
	k := &Kill{Switch: Switch{OS: Darwin, Ctl: f, Log: new(strings.Builder)}}
	q := &config.QuickConfig{KillSwitch: true}
	dev := &config.Device{ListenPort: 51820}
	old := quick.NewJournal(&quick.State{Interface: "wg0"}, nil)
	if err := k.AddKillSwitch(old, "utun4", q, dev); err != nil {
		t.Fatal(err)
	}
	if err := k.Teardown(old, q, quick.ForLeftovers); err != nil {
		t.Fatal(err)
	}
	anchor := Anchor(Darwin, "wg0")
	if f.anchors[anchor] == "" {
		t.Fatal("the leftovers' teardown removed the kill switch")
	}
	f.calls = nil
	j := quick.NewJournal(&quick.State{Interface: "wg0"}, nil)
	if err := k.AddKillSwitch(j, "utun5", q, dev); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"-a " + anchor + " -f -"}, f.calls); diff != "" {
		t.Errorf("the replacing up's calls (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.anchors[anchor], "on utun5 all") {
		t.Errorf("anchor not replaced:\n%s", f.anchors[anchor])
	}
	if rec, _ := recorded(j); rec.Token != "1001" || len(f.tokens) != 1 {
		t.Errorf("record %+v, tokens %v: want the old token kept", rec, f.tokens)
	}
	if err := k.Teardown(j, q, quick.ForRollback); err != nil {
		t.Fatal(err)
	}
	if len(f.anchors) != 0 || f.on || len(f.tokens) != 0 {
		t.Errorf("after rollback: anchors %v, on %v, tokens %v", f.anchors, f.on, f.tokens)
	}
	if found, err := k.RemoveKillSwitch("wg0"); found || err != nil {
		t.Errorf("RemoveKillSwitch = %v, %v", found, err)
	}
}

// TestKillRollbackOfKept: an up that fails before its kill switch goes in
// removes the one it kept from leftovers.
func TestKillRollbackOfKept(t *testing.T) {
	f := &fakePF{os: "freebsd"}
	k := &Kill{Switch: Switch{OS: "freebsd", Ctl: f, Log: new(strings.Builder)}}
	q := &config.QuickConfig{KillSwitch: true}
	old := quick.NewJournal(&quick.State{Interface: "wg0"}, nil)
	if err := k.AddKillSwitch(old, "wg0", q, &config.Device{ListenPort: 1}); err != nil {
		t.Fatal(err)
	}
	k.Teardown(old, q, quick.ForLeftovers)
	if err := k.Teardown(quick.NewJournal(&quick.State{Interface: "wg0"}, nil), q, quick.ForRollback); err != nil {
		t.Fatal(err)
	}
	if len(f.anchors) != 0 || f.on || f.main != "" {
		t.Errorf("after rollback: anchors %v, on %v, main %q", f.anchors, f.on, f.main)
	}
}

// TestKillOrphanAndReload: down with the state gone empties the anchor;
// a reload without KillSwitch removes it and records none.
func TestKillOrphanAndReload(t *testing.T) {
	f := &fakePF{os: "openbsd", on: true, main: "anchor \"wgtools/*\" all\n"}
	k := &Kill{Switch: Switch{OS: "openbsd", Ctl: f, Log: new(strings.Builder)}}
	j := quick.NewJournal(&quick.State{Interface: "wg0"}, nil)
	q := &config.QuickConfig{KillSwitch: true}
	if err := k.AddKillSwitch(j, "wg0", q, &config.Device{ListenPort: 1}); err != nil {
		t.Fatal(err)
	}
	if found, err := k.RemoveKillSwitch("wg0"); !found || err != nil || len(f.anchors) != 0 {
		t.Errorf("RemoveKillSwitch = %v, %v; anchors %v", found, err, f.anchors)
	}
	if err := k.AddKillSwitch(j, "wg0", q, &config.Device{ListenPort: 1}); err != nil {
		t.Fatal(err)
	}
	if err := k.Reload(j, &quick.ReloadPlan{Real: "wg0", Config: &config.QuickConfig{}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := recorded(j); ok || len(f.anchors) != 0 {
		t.Errorf("after a reload without it: recorded %v, anchors %v", ok, f.anchors)
	}
	if err := k.Teardown(j, &config.QuickConfig{}, quick.ForDown); err != nil || len(f.calls) != 4 {
		t.Errorf("down after: %v, calls %q", err, f.calls)
	}
}

// TestKillLoadFails: a ruleset pf refuses fails up with pfctl's message,
// and the rollback leaves pf as found.
func TestKillLoadFails(t *testing.T) {
	f := &fakePF{os: "freebsd", failLoad: true}
	k := &Kill{Switch: Switch{OS: "freebsd", Ctl: f, Log: new(strings.Builder)}}
	j := quick.NewJournal(&quick.State{Interface: "wg0"}, nil)
	q := &config.QuickConfig{KillSwitch: true}
	err := k.AddKillSwitch(j, "wg0", q, &config.Device{ListenPort: 1})
	if err == nil || err.Error() != "kill switch: pfctl -a wgtools/killswitch.wg0: stdin:3: syntax error" {
		t.Fatalf("err = %v", err)
	}
	if err := k.Teardown(j, q, quick.ForRollback); err != nil {
		t.Fatal(err)
	}
	if len(f.anchors) != 0 || f.on || f.main != "" {
		t.Errorf("after rollback: anchors %v, on %v, main %q", f.anchors, f.on, f.main)
	}
}
