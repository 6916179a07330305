//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/testenv"
)

// leftovers lists what a failed or finished wg-quick must not leave: the
// daemon, its socket, the state file.
func (p *pair) leftovers(dev string) string {
	var out []string
	if pids := daemonPIDs(dev); pids != "" {
		out = append(out, "process "+pids)
	}
	if _, err := os.Stat("/var/run/wireguard/" + dev + ".sock"); err == nil {
		out = append(out, "socket")
	}
	if m, _ := filepath.Glob("/run/wgtools/*" + dev + ".json"); len(m) > 0 {
		out = append(out, "state "+strings.Join(m, " "))
	}
	if m, _ := filepath.Glob("/run/wgtools/net-*/" + dev + ".json"); len(m) > 0 {
		out = append(out, "state "+strings.Join(m, " "))
	}
	return strings.Join(out, ", ")
}

// quickConf writes NAME.conf in a temporary directory: a fresh private
// key and the [Interface] lines iface, then a peer with a fresh key and the
// lines peer.
func (p *pair) quickConf(name, iface, peer string) string {
	p.t.Helper()
	ka, _ := keypair(p.t)
	_, pb := keypair(p.t)
	path := filepath.Join(p.t.TempDir(), name+".conf")
	text := "[Interface]\nPrivateKey = " + ka + "\n" + iface + "[Peer]\nPublicKey = " + pb + "\n" + peer
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		p.t.Fatal(err)
	}
	return path
}

// TestQuickRollback makes each step of `up` fail in turn: the exit is
// non-zero and the host is as before, with nothing left running.
func TestQuickRollback(t *testing.T) {
	testenv.Require(t, needHostState)
	p := newPair(t)
	p.underlay()
	ka, _ := keypair(t)
	_, pb := keypair(t)
	dir := t.TempDir()
	ours := p.ourQuick()
	full := "[Peer]\nPublicKey = " + pb + "\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0, ::/0, 10.9.0.0/16\n"
	cases := []struct {
		name, iface string
		peer        string
		setup       string // shell run in the namespace first
		signal      syscall.Signal
		want        string
	}{
		{name: "PreUp", iface: "Address = 10.0.0.1/24\nPreUp = false\n", want: "hook `false' failed"},
		{name: "bad key", iface: "Address = 10.0.0.1/24\n", peer: "[Peer]\nPublicKey = notakey\nAllowedIPs = 10.9.0.0/16\n", want: ":5: Key is not the correct length or format: `notakey'"},
		{name: "address conflict", iface: "Address = 10.0.0.1/24, 10.0.0.1/24\n", want: "file exists"},
		// Refused before the link exists now; the rollback of a failed MTU
		// step is in internal/quick's plan test (a TUN link takes any MTU
		// from 68 to 65535).
		{name: "MTU 99999", iface: "Address = 10.0.0.1/24\nMTU = 99999\n", want: "wgqr0.conf:4: MTU `99999' is not a number from 68 to 65535"},
		{name: "route in Table", iface: "Address = 10.0.0.1/24\nTable = 1234\n", setup: "ip route add 10.9.0.0/16 dev va table 1234", want: "add route 10.9.0.0/16 dev wgqr0 table 1234"},
		{name: "PostUp", iface: "Address = 10.0.0.1/24, fd00::1/64\nPostUp = false\n", want: "hook `false' failed"},
		{name: "SIGINT", iface: "Address = 10.0.0.1/24, fd00::1/64\nPostUp = sleep 20\n", signal: syscall.SIGINT, want: "interrupted by interrupt"},
		{name: "SIGTERM", iface: "Address = 10.0.0.1/24, fd00::1/64\nPostUp = sleep 20\n", signal: syscall.SIGTERM, want: "interrupted by terminated"},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			peer := c.peer
			if peer == "" {
				peer = full
			}
			path := filepath.Join(dir, "wgqr0.conf")
			os.WriteFile(path, []byte("[Interface]\nPrivateKey = "+ka+"\n"+c.iface+peer), 0o600)
			if c.setup != "" {
				p.in(0, "sh", "-c", c.setup)
				defer p.in(0, "sh", "-c", strings.Replace(c.setup, " add ", " del ", 1))
			}
			before := p.hostState(0, "wgqr0")
			var r result
			if c.signal != 0 {
				r = p.quickSignal(ours, c.signal, "up", path)
			} else {
				r = p.quick(0, ours, nil, "up", path)
			}
			if r.Code == 0 || !strings.Contains(r.Stderr, c.want) {
				t.Errorf("exit %d, want non-zero with %q in:\n%s", r.Code, c.want, r.Stderr)
			}
			if after := p.hostState(0, "wgqr0"); after != before {
				t.Errorf("host changed:\n%s\nwas:\n%s\nlog:\n%s", after, before, r.Stderr)
			}
			if l := p.leftovers("wgqr0"); l != "" {
				t.Errorf("left behind: %s", l)
			}
		})
	}
}

// quickSignal starts wg-quick in namespace 0, sends sig once the tunnel is
// up and routed (while PostUp runs), and waits for the end.
func (p *pair) quickSignal(bin string, sig syscall.Signal, args ...string) result {
	p.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.ns[0], bin}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "[#] sleep") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
		p.t.Errorf("wg-quick did not end within 10 s of %v", sig)
	}
	return result{Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// stateFile is the path of the one state file of dev, in the state
// directory of a test namespace (/run/wgtools/net-INODE).
func stateFile(t *testing.T, dev string) string {
	t.Helper()
	states, _ := filepath.Glob("/run/wgtools/net-*/" + dev + ".json")
	if len(states) != 1 {
		t.Fatalf("state files of %s: %v", dev, states)
	}
	return states[0]
}

// TestQuickDownAfterKill: `down` after the tunnel daemon was SIGKILLed
// still removes the rules, firewall and state `up` made.
func TestQuickDownAfterKill(t *testing.T) {
	testenv.Require(t, needHostState)
	p := newPair(t)
	p.underlay()
	path := p.quickConf("wgqk0", "Address = 10.0.0.1/24, fd00::1/64\n", "AllowedIPs = 0.0.0.0/0, ::/0\n")
	p.sysctl(0, "net.ipv4.conf.all.src_valid_mark", "1")
	before := p.hostState(0, "wgqk0")
	ours := p.ourQuick()
	if r := p.quick(0, ours, nil, "up", path); r.Code != 0 {
		t.Fatalf("up: %+v", r)
	}
	// The state is recorded, for root only.
	state := stateFile(t, "wgqk0")
	if fi, err := os.Stat(state); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("state file %s: %v %v", state, fi.Mode(), err)
	}
	if err := killDaemons("wgqk0"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100 && strings.Contains(p.hostState(0, "wgqk0"), "wgqk0: <"); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	r := p.quick(0, ours, nil, "down", path)
	if r.Code != 0 || !strings.Contains(r.Stderr, "is gone") {
		t.Errorf("down: %+v", r)
	}
	if after := p.hostState(0, "wgqk0"); after != before {
		t.Errorf("host after down:\n%s\nwas:\n%s\nlog:\n%s", after, before, r.Stderr)
	}
	if l := p.leftovers("wgqk0"); l != "" {
		t.Errorf("left behind: %s", l)
	}
	if r := p.quick(0, ours, nil, "down", path); r.Code != 1 || r.Stderr != "wg-quick: `wgqk0' is not a WireGuard interface\n" {
		t.Errorf("second down: %+v", r)
	}
}

// TestQuickStaleTemps: the temporary files a wg-quick killed while it
// wrote leaves (of the state, the DNS backup, a saved config) are removed
// by the next down or up of that interface, and only that interface's.
func TestQuickStaleTemps(t *testing.T) {
	p := newPair(t)
	path := p.quickConf("wgst0", "Address = 10.0.0.1/24\n", "AllowedIPs = 10.9.0.0/16\n")
	ours := p.ourQuick()
	if r := p.quick(0, ours, nil, "up", path); r.Code != 0 {
		t.Fatalf("up: %+v", r)
	}
	dir := filepath.Dir(stateFile(t, "wgst0"))
	stale := []string{filepath.Join(dir, ".wgst0.json.tmp1234"), filepath.Join(dir, ".wgst0.resolv.conf.tmp5678"),
		filepath.Join(dir, ".wgst0.resolv.conf.ours.tmp9"), filepath.Join(filepath.Dir(path), ".wgst0.conf.tmp42")}
	others := []string{filepath.Join(dir, ".wgst1.json.tmp1234"), filepath.Join(dir, ".wgst0.x.json.tmp1")}
	t.Cleanup(func() {
		for _, f := range append(stale, others...) {
			os.Remove(f)
		}
		os.Remove(dir) // when empty
	})
	plant := func() {
		for _, f := range append(stale, others...) {
			if err := os.WriteFile(f, []byte("{"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	check := func(after string) {
		t.Helper()
		for _, f := range stale {
			if _, err := os.Stat(f); err == nil {
				t.Errorf("%s is still there after %s", f, after)
			}
		}
		for _, f := range others {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("%s, not of this interface, was removed by %s", f, after)
			}
		}
	}
	plant()
	if r := p.quick(0, ours, nil, "down", path); r.Code != 0 {
		t.Fatalf("down: %+v", r)
	}
	check("down")
	plant()
	if r := p.quick(0, ours, nil, "up", path); r.Code != 0 {
		t.Fatalf("up: %+v", r)
	}
	check("up")
	if r := p.quick(0, ours, nil, "down", path); r.Code != 0 {
		t.Fatalf("down: %+v", r)
	}
}

// syncBuffer is a strings.Builder safe to read while a process writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestQuickConcurrent: two `up`s of one interface at once: the lock makes
// one win and the other find it existing, changing nothing; `down` then
// leaves the host as before.
func TestQuickConcurrent(t *testing.T) {
	testenv.Require(t, needHostState)
	p := newPair(t)
	p.underlay()
	path := p.quickConf("wgql0", "Address = 10.0.0.1/24\nPostUp = sleep 0.3\n", "AllowedIPs = 0.0.0.0/0, ::/0\n")
	p.sysctl(0, "net.ipv4.conf.all.src_valid_mark", "1")
	before := p.hostState(0, "wgql0")
	ours := p.ourQuick()
	results := make(chan result, 2)
	for i := 0; i < 2; i++ {
		go func() { results <- p.quick(0, ours, nil, "up", path) }()
	}
	a, b := <-results, <-results
	if a.Code == b.Code || a.Code+b.Code != 1 {
		t.Fatalf("want one success and one failure:\n%+v\n%+v", a, b)
	}
	loser := a
	if a.Code == 0 {
		loser = b
	}
	if !strings.Contains(loser.Stderr, "[!] Waiting for another wg-quick working on `wgql0'") || !strings.HasSuffix(loser.Stderr, "wg-quick: `wgql0' already exists\n") {
		t.Errorf("loser: %+v", loser)
	}
	if r := p.quick(0, ours, nil, "down", path); r.Code != 0 {
		t.Errorf("down: %+v", r)
	}
	if after := p.hostState(0, "wgql0"); after != before {
		t.Errorf("host after down:\n%s\nwas:\n%s", after, before)
	}
	if l := p.leftovers("wgql0"); l != "" {
		t.Errorf("left behind: %s", l)
	}
}
