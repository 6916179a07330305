package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/xplan"
)

// reloadConf is a config of the reload tests.
type reloadConf struct {
	addr, dns, mtu, allowed, endpoint, table string
}

func (c reloadConf) text() string {
	var b strings.Builder
	b.WriteString("[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n")
	b.WriteString("Address = " + c.addr + "\n")
	if c.dns != "" {
		b.WriteString("DNS = " + c.dns + "\n")
	}
	if c.mtu != "" {
		b.WriteString("MTU = " + c.mtu + "\n")
	}
	if c.table != "" {
		b.WriteString("Table = " + c.table + "\n")
	}
	ep := c.endpoint
	if ep == "" {
		ep = "203.0.113.1"
	}
	b.WriteString("\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nEndpoint = " + ep + ":51820\n")
	b.WriteString("AllowedIPs = " + c.allowed + "\n")
	return b.String()
}

const (
	splitAddr = "10.9.0.2/24, fd00:9::2/64"
	splitIPs  = "10.9.0.0/24, fd00:9::/64, 192.168.100.0/24"
	fullIPs   = "0.0.0.0/0, ::/0"
)

// reloadCases are the edits: up with a, reload with b.
var reloadCases = []struct {
	name string
	a, b reloadConf
}{
	{"add-address", reloadConf{addr: splitAddr, allowed: splitIPs},
		reloadConf{addr: splitAddr + ", 10.9.1.2/24", allowed: splitIPs}},
	{"remove-address", reloadConf{addr: splitAddr + ", 10.9.1.2/24", allowed: splitIPs},
		reloadConf{addr: splitAddr, allowed: splitIPs}},
	{"remove-first-address", reloadConf{addr: "10.9.0.2/24, 10.9.1.2/24, fd00:9::2/64", allowed: splitIPs},
		reloadConf{addr: "10.9.1.2/24, fd00:9::2/64", allowed: splitIPs}},
	{"add-allowed-ip", reloadConf{addr: splitAddr, allowed: splitIPs},
		reloadConf{addr: splitAddr, allowed: splitIPs + ", 172.16.0.0/16, fd00:77::/48"}},
	{"remove-allowed-ip", reloadConf{addr: splitAddr, allowed: splitIPs},
		reloadConf{addr: splitAddr, allowed: "10.9.0.0/24, fd00:9::/64"}},
	{"split-to-full", reloadConf{addr: splitAddr, allowed: splitIPs},
		reloadConf{addr: splitAddr, allowed: fullIPs}},
	{"full-to-split", reloadConf{addr: splitAddr, allowed: fullIPs},
		reloadConf{addr: splitAddr, allowed: splitIPs}},
	{"full-v4-to-dual", reloadConf{addr: splitAddr, allowed: "0.0.0.0/0, fd00:9::/64"},
		reloadConf{addr: splitAddr, allowed: fullIPs}},
	{"full-endpoint-moves", reloadConf{addr: splitAddr, allowed: fullIPs},
		reloadConf{addr: splitAddr, allowed: fullIPs, endpoint: "198.51.100.7"}},
	{"dns-change", reloadConf{addr: splitAddr, allowed: splitIPs, dns: "10.9.0.1"},
		reloadConf{addr: splitAddr, allowed: splitIPs, dns: "10.9.0.53, fd00:9::1, corp.example"}},
	{"dns-add", reloadConf{addr: splitAddr, allowed: splitIPs},
		reloadConf{addr: splitAddr, allowed: splitIPs, dns: "10.9.0.1, corp.example"}},
	{"dns-remove", reloadConf{addr: splitAddr, allowed: fullIPs, dns: "10.9.0.1, corp.example"},
		reloadConf{addr: splitAddr, allowed: fullIPs}},
	{"mtu-explicit", reloadConf{addr: splitAddr, allowed: splitIPs},
		reloadConf{addr: splitAddr, allowed: splitIPs, mtu: "1380"}},
	{"mtu-auto", reloadConf{addr: splitAddr, allowed: splitIPs, mtu: "1380"},
		reloadConf{addr: splitAddr, allowed: splitIPs}},
	{"everything", reloadConf{addr: splitAddr, allowed: splitIPs, dns: "10.9.0.1"},
		reloadConf{addr: "10.9.5.2/24, fd00:9::2/64", allowed: fullIPs, dns: "10.9.0.53, lab.example", mtu: "1400"}},
}

// TestReload: on each system, up with a config and reload with another
// leaves the machine (its STATE: interfaces, routes, peers, DNS, files)
// as a fresh up of the other does, and down after it leaves the machine
// as it was.
func TestReload(t *testing.T) {
	facts := filepath.Join("testdata", "scenarios", "dns-search", "facts.json")
	for _, osName := range modelled {
		for _, c := range reloadCases {
			t.Run(osName+"-"+c.name, func(t *testing.T) {
				dir := t.TempDir()
				a, b := writeConf(t, dir, "a", c.a.text()), writeConf(t, dir, "b", c.b.text())
				reloaded, out := reloadStates(t, xplan.Options{OS: osName, Mode: "updown", Config: a, Facts: facts, State: true, Reload: b})
				if !strings.Contains(out, "EXIT reload 0") {
					t.Fatalf("reload failed:\n%s", out)
				}
				fresh, _ := reloadStates(t, xplan.Options{OS: osName, Mode: "up", Config: b, Facts: facts, State: true})
				if d := cmp.Diff(fresh["up"], reloaded["reload"]); d != "" {
					t.Errorf("after reload, the machine is not that of a fresh up (-fresh +reloaded):\n%s\ntranscript:\n%s", d, out)
				}
				if !strings.Contains(out, "EXIT down 0") {
					t.Fatalf("down after the reload failed:\n%s", out)
				}
				// The config file is the edited one.
				for _, phase := range []string{"initial", "down"} {
					delete(reloaded[phase].(map[string]any)["files"].(map[string]any), "/etc/wireguard/wg0.conf")
				}
				if d := cmp.Diff(reloaded["initial"], reloaded["down"]); d != "" {
					t.Errorf("down after the reload does not leave the machine as it was (-before +after):\n%s\ntranscript:\n%s", d, out)
				}
			})
		}
	}
}

// TestReloadRefused: what a reload cannot change is refused before
// anything changes.
func TestReloadRefused(t *testing.T) {
	facts := filepath.Join("testdata", "scenarios", "dns-search", "facts.json")
	for _, c := range []struct {
		name, os string
		a, b     reloadConf
	}{
		{"table-change", "darwin", reloadConf{addr: splitAddr, allowed: splitIPs}, reloadConf{addr: splitAddr, allowed: splitIPs, table: "off"}},
		{"table-change", "freebsd", reloadConf{addr: splitAddr, allowed: splitIPs}, reloadConf{addr: splitAddr, allowed: splitIPs, table: "5"}},
		{"table-n-remove", "openbsd", reloadConf{addr: splitAddr, allowed: splitIPs, table: "5"}, reloadConf{addr: splitAddr, allowed: "10.9.0.0/24, fd00:9::/64", table: "5"}},
	} {
		t.Run(c.os+"-"+c.name, func(t *testing.T) {
			dir := t.TempDir()
			a, b := writeConf(t, dir, "a", c.a.text()), writeConf(t, dir, "b", c.b.text())
			states, out := reloadStates(t, xplan.Options{OS: c.os, Mode: "up", Config: a, Facts: facts, State: true, Reload: b})
			if !strings.Contains(out, "EXIT up 0") || !strings.Contains(out, "EXIT reload 1") {
				t.Fatalf("want up to succeed and the reload refused:\n%s", out)
			}
			for _, phase := range []string{"up", "reload"} {
				delete(states[phase].(map[string]any)["files"].(map[string]any), "/etc/wireguard/wg0.conf")
			}
			if d := cmp.Diff(states["up"], states["reload"]); d != "" {
				t.Errorf("a refused reload changed the machine (-up +reload):\n%s", d)
			}
		})
	}
}

func writeConf(t *testing.T, dir, sub, text string) string {
	t.Helper()
	path := filepath.Join(dir, sub, "wg0.conf")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// reloadStates runs o and returns its STATE lines by phase, and the
// transcript.
func reloadStates(t *testing.T, o xplan.Options) (map[string]any, string) {
	t.Helper()
	var out bytes.Buffer
	if err := xplan.Run(o, &out); err != nil {
		t.Fatal(err)
	}
	states := map[string]any{}
	for _, line := range strings.Split(out.String(), "\n") {
		rest, ok := strings.CutPrefix(line, "STATE ")
		if !ok {
			continue
		}
		phase, js, ok := strings.Cut(rest, " ")
		if !ok || !strings.HasPrefix(js, "{") {
			continue
		}
		var v any
		if err := json.Unmarshal([]byte(js), &v); err != nil {
			t.Fatal(err)
		}
		sortAddresses(v)
		states[phase] = v
	}
	return states, out.String()
}

// sortAddresses orders each interface's addresses: a reload adds an
// address after those that stay, a fresh up in the config's order.
func sortAddresses(state any) {
	ifaces, _ := state.(map[string]any)["interfaces"].(map[string]any)
	for _, i := range ifaces {
		if addrs, ok := i.(map[string]any)["addresses"].([]any); ok {
			slices.SortFunc(addrs, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
		}
	}
}
