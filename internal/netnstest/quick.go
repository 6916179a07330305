package netnstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/testenv"
)

// Quick runs a wg-quick (ours or Debian's) in namespace i with env added.
func (p *Pair) Quick(i int, bin string, env []string, args ...string) Result {
	p.T.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.NS[i], bin}, args...)...)
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}, env...)
	return Run(p.T, cmd)
}

// OurQuick is our binary linked as wg-quick.
func (p *Pair) OurQuick() string {
	path := filepath.Join(filepath.Dir(p.Daemon), "wg-quick")
	if _, err := os.Lstat(path); err != nil {
		os.Symlink(Binary(p.T), path)
	}
	return path
}

// QuickConf writes NAME.conf in a temporary directory: a fresh private key
// and the [Interface] lines iface, then a peer with a fresh key and the
// lines peer.
func (p *Pair) QuickConf(name, iface, peer string) string {
	p.T.Helper()
	ka, _ := Keypair(p.T)
	_, pb := Keypair(p.T)
	path := filepath.Join(p.T.TempDir(), name+".conf")
	text := "[Interface]\nPrivateKey = " + ka + "\n" + iface + "[Peer]\nPublicKey = " + pb + "\n" + peer
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		p.T.Fatal(err)
	}
	return path
}

// NeedHostState is what HostState reads with: without nft the firewall
// part would read as empty both times. Tests ask for it before they start.
var NeedHostState = testenv.Command("nft", "nftables")

// HostState is what `up` changes, as ip(8), nft(8), /proc/sys and our wg
// (whose showconf the differential tests hold to Debian's) report it.
func (p *Pair) HostState(i int, dev string) string {
	p.T.Helper()
	testenv.Require(p.T, NeedHostState) // met: the test asked before it began
	out, _ := exec.Command("ip", "netns", "exec", p.NS[i], "sh", "-c",
		"ip -o link show dev "+dev+" 2>&1 | sed 's/^[0-9]*: //; s/ qdisc.*//'; ip -o addr show dev "+dev+" 2>&1 | sed 's/^[0-9]*: //; s/valid_lft.*//'; "+
			"ip -4 route show table all 2>&1 | grep -v 'dev va\\|dev lo\\|^local\\|^broadcast\\|^multicast'; ip -6 route show table all 2>&1 | grep "+dev+"; ip rule; ip -6 rule; "+
			"echo nft:; nft list ruleset; echo src_valid_mark=$(cat /proc/sys/net/ipv4/conf/all/src_valid_mark); "+Binary(p.T)+" showconf "+dev+" 2>&1").CombinedOutput()
	return SortPeers(string(out))
}

// SortPeers orders the [Peer] sections at the end of s: userspace daemons
// list peers in map order.
func SortPeers(s string) string {
	i := strings.Index(s, "\n[Peer]\n")
	if i < 0 {
		return s
	}
	blocks := strings.Split(s[i+1:], "[Peer]\n")[1:]
	for j := range blocks {
		blocks[j] = strings.TrimRight(blocks[j], "\n")
	}
	sort.Strings(blocks)
	return s[:i+1] + "[Peer]\n" + strings.Join(blocks, "\n\n[Peer]\n") + "\n"
}

// Leftovers lists what a failed or finished wg-quick must not leave: the
// daemon, its socket, the state file.
func (p *Pair) Leftovers(dev string) string {
	var out []string
	if pids := DaemonPIDs(dev); pids != "" {
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

// StateFile is the path of the one state file of dev, in the state
// directory of a test namespace (/run/wgtools/net-INODE).
func StateFile(t *testing.T, dev string) string {
	t.Helper()
	states, _ := filepath.Glob("/run/wgtools/net-*/" + dev + ".json")
	if len(states) != 1 {
		t.Fatalf("state files of %s: %v", dev, states)
	}
	return states[0]
}

// QuickSignal starts wg-quick in namespace 0, sends sig once the tunnel is
// up and routed (while a PostUp sleep runs), and waits for the end.
func (p *Pair) QuickSignal(bin string, sig syscall.Signal, args ...string) Result {
	p.T.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.NS[0], bin}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	var stderr SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		p.T.Fatal(err)
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
		p.T.Errorf("wg-quick did not end within 10 s of %v", sig)
	}
	return Result{Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// SyncBuffer is a strings.Builder safe to read while a process writes it.
type SyncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
