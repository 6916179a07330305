// Command tunnel benchmarks tunnels between two network namespaces joined
// by veth: iperf3 TCP through (a) our embedded tunnel, (b) upstream
// wireguard-go built from the module version in our go.mod, (c) Debian's
// wireguard-go, and (d) the bare veth, interleaved over several rounds, with
// the daemons' peak RSS and the ping RTT. Needs root, iperf3 and the Go
// module proxy (for (b)). Writes BENCHMARKS.md.
//
//	sudo go run ./bench/tunnel [-rounds 3] [-seconds 8]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

type variant struct {
	key, name, daemon string
}

func main() {
	rounds := flag.Int("rounds", 3, "rounds")
	seconds := flag.Int("seconds", 8, "iperf3 duration")
	out := flag.String("out", "BENCHMARKS.md", "file to update; empty prints only")
	extra := flag.String("extra", "", "another daemon binary to compare, as (e)")
	flag.Parse()
	log.SetFlags(0)

	benchmd.ExitOnSignals("tunnel")
	dir, ours := benchmd.Workspace("wgtools-tunnel-bench-")
	os.Symlink(ours, filepath.Join(dir, "ours", "wireguard-go"))
	modVersion := strings.TrimSpace(output(exec.Command("go", "list", "-m", "-f", "{{.Version}}", "golang.zx2c4.com/wireguard")))
	inst := exec.Command("go", "install", "golang.zx2c4.com/wireguard@"+modVersion)
	inst.Env = append(os.Environ(), "GOBIN="+filepath.Join(dir, "upstream"), "CGO_ENABLED=0")
	must(inst)
	variants := []variant{
		{"a", "ours (embedded tunnel)", filepath.Join(dir, "ours", "wireguard-go")},
		{"b", "upstream wireguard-go " + modVersion, filepath.Join(dir, "upstream", "wireguard")},
		{"c", "Debian wireguard-go 0.0.20220316", "/usr/bin/wireguard-go"},
		{"d", "bare veth (ceiling)", ""},
	}
	if *extra != "" {
		variants = append(variants, variant{"e", "extra: " + *extra, *extra})
	}

	ns := [2]string{fmt.Sprintf("wgbA%d", os.Getpid()), fmt.Sprintf("wgbB%d", os.Getpid())}
	for _, n := range ns {
		run("ip", "netns", "add", n)
		benchmd.Cleanup(func() { exec.Command("ip", "netns", "del", n).Run() })
	}
	run("ip", "link", "add", "va", "netns", ns[0], "type", "veth", "peer", "name", "vb", "netns", ns[1])
	for i, dev := range []string{"va", "vb"} {
		in(ns[i], "ip", "addr", "add", fmt.Sprintf("192.168.241.%d/24", i+1), "dev", dev)
		in(ns[i], "ip", "link", "set", dev, "up")
		in(ns[i], "ip", "link", "set", "lo", "up")
	}
	keys := [2]string{}
	pubs := [2]string{}
	for i := range keys {
		keys[i] = strings.TrimSpace(output(exec.Command(ours, "genkey")))
		c := exec.Command(ours, "pubkey")
		c.Stdin = strings.NewReader(keys[i] + "\n")
		pubs[i] = strings.TrimSpace(output(c))
	}
	iperf := exec.Command("ip", "netns", "exec", ns[1], "iperf3", "-s")
	iperf.Start()
	benchmd.Cleanup(func() { iperf.Process.Kill(); iperf.Wait() })
	time.Sleep(300 * time.Millisecond)

	type sample struct{ gbps, rttMs, rssMB float64 }
	results := map[string][]sample{}
	for r := 0; r < *rounds; r++ {
		for k := range variants {
			v := variants[(k+r)%len(variants)] // rotate the order each round
			target := "192.168.241.2"
			var pids []int
			if v.daemon != "" {
				target = "10.9.0.2"
				for i := range ns {
					dev := fmt.Sprintf("wgb%d", i) // the namespaces share /var/run/wireguard
					in(ns[i], "sh", "-c", "LOG_LEVEL=silent "+v.daemon+" "+dev+" >/dev/null 2>&1")
					key := filepath.Join(dir, fmt.Sprintf("key%d", i))
					os.WriteFile(key, []byte(keys[i]+"\n"), 0o600)
					in(ns[i], ours, "set", dev, "private-key", key, "listen-port", fmt.Sprint(51820+i), "peer", pubs[1-i],
						"allowed-ips", fmt.Sprintf("10.9.0.%d/32", 2-i), "endpoint", fmt.Sprintf("192.168.241.%d:%d", 2-i, 51821-i))
					in(ns[i], "ip", "addr", "add", fmt.Sprintf("10.9.0.%d/24", i+1), "dev", dev)
					in(ns[i], "ip", "link", "set", dev, "up")
				}
				pids = daemonPIDs(v.daemon)
			}
			in(ns[0], "ping", "-c", "2", "-W", "2", target) // handshake first
			res := output(exec.Command("ip", "netns", "exec", ns[0], "iperf3", "-c", target, "-t", fmt.Sprint(*seconds), "-J"))
			var ij struct {
				End struct {
					SumReceived struct {
						BitsPerSecond float64 `json:"bits_per_second"`
					} `json:"sum_received"`
				} `json:"end"`
			}
			if err := json.Unmarshal([]byte(res), &ij); err != nil {
				benchmd.Fatalf("iperf3 output: %v", err)
			}
			rtt := pingMedian(output(exec.Command("ip", "netns", "exec", ns[0], "ping", "-c", "50", "-i", "0.02", target)))
			rss := 0.0
			for _, pid := range pids {
				rss = max(rss, peakRSS(pid))
			}
			results[v.key] = append(results[v.key], sample{ij.End.SumReceived.BitsPerSecond / 1e9, rtt, rss})
			log.Printf("round %d %-40s %.2f Gbit/s  rtt %.3f ms  rss %.1f MB", r+1, v.name, ij.End.SumReceived.BitsPerSecond/1e9, rtt, rss)
			if v.daemon != "" {
				for i := range ns {
					in(ns[i], "ip", "link", "del", fmt.Sprintf("wgb%d", i))
				}
				time.Sleep(500 * time.Millisecond)
			}
		}
	}

	med := func(key string, f func(sample) float64) float64 {
		var xs []float64
		for _, s := range results[key] {
			xs = append(xs, f(s))
		}
		sort.Float64s(xs)
		if len(xs)%2 == 1 {
			return xs[len(xs)/2]
		}
		return (xs[len(xs)/2-1] + xs[len(xs)/2]) / 2
	}
	gb := func(s sample) float64 { return s.gbps }
	rt := func(s sample) float64 { return s.rttMs }
	rs := func(s sample) float64 { return s.rssMB }
	var b strings.Builder
	fmt.Fprintf(&b, "### Tunnel throughput (issue 4)\n\n")
	fmt.Fprintf(&b, "iperf3 TCP for %d s from one network namespace to another joined by veth, %d rounds interleaved (order rotated each round), medians; `sudo go run ./bench/tunnel`, %s.\n",
		*seconds, *rounds, time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "Peak RSS is the larger VmHWM of the two daemons after the run; RTT is the median of 50 pings after it. Machine: %s.\n\n", benchmd.Machine())
	fmt.Fprintf(&b, "| path | throughput | vs (b) | RTT median | peak RSS |\n|---|---|---|---|---|\n")
	for _, v := range variants {
		fmt.Fprintf(&b, "| (%s) %s | %.2f Gbit/s | %.2f× | %.3f ms | %s |\n", v.key, v.name, med(v.key, gb), med(v.key, gb)/med("b", gb), med(v.key, rt), rssText(med(v.key, rs)))
	}
	fmt.Fprintf(&b, "\nTargets: (a) ≥ 0.95× (b) → %.2f×; (a) ≥ 4× (c) → %.2f×; RSS (a) ≤ 1.1× (b) → %.2f×; RTT (a) ≤ 1.1× (b) → %.2f×.\n",
		med("a", gb)/med("b", gb), med("a", gb)/med("c", gb), med("a", rs)/med("b", rs), med("a", rt)/med("b", rt))
	fmt.Print(b.String())
	if *out != "" {
		if err := benchmd.Update(*out, "tunnel", b.String()); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	benchmd.Exit(0)
}

func rssText(mb float64) string {
	if mb == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", mb)
}

func must(c *exec.Cmd) {
	if b, err := c.CombinedOutput(); err != nil {
		benchmd.Fatalf("%v: %v\n%s", c.Args, err, b)
	}
}

func output(c *exec.Cmd) string {
	b, err := c.Output()
	if err != nil {
		benchmd.Fatalf("%v: %v", c.Args, err)
	}
	return string(b)
}

func run(args ...string) { must(exec.Command(args[0], args[1:]...)) }

func in(ns string, args ...string) { run(append([]string{"ip", "netns", "exec", ns}, args...)...) }

func daemonPIDs(bin string) []int {
	out, _ := exec.Command("pgrep", "-f", "^("+regexp.QuoteMeta(filepath.Base(bin))+"|"+regexp.QuoteMeta(bin)+") wgb[01]$").Output()
	var pids []int
	for _, f := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(f); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

func peakRSS(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

var rttRe = regexp.MustCompile(`time=([0-9.]+) ms`)

func pingMedian(out string) float64 {
	var xs []float64
	for _, m := range rttRe.FindAllStringSubmatch(out, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		xs = append(xs, x)
	}
	if len(xs) == 0 {
		return 0
	}
	sort.Float64s(xs)
	return xs[len(xs)/2]
}
