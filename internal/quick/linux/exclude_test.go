package linux

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

// TestExcludePlan: ExcludedIPs and AllowLAN on a full tunnel. The plain
// allowed IP that covers an excluded prefix is sent to the device as its
// exact complement; the default routes stay whole, and a rule to main per
// excluded prefix of the family follows the tunnel's rules; the kill
// switch lets them out; down removes the rules; reload refuses.
func TestExcludePlan(t *testing.T) {
	f := newFake()
	f.lan, f.lanDevs = []netip.Prefix{netip.MustParsePrefix("172.16.5.0/24")}, []string{"eth0"}
	var log strings.Builder
	e := f.env()
	e.Log = &log
	q, wg := fullTunnel()
	q.ExcludedIPs, q.ExcludedIPsLines = []string{"10.9.8.0/24", "fd12::/16"}, []int{3, 3}
	q.AllowLAN, q.KillSwitch = true, true
	if err := quick.Up(context.Background(), e, "wg0", q, wg); err != nil {
		t.Fatal(err)
	}
	if got := log.String(); !strings.Contains(got, "[#] # AllowLAN: 172.16.5.0/24 (eth0)\n") {
		t.Errorf("log: %q", got)
	}
	var allowed []string
	for _, a := range f.peers[0].AllowedIPs {
		allowed = append(allowed, a.String())
	}
	want := []string{"0.0.0.0/0", "::/0", "10.0.0.0/25", "10.9.0.0/21", "10.9.9.0/24", "10.9.10.0/23", "10.9.12.0/22", "10.9.16.0/20", "10.9.32.0/19", "10.9.64.0/18", "10.9.128.0/17"}
	if diff := cmp.Diff(want, allowed); diff != "" {
		t.Errorf("allowed IPs sent (-want +got):\n%s", diff)
	}
	plan := f.log.String()
	for _, w := range []string{
		"rules add 51820 v6=true\nrule add to fd12::/16 main\nroute wg0 ::/0 table 51820\n",
		"rules add 51820 v6=false\nrule add to 10.9.8.0/24 main\nrule add to 172.16.5.0/24 main\nroute wg0 0.0.0.0/0 table 51820\n",
		"killswitch wg0 tunnel=wg0 port=43210 dns=[10.0.0.53] allow=[10.9.8.0/24 fd12::/16 172.16.5.0/24]\n",
	} {
		if !strings.Contains(plan, w) {
			t.Errorf("up's plan lacks %q:\n%s", w, plan)
		}
	}
	if err := quick.Reload(context.Background(), e, "wg0", q, wg, quick.ReloadOptions{}); err == nil || !strings.Contains(err.Error(), "reload cannot change yet") {
		t.Errorf("reload: %v", err)
	}
	f.log.Reset()
	if err := quick.Down(context.Background(), e, "wg0", q, ""); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"rule del to fd12::/16 main\n", "rule del to 10.9.8.0/24 main\n", "rule del to 172.16.5.0/24 main\n"} {
		if !strings.Contains(f.log.String(), w) {
			t.Errorf("down lacks %q:\n%s", w, f.log)
		}
	}
}

// TestExcludeRollback: a failure after the rules took effect removes
// them; a bad ExcludedIPs entry is refused before any change.
func TestExcludeRollback(t *testing.T) {
	f := newFake()
	f.failAt = "sysctl"
	q, wg := fullTunnel()
	q.ExcludedIPs, q.ExcludedIPsLines = []string{"10.9.8.0/24"}, []int{3}
	if err := quick.Up(context.Background(), f.env(), "wg0", q, wg); err == nil {
		t.Fatal("up succeeded")
	}
	if !strings.Contains(f.log.String(), "rule del to 10.9.8.0/24 main\n") || f.state != nil {
		t.Errorf("rollback:\n%s", f.log)
	}
	f = newFake()
	q.ExcludedIPs = []string{"10.9.8.300/24"}
	err := quick.Up(context.Background(), f.env(), "wg0", q, wg)
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Line != 3 || ce.Msg != "excluded prefix `10.9.8.300/24' is not an IP address with an optional /prefix" || f.log.Len() != 0 {
		t.Errorf("bad entry: %v, log %q", err, f.log)
	}
}
