//go:build linux

// Command quick benchmarks `wg-quick up CONFIG` followed by
// `wg-quick down CONFIG` on a machine without the WireGuard kernel module
// (and our `wg-quick reload` of the many-peer config against down + up, and
// our up of a full tunnel with and without the kill switch):
// ours (our wg run as wg-quick, on its embedded tunnel) against Debian's
// bash wg-quick with Debian's wireguard-go and C wg, side by side in one run
// with interleaved rounds, in a throwaway network namespace that has a veth
// underlay and a default route. It times up and down separately, checks
// every run (exit code, peers on the device after up, the namespace back to
// its starting state after down) and writes medians and ratios into
// BENCHMARKS.md. A config that our wg-quick refuses (parts not built yet) is
// reported as refused; the others are still measured. Needs root.
//
//	sudo go run ./bench/quick [-rounds 7] [-peers 1000] [-endpoints] [-out BENCHMARKS.md]
package main

import (
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/curve25519"
	"golang.org/x/sys/unix"

	"github.com/wgtools/wgtools/bench/benchmd"
)

// impl is one wg-quick under test.
type impl struct {
	key, name, prog string
	env             []string
}

// config is one config file under test.
type config struct {
	key, title string
	iface      string // interface name = file name without .conf
	path       string
	peers      int
	target     float64 // ratio ours/upstream for up+down; 0: none
	big        bool    // skipped in the warm-up round
}

type sample struct{ up, down time.Duration }

const (
	underlay   = "192.168.77" // .1 in the namespace under test, .2 in its peer
	underlay6  = "fd77::"
	sysPath    = "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
	wgQuickRef = "/usr/bin/wg-quick"
	wgGoRef    = "/usr/bin/wireguard-go"
)

func main() {
	rounds := flag.Int("rounds", 7, "measured rounds (plus one warm-up round of the small configs)")
	peers := flag.Int("peers", 1000, "peers in the many-peers config")
	endpoints := flag.Bool("endpoints", false, "give every peer of the many-peers config an endpoint (upstream then also runs `ip route get` and `ip link show` per peer for the MTU)")
	out := flag.String("out", "BENCHMARKS.md", "file to update; empty prints only")
	flag.Parse()
	log.SetFlags(0)
	if os.Geteuid() != 0 {
		log.Fatal("quick: run as root (it creates network namespaces): sudo go run ./bench/quick")
	}
	if *rounds < 1 || *peers < 1 || *peers > 60000 {
		log.Fatal("quick: -rounds must be ≥ 1 and -peers in 1..60000")
	}
	benchmd.ExitOnSignals("quick")
	dir, ours := benchmd.Workspace("wgtools-quick-bench-")
	oursQuick := filepath.Join(filepath.Dir(ours), "wg-quick")
	if err := os.Symlink("wg", oursQuick); err != nil {
		benchmd.Fatalf("%v", err)
	}
	for _, p := range []string{wgQuickRef, wgGoRef, "/usr/bin/wg", "/usr/sbin/nft"} {
		if _, err := os.Stat(p); err != nil {
			benchmd.Fatalf("quick: %v (needs Debian's wireguard-tools, wireguard-go and nftables)", err)
		}
	}
	if _, err := os.Stat("/sys/module/wireguard"); err == nil {
		benchmd.Fatalf("quick: the kernel has the WireGuard module loaded; this benchmark compares userspace tunnels")
	}
	impls := []impl{
		{"upstream", "upstream", wgQuickRef, []string{sysPath, "WG_QUICK_USERSPACE_IMPLEMENTATION=" + wgGoRef}},
		{"ours", "ours", oursQuick, []string{sysPath}},
	}

	// The namespace under test (ns) and its peer (nsPeer), joined by veth.
	pid := os.Getpid()
	ns, nsPeer := fmt.Sprintf("wgbq%d", pid), fmt.Sprintf("wgbq%dp", pid)
	configs := makeConfigs(dir, pid, *peers, *endpoints)
	for _, n := range []string{nsPeer, ns} {
		if err := benchmd.Change(func() error { return exec.Command("ip", "netns", "add", n).Run() },
			func() { removeNamespace(n, configs) }); err != nil {
			benchmd.Fatalf("ip netns add %s: %v", n, err)
		}
	}
	run("ip", "link", "add", "veth0", "netns", ns, "type", "veth", "peer", "name", "veth1", "netns", nsPeer)
	for i, n := range []string{ns, nsPeer} {
		dev := fmt.Sprint("veth", i)
		run("ip", "-n", n, "link", "set", "lo", "up")
		run("ip", "-n", n, "addr", "add", fmt.Sprintf("%s.%d/24", underlay, i+1), "dev", dev)
		run("ip", "-n", n, "-6", "addr", "add", fmt.Sprintf("%s%d/64", underlay6, i+1), "dev", dev, "nodad")
		run("ip", "-n", n, "link", "set", dev, "up")
	}
	run("ip", "-n", ns, "route", "add", "default", "via", underlay+".2", "dev", "veth0")
	run("ip", "-n", ns, "-6", "route", "add", "default", "via", underlay6+"2", "dev", "veth0")
	resetSysctl(ns)
	waitDAD(ns)
	baseline := snapshot(ns)

	times := map[string][]sample{}
	refused := map[string]string{}              // config key → our stderr
	upState := map[string]string{}              // config+impl key → state after up (first time)
	mismatch := map[string]string{}             // config key → how the states after up differ
	for round := -1; round < *rounds; round++ { // round -1 warms up
		for ci, c := range configs {
			if round < 0 && c.big {
				continue
			}
			order := []impl{impls[0], impls[1]}
			if (round+ci)%2 != 0 {
				order[0], order[1] = order[1], order[0]
			}
			for _, im := range order {
				if im.key == "ours" && refused[c.key] != "" {
					continue
				}
				resetSysctl(ns)
				up, stderr, err := wgQuick(ns, dir, im, "up", c)
				if err != nil {
					if im.key == "ours" && strings.Contains(stderr, "not built yet") && snapshot(ns) == baseline && stateLeft(ns) == "" {
						refused[c.key] = strings.TrimSpace(stderr)
						log.Printf("%s: ours refused: %s", c.title, refused[c.key])
						continue
					}
					benchmd.Fatalf("%s: %s wg-quick up failed: %v\n%s", c.title, im.name, err, stderr)
				}
				if n := countPeers(ns, c.iface); n != c.peers {
					benchmd.Fatalf("%s: %s wg-quick up: the device has %d peers, want %d\n%s", c.title, im.name, n, c.peers, stderr)
				}
				if _, seen := upState[c.key+im.key]; !seen {
					upState[c.key+im.key] = snapshot(ns)
				}
				down, stderr, err := wgQuick(ns, dir, im, "down", c)
				if err != nil {
					benchmd.Fatalf("%s: %s wg-quick down failed: %v\n%s", c.title, im.name, err, stderr)
				}
				if err := waitDaemonGone(ns, c.iface); err != nil {
					benchmd.Fatalf("%s: %s wg-quick down: %v", c.title, im.name, err)
				}
				if s := snapshot(ns); s != baseline {
					benchmd.Fatalf("%s: %s wg-quick down left the namespace changed:\n%s", c.title, im.name, diff(baseline, s))
				}
				if left := stateLeft(ns); left != "" {
					benchmd.Fatalf("%s: %s wg-quick down left state behind in %s: %s", c.title, im.name, stateDir(ns), left)
				}
				if round >= 0 {
					times[c.key+im.key] = append(times[c.key+im.key], sample{up, down})
					log.Printf("round %d  %-34s %-8s up %8.1f ms  down %7.1f ms", round+1, c.title, im.name, ms(up), ms(down))
				}
			}
			a, b := upState[c.key+"upstream"], upState[c.key+"ours"]
			if a != "" && b != "" && a != b && mismatch[c.key] == "" {
				mismatch[c.key] = diff(a, b)
				log.Printf("%s: note: the state after up differs (- upstream, + ours):\n%s", c.title, mismatch[c.key])
			}
		}
	}

	body := report(configs, times, refused, mismatch, *rounds, *endpoints)
	for _, c := range configs {
		if c.key == "full46" && refused[c.key] == "" {
			plain, kill := benchKillSwitch(ns, dir, impls[1], c, *rounds, baseline)
			body += killSwitchReport(c, plain, kill)
		}
	}
	if many := configs[len(configs)-1]; refused[many.key] == "" {
		body += reloadReport(many, benchReload(ns, dir, impls[1], many, *rounds))
	}
	fmt.Print(body)
	if *out != "" {
		if err := benchmd.Update(*out, "quick", body); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	benchmd.Exit(0)
}

// makeConfigs writes the config files into dir.
func makeConfigs(dir string, pid, peers int, endpoints bool) []*config {
	priv, _ := keypair()
	_, peer := keypair()
	iface := func(suffix string) string { return fmt.Sprintf("bq%d%s", pid%10000000, suffix) }
	head := func(addr string) string {
		return fmt.Sprintf("[Interface]\nPrivateKey = %s\nListenPort = 51820\nAddress = %s\n", priv, addr)
	}
	one := func(allowed string) string {
		return fmt.Sprintf("\n[Peer]\nPublicKey = %s\nAllowedIPs = %s\nEndpoint = %s.2:51820\n", peer, allowed, underlay)
	}
	var many strings.Builder
	many.WriteString(head("10.255.0.1/16"))
	for i := 0; i < peers; i++ {
		_, pub := keypair()
		fmt.Fprintf(&many, "\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.%d.%d.0/24\n", pub, 1+(i>>8), i&255)
		if endpoints {
			fmt.Fprintf(&many, "Endpoint = %s.2:%d\n", underlay, 1024+i)
		}
	}
	manyTitle := fmt.Sprintf("%d peers, one /24 each", peers)
	if endpoints {
		manyTitle = fmt.Sprintf("%d peers, one /24 and an endpoint each", peers)
	}
	configs := []*config{
		{key: "split", title: "split tunnel, 1 peer", iface: iface("s"), peers: 1},
		{key: "full4", title: "full tunnel 0.0.0.0/0, 1 peer", iface: iface("f"), peers: 1, target: 0.5},
		{key: "full46", title: "full tunnel 0.0.0.0/0, ::/0, 1 peer", iface: iface("d"), peers: 1, target: 0.5},
		{key: "many", title: manyTitle, iface: iface("m"), peers: peers, target: 0.05, big: true},
	}
	texts := map[string]string{
		"split":  head("10.0.0.1/24") + one("10.0.0.0/24, 10.10.0.0/16"),
		"full4":  head("10.0.0.1/24") + one("0.0.0.0/0"),
		"full46": head("10.0.0.1/24, fd00::1/64") + one("0.0.0.0/0, ::/0"),
		"many":   many.String(),
	}
	for _, c := range configs {
		c.path = filepath.Join(dir, c.iface+".conf")
		if err := os.WriteFile(c.path, []byte(texts[c.key]), 0o600); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	return configs
}

// keypair returns a fresh private key and its public key, in base64.
func keypair() (priv, pub string) {
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		benchmd.Fatalf("%v", err)
	}
	k[0] &= 248
	k[31] = k[31]&127 | 64
	p, err := curve25519.X25519(k[:], curve25519.Basepoint)
	if err != nil {
		benchmd.Fatalf("%v", err)
	}
	return base64.StdEncoding.EncodeToString(k[:]), base64.StdEncoding.EncodeToString(p)
}

// wgQuick runs `wg-quick ACTION FILE` of im inside ns and times it. Output
// goes to a file, not a pipe, so a daemon that inherits it cannot hold up
// the wait.
func wgQuick(ns, dir string, im impl, action string, c *config) (time.Duration, string, error) {
	logPath := filepath.Join(dir, "output")
	f, err := os.Create(logPath)
	if err != nil {
		benchmd.Fatalf("%v", err)
	}
	defer f.Close()
	cmd := exec.Command(im.prog, action, c.path)
	cmd.Env = im.env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Dir = dir
	d, err := runIn(ns, cmd)
	b, _ := os.ReadFile(logPath)
	return d, string(b), err
}

// runIn runs cmd in the network namespace ns and times it. The process is
// started from a thread that entered ns (a child has its parent thread's
// namespaces), not through `ip netns exec`, whose own work (a mount
// namespace, /sys mounted anew: about 5 ms a run here) is not wg-quick's;
// the configs here use nothing that needs it (no DNS).
func runIn(ns string, cmd *exec.Cmd) (time.Duration, error) {
	target, err := os.Open("/run/netns/" + ns)
	if err != nil {
		benchmd.Fatalf("%v", err)
	}
	defer target.Close()
	self, err := os.Open("/proc/thread-self/ns/net")
	if err != nil {
		benchmd.Fatalf("%v", err)
	}
	defer self.Close()
	runtime.LockOSThread()
	if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
		benchmd.Fatalf("enter %s: %v", ns, err)
	}
	start := time.Now()
	err = cmd.Run()
	d := time.Since(start)
	if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
		benchmd.Fatalf("leave %s: %v", ns, err) // the thread stays locked, and goes with its goroutine
	}
	runtime.UnlockOSThread()
	return d, err
}
