package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// nsRig is a network namespace with a private /run/wireguard, where
// Debian's wireguard-go runs devices and both wg binaries control them.
type nsRig struct {
	t      *testing.T
	netns  string
	holder *exec.Cmd
	bins   map[string]string // "ours", "ref" -> directory holding a "wg"
}

func newRig(t *testing.T) *nsRig {
	t.Helper()
	testenv.Require(t, append(testenv.Netns(), testenv.Package(netnstest.ReferenceDaemon(), "wireguard-go"))...)
	r := &nsRig{t: t, netns: netnstest.NewNetns(t, "wgtc")}
	r.holder = exec.Command("ip", "netns", "exec", r.netns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
		"mkdir -p /run/wireguard && mount -t tmpfs -o mode=0755 tmpfs /run/wireguard && echo ready && exec sleep 3600")
	out, _ := r.holder.StdoutPipe()
	if err := r.holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.holder.Process.Kill(); r.holder.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("namespace holder: %q %v", line, err)
	}
	r.bins = map[string]string{}
	for which, bin := range map[string]string{"ours": netnstest.Binary(t), "ref": referenceWG(t)} {
		dir := filepath.Join(t.TempDir(), which)
		os.Mkdir(dir, 0o755)
		if err := os.Symlink(bin, filepath.Join(dir, "wg")); err != nil {
			t.Fatal(err)
		}
		r.bins[which] = dir
	}
	return r
}

// nsenter returns the command that runs args inside the rig.
func (r *nsRig) nsenter(args ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"-t", fmt.Sprint(r.holder.Process.Pid), "-m", "-n", "--"}, args...)...)
}

// sh runs a shell command inside the rig and fails the test on error.
func (r *nsRig) sh(script string) string {
	r.t.Helper()
	out, err := r.nsenter("sh", "-c", script).CombinedOutput()
	if err != nil {
		r.t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// wg runs one wg invocation with the chosen binary ("ours" or "ref").
func (r *nsRig) wg(which string, in invocation) netnstest.Result {
	r.t.Helper()
	args := append([]string{"env", "-i", "PATH=" + r.bins[which] + ":/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", "WG_COLOR_MODE=never"}, in.env...)
	cmd := r.nsenter(append(append(args, "wg"), in.args...)...)
	cmd.Stdin = bytes.NewReader(in.stdin)
	return netnstest.Run(r.t, cmd)
}

// sockPath is the device's UAPI socket as seen from the test process.
func (r *nsRig) sockPath(dev string) string {
	return fmt.Sprintf("/proc/%d/root/run/wireguard/%s.sock", r.holder.Process.Pid, dev)
}

// startDevice starts a Debian wireguard-go device and waits for its socket.
func (r *nsRig) startDevice(dev string) {
	r.t.Helper()
	r.sh("LOG_LEVEL=silent " + netnstest.ReferenceDaemon() + " " + dev)
	for i := 0; i < 200; i++ {
		if _, err := os.Stat(r.sockPath(dev)); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.t.Fatalf("device %s did not come up", dev)
}

// delDevice deletes the device; its daemon then exits and removes the socket.
func (r *nsRig) delDevice(dev string) {
	r.t.Helper()
	r.sh("ip link del " + dev)
	for i := 0; i < 300; i++ {
		if _, err := os.Stat(r.sockPath(dev)); err != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	os.Remove(r.sockPath(dev))
}

// state is the device as the reference wg reads it: dump and showconf,
// with peer order normalised.
func (r *nsRig) state(dev string, maskPort bool) string {
	r.t.Helper()
	d := r.wg("ref", invocation{args: []string{"show", dev, "dump"}})
	c := r.wg("ref", invocation{args: []string{"showconf", dev}})
	dump := normLines(d.Stdout, 1)
	conf := normBlocks(c.Stdout)
	if maskPort {
		dump = maskDumpPort(dump)
		conf = maskConfPort(conf)
	}
	return fmt.Sprintf("dump rc=%d %s\n%s\nshowconf rc=%d %s\n%s", d.Code, d.Stderr, dump, c.Code, c.Stderr, conf)
}

// normLines keeps the first keep lines and sorts the rest: wireguard-go
// reports peers in no fixed order.
func normLines(s string, keep int) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) > keep {
		sort.Strings(lines[keep:])
	}
	return strings.Join(lines, "\n")
}

// normBlocks sorts the blank-line separated blocks after the first of each
// group that starts with "interface:" or "[Interface]".
func normBlocks(s string) string {
	trimmed := strings.TrimSuffix(s, "\n")
	tail := s[len(trimmed):]
	blocks := strings.Split(trimmed, "\n\n")
	var out []string
	start := 0
	flush := func(end int) {
		if start < end {
			group := blocks[start:end]
			if len(group) > 1 {
				sort.Strings(group[1:])
			}
			out = append(out, group...)
		}
	}
	for i, b := range blocks {
		plain := strings.TrimLeft(b, "\n")
		if i > 0 && (strings.HasPrefix(plain, "interface:") || strings.HasPrefix(plain, "[Interface]")) {
			flush(i)
			start = i
		}
	}
	flush(len(blocks))
	return strings.Join(out, "\n\n") + tail
}

func maskDumpPort(s string) string {
	lines := strings.Split(s, "\n")
	if f := strings.Split(lines[0], "\t"); len(f) == 4 {
		f[2] = "PORT"
		lines[0] = strings.Join(f, "\t")
	}
	return strings.Join(lines, "\n")
}

func maskConfPort(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "ListenPort = ") {
			lines[i] = "ListenPort = PORT"
		}
	}
	return strings.Join(lines, "\n")
}
