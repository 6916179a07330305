//go:build linux

package firewall

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nftCounters are the nftCounters of a listing (packets dropped since).
var nftCounters = regexp.MustCompile(`counter packets [0-9]+ bytes [0-9]+`)

// TestKillSwitchListing installs kill switches and holds the kernel's
// listing (`nft list table`) to Script, so that what the bytecode does is
// what the documentation and the log say; a second install replaces the
// first; removing it leaves no table.
func TestKillSwitchListing(t *testing.T) {
	needTools(t, "nft")
	ns := newNS(t)
	var log strings.Builder
	f := &Firewall{NetNS: ns.fd, Log: &log}
	for _, k := range []KillSwitch{
		{Tunnel: "wg0", ListenPort: 51820},
		{Tunnel: "wg0", ListenPort: 4321, DNS: []netip.Addr{netip.MustParseAddr("10.64.0.1"), netip.MustParseAddr("fd00::53")},
			Allow: []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("10.9.8.7/32"), netip.MustParsePrefix("fd12:3456::1/48"), netip.MustParsePrefix("10.1.2.3/8")}},
	} {
		if err := f.AddKillSwitch("wg0", k); err != nil {
			t.Fatal(err)
		}
		got := nftCounters.ReplaceAllString(ns.run(t, "", "nft", "list", "table", "inet", KillSwitchTable("wg0")), "counter packets 0 bytes 0")
		if diff := cmp.Diff(k.Script(), got); diff != "" {
			t.Errorf("nft list table (-Script +kernel):\n%s", diff)
		}
	}
	if got := ns.run(t, "", "nft", "list", "tables"); got != "table inet "+KillSwitchTable("wg0")+"\n" {
		t.Errorf("tables after a replace: %q", got)
	}
	if found, err := f.RemoveKillSwitch("wg0"); !found || err != nil {
		t.Errorf("RemoveKillSwitch = %v, %v", found, err)
	}
	if found, err := f.RemoveKillSwitch("wg0"); found || err != nil {
		t.Errorf("RemoveKillSwitch again = %v, %v", found, err)
	}
	if got := ns.run(t, "", "nft", "list", "tables"); got != "" {
		t.Errorf("tables after remove: %q", got)
	}
	if got, want := log.String(), strings.Repeat("[#] nft -f /dev/fd/63\n", 3); got != want {
		t.Errorf("log %q, want %q", got, want)
	}
}
