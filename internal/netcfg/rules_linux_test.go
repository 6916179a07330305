//go:build linux

package netcfg

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
)

func TestRulesAndTables(t *testing.T) {
	h, log, ns := newNS(t)
	for _, v6 := range []bool{false, true} {
		if empty, err := h.TableEmpty(51820, v6); err != nil || !empty {
			t.Fatalf("table 51820 v6=%v empty=%v %v", v6, empty, err)
		}
		if err := h.AddDefaultRules(51820, v6); err != nil {
			t.Fatal(err)
		}
	}
	want := "[#] ip -4 rule add not fwmark 51820 table 51820\n[#] ip -4 rule add table main suppress_prefixlength 0\n" +
		"[#] ip -6 rule add not fwmark 51820 table 51820\n[#] ip -6 rule add table main suppress_prefixlength 0\n"
	if log.String() != want {
		t.Errorf("log:\n%s\nwant:\n%s", log.String(), want)
	}
	for _, fam := range []string{"-4", "-6"} {
		rules := ip(t, ns, fam, "rule", "show")
		if !strings.Contains(rules, "not from all fwmark 0xca6c lookup 51820") || !strings.Contains(rules, "from all lookup main suppress_prefixlength 0") {
			t.Errorf("%s rules:\n%s", fam, rules)
		}
	}
	h.SetMTUUp("wgt0", 1420)
	if err := h.AddRoute("wgt0", mustPrefix("0.0.0.0/0"), 51820); err != nil {
		t.Fatal(err)
	}
	if empty, _ := h.TableEmpty(51820, false); empty {
		t.Error("table 51820 empty after adding a route")
	}
	log.Reset()
	for _, v6 := range []bool{false, true} {
		if err := h.DelDefaultRules(51820, v6); err != nil {
			t.Fatal(err)
		}
	}
	for _, fam := range []string{"-4", "-6"} {
		if rules := ip(t, ns, fam, "rule", "show"); strings.Contains(rules, "51820") || strings.Contains(rules, "suppress_prefixlength") {
			t.Errorf("%s rules left:\n%s", fam, rules)
		}
	}
	if h.IsWireGuard("wgt0") || h.IsWireGuard("nosuch0") {
		t.Error("a veth is not a WireGuard interface")
	}
}

// TestSetSysctl runs on a thread inside the test's namespace: network
// sysctls follow the thread's namespace, and the host's must not change.
func TestSetSysctl(t *testing.T) {
	h, log, ns := newNS(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		target, err := netns.GetFromName(ns)
		if err != nil {
			t.Error(err)
			return
		}
		defer target.Close()
		if err := netns.Set(target); err != nil {
			t.Error(err)
			return
		}
		const name = "net.ipv4.conf.all.src_valid_mark"
		path := "/proc/sys/net/ipv4/conf/all/src_valid_mark"
		if b, _ := os.ReadFile(path); strings.TrimSpace(string(b)) != "0" {
			t.Errorf("fresh namespace has src_valid_mark %q", b)
		}
		for i := 0; i < 2; i++ { // the second time it is already 1: no write, no log
			if _, err := h.SetSysctl(name, "1"); err != nil {
				t.Error(err)
			}
		}
		if b, _ := os.ReadFile(path); strings.TrimSpace(string(b)) != "1" {
			t.Errorf("src_valid_mark is %q", b)
		}
		if log.String() != "[#] sysctl -q net.ipv4.conf.all.src_valid_mark=1\n" {
			t.Errorf("log: %q", log.String())
		}
	}()
	<-done
}
