package linux

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// fullTunnel is a config with DNS, hooks, an IPv4 and an IPv6 default
// route and a plain prefix.
func fullTunnel() (*config.QuickConfig, *config.Config) {
	q := &config.QuickConfig{
		Addresses: []string{"10.0.0.1/24", "fd00::1/64"},
		DNS:       []string{"10.0.0.53"}, DNSSearch: []string{"vpn.example"},
		PreUp: []string{"pre %i"}, PostUp: []string{"post %i"},
		PreDown: []string{"predown %i"}, PostDown: []string{"postdown %i"},
	}
	var k config.Key
	k[0] = 1
	wg := &config.Config{Peers: []config.Peer{{PublicKey: k, HasPublicKey: true, AllowedIPs: []config.AllowedIP{
		{Prefix: netip.MustParsePrefix("0.0.0.0/0")}, {Prefix: netip.MustParsePrefix("::/0")},
		{Prefix: netip.MustParsePrefix("10.9.0.0/16")}, {Prefix: netip.MustParsePrefix("10.0.0.0/25")},
	}}}}
	return q, wg
}

// TestUpPlan: the order of every change `up` and `down` make, and what a
// failure at each step undoes, against golden files.
func TestUpPlan(t *testing.T) {
	steps := []string{"", "userspace", "hook pre", "configure", "address wg0 fd00", "mtu", "dns set", "route wg0 10.9", "fwmark", "rules add 51821 v6=true", "sysctl", "firewall add wg0 v6=false", "hook post", "cancel at route"}
	var out strings.Builder
	for _, step := range steps {
		f := newFake()
		f.tables[51820] = true // in use: the engine must take 51821
		e := f.env()
		q, wg := fullTunnel()
		ctx, cancel := context.WithCancelCause(context.Background())
		if c, ok := strings.CutPrefix(step, "cancel at "); ok {
			f.onEvent = func(line string) {
				if strings.HasPrefix(line, c) {
					cancel(fmt.Errorf("interrupted by test"))
				}
			}
		} else {
			f.failAt = step
		}
		err := quick.Up(ctx, e, "wg0", q, wg)
		cancel(nil)
		fmt.Fprintf(&out, "== up, failing at %q: err=%v\n%s", step, err, f.log)
		if step == "" {
			if err != nil {
				t.Fatalf("up: %v", err)
			}
			if got[int](f.state, changeTable) != 51821 || !got[bool](f.state, changeFirewall) || got[string](f.state, changeDNS) != "test" ||
				got[string](f.state, changeSysctl) != "0" || !got[bool](f.state, changeUserspace) {
				t.Errorf("state after up: %+v", f.state)
			}
			f.log.Reset()
			err := quick.Down(context.Background(), e, "wg0", q, "")
			fmt.Fprintf(&out, "== down: err=%v\n%s", err, f.log)
			continue
		}
		if err == nil {
			t.Errorf("%s: up succeeded", step)
		}
		if f.links["wg0"] || f.state != nil {
			t.Errorf("%s: left link=%v state=%+v", step, f.links["wg0"], f.state)
		}
	}
	golden(t, "testdata/plan.golden", out.String())
}

// TestDownAfterDeath: with the link gone but the state kept, down undoes
// the rules, DNS and firewall and runs the hooks; without state it is
// upstream's error.
func TestDownAfterDeath(t *testing.T) {
	f := newFake()
	e := f.env()
	q, _ := fullTunnel()
	if err := quick.Down(context.Background(), e, "wg0", q, ""); err == nil || err.Error() != "`wg0' is not a WireGuard interface" {
		t.Errorf("down without state: %v", err)
	}
	f.state = stateOf(t, "wg0", map[string]any{changeUserspace: true, changeTable: 51820, changeFirewall: true, changeDNS: "test"})
	if err := quick.Down(context.Background(), e, "wg0", q, ""); err != nil {
		t.Fatal(err)
	}
	want := "hook predown wg0\nrules del 51820 v6=false\nrules del 51820 v6=true\ndns unset wg0 test\nfirewall remove wg0\nhook postdown wg0\n"
	if diff := cmp.Diff(want, f.log.String()); diff != "" || f.state != nil {
		t.Errorf("down after death (-want +got):\n%s\nstate %+v", diff, f.state)
	}
}

// TestParseTable covers the Table key.
func TestParseTable(t *testing.T) {
	p := newFake().platform()
	for in, want := range map[string]quick.Table{
		"": {Auto: true}, "auto": {Auto: true}, "off": {Off: true}, "1234": {ID: 1234},
		"main": {ID: 254, Name: "main"}, "vpn": {ID: 100, Name: "vpn"},
	} {
		got, err := p.ParseTable(in)
		if err != nil || got != want {
			t.Errorf("ParseTable(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"Auto", "OFF", "nosuch", "0", "-1"} {
		if _, err := p.ParseTable(in); err == nil {
			t.Errorf("ParseTable(%q) succeeded", in)
		}
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestUpKernel: with the kernel module, the link is made by netlink and no
// userspace implementation runs; when that fails, up stops there.
func TestUpKernel(t *testing.T) {
	f := newFake()
	f.kernel = true
	e := f.env()
	e.Platform.(*Platform).KernelModule = true
	q, wg := fullTunnel()
	q.DNS = nil
	if err := quick.Up(context.Background(), e, "wg0", q, wg); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.log.String(), "link add wg0\nhook pre wg0\n") || strings.Contains(f.log.String(), "userspace") || got[bool](f.state, changeUserspace) {
		t.Errorf("kernel up:\n%s\nstate %+v", f.log, f.state)
	}
	g := newFake()
	e = g.env()
	e.Platform.(*Platform).KernelModule = true // but the link cannot be made
	if err := quick.Up(context.Background(), e, "wg0", q, wg); err == nil || !strings.Contains(err.Error(), "ip link add dev wg0 type wireguard") {
		t.Errorf("up with a failing kernel link: %v", err)
	}
	if g.log.String() != "" || g.state != nil {
		t.Errorf("failing kernel link changed: %q %+v", g.log, g.state)
	}
}

// TestUpAfterDeath: an up that finds the state of a dead earlier one (and
// no link) undoes it first, leaving src_valid_mark as down would.
func TestUpAfterDeath(t *testing.T) {
	f := newFake()
	f.kernel = true
	e := f.env()
	f.state = stateOf(t, "wg0", map[string]any{changeUserspace: true, changeTable: 51820, changeFirewall: true, changeDNS: "test", changeSysctl: "0"})
	q := &config.QuickConfig{}
	if err := quick.Up(context.Background(), e, "wg0", q, &config.Config{}); err != nil {
		t.Fatal(err)
	}
	want := "dns unset wg0 test\nfirewall remove wg0\nrules del 51820 v6=false\nrules del 51820 v6=true\nlink add wg0\nconfigure wg0\nmtu wg0 1420\n"
	if diff := cmp.Diff(want, f.log.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if f.state == nil || got[int](f.state, changeTable) != 0 || got[bool](f.state, changeUserspace) {
		t.Errorf("state: %+v", f.state)
	}
}

// TestCheck: bad Table, MTU and Address values are refused before any
// change, each naming the line it came from, a long value cut short.
func TestCheck(t *testing.T) {
	tests := []struct {
		name, conf string
		wantLine   int
		wantMsg    string
	}{
		{"good", "[Interface]\nAddress = 10.0.0.1/24, fd00::1\nMTU = 1280\nTable = 1234\n", 0, ""},
		{"mtu bounds", "[Interface]\nMTU = 68\n", 0, ""},
		{"mtu too big", "[Interface]\nAddress = 10.0.0.1/24\nMTU = 99999999999\n", 3, "MTU `99999999999' is not a number from 68 to 65535"},
		{"mtu 65536", "[Interface]\nMTU = 65536\n", 2, "MTU `65536' is not a number from 68 to 65535"},
		{"mtu negative", "[Interface]\nMTU = -1\n", 2, "MTU `-1' is not a number from 68 to 65535"},
		{"last mtu counts", "[Interface]\nMTU = x\nMTU = 1400\n", 0, ""},
		{"address", "[Interface]\nAddress = 10.0.0.1/24\n\nAddress = fd00::1/64, 10.0.0.300\n", 4, "address `10.0.0.300' is not an IP address with an optional /prefix"},
		{"long address", "[Interface]\nAddress = " + strings.Repeat("9", 100000) + "\n", 2, "address `" + strings.Repeat("9", 48) + "... (100000 bytes)' is not an IP address with an optional /prefix"},
		{"table", "[Interface]\nTable = nosuch\n", 2, "table `nosuch': no such routing table (hint: a number, `auto', `off', or a name from /etc/iproute2/rt_tables)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := config.ParseQuick(strings.NewReader(tt.conf))
			if err != nil {
				t.Fatal(err)
			}
			f := newFake()
			f.kernel = true
			err = quick.Up(context.Background(), f.env(), "wg0", q, &config.Config{})
			var got config.Error
			if e := (*config.Error)(nil); errors.As(err, &e) {
				got = *e
			} else if err != nil {
				t.Fatalf("error %v is not a *config.Error", err)
			}
			if got.Line != tt.wantLine || got.Msg != tt.wantMsg {
				t.Errorf("up = line %d %q, want line %d %q", got.Line, got.Msg, tt.wantLine, tt.wantMsg)
			}
			if tt.wantMsg != "" && f.log.Len() > 0 {
				t.Errorf("refused only after changes:\n%s", f.log)
			}
		})
	}
}

// TestHookNames: %i is the interface and %I the config's name (the same
// on Linux), as upstream's darwin.bash expands them.
func TestHookNames(t *testing.T) {
	f := newFake()
	f.kernel = true
	e := f.env()
	q := &config.QuickConfig{PreUp: []string{"echo %i/%I %%i"}}
	if err := quick.Up(context.Background(), e, "wg7", q, &config.Config{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.log.String(), "hook echo wg7/wg7 %wg7\n") {
		t.Errorf("hooks ran as:\n%s", f.log)
	}
}
