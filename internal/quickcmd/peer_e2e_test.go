//go:build linux

package quickcmd_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// hub is a server namespace with a bridge and client namespaces on it.
type hub struct {
	t      *testing.T
	server string
	client []string
}

func newHub(t *testing.T, clients int) *hub {
	t.Helper()
	netnstest.NeedNetns(t)
	id := netnstest.UniqueID()
	h := &hub{t: t, server: "wgh-s-" + id}
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	netnstest.MakeNetns(t, h.server)
	run("ip", "-n", h.server, "link", "add", "br0", "type", "bridge")
	run("ip", "-n", h.server, "addr", "add", "192.168.100.1/24", "dev", "br0")
	run("ip", "-n", h.server, "link", "set", "br0", "up")
	run("ip", "-n", h.server, "link", "set", "lo", "up")
	for i := 0; i < clients; i++ {
		ns := fmt.Sprintf("wgh-c%d-%s", i+1, id)
		h.client = append(h.client, ns)
		netnstest.MakeNetns(t, ns)
		port := fmt.Sprintf("p%d", i+1)
		run("ip", "link", "add", port, "netns", h.server, "type", "veth", "peer", "name", "up0", "netns", ns)
		run("ip", "-n", h.server, "link", "set", port, "master", "br0", "up")
		run("ip", "-n", ns, "addr", "add", fmt.Sprintf("192.168.100.%d/24", 10+i), "dev", "up0")
		run("ip", "-n", ns, "link", "set", "up0", "up")
		run("ip", "-n", ns, "link", "set", "lo", "up")
		run("ip", "-n", ns, "route", "add", "default", "via", "192.168.100.1")
	}
	return h
}

// in runs a command in a namespace and returns its netnstest.Result.
func (h *hub) in(ns string, args ...string) netnstest.Result {
	h.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	return netnstest.Run(h.t, cmd)
}

const hubServer = `# The office hub. Comments and spacing here must survive peer add/remove.
[Interface]
Address = 10.8.0.1/24, fd08::1/64   # both families
ListenPort = 51820
PrivateKey = %s

# a peer written by hand, with a comment above it
[Peer]
PublicKey = %s
AllowedIPs = 10.8.0.2/32
`

// TestPeerProvisioning: a server brought up by our wg-quick; three clients
// added with peer add, each brought up in its own namespace, ping the
// server; a fourth add while they ping loses no packet; peer remove cuts
// one client off; the server's file keeps every line it had.
func TestPeerProvisioning(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing)
	h := newHub(t, 4)
	wgq := filepath.Join(t.TempDir(), "wg-quick")
	os.Symlink(netnstest.Binary(t), wgq)
	dir := t.TempDir()
	ks, _ := netnstest.Keypair(t)
	_, kh := netnstest.Keypair(t)
	orig := fmt.Sprintf(hubServer, ks, kh)
	srv := filepath.Join(dir, "wghub0.conf")
	os.WriteFile(srv, []byte(orig), 0o600)
	if r := h.in(h.server, wgq, "up", srv); r.Code != 0 {
		t.Fatalf("server up: %+v", r)
	}
	defer h.in(h.server, wgq, "down", srv)
	client := func(i int) string { return filepath.Join(dir, fmt.Sprintf("wgc%d.conf", i+1)) }
	add := func(i int, extra ...string) {
		t.Helper()
		args := append([]string{"peer", "add", srv, fmt.Sprintf("client%d", i+1), "--out", client(i)}, extra...)
		if r := h.in(h.server, append([]string{wgq}, args...)...); r.Code != 0 {
			t.Fatalf("peer add %d: %+v", i+1, r)
		}
		if fi, err := os.Stat(client(i)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("client config %d: %v %v", i+1, fi.Mode(), err)
		}
		if r := h.in(h.client[i], wgq, "up", client(i)); r.Code != 0 {
			t.Fatalf("client %d up: %+v", i+1, r)
		}
		t.Cleanup(func() { h.in(h.client[i], wgq, "down", client(i)) })
	}
	for i := 0; i < 3; i++ {
		extra := []string{}
		if i == 0 {
			extra = []string{"--endpoint", "192.168.100.1:51820", "--keepalive", "5"}
		}
		add(i, extra...)
		if r := h.in(h.client[i], "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.8.0.1"); r.Code != 0 {
			t.Fatalf("client %d cannot reach the server: %+v", i+1, r)
		}
		if r := h.in(h.client[i], "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2", "fd08::1"); r.Code != 0 {
			t.Fatalf("client %d cannot reach the server over IPv6: %+v", i+1, r)
		}
	}
	// A fourth peer while the three send 100 pings each, 30 ms apart.
	var wg sync.WaitGroup
	pings := make([]netnstest.Result, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pings[i] = h.in(h.client[i], "ping", "-c", "100", "-i", "0.03", "-W", "1", "10.8.0.1")
		}()
	}
	add(3)
	wg.Wait()
	for i, r := range pings {
		if r.Code != 0 || !strings.Contains(r.Stdout, " 0% packet loss") {
			t.Errorf("client %d lost packets while a peer was added: %s", i+1, r.Stdout[strings.LastIndex(r.Stdout, "---"):])
		}
	}
	if r := h.in(h.client[3], "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.8.0.1"); r.Code != 0 {
		t.Errorf("client 4 cannot reach the server: %+v", r)
	}
	list := h.in(h.server, wgq, "peer", "list", srv)
	for i := 0; i < 4; i++ {
		if !strings.Contains(list.Stdout, fmt.Sprintf("client%d ", i+1)) || !strings.Contains(list.Stdout, " ago ") {
			t.Errorf("peer list: %+v", list)
			break
		}
	}
	// Remove client 2: cut off, the others still through.
	if r := h.in(h.server, wgq, "peer", "remove", srv, "client2"); r.Code != 0 {
		t.Fatalf("peer remove: %+v", r)
	}
	if r := h.in(h.client[1], "ping", "-c", "2", "-i", "0.2", "-W", "1", "10.8.0.1"); r.Code == 0 {
		t.Errorf("client 2 still reaches the server after peer remove")
	}
	if r := h.in(h.client[0], "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.8.0.1"); r.Code != 0 {
		t.Errorf("client 1 lost the server after client 2 was removed: %+v", r)
	}
	// Every original line is still there, in order; with all added peers
	// removed the file is the original plus the remembered endpoint.
	now, _ := os.ReadFile(srv)
	if !subsequence(strings.Split(orig, "\n"), strings.Split(string(now), "\n")) {
		t.Errorf("the server file lost lines:\n%s", now)
	}
	for _, n := range []string{"client1", "client3", "client4"} {
		if r := h.in(h.server, wgq, "peer", "remove", srv, n); r.Code != 0 {
			t.Fatalf("peer remove %s: %+v", n, r)
		}
	}
	now, _ = os.ReadFile(srv)
	want := strings.Replace(orig, "[Interface]\n", "[Interface]\n# ClientEndpoint = 192.168.100.1:51820\n", 1)
	if string(now) != want {
		t.Errorf("server file after removing every added peer:\n%s\nwant:\n%s", now, want)
	}
}

// subsequence reports whether every line of a appears in b, in order.
func subsequence(a, b []string) bool {
	j := 0
	for _, l := range a {
		for j < len(b) && b[j] != l {
			j++
		}
		if j == len(b) {
			return false
		}
		j++
	}
	return true
}

// TestPeerAddReadOnly: a server config on a read-only file system gives a
// clear error and no client config.
func TestPeerAddReadOnly(t *testing.T) {
	testenv.Require(t, testenv.Root(), testenv.Command("unshare", "util-linux"))
	dir := t.TempDir()
	ks, _ := netnstest.Keypair(t)
	srv := filepath.Join(dir, "wgro0.conf")
	text := "[Interface]\nAddress = 10.8.0.1/24\nPrivateKey = " + ks + "\n"
	os.WriteFile(srv, []byte(text), 0o600)
	out := filepath.Join(t.TempDir(), "c.conf")
	// Our binary as wg-quick: argv[0] decides the personality.
	link := filepath.Join(t.TempDir(), "wg-quick")
	os.Symlink(netnstest.Binary(t), link)
	cmd := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && exec "$2" peer add "$3" c --endpoint h:1 --out "$4"`, "sh", dir, link, srv, out)
	r := netnstest.Run(t, cmd)
	if r.Code != 1 || !strings.Contains(r.Stderr, "Could not write configuration file") || !strings.Contains(r.Stderr, "read-only file system") {
		t.Errorf("peer add on a read-only file system: %+v", r)
	}
	if got, _ := os.ReadFile(srv); string(got) != text {
		t.Errorf("server file changed:\n%s", got)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("client config %s left behind", out)
	}
}

// TestPeerAddFullDisk: --out on a full file system, or standard output
// full, with the server's interface running: a clear error, and nothing half
// done (the server file as it was, no new peer on the interface, no client
// file), so that a retry works.
func TestPeerAddFullDisk(t *testing.T) {
	p := netnstest.NewPair(t)
	ks, _ := netnstest.Keypair(t)
	srv := filepath.Join(t.TempDir(), "wgfd0.conf")
	text := "[Interface]\nAddress = 10.8.0.1/24\nPrivateKey = " + ks + "\n"
	os.WriteFile(srv, []byte(text), 0o600)
	p.In(0, p.Daemon, "wgfd0")
	t.Cleanup(func() { exec.Command("ip", "-n", p.NS[0], "link", "del", "wgfd0").Run() })
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte(ks+"\n"), 0o600)
	p.In(0, netnstest.Binary(t), "set", "wgfd0", "private-key", keyFile)
	link := filepath.Join(t.TempDir(), "wg-quick")
	os.Symlink(netnstest.Binary(t), link)
	full := t.TempDir()
	// A one-page tmpfs, filled, in a mount namespace of the command's own.
	r := netnstest.Run(t, exec.Command("ip", "netns", "exec", p.NS[0], "unshare", "-m", "--propagation", "private", "sh", "-c",
		`mount -t tmpfs -o size=4k tmpfs "$1" && head -c 4096 /dev/zero >"$1/fill"; "$2" peer add "$3" carol --endpoint h:1 --out "$1/carol.conf"; rc=$?; ls "$1"; exit $rc`,
		"sh", full, link, srv))
	if r.Code != 1 || !strings.Contains(r.Stderr, "peer carol not added: write "+full+"/carol.conf: ") || !strings.Contains(r.Stderr, "no space left on device") {
		t.Errorf("peer add --out on a full disk: %+v", r)
	}
	if r.Stdout != "fill\n" {
		t.Errorf("the full file system holds %q, want only the filler", r.Stdout)
	}
	if got, _ := os.ReadFile(srv); string(got) != text {
		t.Errorf("server file changed:\n%s", got)
	}
	if got := p.In(0, netnstest.Binary(t), "show", "wgfd0", "peers"); got != "" {
		t.Errorf("the running interface has peers %q, want none", got)
	}
	// The client's config printed to a full standard output: the peer
	// that was already added to the file and the interface is taken off.
	r = netnstest.Run(t, exec.Command("ip", "netns", "exec", p.NS[0], "sh", "-c", `"$1" peer add "$2" dave --endpoint h:1 >/dev/full`, "sh", link, srv))
	if r.Code != 1 || !strings.Contains(r.Stderr, "print the client config: ") || !strings.Contains(r.Stderr, "(so peer dave was taken out again)") {
		t.Errorf("peer add printing to /dev/full: %+v", r)
	}
	if got, _ := os.ReadFile(srv); string(got) != text {
		t.Errorf("server file changed:\n%s", got)
	}
	if got := p.In(0, netnstest.Binary(t), "show", "wgfd0", "peers"); got != "" {
		t.Errorf("the running interface has peers %q, want none", got)
	}
}

// TestPeerAddConcurrent: five peer adds at once on one config all land,
// with five different addresses (the lock is taken before the file is
// read).
func TestPeerAddConcurrent(t *testing.T) {
	testenv.Require(t, testenv.Root()) // the interface lock is in /run/wgtools
	dir := t.TempDir()
	ks, _ := netnstest.Keypair(t)
	srv := filepath.Join(dir, "wgcc0.conf")
	os.WriteFile(srv, []byte("[Interface]\nAddress = 10.8.0.1/24\nPrivateKey = "+ks+"\n"), 0o600)
	link := filepath.Join(t.TempDir(), "wg-quick")
	os.Symlink(netnstest.Binary(t), link)
	var wg sync.WaitGroup
	results := make([]netnstest.Result, 5)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(link, "peer", "add", srv, fmt.Sprintf("c%d", i), "--endpoint", "h:1", "--out", filepath.Join(dir, fmt.Sprintf("c%d.conf", i)))
			results[i] = netnstest.Run(t, cmd)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.Code != 0 {
			t.Errorf("add %d: %+v", i, r)
		}
	}
	text, _ := os.ReadFile(srv)
	seen := map[string]bool{}
	for _, l := range strings.Split(string(text), "\n") {
		if a, ok := strings.CutPrefix(l, "AllowedIPs = "); ok {
			if seen[a] {
				t.Errorf("address %s given twice", a)
			}
			seen[a] = true
		}
	}
	if len(seen) != 5 {
		t.Errorf("%d peers in the file, want 5:\n%s", len(seen), text)
	}
}
