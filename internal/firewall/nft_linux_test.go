//go:build linux

package firewall

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// upstreamNftScript is the script upstream's add_default runs with
// `nft -f`, format for format (trailing spaces included).
func upstreamNftScript(ifname string, v6 bool, addrs []string, table uint32) string {
	pf := "ip"
	if v6 {
		pf = "ip6"
	}
	nftable := "wg-quick-" + ifname
	var s string
	s += fmt.Sprintf("add table %s %s\n", pf, nftable)
	s += fmt.Sprintf("add chain %s %s preraw { type filter hook prerouting priority -300; }\n", pf, nftable)
	s += fmt.Sprintf("add chain %s %s premangle { type filter hook prerouting priority -150; }\n", pf, nftable)
	s += fmt.Sprintf("add chain %s %s postmangle { type filter hook postrouting priority -150; }\n", pf, nftable)
	for _, a := range addrs {
		s += fmt.Sprintf("add rule %s %s preraw iifname != \"%s\" %s daddr %s fib saddr type != local drop\n", pf, nftable, ifname, pf, a)
	}
	s += fmt.Sprintf("add rule %s %s postmangle meta l4proto udp mark %d ct mark set mark \n", pf, nftable, table)
	s += fmt.Sprintf("add rule %s %s premangle meta l4proto udp meta mark set ct mark \n", pf, nftable)
	return s
}

func TestNftMatchesUpstream(t *testing.T) {
	needTools(t, "nft")
	ns := newNS(t)
	tests := []struct {
		name   string
		ifname string
		calls  []bool // v6 of each AddDefault, in order
		mark   uint32
	}{
		{name: "ipv4", ifname: testLink, calls: []bool{false}, mark: 51820},
		{name: "ipv6", ifname: testLink, calls: []bool{true}, mark: 51820},
		{name: "both families", ifname: testLink, calls: []bool{false, true}, mark: 51821},
		{name: "ipv4 twice", ifname: testLink, calls: []bool{false, false}, mark: 51820},
		{name: "both families twice", ifname: testLink, calls: []bool{true, false, true, false}, mark: 4294967295},
		{name: "no addresses", ifname: testPeer, calls: []bool{false, true}, mark: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Cleanup(func() { ns.run(t, "", "nft", "flush", "ruleset") })
			if got := ns.run(t, "", "nft", "list", "ruleset"); got != "" {
				t.Fatalf("ruleset not empty at start:\n%s", got)
			}
			for _, v6 := range tt.calls {
				ns.run(t, upstreamNftScript(tt.ifname, v6, ns.addrs(t, tt.ifname, v6), tt.mark), "nft", "-f", "-")
			}
			want := ns.run(t, "", "nft", "list", "ruleset")
			// The netlink debug listing shows the bytecode too, so it
			// catches differences the rendered rules hide.
			wantDebug := ns.run(t, "", "nft", "--debug=netlink", "list", "ruleset")
			ns.run(t, "", "nft", "flush", "ruleset")

			var log bytes.Buffer
			f := &Firewall{Log: &log, NetNS: ns.fd}
			for _, v6 := range tt.calls {
				var all []string
				for _, fam := range []bool{false, true} {
					all = append(all, ns.addrs(t, tt.ifname, fam)...)
				}
				if err := f.AddDefault(tt.ifname, v6, parseAddrs(t, all), tt.mark); err != nil {
					t.Fatalf("AddDefault(%s, v6=%v): %v", tt.ifname, v6, err)
				}
			}
			got := ns.run(t, "", "nft", "list", "ruleset")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("nft list ruleset mismatch (-upstream +ours):\n%s", diff)
			}
			if diff := cmp.Diff(wantDebug, ns.run(t, "", "nft", "--debug=netlink", "list", "ruleset")); diff != "" {
				t.Errorf("nft --debug=netlink list ruleset mismatch (-upstream +ours):\n%s", diff)
			}
			if has, err := f.Has(tt.ifname); err != nil || !has {
				t.Errorf("Has(%s) after AddDefault = %v, %v; want true", tt.ifname, has, err)
			}

			if err := f.Remove(tt.ifname); err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if got := ns.run(t, "", "nft", "list", "ruleset"); got != "" {
				t.Errorf("ruleset after Remove:\n%s", got)
			}
			if has, err := f.Has(tt.ifname); err != nil || has {
				t.Errorf("Has(%s) after Remove = %v, %v; want false", tt.ifname, has, err)
			}
			wantLog := strings.Repeat("[#] nft -f /dev/fd/63\n", len(tt.calls)+1)
			if diff := cmp.Diff(wantLog, log.String()); diff != "" {
				t.Errorf("log mismatch (-want +got):\n%s", diff)
			}

			log.Reset()
			if err := f.Remove(tt.ifname); err != nil {
				t.Errorf("Remove with nothing to remove: %v", err)
			}
			if log.Len() != 0 {
				t.Errorf("Remove with nothing to remove logged %q", log.String())
			}
		})
	}
}

// TestRemoveUpstreamTables checks that Remove deletes tables upstream's
// script made, of every family, and leaves other interfaces' alone.
func TestRemoveUpstreamTables(t *testing.T) {
	needTools(t, "nft")
	ns := newNS(t)
	for _, v6 := range []bool{false, true} {
		ns.run(t, upstreamNftScript(testLink, v6, ns.addrs(t, testLink, v6), 51820), "nft", "-f", "-")
	}
	ns.run(t, "", "nft", "add", "table", "inet", "wg-quick-"+testLink)
	ns.run(t, upstreamNftScript(testPeer, false, nil, 51821), "nft", "-f", "-")
	ns.run(t, "", "nft", "add", "table", "ip", "wg-quick-"+testLink+"x")

	var log bytes.Buffer
	f := &Firewall{Log: &log, NetNS: ns.fd}
	if err := f.Remove(testLink); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	want := "table ip wg-quick-wgfw1\ntable ip wg-quick-wgfw0x\n"
	if diff := cmp.Diff(want, ns.run(t, "", "nft", "list", "tables")); diff != "" {
		t.Errorf("tables after Remove mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("[#] nft -f /dev/fd/63\n", log.String()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}
	if has, err := f.Has(testPeer); err != nil || !has {
		t.Errorf("Has(%s) = %v, %v; want true", testPeer, has, err)
	}
}

// TestNftAtomic checks that a batch that fails part way leaves the ruleset
// as it was, whether or not the table existed.
func TestNftAtomic(t *testing.T) {
	needTools(t, "nft")
	ns := newNS(t)
	f := &Firewall{NetNS: ns.fd}
	addrs := parseAddrs(t, ns.addrs(t, testLink, false))

	add := func() error {
		testOnlyBreakBatch = true
		defer func() { testOnlyBreakBatch = false }()
		return f.AddDefault(testLink, false, addrs, 51820)
	}
	err := add()
	if err == nil {
		t.Fatal("AddDefault with a broken batch succeeded")
	}
	if want := "nftables: add table ip wg-quick-wgfw0: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	if got := ns.run(t, "", "nft", "list", "ruleset"); got != "" {
		t.Errorf("ruleset after a failed AddDefault:\n%s", got)
	}
	if has, err := f.Has(testLink); err != nil || has {
		t.Errorf("Has after a failed AddDefault = %v, %v; want false", has, err)
	}

	if err := f.AddDefault(testLink, false, addrs, 51820); err != nil {
		t.Fatal(err)
	}
	before := ns.run(t, "", "nft", "list", "ruleset")
	if err := add(); err == nil {
		t.Fatal("second AddDefault with a broken batch succeeded")
	}
	if diff := cmp.Diff(before, ns.run(t, "", "nft", "list", "ruleset")); diff != "" {
		t.Errorf("failed AddDefault changed the ruleset (-before +after):\n%s", diff)
	}
	if err := f.Remove(testLink); err != nil {
		t.Fatal(err)
	}
}
