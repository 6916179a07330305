//go:build linux

package quickcmd_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// TestQuickStaleNamespaceState: a tunnel up in namespace A, A deleted
// without down (its processes killed, as a container runtime does), then a
// namespace B with A's inode: genuinely (namespaces made until the kernel
// hands A's inode out again) and simulated (A's state directory renamed to
// B's inode). In B, status, up, peer list and down act on nothing of A's:
// the first command reports A's state once and removes it; B's own tunnel
// comes and goes normally; nothing is left under /run/wgtools.
func TestQuickStaleNamespaceState(t *testing.T) {
	netnstest.NeedNetns(t)
	for _, reuse := range []string{"kernel", "simulated"} {
		t.Run(reuse, func(t *testing.T) { staleNamespace(t, reuse == "kernel") })
	}
}

func staleNamespace(t *testing.T, byKernel bool) {
	bin, iface, conf := staleConf(t, "wgst", "ListenPort = 51861", "10.62.0.0/24")
	quick := func(ns string, args ...string) netnstest.Result {
		cmd := exec.Command("ip", append([]string{"netns", "exec", ns, bin}, args...)...)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
		return netnstest.Run(t, cmd)
	}

	a := netnstest.NewNetns(t, "wgsA")
	if r := quick(a, "up", conf); r.Code != 0 {
		t.Fatalf("up in A: %+v", r)
	}
	inoA := nsInode(t, a)
	stateA := netnstest.StateFile(t, iface)
	dirA := filepath.Dir(stateA)
	if !strings.HasPrefix(filepath.Base(dirA), fmt.Sprintf("net-%d-", inoA)) {
		t.Fatalf("A's state directory %s is not named by its inode %d and a cookie", dirA, inoA)
	}
	t.Cleanup(func() { os.RemoveAll(dirA) })
	// A dies without down: its tunnel process killed, the namespace deleted.
	if err := netnstest.DeleteNetns(a); err != nil {
		t.Fatal(err)
	}

	var b string
	if byKernel {
		b = namespaceWithInode(t, inoA)
	} else {
		b = netnstest.NewNetns(t, "wgsB")
		// As if the kernel had given B A's inode: A's directory under B's.
		dead := strings.Replace(dirA, fmt.Sprintf("net-%d-", inoA), fmt.Sprintf("net-%d-", nsInode(t, b)), 1)
		if err := os.Rename(dirA, dead); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dead) })
		dirA = dead
	}
	reported := fmt.Sprintf("[!] Removed the state of `%s', left by a network namespace that is gone (%s); nothing of it was undone here\n", iface, dirA)

	r := quick(b, "status")
	if r.Code != 0 || r.Stderr != reported || strings.Contains(r.Stdout, iface) {
		t.Errorf("status in B: %+v\nwant only the report on stderr: %q", r, reported)
	}
	if _, err := os.Stat(dirA); !os.IsNotExist(err) {
		t.Errorf("A's state directory after the report: %v", err)
	}
	r = quick(b, "up", conf)
	if r.Code != 0 || mentionsA(r.Stderr) || !strings.Contains(r.Stderr, "[#] ip link add dev "+iface) {
		t.Errorf("up in B (a fresh up, nothing of A's said or undone): %+v", r)
	}
	stateB := netnstest.StateFile(t, iface)
	if filepath.Dir(stateB) == dirA {
		t.Errorf("B's state went into A's directory %s", dirA)
	}
	if r := quick(b, "peer", "list", conf); r.Code != 0 || mentionsA(r.Stderr) || !strings.Contains(r.Stdout, "10.62.0.0/24") {
		t.Errorf("peer list in B: %+v", r)
	}
	if r := quick(b, "down", conf); r.Code != 0 || mentionsA(r.Stderr) {
		t.Errorf("down in B: %+v", r)
	}
	// Both directories are under these inodes (one inode when the kernel
	// gave B A's).
	var left []string
	for _, ino := range slices.Compact([]uint64{inoA, nsInode(t, b)}) {
		dirs, _ := filepath.Glob(fmt.Sprintf("/run/wgtools/net-%d*", ino))
		left = append(left, dirs...)
	}
	if len(left) > 0 {
		t.Errorf("left under /run/wgtools: %v", left)
	}
}

// staleConf links our binary as wg-quick and writes a config for a new
// interface named from prefix: one more [Interface] line, one peer with
// the allowed IPs.
func staleConf(t *testing.T, prefix, line, allowed string) (bin, iface, conf string) {
	t.Helper()
	bin = filepath.Join(t.TempDir(), "wg-quick")
	if err := os.Symlink(netnstest.Binary(t), bin); err != nil {
		t.Fatal(err)
	}
	iface = prefix + strings.ReplaceAll(netnstest.UniqueID(), "-", "x")
	conf = filepath.Join(t.TempDir(), iface+".conf")
	priv, _ := netnstest.Keypair(t)
	_, peerPub := netnstest.Keypair(t)
	os.WriteFile(conf, []byte(fmt.Sprintf("[Interface]\nPrivateKey = %s\nAddress = 10.61.0.1/24\n%s\n\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = 127.0.0.1:51862\n", priv, line, peerPub, allowed)), 0o600)
	return bin, iface, conf
}

// mentionsA reports whether a command spoke of state it found: A's was
// removed by the first command in B.
func mentionsA(stderr string) bool {
	return strings.Contains(stderr, "Removed the state") || strings.Contains(stderr, "is gone") || strings.Contains(stderr, "left behind")
}

// nsInode is the inode of the named namespace.
func nsInode(t *testing.T, ns string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+ns, &st); err != nil {
		t.Fatal(err)
	}
	return st.Ino
}

// namespaceWithInode makes namespaces until the kernel gives one ino (it
// hands out the lowest free number, so the freed one comes back unless
// another test makes a namespace meanwhile), deleting the others.
func namespaceWithInode(t *testing.T, ino uint64) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		name := fmt.Sprintf("wgsB%d-%d", os.Getpid()%100000, time.Now().UnixNano()%1000000)
		if out, err := netnstest.AddNetns(name); err != nil {
			t.Fatalf("ip netns add %s: %v: %s", name, err, out)
		}
		if nsInode(t, name) == ino {
			t.Cleanup(func() { netnstest.DeleteNetns(name) })
			return name
		}
		netnstest.DeleteNetns(name)
		time.Sleep(50 * time.Millisecond) // the kernel frees namespaces from a work queue
	}
	t.Skipf("the kernel did not give inode %d out again within 20 s (other namespaces made meanwhile); the simulated case covers it", ino)
	return ""
}

// TestQuickNetnsDeleted: a tunnel brought up from namespace H into a box
// (`up --netns-create`) whose namespace is then deleted without down (`ip
// netns delete`, as a container runtime does): while a process is still
// in the box the tunnel serves it; once none is, its daemon ends (its TUN
// device no longer keeps the box alive), /etc/netns/BOX/resolv.conf and
// the directory go, and so does the state.
func TestQuickNetnsDeleted(t *testing.T) {
	netnstest.NeedNetns(t)
	testenv.Require(t, testenv.Command("nsenter", "util-linux"))
	bin, iface, conf := staleConf(t, "wgsd", "DNS = 10.61.0.53, box.example", "0.0.0.0/0")
	h := netnstest.NewNetns(t, "wgsH")
	box := "wgsbox" + netnstest.UniqueID()
	t.Cleanup(func() { netnstest.DeleteNetns(box); os.RemoveAll("/etc/netns/" + box) })
	t.Cleanup(func() { netnstest.KillDaemons(iface) })

	up := exec.Command("nsenter", "--net=/run/netns/"+h, bin, "up", "--netns-create", box, conf)
	up.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	if r := netnstest.Run(t, up); r.Code != 0 {
		t.Fatalf("up --netns-create: %+v", r)
	}
	dir := filepath.Dir(netnstest.StateFile(t, iface))
	t.Cleanup(func() { os.RemoveAll(dir) })
	if _, err := os.Stat("/etc/netns/" + box + "/resolv.conf"); err != nil {
		t.Fatalf("the box's DNS: %v", err)
	}
	holder := exec.Command("ip", "netns", "exec", box, "sleep", "60")
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Process.Kill()
	time.Sleep(200 * time.Millisecond)
	if out, err := exec.Command("ip", "netns", "delete", box).CombinedOutput(); err != nil {
		t.Fatalf("ip netns delete: %v: %s", err, out)
	}
	time.Sleep(2500 * time.Millisecond)
	if netnstest.DaemonPIDs(iface) == "" {
		t.Fatal("the tunnel ended while a process was still in its namespace")
	}
	holder.Process.Kill()
	holder.Wait()
	for i := 0; i < 50 && netnstest.DaemonPIDs(iface) != ""; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if pids := netnstest.DaemonPIDs(iface); pids != "" {
		t.Fatalf("the tunnel's daemon still runs 5 s after its namespace was left empty: %s", pids)
	}
	for _, path := range []string{dir, "/etc/netns/" + box, "/var/run/wireguard/" + iface + ".sock"} {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s left: %v", path, err)
		}
	}
}
