//go:build linux

package quickcmd_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// fullTunnelPair writes, for each namespace of the pair, a config routing
// everything (0.0.0.0/0, ::/0) to the other, and gives namespace 1 the
// addresses 10.50.0.1 and fd50::1 on lo, reachable only through the tunnel.
func fullTunnelPair(t *testing.T, p *netnstest.Pair, dir string) [2]string {
	ka, pa := netnstest.Keypair(t)
	kb, pb := netnstest.Keypair(t)
	var paths [2]string
	for i, c := range []struct{ priv, addr, pub, ep string }{
		{ka, "10.0.0.1/24, fd00::1/64", pb, "192.168.241.2:51821"},
		{kb, "10.0.0.2/24, fd00::2/64", pa, "192.168.241.1:51820"},
	} {
		port := 51820 + i
		paths[i] = filepath.Join(dir, "wgft"+string(rune('a'+i))+".conf")
		text := "[Interface]\nPrivateKey = " + c.priv + "\nListenPort = " + strconv.Itoa(port) + "\nAddress = " + c.addr +
			"\n\n[Peer]\nPublicKey = " + c.pub + "\nEndpoint = " + c.ep + "\nAllowedIPs = 0.0.0.0/0, ::/0\n"
		if err := os.WriteFile(paths[i], []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p.In(1, "ip", "addr", "add", "10.50.0.1/32", "dev", "lo")
	p.In(1, "ip", "addr", "add", "fd50::1/128", "dev", "lo")
	return paths
}

// TestQuickFullTunnelTraffic: two namespaces, each brought up by our
// wg-quick with AllowedIPs = 0.0.0.0/0, ::/0, ping and run iperf3 to
// addresses only the tunnel reaches.
func TestQuickFullTunnelTraffic(t *testing.T) {
	testenv.Require(t, testenv.Command("iperf3", "iperf3"), netnstest.NeedPing)
	p := netnstest.NewPair(t)
	p.Underlay()
	paths := fullTunnelPair(t, p, t.TempDir())
	ours := p.OurQuick()
	for i := range paths {
		if r := p.Quick(i, ours, nil, "up", paths[i]); r.Code != 0 {
			t.Fatalf("up %d: %+v", i, r)
		}
		defer p.Quick(i, ours, nil, "down", paths[i])
	}
	// The route to 10.50.0.1 is the tunnel's default route, in table 51820.
	if got := p.In(0, "ip", "route", "get", "10.50.0.1"); !strings.Contains(got, "dev wgfta table 51820") {
		t.Fatalf("route to 10.50.0.1: %s", got)
	}
	p.In(0, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.50.0.1")
	p.In(0, "ping", "-6", "-c", "3", "-i", "0.2", "-W", "2", "fd50::1")
	server := exec.Command("ip", "netns", "exec", p.NS[1], "iperf3", "-s", "-1", "-B", "10.50.0.1")
	if err := server.Start(); err != nil {
		t.Fatal(err)
	}
	defer server.Process.Kill()
	time.Sleep(300 * time.Millisecond)
	out := p.In(0, "iperf3", "-c", "10.50.0.1", "-t", "2", "-J")
	server.Wait()
	var res struct {
		End struct {
			SumReceived struct {
				Bytes float64 `json:"bytes"`
				BPS   float64 `json:"bits_per_second"`
			} `json:"sum_received"`
		} `json:"end"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.End.SumReceived.Bytes == 0 {
		t.Fatalf("iperf3: %v\n%s", err, out)
	}
	t.Logf("iperf3 through the full tunnel: %.0f Mbit/s", res.End.SumReceived.BPS/1e6)
	// Both sides' wg show the handshake and the bytes.
	if s := p.In(0, netnstest.Binary(t), "show", "wgfta", "transfer"); strings.Contains(s, "\t0\t") {
		t.Errorf("transfer: %q", s)
	}
}

// TestQuickForeground: `up --foreground` holds the tunnel in its own
// process (no daemon), and takes it down on SIGTERM or when another
// `wg-quick down` ran.
func TestQuickForeground(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing, netnstest.NeedHostState)
	p := netnstest.NewPair(t)
	p.Underlay()
	paths := fullTunnelPair(t, p, t.TempDir())
	ours := p.OurQuick()
	before := p.HostState(0, "wgfta")
	if r := p.Quick(1, ours, nil, "up", paths[1]); r.Code != 0 {
		t.Fatalf("up b: %+v", r)
	}
	defer p.Quick(1, ours, nil, "down", paths[1])
	for _, how := range []string{"SIGTERM", "down"} {
		cmd := exec.Command("ip", "netns", "exec", p.NS[0], ours, "up", "--foreground", paths[0])
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
		var stderr netnstest.SyncBuffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(stderr.String(), "is up; staying in the foreground") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if l := p.Leftovers("wgfta"); !strings.Contains(l, "state") || strings.Contains(l, "process") {
			t.Errorf("%s: while up: want a state and no daemon process, have %q", how, l)
		}
		p.In(0, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.50.0.1")
		if how == "SIGTERM" {
			cmd.Process.Signal(syscall.SIGTERM)
		} else if r := p.Quick(0, ours, nil, "down", paths[0]); r.Code != 0 {
			t.Errorf("down beside foreground: %+v", r)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: foreground exit: %v\n%s", how, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%s: foreground did not end:\n%s", how, stderr.String())
		}
		p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0")
		if after := p.HostState(0, "wgfta"); after != before {
			t.Errorf("%s: host after:\n%s\nwas:\n%s\nlog:\n%s", how, after, before, stderr.String())
		}
		if l := p.Leftovers("wgfta"); l != "" {
			t.Errorf("%s: left behind: %s", how, l)
		}
	}
}
