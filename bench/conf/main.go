//go:build linux

// Command conf benchmarks `wg show IF`, `wg show IF dump`, `wg showconf
// IF`, a no-op `wg syncconf IF` and `wg setconf IF` on one device holding
// 10,000 peers, run by Debian's wireguard-go and by the newest one (built
// here from the module go.mod pins), ours against the reference wg,
// interleaved in one run, and writes medians and ratios of wall time, CPU
// time, minor page faults and peak RSS into BENCHMARKS.md. Needs root.
//
//	sudo go run ./bench/conf [-peers 10000] [-runs 11] [-daemon debian,newest]
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
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

func main() {
	peers := flag.Int("peers", 10000, "peers on the device")
	runs := flag.Int("runs", 11, "measured runs of each command and binary")
	ref := flag.String("ref", "/usr/bin/wg", "the reference wg")
	daemons := flag.String("daemon", "debian,newest", "daemons to run the device on: debian (Debian's wireguard-go), newest (golang.zx2c4.com/wireguard as pinned in go.mod, built here)")
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
	var b strings.Builder
	fmt.Fprintf(&b, "### `wg` on a userspace device with %d peers (issues 3 and 17)\n\n", *peers)
	fmt.Fprintf(&b, "Medians of %d interleaved runs each (after a warm-up round), `sudo go run ./bench/conf`, %s. ", *runs, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "One device in a network namespace; the times include the daemon's own work. CPU is the command's user+system time, faults its minor page faults, RSS its peak resident set (wait4's rusage). ")
	fmt.Fprintf(&b, "Machine: %s. Reference: Debian's C `wg`. Targets (issue 17, against the newest daemon): wall ≤ 1.1×, CPU ≤ 1.3×, peak RSS ≤ 2×.\n", benchmd.Machine())
	for _, daemon := range strings.Split(*daemons, ",") {
		bin := "wireguard-go"
		label := "Debian's wireguard-go 0.0.20220316"
		if daemon == "newest" {
			bin = filepath.Join(dir, "wireguard-go-newest")
			build := exec.Command("go", "build", "-trimpath", "-o", bin, "golang.zx2c4.com/wireguard")
			build.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := build.CombinedOutput(); err != nil {
				benchmd.Fatalf("build the newest wireguard-go: %v\n%s", err, out)
			}
			label = "wireguard-go " + moduleVersion("golang.zx2c4.com/wireguard") + " (built from the module proxy)"
		}
		fmt.Fprintf(&b, "\n%s:\n\n", label)
		b.WriteString(measure(dir, bin, conf, *peers, *runs))
	}
	fmt.Print(b.String())
	if *out != "" {
		if err := benchmd.Update(*out, "conf10k", b.String()); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	benchmd.Exit(0)
}

// sample is one run of a command: wall and CPU time, minor faults, peak RSS.
type sample struct {
	wall, cpu time.Duration
	faults    int64
	rss       int64 // KiB
}

// measure runs every command on a device of the daemon bin and returns
// the table.
func measure(dir, daemon, conf string, peers, runs int) string {
	ns := fmt.Sprintf("wgbench%d", os.Getpid())
	run("ip", "netns", "add", ns)
	defer exec.Command("ip", "netns", "del", ns).Run()
	holder := exec.Command("ip", "netns", "exec", ns, "unshare", "--mount", "--propagation", "private", "sh", "-c",
		"mkdir -p /run/wireguard && mount -t tmpfs -o mode=0755 tmpfs /run/wireguard && echo ready && exec sleep 3600")
	stdout, _ := holder.StdoutPipe()
	if err := holder.Start(); err != nil {
		benchmd.Fatalf("%v", err)
	}
	defer func() { holder.Process.Kill(); holder.Wait() }()
	if l, _ := bufio.NewReader(stdout).ReadString('\n'); l != "ready\n" {
		benchmd.Fatalf("namespace holder: %q", l)
	}
	enter := func(args ...string) *exec.Cmd {
		return exec.Command("nsenter", append([]string{"-t", fmt.Sprint(holder.Process.Pid), "-m", "-n", "--"}, args...)...)
	}
	if b, err := enter("sh", "-c", "LOG_LEVEL=silent "+daemon+" wgb0").CombinedOutput(); err != nil {
		benchmd.Fatalf("%s: %v %s", daemon, err, b)
	}
	defer enter("ip", "link", "del", "wgb0").Run()
	time.Sleep(300 * time.Millisecond)
	// GNU time forks the command (a fork of its own small image, not of
	// this process, whose resident set a child's peak would otherwise
	// start from) and reports its minor faults and peak RSS; the CPU time
	// is wait4's, to the microsecond.
	usage := filepath.Join(dir, "usage")
	wg := func(which string, args ...string) sample {
		cmd := enter(append([]string{"/usr/bin/time", "-f", "%R %M", "-o", usage, "wg"}, args...)...)
		cmd.Env = []string{"PATH=" + filepath.Join(dir, which) + ":/usr/bin:/bin"}
		cmd.Stdout = io.Discard
		var stderr strings.Builder
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			benchmd.Fatalf("%s wg %v: %v %s", which, args, err, stderr.String())
		}
		s := sample{wall: time.Since(start)}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			s.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
		data, err := os.ReadFile(usage)
		if _, serr := fmt.Sscan(string(data), &s.faults, &s.rss); err != nil || serr != nil {
			benchmd.Fatalf("/usr/bin/time: %q %v %v", data, err, serr)
		}
		return s
	}
	wg("ref", "setconf", "wgb0", conf)

	ops := []struct {
		name string
		args []string
	}{
		{"`wg show IF`", []string{"show", "wgb0"}},
		{"`wg show IF dump`", []string{"show", "wgb0", "dump"}},
		{"`wg showconf IF`", []string{"showconf", "wgb0"}},
		{"`wg syncconf IF` (no change)", []string{"syncconf", "wgb0", conf}},
		{fmt.Sprintf("`wg setconf IF` (%d-peer file)", peers), []string{"setconf", "wgb0", conf}},
	}
	samples := map[string][]sample{}
	for round := -1; round < runs; round++ { // one warm-up round
		for _, op := range ops {
			order := []string{"ours", "ref"}
			if round%2 == 1 {
				order = []string{"ref", "ours"}
			}
			for _, which := range order {
				s := wg(which, op.args...)
				if round >= 0 {
					samples[op.name+which] = append(samples[op.name+which], s)
				}
			}
		}
	}
	var b strings.Builder
	b.WriteString("| command | wall ours / ref | ratio | CPU ours / ref | ratio | minor faults ours / ref | peak RSS ours / ref | ratio |\n|---|---|---|---|---|---|---|---|\n")
	for _, op := range ops {
		o, r := medians(samples[op.name+"ours"]), medians(samples[op.name+"ref"])
		fmt.Fprintf(&b, "| %s | %.1f / %.1f ms | %.2f× | %.1f / %.1f ms | %.2f× | %d / %d | %.1f / %.1f MB | %.2f× |\n", op.name,
			ms(o.wall), ms(r.wall), float64(o.wall)/float64(r.wall), ms(o.cpu), ms(r.cpu), float64(o.cpu)/float64(r.cpu),
			o.faults, r.faults, float64(o.rss)/1024, float64(r.rss)/1024, float64(o.rss)/float64(r.rss))
	}
	return b.String()
}

// medians are the median of each measure, separately.
func medians(ss []sample) sample {
	var wall, cpu []time.Duration
	var faults, rss []int64
	for _, s := range ss {
		wall, cpu = append(wall, s.wall), append(cpu, s.cpu)
		faults, rss = append(faults, s.faults), append(rss, s.rss)
	}
	return sample{wall: benchmd.Median(wall), cpu: benchmd.Median(cpu), faults: medianInt(faults), rss: medianInt(rss)}
}

func medianInt(v []int64) int64 {
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	return v[len(v)/2]
}

// moduleVersion is the version go.mod pins for path.
func moduleVersion(path string) string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Version}}", path).Output()
	if err != nil {
		return "(unknown version)"
	}
	return strings.TrimSpace(string(out))
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
