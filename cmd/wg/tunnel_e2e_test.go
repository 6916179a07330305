package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/testenv"
)

// pair is two network namespaces joined by a veth link, 192.168.241.1/24
// and .2/24, for tunnels between them.
type pair struct {
	t      *testing.T
	ns     [2]string
	daemon string // our binary, linked as "wireguard-go"
}

func newPair(t *testing.T) *pair {
	t.Helper()
	needNetns(t)
	p := &pair{t: t}
	id := fmt.Sprintf("%d-%d", os.Getpid()%100000, rigCount.Add(1))
	for i := range p.ns {
		p.ns[i] = fmt.Sprintf("wge%d-%s", i, id)
		p.run("ip", "netns", "add", p.ns[i])
		ns := p.ns[i]
		t.Cleanup(func() { deleteNetns(ns) })
	}
	p.run("ip", "link", "add", "va", "netns", p.ns[0], "type", "veth", "peer", "name", "vb", "netns", p.ns[1])
	for i, dev := range []string{"va", "vb"} {
		p.in(i, "ip", "addr", "add", fmt.Sprintf("192.168.241.%d/24", i+1), "dev", dev)
		p.in(i, "ip", "link", "set", dev, "up")
		p.in(i, "ip", "link", "set", "lo", "up")
	}
	dir := t.TempDir()
	p.daemon = filepath.Join(dir, "wireguard-go")
	if err := os.Symlink(ourWG(t), p.daemon); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *pair) run(args ...string) string {
	p.t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// in runs a command in namespace i.
func (p *pair) in(i int, args ...string) string {
	p.t.Helper()
	return p.run(append([]string{"ip", "netns", "exec", p.ns[i]}, args...)...)
}

// sysctl sets a sysctl in namespace i through /proc/sys, as sysctl -w
// does (procps is not on a minimal machine); key is in dotted form.
func (p *pair) sysctl(i int, key, value string) {
	p.t.Helper()
	p.in(i, "sh", "-c", `echo "$1" > "/proc/sys/$2"`, "sh", value, strings.ReplaceAll(key, ".", "/"))
}

// sh runs a shell script in namespace i with our and the reference wg on
// PATH as wg-ours and wg.
func (p *pair) sh(i int, script string) string {
	p.t.Helper()
	return p.in(i, "sh", "-c", "export PATH=/usr/sbin:/usr/bin:/sbin:/bin; "+script)
}

// configure sets up interface dev in namespace i with key priv, listening on
// port, with the other side as its peer, and addresses 10.0.0.(i+1).
func (p *pair) configure(i int, wg, dev, priv, peerPub string, port, peerPort int) {
	p.t.Helper()
	keyFile := filepath.Join(p.t.TempDir(), "key")
	os.WriteFile(keyFile, []byte(priv+"\n"), 0o600)
	p.in(i, wg, "set", dev, "private-key", keyFile, "listen-port", fmt.Sprint(port), "peer", peerPub,
		"allowed-ips", fmt.Sprintf("10.0.0.%d/32", 2-i), "endpoint", fmt.Sprintf("192.168.241.%d:%d", 2-i, peerPort))
	p.in(i, "ip", "addr", "add", fmt.Sprintf("10.0.0.%d/24", i+1), "dev", dev)
	p.in(i, "ip", "link", "set", dev, "up")
}

// needPing is iputils' ping, which the tests that ping through a tunnel
// run in their namespaces (a newcomer's minimal Debian lacks it).
var needPing = testenv.Command("ping", "iputils-ping")

// needQuickReference fails under CI, and skips elsewhere, without Debian's
// wg-quick.
func needQuickReference(t *testing.T) {
	t.Helper()
	testenv.Require(t, testenv.Package("/usr/bin/wg-quick", "wireguard-tools"))
}

func (p *pair) ping(i int) {
	p.t.Helper()
	out := p.in(i, "ping", "-c", "3", "-i", "0.2", "-W", "2", fmt.Sprintf("10.0.0.%d", 2-i))
	if !strings.Contains(out, " 0% packet loss") {
		p.t.Errorf("ping from %s: %s", p.ns[i], out)
	}
}

func keypair(t *testing.T) (priv, pub string) {
	priv = strings.TrimSpace(invocation{args: []string{"genkey"}}.run(t, ourWG(t)).Stdout)
	return priv, ownPub(t, priv)
}

var handshakeRe = regexp.MustCompile(`latest handshake: .* ago|latest handshake: Now`)
var transferRe = regexp.MustCompile(`transfer: .* received, .* sent`)

// TestTunnelPing: two of our daemons, one configured with the reference wg
// and one with ours; ping both ways; both wg report the handshake and
// transfer; deleting the interfaces ends the daemons and their sockets.
func TestTunnelPing(t *testing.T) {
	testenv.Require(t, needPing)
	p := newPair(t)
	ka, pa := keypair(t)
	kb, pb := keypair(t)
	p.in(0, p.daemon, "wgx0")
	p.in(1, p.daemon, "wgx1")
	p.configure(0, referenceWG(t), "wgx0", ka, pb, 51820, 51821)
	p.configure(1, ourWG(t), "wgx1", kb, pa, 51821, 51820)
	p.ping(0)
	p.ping(1)
	for i, wg := range []string{ourWG(t), referenceWG(t)} {
		out := p.in(i, wg, "show")
		if !handshakeRe.MatchString(out) || !transferRe.MatchString(out) {
			t.Errorf("%s show in %s lacks handshake or transfer:\n%s", wg, p.ns[i], out)
		}
	}
	p.in(0, "ip", "link", "del", "wgx0")
	p.in(1, "ip", "link", "del", "wgx1")
	waitGone(t, "wgx0", "wgx1")
}

// waitGone waits up to a second for the daemons of the given interfaces to
// exit and remove their sockets.
func waitGone(t *testing.T, names ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for _, n := range names {
		for {
			_, err := os.Stat("/var/run/wireguard/" + n + ".sock")
			if err != nil && daemonPIDs(n) == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("daemon or socket for %s still there after 1s", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestTunnelInterop: our daemon against Debian's wireguard-go, both ways.
func TestTunnelInterop(t *testing.T) {
	testenv.Require(t, needPing)
	p := newPair(t)
	ka, pa := keypair(t)
	kb, pb := keypair(t)
	for _, order := range [][2]string{{p.daemon, referenceDaemon()}, {referenceDaemon(), p.daemon}} {
		p.sh(0, "LOG_LEVEL=silent "+order[0]+" wgi0 2>/dev/null")
		p.sh(1, "LOG_LEVEL=silent "+order[1]+" wgi1 2>/dev/null")
		p.configure(0, ourWG(t), "wgi0", ka, pb, 51830, 51831)
		p.configure(1, referenceWG(t), "wgi1", kb, pa, 51831, 51830)
		p.ping(0)
		p.ping(1)
		p.in(0, "ip", "link", "del", "wgi0")
		p.in(1, "ip", "link", "del", "wgi1")
		waitGone(t, "wgi0", "wgi1")
	}
}

// TestTunnelUpstreamWgQuick: Debian's wg-quick brings an interface up and
// down on our daemon through WG_QUICK_USERSPACE_IMPLEMENTATION.
func TestTunnelUpstreamWgQuick(t *testing.T) {
	testenv.Require(t, needPing)
	needQuickReference(t)
	p := newPair(t)
	ka, pa := keypair(t)
	kb, pb := keypair(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "wgq0.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("[Interface]\nPrivateKey = %s\nListenPort = 51840\nAddress = 10.0.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.2/32\nEndpoint = 192.168.241.2:51841\n", ka, pb)), 0o600)
	p.in(1, p.daemon, "wgq1")
	p.configure(1, ourWG(t), "wgq1", kb, pa, 51841, 51840)
	out := p.sh(0, "WG_QUICK_USERSPACE_IMPLEMENTATION="+p.daemon+" wg-quick up "+conf+" 2>&1")
	if !strings.Contains(out, "[#] "+p.daemon+" wgq0") {
		t.Errorf("wg-quick did not use our daemon:\n%s", out)
	}
	p.ping(0)
	out = p.sh(0, "wg-quick down "+conf+" 2>&1")
	if !strings.Contains(out, "[#] ip link delete dev wgq0") {
		t.Errorf("wg-quick down:\n%s", out)
	}
	p.in(1, "ip", "link", "del", "wgq1")
	waitGone(t, "wgq0", "wgq1")
}

// daemonPIDs lists, one per line, the processes whose command line ends in
// "wireguard-go NAME" (what pgrep -f 'wireguard-go NAME$' finds; procps is
// not on a minimal machine).
func daemonPIDs(name string) string {
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	var pids []string
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		cmdline := strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ")
		if strings.HasSuffix(cmdline, "wireguard-go "+name) {
			pids = append(pids, filepath.Base(filepath.Dir(d)))
		}
	}
	return strings.Join(pids, "\n")
}

// killDaemons sends SIGKILL to the daemons daemonPIDs finds (pkill -KILL -f
// 'wireguard-go NAME$'); finding none is an error.
func killDaemons(name string) error {
	pids := daemonPIDs(name)
	if pids == "" {
		return fmt.Errorf("no wireguard-go %s process to kill", name)
	}
	for _, pid := range strings.Fields(pids) {
		n, _ := strconv.Atoi(pid)
		proc, err := os.FindProcess(n)
		if err == nil {
			err = proc.Signal(os.Kill)
		}
		if err != nil {
			return fmt.Errorf("kill %s: %w", pid, err)
		}
	}
	return nil
}

// deleteNetns ends the processes left in a namespace (a daemon of a test
// that failed half way would keep it alive), then deletes it.
func deleteNetns(ns string) {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, pid := range strings.Fields(string(out)) {
		// This process is listed too when one of its threads entered the
		// namespace (inNetns) and was the main thread, which never ends.
		if n, err := strconv.Atoi(pid); err == nil && n != os.Getpid() {
			if proc, err := os.FindProcess(n); err == nil {
				proc.Signal(os.Kill)
			}
		}
	}
	exec.Command("ip", "netns", "del", ns).Run()
}
