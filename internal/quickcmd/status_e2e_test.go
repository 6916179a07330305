//go:build linux

package quickcmd_test

import (
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/schematest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// statusDoc is what the tests read of `wg-quick status --json`.
type statusDoc struct {
	Health  string `json:"health"`
	Tunnels []struct {
		Interface, Real, Health string
		Config, Reason          *string
		Runs                    struct {
			Kind    string
			Program *string
			PID     *int
		}
		Installed struct{ Addresses, Routes, Rules, Firewall []string }
		Peers     []struct {
			PublicKey, Health string
			Endpoint          *string
			HandshakeAge      *int64
			TransferRx        uint64
		}
	} `json:"tunnels"`
}

// statusRun runs `wg-quick status ARGS` in namespace 0 with bin and
// returns the result, the JSON of --json validated against the schema.
func statusRun(t *testing.T, p *netnstest.Pair, bin string, env []string, args ...string) (netnstest.Result, *statusDoc) {
	t.Helper()
	r := p.Quick(0, bin, env, append([]string{"status"}, args...)...)
	if !strings.Contains(strings.Join(args, " "), "--json") {
		return r, nil
	}
	schematest.Validate(t, schematest.Load(t, "../../docs/wg-quick-status.schema.json"), []byte(r.Stdout))
	var doc statusDoc
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("status --json: %v\n%+v", err, r)
	}
	return r, &doc
}

// TestQuickStatus: two namespaces brought up by our wg-quick with full
// tunnels (fullTunnelPair). Healthy after a ping (exit 0); stale once
// b is down and the handshake older than the threshold (a test binary with
// the threshold at 2 s; the real one keeps 180 s and still says healthy);
// dead once a's daemon is SIGKILLed (exit 3 both); nothing after down.
func TestQuickStatus(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing)
	p := netnstest.NewPair(t)
	p.Underlay()
	paths := fullTunnelPair(t, p, t.TempDir())
	pb := peerKey(t, paths[0])
	ours := p.OurQuick()
	for i := range paths {
		if r := p.Quick(i, ours, nil, "up", paths[i]); r.Code != 0 {
			t.Fatalf("up %d: %+v", i, r)
		}
		defer p.Quick(i, ours, nil, "down", paths[i])
	}
	p.In(0, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.50.0.1")
	pid := strings.TrimSpace(netnstest.DaemonPIDs("wgfta"))
	if _, err := strconv.Atoi(pid); err != nil {
		t.Fatalf("daemon of wgfta: %q", pid)
	}

	// Healthy.
	r, _ := statusRun(t, p, ours, nil)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("healthy: %+v", r)
	}
	for _, want := range []string{
		"tunnel: wgfta\n  health: healthy\n  config: " + paths[0] + "\n  runs: embedded tunnel, pid " + pid + "\n",
		"  addresses: 10.0.0.1/24, fd00::1/64\n  routes: 0.0.0.0/0 table 51820, ::/0 table 51820\n",
		"  rules: not fwmark 51820 table 51820 (IPv4), table main suppress_prefixlength 0 (IPv4), not fwmark 51820 table 51820 (IPv6), table main suppress_prefixlength 0 (IPv6)\n",
		"  firewall: wg-quick-wgfta\n  listening port: 51820\n",
		"\npeer: " + pb + "\n  health: ok\n  endpoint: 192.168.241.2:51821\n  allowed ips: 0.0.0.0/0, ::/0\n  latest handshake: ",
		"  transfer: ",
	} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("healthy status lacks %q:\n%s", want, r.Stdout)
		}
	}
	r, doc := statusRun(t, p, ours, nil, "wgfta", "--json")
	if r.Code != 0 || doc.Health != "healthy" || len(doc.Tunnels) != 1 {
		t.Fatalf("healthy --json: %+v", r)
	}
	tun := doc.Tunnels[0]
	if tun.Runs.Kind != "embedded" || tun.Runs.PID == nil || strconv.Itoa(*tun.Runs.PID) != pid || *tun.Runs.Program != "wireguard-go" {
		t.Errorf("healthy --json runs: %+v", tun.Runs)
	}
	if len(tun.Peers) != 1 || tun.Peers[0].Health != "ok" || tun.Peers[0].HandshakeAge == nil || tun.Peers[0].TransferRx == 0 {
		t.Errorf("healthy --json peers: %+v", tun.Peers)
	}
	if r := p.Quick(0, ours, nil, "status", "wgnosuch0"); r.Code != 1 || !strings.Contains(r.Stderr, "`wgnosuch0' is not a tunnel wg-quick brought up") {
		t.Errorf("unknown interface: %+v", r)
	}

	// Stale: b goes down, a's handshake ages past the threshold.
	if r := p.Quick(1, ours, nil, "down", paths[1]); r.Code != 0 {
		t.Fatalf("down b: %+v", r)
	}
	time.Sleep(2500 * time.Millisecond)
	testBin, err := exec.LookPath("wg-quick") // this test binary, as testscript.Main put it on PATH
	if err != nil || !strings.Contains(testBin, "testscript-main") {
		t.Fatalf("the test binary as wg-quick: %q %v", testBin, err)
	}
	short := []string{"WGTOOLS_TEST_STALE_AFTER=2s"}
	r, _ = statusRun(t, p, testBin, short)
	want := "tunnel: wgfta\n  health: stale (no handshake for over 2s with " + pb + ")\n"
	if r.Code != 3 || !strings.HasPrefix(r.Stdout, want) || !strings.Contains(r.Stdout, "\npeer: "+pb+"\n  health: stale\n") {
		t.Errorf("stale: want exit 3 and %q: %+v", want, r)
	}
	if r, doc := statusRun(t, p, testBin, short, "--json"); r.Code != 3 || doc.Health != "stale" || doc.Tunnels[0].Peers[0].Health != "stale" {
		t.Errorf("stale --json: %+v", r)
	}
	if r, doc := statusRun(t, p, ours, nil, "--json"); r.Code != 0 || doc.Health != "healthy" {
		t.Errorf("stale by 2 s is healthy by the default 180 s: %+v", r)
	}

	// Dead: the daemon is killed; its TUN goes with it, the state stays.
	n, _ := strconv.Atoi(pid)
	syscall.Kill(n, syscall.SIGKILL)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(p.Sh(0, "ip link show wgfta 2>&1 || true"), "does not exist") {
		time.Sleep(20 * time.Millisecond)
	}
	r, _ = statusRun(t, p, ours, nil)
	want = "tunnel: wgfta\n  health: dead (interface wgfta is gone while its state is left; `wg-quick down wgfta' removes the rest)\n  config: " + paths[0] + "\n  runs: userspace\n"
	if r.Code != 3 || r.Stdout != want {
		t.Errorf("dead: want exit 3 and %q: %+v", want, r)
	}
	if r, doc := statusRun(t, p, ours, nil, "--json"); r.Code != 3 || doc.Health != "dead" || doc.Tunnels[0].Reason == nil {
		t.Errorf("dead --json: %+v", r)
	}

	// down removes what was left; then there is nothing to report.
	if r := p.Quick(0, ours, nil, "down", paths[0]); r.Code != 0 {
		t.Errorf("down after the kill: %+v", r)
	}
	if r, doc := statusRun(t, p, ours, nil, "--json"); r.Code != 0 || doc.Health != "healthy" || len(doc.Tunnels) != 0 {
		t.Errorf("after down: %+v", r)
	}
	if _, err := net.InterfaceByName("wgfta"); err == nil {
		t.Errorf("wgfta exists on the host")
	}
}

// peerKey is the PublicKey of the config's (one) peer.
func peerKey(t *testing.T, path string) string {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(text), "PublicKey = ")
	key, _, _ := strings.Cut(rest, "\n")
	return key
}
