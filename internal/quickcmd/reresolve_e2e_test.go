//go:build linux

package quickcmd_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// The re-resolution times the tests shorten: the handshakes read every
// 200 ms, a peer looked up again 2 s after its latest handshake.
var reresolveEnv = []string{"WGTOOLS_TEST_RERESOLVE_INTERVAL=200ms", "WGTOOLS_TEST_RERESOLVE_AGE=2s"}

// reresolveRig is a client in namespace 0 whose peer's Endpoint is the
// name wgserver.test, which namespace 0's /etc/netns/NS/hosts (as
// `ip netns exec` maps it onto /etc/hosts) resolves to the server in
// namespace 1, at 192.168.241.2 to start with. DNS inside namespace 0
// goes nowhere (its resolv.conf names 127.0.0.1, where nothing answers).
type reresolveRig struct {
	*netnstest.Pair
	hosts        string // the host's file that is namespace 0's /etc/hosts
	client       string // its config
	serverPub    string
	clientServer string // the server's config
}

func newReresolveRig(t *testing.T) *reresolveRig {
	testenv.Require(t, netnstest.NeedPing)
	p := netnstest.NewPair(t)
	etc := filepath.Join("/etc/netns", p.NS[0])
	if err := os.MkdirAll(etc, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(etc) })
	os.WriteFile(filepath.Join(etc, "resolv.conf"), []byte("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n"), 0o644)
	r := &reresolveRig{Pair: p, hosts: filepath.Join(etc, "hosts")}
	r.setHosts("192.168.241.2")
	kc, pc := netnstest.Keypair(t)
	ks, ps := netnstest.Keypair(t)
	r.serverPub = ps
	dir := t.TempDir()
	r.client = filepath.Join(dir, "wgrr0.conf")
	r.clientServer = filepath.Join(dir, "wgrr1.conf")
	os.WriteFile(r.client, []byte("[Interface]\nPrivateKey = "+kc+"\nAddress = 10.0.0.1/24\n\n[Peer]\nPublicKey = "+ps+
		"\nEndpoint = wgserver.test:51821\nAllowedIPs = 10.0.0.2/32\n"), 0o600)
	os.WriteFile(r.clientServer, []byte("[Interface]\nPrivateKey = "+ks+"\nListenPort = 51821\nAddress = 10.0.0.2/24\n\n[Peer]\nPublicKey = "+pc+
		"\nAllowedIPs = 10.0.0.1/32\n"), 0o600)
	if res := p.Quick(1, p.OurQuick(), nil, "up", r.clientServer); res.Code != 0 {
		t.Fatalf("server up: %+v", res)
	}
	t.Cleanup(func() { p.Quick(1, p.OurQuick(), nil, "down", r.clientServer) })
	return r
}

// setHosts makes wgserver.test resolve to addr in namespace 0 ("" for no
// entry). It rewrites the file in place: the bind mount of a running
// process holds the inode.
func (r *reresolveRig) setHosts(addr string) {
	text := "127.0.0.1 localhost\n"
	if addr != "" {
		text += addr + " wgserver.test\n"
	}
	if err := os.WriteFile(r.hosts, []byte(text), 0o644); err != nil {
		r.T.Fatal(err)
	}
}

// moveServer gives the server the address to instead of from (removed
// first: removing a primary address removes the secondaries with it).
func (r *reresolveRig) moveServer(from, to string) {
	if from != "" {
		r.In(1, "ip", "addr", "del", from+"/24", "dev", "vb")
	}
	r.In(1, "ip", "addr", "add", to+"/24", "dev", "vb")
}

// pings reports whether one ping through the tunnel got an answer.
func (r *reresolveRig) pings() bool {
	err := exec.Command("ip", "netns", "exec", r.NS[0], "ping", "-c", "1", "-W", "1", "10.0.0.2").Run()
	return err == nil
}

// recovers pings until one is answered and returns how long that took.
func (r *reresolveRig) recovers(within time.Duration) (time.Duration, bool) {
	start := time.Now()
	for time.Since(start) < within {
		if r.pings() {
			return time.Since(start), true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start), false
}

// endpoint is the client's endpoint of the server, as wg shows it.
func (r *reresolveRig) endpoint() string {
	out := r.In(0, netnstest.Binary(r.T), "show", "wgrr0", "endpoints")
	_, ep, _ := strings.Cut(strings.TrimSpace(out), "\t")
	return ep
}

// recorded is the server's Set in the client's state file.
func (r *reresolveRig) recorded() string {
	data, err := os.ReadFile(netnstest.StateFile(r.T, "wgrr0"))
	if err != nil {
		r.T.Fatal(err)
	}
	var st struct {
		Endpoints []struct{ Peer, Name, Set string }
	}
	json.Unmarshal(data, &st)
	if len(st.Endpoints) != 1 || st.Endpoints[0].Peer != r.serverPub || st.Endpoints[0].Name != "wgserver.test:51821" {
		r.T.Fatalf("state's endpoints: %s", data)
	}
	return st.Endpoints[0].Set
}

// holds checks, over several intervals, that the endpoint stays want and
// pings are answered.
func (r *reresolveRig) holds(what, want string) {
	r.T.Helper()
	// Past the age, many intervals, and the 5 s for which Go's resolver
	// keeps what it read of /etc/hosts.
	time.Sleep(7 * time.Second)
	if got := r.endpoint(); got != want {
		r.T.Errorf("%s: endpoint %s, want %s kept", what, got, want)
	}
	if !r.pings() {
		r.T.Errorf("%s: no answer through the tunnel", what)
	}
}

// TestReresolveDaemon: the embedded tunnel's daemon follows the server to
// its new address once the name resolves there, without anything being
// restarted; a failed lookup keeps the tunnel on the old address; an
// endpoint set by hand stays.
func TestReresolveDaemon(t *testing.T) {
	r := newReresolveRig(t)
	ours := r.OurQuick()
	if res := r.Quick(0, ours, reresolveEnv, "up", r.client); res.Code != 0 {
		t.Fatalf("client up: %+v", res)
	}
	defer r.Quick(0, ours, nil, "down", r.client)
	if !r.pings() {
		t.Fatal("no answer through the tunnel after up")
	}
	if got := r.recorded(); got != "192.168.241.2:51821" {
		t.Errorf("recorded at up: %s", got)
	}
	daemon := netnstest.DaemonPIDs("wgrr0")

	// The server moves; then its name follows.
	r.moveServer("192.168.241.2", "192.168.241.3")
	if r.pings() {
		t.Fatal("the tunnel still answers at the old address")
	}
	r.setHosts("192.168.241.3")
	took, ok := r.recovers(30 * time.Second)
	if !ok {
		t.Fatalf("no answer within %v of the name's change; endpoint %s", took, r.endpoint())
	}
	t.Logf("time to recovery after the name changed: %v", took.Round(10*time.Millisecond))
	if got := r.endpoint(); got != "192.168.241.3:51821" {
		t.Errorf("endpoint %s after the move", got)
	}
	if got := r.recorded(); got != "192.168.241.3:51821" {
		t.Errorf("recorded after the move: %s", got)
	}
	if now := netnstest.DaemonPIDs("wgrr0"); now != daemon {
		t.Errorf("daemon %q, was %q: something restarted", now, daemon)
	}

	// The name stops resolving: the old address stays.
	r.setHosts("")
	r.holds("lookup failure", "192.168.241.3:51821")

	// Set by hand to another address of the server; the name says
	// otherwise, and is not followed.
	r.moveServer("", "192.168.241.4")
	r.In(0, netnstest.Binary(t), "set", "wgrr0", "peer", r.serverPub, "endpoint", "192.168.241.4:51821")
	r.setHosts("192.168.241.5")
	r.holds("set by hand", "192.168.241.4:51821")
}

// TestReresolveForeground: `up --foreground` follows the server too, and
// says once that a lookup failed.
func TestReresolveForeground(t *testing.T) {
	r := newReresolveRig(t)
	cmd := exec.Command("ip", "netns", "exec", r.NS[0], r.OurQuick(), "up", "--foreground", r.client)
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}, reresolveEnv...)
	var stderr netnstest.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		r.Quick(0, r.OurQuick(), nil, "down", r.client)
		cmd.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "staying in the foreground") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !r.pings() {
		t.Fatalf("no answer through the tunnel after up:\n%s", stderr.String())
	}
	r.setHosts("")
	r.holds("lookup failure", "192.168.241.2:51821")
	if n := strings.Count(stderr.String(), "`wgserver.test:51821'; keeping 192.168.241.2:51821"); n != 1 {
		t.Errorf("the failure was said %d times, want once:\n%s", n, stderr.String())
	}
	r.moveServer("192.168.241.2", "192.168.241.3")
	r.setHosts("192.168.241.3")
	took, ok := r.recovers(30 * time.Second)
	if !ok {
		t.Fatalf("no answer within %v:\n%s", took, stderr.String())
	}
	t.Logf("time to recovery after the name changed (foreground): %v", took.Round(10*time.Millisecond))
	if want := "`wgserver.test:51821' is now 192.168.241.3:51821 (was 192.168.241.2:51821)"; !strings.Contains(stderr.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, stderr.String())
	}
}

// TestReresolveCommand: `wg-quick reresolve` (for kernel interfaces,
// whose tunnels no process of ours holds) does one pass: nothing while
// the handshake is fresh, the new address once it is stale.
func TestReresolveCommand(t *testing.T) {
	r := newReresolveRig(t)
	ours := r.OurQuick()
	// The daemon's own passes an hour apart: only the command acts.
	if res := r.Quick(0, ours, []string{"WGTOOLS_TEST_RERESOLVE_INTERVAL=1h"}, "up", r.client); res.Code != 0 {
		t.Fatalf("client up: %+v", res)
	}
	defer r.Quick(0, ours, nil, "down", r.client)
	if !r.pings() {
		t.Fatal("no answer through the tunnel after up")
	}
	r.moveServer("192.168.241.2", "192.168.241.3")
	r.setHosts("192.168.241.3")
	if res := r.Quick(0, ours, nil, "reresolve", "wgrr0"); res.Code != 0 || res.Stderr != "" || r.endpoint() != "192.168.241.2:51821" {
		t.Errorf("reresolve with a fresh handshake: %+v, endpoint %s", res, r.endpoint())
	}
	time.Sleep(2100 * time.Millisecond)
	res := r.Quick(0, ours, []string{"WGTOOLS_TEST_RERESOLVE_AGE=2s"}, "reresolve", "all")
	if res.Code != 0 || !strings.Contains(res.Stderr, "is now 192.168.241.3:51821") {
		t.Errorf("reresolve all: %+v", res)
	}
	if took, ok := r.recovers(10 * time.Second); !ok {
		t.Errorf("no answer within %v; endpoint %s", took, r.endpoint())
	}
	if got := r.recorded(); got != "192.168.241.3:51821" {
		t.Errorf("recorded: %s", got)
	}
	if res := r.Quick(0, ours, nil, "reresolve", "wgnone"); res.Code != 1 || !strings.Contains(res.Stderr, "`wgnone' is not a tunnel wg-quick brought up") {
		t.Errorf("reresolve of no tunnel: %+v", res)
	}
}
