// Command doctor benchmarks whole-process `wg-quick doctor` on this host
// (it changes nothing), on configs without endpoints to probe (no MTU
// set, endpoints as addresses) and without a config, and writes the
// medians into BENCHMARKS.md. The target (issue 16): at most 300 ms.
//
//	sudo go run ./bench/doctor [-runs 21] [-out BENCHMARKS.md]
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

const key = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="

func main() {
	runs := flag.Int("runs", 21, "measured runs of each case")
	out := flag.String("out", "BENCHMARKS.md", "file to update; empty prints only")
	flag.Parse()
	log.SetFlags(0)
	benchmd.ExitOnSignals("doctor")
	dir, ours := benchmd.Workspace("wgtools-bench-doctor-")
	quick := filepath.Join(dir, "ours", "wg-quick")
	if err := os.Symlink(ours, quick); err != nil {
		benchmd.Fatalf("%v", err)
	}
	var peers strings.Builder
	for i := range 100 {
		fmt.Fprintf(&peers, "\n[Peer]\nPublicKey = %s\nEndpoint = 198.51.100.%d:51820\nAllowedIPs = 10.%d.%d.0/24\n", key, i%250+1, 100+i/250, i%250)
	}
	cases := []struct{ name, conf string }{
		{"no config (the host's checks)", ""},
		{"full tunnel 0.0.0.0/0, ::/0, 1 peer, DNS", "[Interface]\nPrivateKey = " + key + "\nAddress = 10.9.0.2/32, fd00:9::2/128\nDNS = 10.9.0.1\n\n[Peer]\nPublicKey = " + key + "\nEndpoint = 203.0.113.1:51820\nAllowedIPs = 0.0.0.0/0, ::/0\n"},
		{"100 peers, one /24 each", "[Interface]\nPrivateKey = " + key + "\nAddress = 10.9.0.2/32\nListenPort = 51820\n" + peers.String()},
	}
	type result struct {
		name   string
		times  []time.Duration
		status int
	}
	var results []result
	for i, c := range cases {
		args := []string{"doctor"}
		if c.conf != "" {
			path := filepath.Join(dir, fmt.Sprintf("wgbd%d.conf", i))
			if err := os.WriteFile(path, []byte(c.conf), 0o600); err != nil {
				benchmd.Fatalf("%v", err)
			}
			args = append(args, path)
		}
		r := result{name: c.name}
		for n := 0; n <= *runs; n++ {
			cmd := exec.Command(quick, args...)
			start := time.Now()
			err := cmd.Run()
			d := time.Since(start)
			if ee, ok := err.(*exec.ExitError); ok {
				r.status = ee.ExitCode()
			} else if err != nil {
				benchmd.Fatalf("%s: %v", c.name, err)
			}
			if n > 0 { // the first run warms the page cache
				r.times = append(r.times, d)
			}
		}
		results = append(results, r)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### `wg-quick doctor`\n\nOurs only (upstream has none). Median and slowest of %d whole-process runs after a warm-up, `sudo go run ./bench/doctor`, %s. Machine: %s. On this host (doctor changes nothing), configs without endpoints to probe: no `MTU`, so no path-MTU probe; endpoints given as addresses, so no lookups.\n\n", *runs, time.Now().Format("2006-01-02"), benchmd.Machine())
	b.WriteString("| config | median | slowest | exit status | target |\n|---|---|---|---|---|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %.1f ms | %.1f ms | %d | ≤ 300 ms |\n", r.name, ms(benchmd.Median(r.times)), ms(slices.Max(r.times)), r.status)
	}
	fmt.Print(b.String())
	if *out != "" {
		if err := benchmd.Update(*out, "doctor", b.String()); err != nil {
			benchmd.Fatalf("%v", err)
		}
	}
	benchmd.Exit(0)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
