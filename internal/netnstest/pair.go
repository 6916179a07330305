package netnstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Pair is two network namespaces joined by a veth link (va, vb) with
// 192.168.241.1/24 and .2/24, for tunnels between them.
type Pair struct {
	T  *testing.T
	NS [2]string
	// Daemon is our binary linked as "wireguard-go".
	Daemon string
}

// NewPair makes a pair; it goes away with the test (NeedNetns first).
func NewPair(t *testing.T) *Pair {
	t.Helper()
	NeedNetns(t)
	p := &Pair{T: t}
	id := UniqueID()
	for i := range p.NS {
		p.NS[i] = fmt.Sprintf("wge%d-%s", i, id)
		MakeNetns(t, p.NS[i])
	}
	p.Run("ip", "link", "add", "va", "netns", p.NS[0], "type", "veth", "peer", "name", "vb", "netns", p.NS[1])
	for i, dev := range []string{"va", "vb"} {
		p.In(i, "ip", "addr", "add", fmt.Sprintf("192.168.241.%d/24", i+1), "dev", dev)
		p.In(i, "ip", "link", "set", dev, "up")
		p.In(i, "ip", "link", "set", "lo", "up")
	}
	p.Daemon = filepath.Join(t.TempDir(), "wireguard-go")
	if err := os.Symlink(Binary(t), p.Daemon); err != nil {
		t.Fatal(err)
	}
	return p
}

// Run runs a command on the host and returns its output; a failure fails
// the test.
func (p *Pair) Run(args ...string) string {
	p.T.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		p.T.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// In runs a command in namespace i.
func (p *Pair) In(i int, args ...string) string {
	p.T.Helper()
	return p.Run(append([]string{"ip", "netns", "exec", p.NS[i]}, args...)...)
}

// Sysctl sets a sysctl in namespace i through /proc/sys, as sysctl -w
// does (procps is not on a minimal machine); key is in dotted form.
func (p *Pair) Sysctl(i int, key, value string) {
	p.T.Helper()
	p.In(i, "sh", "-c", `echo "$1" > "/proc/sys/$2"`, "sh", value, strings.ReplaceAll(key, ".", "/"))
}

// Sh runs a shell script in namespace i.
func (p *Pair) Sh(i int, script string) string {
	p.T.Helper()
	return p.In(i, "sh", "-c", "export PATH=/usr/sbin:/usr/bin:/sbin:/bin; "+script)
}

// Configure sets up interface dev in namespace i with key priv, listening
// on port, with the other side as its peer, and addresses 10.0.0.(i+1).
func (p *Pair) Configure(i int, wg, dev, priv, peerPub string, port, peerPort int) {
	p.T.Helper()
	keyFile := filepath.Join(p.T.TempDir(), "key")
	os.WriteFile(keyFile, []byte(priv+"\n"), 0o600)
	p.In(i, wg, "set", dev, "private-key", keyFile, "listen-port", fmt.Sprint(port), "peer", peerPub,
		"allowed-ips", fmt.Sprintf("10.0.0.%d/32", 2-i), "endpoint", fmt.Sprintf("192.168.241.%d:%d", 2-i, peerPort))
	p.In(i, "ip", "addr", "add", fmt.Sprintf("10.0.0.%d/24", i+1), "dev", dev)
	p.In(i, "ip", "link", "set", dev, "up")
}

// Ping pings the other side's 10.0.0.x from namespace i (NeedPing).
func (p *Pair) Ping(i int) {
	p.T.Helper()
	out := p.In(i, "ping", "-c", "3", "-i", "0.2", "-W", "2", fmt.Sprintf("10.0.0.%d", 2-i))
	if !strings.Contains(out, " 0% packet loss") {
		p.T.Errorf("ping from %s: %s", p.NS[i], out)
	}
}

// Underlay gives the pair IPv6 on the veth and default routes both ways.
func (p *Pair) Underlay() {
	for i, dev := range []string{"va", "vb"} {
		p.In(i, "ip", "addr", "add", fmt.Sprintf("fd99::%d/64", i+1), "dev", dev, "nodad")
		p.In(i, "ip", "route", "add", "default", "via", fmt.Sprintf("192.168.241.%d", 2-i))
		p.In(i, "ip", "-6", "route", "add", "default", "via", fmt.Sprintf("fd99::%d", 2-i))
	}
}

// DaemonPIDs lists, one per line, the processes whose command line ends in
// "wireguard-go NAME" (what pgrep -f 'wireguard-go NAME$' finds; procps is
// not on a minimal machine).
func DaemonPIDs(name string) string {
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

// KillDaemons sends SIGKILL to the daemons DaemonPIDs finds (pkill -KILL
// -f 'wireguard-go NAME$'); finding none is an error.
func KillDaemons(name string) error {
	pids := DaemonPIDs(name)
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
