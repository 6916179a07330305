//go:build linux

package firewall

import (
	"bytes"
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// upstreamRestoreScript is the script upstream's add_default feeds to
// `iptables-restore -n` when nft is missing, format for format.
func upstreamRestoreScript(ifname string, addrs []string, table uint32) string {
	marker := fmt.Sprintf("-m comment --comment \"wg-quick(8) rule for %s\"", ifname)
	restore := "*raw\n"
	for _, a := range addrs {
		restore += fmt.Sprintf("-I PREROUTING ! -i %s -d %s -m addrtype ! --src-type LOCAL -j DROP %s\n", ifname, a, marker)
	}
	restore += fmt.Sprintf("COMMIT\n*mangle\n-I POSTROUTING -m mark --mark %d -p udp -j CONNMARK --save-mark %s\n-I PREROUTING -p udp -j CONNMARK --restore-mark %s\nCOMMIT\n", table, marker, marker)
	return restore
}

var counters = regexp.MustCompile(`\[[0-9]+:[0-9]+\]`)

// saved is iptables-save's and ip6tables-save's output without the
// timestamped comment lines and the counters.
func (ns *testNS) saved(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, cmd := range []string{"iptables-save", "ip6tables-save"} {
		fmt.Fprintf(&b, "## %s\n", cmd)
		for _, line := range strings.Split(ns.run(t, "", cmd), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			b.WriteString(counters.ReplaceAllString(line, "[]") + "\n")
		}
	}
	return b.String()
}

var iptablesTools = []string{"iptables-restore", "ip6tables-restore", "iptables-save", "ip6tables-save"}

func TestIptablesMatchesUpstream(t *testing.T) {
	needTools(t, iptablesTools...)
	upstream, ours := newNS(t), newNS(t)
	const mark = 51820
	tag := marker(testLink)

	for _, v6 := range []bool{false, true} {
		ns := upstream
		ns.run(t, upstreamRestoreScript(testLink, ns.addrs(t, testLink, v6), mark), iptablesCmd(v6)+"-restore", "-n")
	}
	want := upstream.saved(t)
	if n := strings.Count(want, tag); n != 8 {
		t.Errorf("upstream's script made %d tagged rules, want 8:\n%s", n, want)
	}

	var log bytes.Buffer
	f := &Firewall{Log: &log, NetNS: ours.fd, Backend: Iptables}
	all := parseAddrs(t, append(ours.addrs(t, testLink, false), ours.addrs(t, testLink, true)...))
	for _, v6 := range []bool{false, true} {
		if err := f.AddDefault(testLink, v6, all, mark); err != nil {
			t.Fatalf("AddDefault(v6=%v): %v", v6, err)
		}
	}
	if diff := cmp.Diff(want, ours.saved(t)); diff != "" {
		t.Errorf("iptables-save mismatch (-upstream +ours):\n%s", diff)
	}
	if has, err := f.Has(testLink); err != nil || !has {
		t.Errorf("Has after AddDefault = %v, %v; want true", has, err)
	}
	if has, err := f.Has(testPeer); err != nil || has {
		t.Errorf("Has(%s) = %v, %v; want false", testPeer, has, err)
	}

	// Remove deletes rules made by upstream's script as well as by ours.
	for _, ns := range []*testNS{ours, upstream} {
		f := &Firewall{Log: &log, NetNS: ns.fd}
		if err := f.Remove(testLink); err != nil {
			t.Fatalf("Remove: %v", err)
		}
		if got := ns.saved(t); strings.Contains(got, tag) {
			t.Errorf("tagged rules left after Remove:\n%s", got)
		}
		if has, err := f.Has(testLink); err != nil || has {
			t.Errorf("Has after Remove = %v, %v; want false", has, err)
		}
	}
	wantLog := "[#] iptables-restore -n\n[#] ip6tables-restore -n\n" + strings.Repeat("[#] iptables-restore -n\n[#] ip6tables-restore -n\n", 2)
	if diff := cmp.Diff(wantLog, log.String()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}

	log.Reset()
	if err := f.Remove(testLink); err != nil {
		t.Errorf("Remove with nothing to remove: %v", err)
	}
	if log.Len() != 0 {
		t.Errorf("Remove with nothing to remove logged %q", log.String())
	}
}

// TestIptablesCommands checks what the iptables backend runs, with a fake
// runner; it needs no root.
func TestIptablesCommands(t *testing.T) {
	type call struct{ Cmd, Stdin string }
	var calls []call
	var log bytes.Buffer
	f := &Firewall{Log: &log, Backend: Iptables}
	testOnlyRun = func(stdin []byte, name string, args ...string) ([]byte, error) {
		calls = append(calls, call{strings.Join(append([]string{name}, args...), " "), string(stdin)})
		return nil, nil
	}
	defer func() { testOnlyRun = nil }()
	addrs := []netip.Addr{netip.MustParseAddr("10.0.0.2"), netip.MustParseAddr("fd00::2"), netip.MustParseAddr("fe80::1%wg0")}
	for _, v6 := range []bool{false, true} {
		if err := f.AddDefault("wg0", v6, addrs, 51820); err != nil {
			t.Fatal(err)
		}
	}
	want := []call{
		{"iptables-restore -n", upstreamRestoreScript("wg0", []string{"10.0.0.2"}, 51820)},
		{"ip6tables-restore -n", upstreamRestoreScript("wg0", []string{"fd00::2", "fe80::1"}, 51820)},
	}
	if diff := cmp.Diff(want, calls); diff != "" {
		t.Errorf("commands mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff("[#] iptables-restore -n\n[#] ip6tables-restore -n\n", log.String()); diff != "" {
		t.Errorf("log mismatch (-want +got):\n%s", diff)
	}

	testOnlyRun = func([]byte, string, ...string) ([]byte, error) {
		return nil, fmt.Errorf("iptables-restore -n: exit status 2: line 3 failed")
	}
	err := f.AddDefault("wg0", false, addrs, 51820)
	if want := "firewall: iptables-restore -n: exit status 2: line 3 failed"; err == nil || err.Error() != want {
		t.Errorf("AddDefault error = %v, want %q", err, want)
	}
	if err := f.AddDefault("wg 0", false, addrs, 51820); err == nil {
		t.Error("AddDefault with a bad name succeeded")
	}
}
