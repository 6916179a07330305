//go:build linux

package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

// benchKillSwitch times our `up` of config c (a full tunnel) without and
// with `KillSwitch = true`, interleaved, rounds times after a warm-up: the
// same interface name, the kill switch's copy of the file in a directory
// of its own. Each down must leave the namespace as it was (baseline), and
// the kill switch's up must have put its table in.
func benchKillSwitch(ns, dir string, im impl, c *config, rounds int, baseline string) (plain, kill []time.Duration) {
	text, err := os.ReadFile(c.path)
	if err != nil {
		benchmd.Fatalf("%v", err)
	}
	ksDir := filepath.Join(dir, "killswitch")
	if err := os.MkdirAll(ksDir, 0o700); err != nil {
		benchmd.Fatalf("%v", err)
	}
	ks := *c
	ks.path = filepath.Join(ksDir, filepath.Base(c.path))
	withKey := strings.Replace(string(text), "\n\n[Peer]", "\nKillSwitch = true\n\n[Peer]", 1)
	if err := os.WriteFile(ks.path, []byte(withKey), 0o600); err != nil {
		benchmd.Fatalf("%v", err)
	}
	for round := -1; round < rounds; round++ {
		order := []*config{c, &ks}
		if round%2 != 0 {
			order[0], order[1] = order[1], order[0]
		}
		for _, cfg := range order {
			resetSysctl(ns)
			up, stderr, err := wgQuick(ns, dir, im, "up", cfg)
			if err != nil {
				benchmd.Fatalf("kill switch bench: up: %v\n%s", err, stderr)
			}
			hasTable := strings.Contains(output(exec.Command("ip", "netns", "exec", ns, "nft", "list", "tables")), "wgtools-killswitch-"+c.iface)
			if hasTable != (cfg == &ks) {
				benchmd.Fatalf("kill switch bench: after up of %s the kill switch table is there: %v", cfg.path, hasTable)
			}
			if _, stderr, err := wgQuick(ns, dir, im, "down", cfg); err != nil {
				benchmd.Fatalf("kill switch bench: down: %v\n%s", err, stderr)
			}
			if err := waitDaemonGone(ns, c.iface); err != nil {
				benchmd.Fatalf("kill switch bench: down: %v", err)
			}
			resetSysctl(ns)
			if s := snapshot(ns); s != baseline {
				benchmd.Fatalf("kill switch bench: down left the namespace changed:\n%s", diff(baseline, s))
			}
			if round >= 0 {
				if cfg == &ks {
					kill = append(kill, up)
				} else {
					plain = append(plain, up)
				}
				log.Printf("round %d  %-34s kill switch %-5v up %7.1f ms", round+1, c.title, cfg == &ks, ms(up))
			}
		}
	}
	return plain, kill
}

// killSwitchReport is the kill switch section of the report.
func killSwitchReport(c *config, plain, kill []time.Duration) string {
	p, k := benchmd.Median(plain), benchmd.Median(kill)
	var b strings.Builder
	fmt.Fprintf(&b, "### `wg-quick up` with the kill switch\n\n")
	fmt.Fprintf(&b, "Ours only (upstream has none), same namespace, %d interleaved rounds after a warm-up: `up` of the %s config, and of the same file with `KillSwitch = true` (each followed by an untimed `down` that must leave the namespace as it was).\n\n", len(plain), c.title)
	fmt.Fprintf(&b, "| config | up | up with the kill switch | difference | target |\n|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %s | %s | %s | %+.1f ms | ≤ +10 ms |\n\n", c.title, msText(p), msText(k), ms(k-p))
	return b.String()
}
