package linux

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

// TestKillSwitchPlan: the kill switch goes in before the routes, with the
// device's listen port and the DNS servers, and comes out last on down;
// a failure after it takes it out last too; the leftovers of a dead
// tunnel keep it for an up that wants one, which replaces it, and a down
// without state still removes it.
func TestKillSwitchPlan(t *testing.T) {
	t.Run("up and down", func(t *testing.T) {
		f := newFake()
		e := f.env()
		q, wg := fullTunnel()
		q.KillSwitch = true
		port := 51000
		wg.ListenPort = &port
		if err := quick.Up(context.Background(), e, "wg0", q, wg); err != nil {
			t.Fatal(err)
		}
		log := f.log.String()
		ks := strings.Index(log, "killswitch wg0 tunnel=wg0 port=51000 dns=[10.0.0.53] allow=[]\n")
		if ks < 0 || ks > strings.Index(log, "route wg0") || ks < strings.Index(log, "dns set") {
			t.Errorf("the kill switch is not put in after DNS and before the routes:\n%s", log)
		}
		if !killRecorded(quick.NewJournal(f.state, nil)) {
			t.Errorf("state: %+v", f.state)
		}
		f.log.Reset()
		if err := quick.Down(context.Background(), e, "wg0", q, ""); err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(f.log.String(), "firewall remove wg0\nkillswitch remove wg0\nhook postdown wg0\n") || f.kill {
			t.Errorf("down does not take the kill switch out last:\n%s", f.log)
		}
	})
	for _, step := range []string{"route wg0 10.9", "hook post"} {
		t.Run("rollback at "+step, func(t *testing.T) {
			f := newFake()
			f.failAt = step
			q, wg := fullTunnel()
			q.KillSwitch = true
			if err := quick.Up(context.Background(), f.env(), "wg0", q, wg); err == nil {
				t.Fatal("up succeeded")
			}
			lines := strings.Split(strings.TrimSpace(f.log.String()), "\n")
			if f.kill || lines[len(lines)-1] != "killswitch remove wg0" || f.state != nil {
				t.Errorf("rollback leaves kill=%v state=%+v:\n%s", f.kill, f.state, f.log)
			}
		})
	}
	t.Run("leftovers", func(t *testing.T) {
		f := newFake()
		f.kernel = true
		f.kill = true
		f.state = stateOf(t, "wg0", map[string]any{changeUserspace: true, changeKill: true})
		q := &config.QuickConfig{KillSwitch: true}
		if err := quick.Up(context.Background(), f.env(), "wg0", q, &config.Config{}); err != nil {
			t.Fatal(err)
		}
		want := "link add wg0\nconfigure wg0\nmtu wg0 1420\nkillswitch wg0 tunnel=wg0 port=43210 dns=[] allow=[]\n"
		if diff := cmp.Diff(want, f.log.String()); diff != "" {
			t.Errorf("up after a dead kill-switch tunnel (-want +got):\n%s", diff)
		}
		f.log.Reset()
		f.links["wg0"] = false
		f.state = nil // the state is lost too
		var log strings.Builder
		e := f.env()
		e.Log = &log
		if err := quick.Down(context.Background(), e, "wg0", q, ""); err != nil {
			t.Errorf("down of a kill switch alone: %v", err)
		}
		if f.kill || log.String() != "[!] `wg0' and its state are gone; removed its kill switch\n" {
			t.Errorf("down without state: kill=%v, log %q", f.kill, log.String())
		}
		if err := quick.Down(context.Background(), e, "wg0", q, ""); err == nil || err.Error() != "`wg0' is not a WireGuard interface" {
			t.Errorf("down again: %v", err)
		}
	})
	t.Run("up without it after a dead kill-switch tunnel", func(t *testing.T) {
		f := newFake()
		f.kernel = true
		f.kill = true
		f.state = stateOf(t, "wg0", map[string]any{changeKill: true})
		if err := quick.Up(context.Background(), f.env(), "wg0", &config.QuickConfig{}, &config.Config{}); err != nil {
			t.Fatal(err)
		}
		if f.kill || !strings.HasPrefix(f.log.String(), "killswitch remove wg0\n") {
			t.Errorf("the dead tunnel's kill switch stays:\n%s", f.log)
		}
	})
}

// TestKillSwitchReload: a reload puts the kill switch in, replaces it for
// a new port, and takes it out.
func TestKillSwitchReload(t *testing.T) {
	f := newFake()
	e := f.env()
	q, wg := fullTunnel()
	if err := quick.Up(context.Background(), e, "wg0", q, wg); err != nil {
		t.Fatal(err)
	}
	for i, c := range []struct {
		kill bool
		port int
		want string
	}{
		{true, 51000, "killswitch wg0 tunnel=wg0 port=51000 dns=[10.0.0.53] allow=[]\n"},
		{true, 52000, "killswitch wg0 tunnel=wg0 port=52000 dns=[10.0.0.53] allow=[]\n"},
		{false, 52000, "killswitch remove wg0\n"},
		{false, 52000, ""},
	} {
		f.log.Reset()
		q, wg := fullTunnel()
		q.KillSwitch = c.kill
		wg.ListenPort = &c.port
		if err := quick.Reload(context.Background(), e, "wg0", q, wg, quick.ReloadOptions{}); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		var got []string
		for _, l := range strings.SplitAfter(f.log.String(), "\n") {
			if strings.HasPrefix(l, "killswitch") {
				got = append(got, l)
			}
		}
		if diff := cmp.Diff(c.want, strings.Join(got, "")); diff != "" || f.kill != c.kill {
			t.Errorf("reload %d (-want +got):\n%s", i, diff)
		}
	}
}

// TestOneFamilyWarning: a full tunnel of one family warns that the other
// family's traffic leaves outside it, unless the kill switch blocks it or
// both families go through.
func TestOneFamilyWarning(t *testing.T) {
	for _, c := range []struct {
		name    string
		allowed []string
		kill    bool
		want    string
	}{
		{"v4 only", []string{"0.0.0.0/0"}, false, "[!] Warning: IPv4 goes through `wg0' but IPv6 does not: IPv6 traffic leaves outside the tunnel (add ::/0 to AllowedIPs, or KillSwitch = true to block it)\n"},
		{"v6 only", []string{"::/0", "10.0.0.0/8"}, false, "[!] Warning: IPv6 goes through `wg0' but IPv4 does not: IPv4 traffic leaves outside the tunnel (add 0.0.0.0/0 to AllowedIPs, or KillSwitch = true to block it)\n"},
		{"both", []string{"0.0.0.0/0", "::/0"}, false, ""},
		{"split", []string{"10.0.0.0/8"}, false, ""},
		{"v4 only, kill switch", []string{"0.0.0.0/0"}, true, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake()
			var log strings.Builder
			e := f.env()
			e.Platform.(*Platform).Log = &log
			var k config.Key
			k[0] = 1
			peer := config.Peer{PublicKey: k, HasPublicKey: true}
			for _, a := range c.allowed {
				peer.AllowedIPs = append(peer.AllowedIPs, config.AllowedIP{Prefix: netip.MustParsePrefix(a)})
			}
			q := &config.QuickConfig{Addresses: []string{"10.0.0.1/24"}, KillSwitch: c.kill}
			if err := quick.Up(context.Background(), e, "wg0", q, &config.Config{Peers: []config.Peer{peer}}); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, l := range strings.SplitAfter(log.String(), "\n") {
				if strings.HasPrefix(l, "[!] Warning") {
					got.WriteString(l)
				}
			}
			if diff := cmp.Diff(c.want, got.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
