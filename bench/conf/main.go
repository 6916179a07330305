// Command conf benchmarks `wg show IF dump`, `wg showconf IF`, a no-op
// `wg syncconf IF` and `wg setconf IF` on one Debian wireguard-go device
// holding 10,000 peers, ours against the reference wg, interleaved in one
// run, and writes medians and ratios into BENCHMARKS.md. Needs root.
//
//	sudo go run ./bench/conf [-peers 10000] [-runs 11]
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

func main() {
	peers := flag.Int("peers", 10000, "peers on the device")
	runs := flag.Int("runs", 11, "measured runs of each command and binary")
	ref := flag.String("ref", "/usr/bin/wg", "the reference wg")
	out := flag.String("out", "BENCHMARKS.md", "file to update; empty prints only")
	flag.Parse()
	log.SetFlags(0)

	benchmd.ExitOnSignals("conf")
	dir, _ := benchmd.Workspace("wgtools-bench-")
	refDir := filepath.Join(dir, "ref")
	os.MkdirAll(refDir, 0o755)
	if err := os.Symlink(*ref, filepath.Join(refDir, "wg")); err != nil {
		benchmd.Fatalf("%v", err)
	}
	conf := filepath.Join(dir, "big.conf")
	if err := os.WriteFile(conf, []byte(bigConfig(*peers)), 0o600); err != nil {
		benchmd.Fatalf("%v", err)
	}

	ns := fmt.Sprintf("wgbench%d", os.Getpid())
	run("ip", "netns", "add", ns)
	benchmd.Cleanup(func() { exec.Command("ip", "netns", "del", ns).Run() })
	holder := exec.Command("ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
		"mkdir -p /run/wireguard && mount -t tmpfs -o mode=0755 tmpfs /run/wireguard && echo ready && exec sleep 3600")
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		benchmd.Fatalf("%v", err)
	}
	benchmd.Cleanup(func() { holder.Process.Kill(); holder.Wait() })
	if l, _ := bufio.NewReader(stdout).ReadString('\n'); l != "ready\n" {
		benchmd.Fatalf("namespace holder: %q", l)
	}
	enter := func(args ...string) *exec.Cmd {
		return exec.Command("nsenter", append([]string{"-t", fmt.Sprint(holder.Process.Pid), "-m", "-n", "--"}, args...)...)
	}
	if b, err := enter("sh", "-c", "LOG_LEVEL=silent wireguard-go wgb0").CombinedOutput(); err != nil {
		benchmd.Fatalf("wireguard-go: %v %s", err, b)
	}
	benchmd.Cleanup(func() { enter("ip", "link", "del", "wgb0").Run() })
	time.Sleep(300 * time.Millisecond)
	wg := func(which string, args ...string) time.Duration {
		d := filepath.Join(dir, which)
		cmd := enter(append([]string{"env", "PATH=" + d + ":/usr/bin:/bin", "wg"}, args...)...)
		cmd.Stdout = io.Discard
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			benchmd.Fatalf("%s wg %v: %v %s", which, args, err, stderr.String())
		}
		return time.Since(start)
	}
	wg("ref", "setconf", "wgb0", conf)

	ops := []struct {
		name string
		args []string
	}{
		{"`wg show IF dump`", []string{"show", "wgb0", "dump"}},
		{"`wg showconf IF`", []string{"showconf", "wgb0"}},
		{"`wg syncconf IF` (no change)", []string{"syncconf", "wgb0", conf}},
		{fmt.Sprintf("`wg setconf IF` (%d-peer file)", *peers), []string{"setconf", "wgb0", conf}},
	}
	times := map[string][]time.Duration{}
	for round := -1; round < *runs; round++ { // one warm-up round
		for _, op := range ops {
			order := []string{"ours", "ref"}
			if round%2 == 1 {
				order = []string{"ref", "ours"}
			}
			for _, which := range order {
				d := wg(which, op.args...)
				if round >= 0 {
					times[op.name+which] = append(times[op.name+which], d)
				}
			}
		}
	}

	if os.Getenv("BENCH_VERBOSE") != "" {
		for _, op := range ops {
			fmt.Println(op.name, "ours", times[op.name+"ours"], "ref", times[op.name+"ref"])
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### `wg` on a userspace device with %d peers (issue 3)\n\n", *peers)
	fmt.Fprintf(&b, "Median wall time of %d interleaved runs each (after a warm-up round), `sudo go run ./bench/conf`, %s.\n", *runs, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "One Debian wireguard-go 0.0.20220316 device in a network namespace; the times include the device's own work.\n")
	fmt.Fprintf(&b, "Machine: %s. Reference: Debian's C `wg`. Target: ours ≤ 1.2× the reference.\n\n", benchmd.Machine())
	fmt.Fprintf(&b, "| command | ours | reference | ratio ours/ref |\n|---|---|---|---|\n")
	for _, op := range ops {
		o, r := benchmd.Median(times[op.name+"ours"]), benchmd.Median(times[op.name+"ref"])
		fmt.Fprintf(&b, "| %s | %.1f ms | %.1f ms | %.2f× |\n", op.name, ms(o), ms(r), float64(o)/float64(r))
	}
	fmt.Print(b.String())
	if *out != "" {
		if err := benchmd.Update(*out, "conf10k", b.String()); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	benchmd.Exit(0)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func run(name string, args ...string) {
	if b, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		benchmd.Fatalf("%s %v: %v %s", name, args, err, b)
	}
}

func key(label string) string {
	h := sha256.Sum256([]byte(label))
	return base64.StdEncoding.EncodeToString(h[:])
}

func bigConfig(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[Interface]\nPrivateKey = %s\nListenPort = 51820\n", key("bench-dev"))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.%d.%d.%d/32, fd00::%x/128\nEndpoint = 192.0.%d.%d:%d\n",
			key(fmt.Sprint("bench-peer", i)), key(fmt.Sprint("bench-psk", i)), i>>16&255, i>>8&255, i&255, i, i>>8&255, i&255, 1024+i)
		if i%3 == 0 {
			fmt.Fprintf(&b, "PersistentKeepalive = %d\n", 25+i%100)
		}
	}
	return b.String()
}
