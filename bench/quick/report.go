//go:build linux

package main

import (
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

func report(configs []*config, times map[string][]sample, refused, mismatch map[string]string, rounds int, endpoints bool) string {
	med := func(key string, f func(sample) time.Duration) time.Duration {
		var ds []time.Duration
		for _, s := range times[key] {
			ds = append(ds, f(s))
		}
		return benchmd.Median(ds)
	}
	up := func(s sample) time.Duration { return s.up }
	down := func(s sample) time.Duration { return s.down }
	total := func(s sample) time.Duration { return s.up + s.down }
	var b strings.Builder
	fmt.Fprintf(&b, "### `wg-quick up` + `wg-quick down` on a userspace tunnel\n\n")
	fmt.Fprintf(&b, "Median wall time of %d interleaved rounds (order alternated; one warm-up round of the 1-peer configs first), `sudo go run ./bench/quick`, %s. Machine: %s, no WireGuard kernel module.\n\n",
		rounds, time.Now().UTC().Format("2006-01-02"), benchmd.Machine())
	fmt.Fprintf(&b, "Each run is `wg-quick up FILE`, then `… down FILE`, timed separately, started from a thread that entered a throwaway network namespace (not through `ip netns exec`, whose own mount namespace and /sys cost about 5 ms a run; earlier reports used it), whose only other link is a veth (192.168.77.1/24, fd77::1/64, default routes through it) to a peer namespace; the 1-peer configs have their Endpoint there")
	if endpoints {
		b.WriteString(", and so has every peer of the many-peer one. ")
	} else {
		b.WriteString("; the many-peer one has no endpoints (as on a hub; `-endpoints` gives each peer one). ")
	}
	fmt.Fprintf(&b, "Upstream: Debian's bash wg-quick (wireguard-tools %s) with `WG_QUICK_USERSPACE_IMPLEMENTATION=/usr/bin/wireguard-go` (wireguard-go %s), Debian's C `wg`, `ip` and `nft` on `PATH`. Ours: `wg` built from this tree, run through a symlink named `wg-quick`, on its embedded tunnel. ",
		debVersion("wireguard-tools"), debVersion("wireguard-go"))
	fmt.Fprintf(&b, "Not timed: before each `up`, `net.ipv4.conf.all.src_valid_mark` is reset to 0; after it, the device must hold every peer; after each `down`, the daemon must have exited, its socket and our state file be gone, and the namespace's links, addresses, routes and rules (all tables, both families) and nftables ruleset must equal what they were before. The up+down column is the median of the per-round sums.\n\n")
	fmt.Fprintf(&b, "| config | upstream up | upstream down | upstream up+down | ours up | ours down | ours up+down | ours/upstream (up+down) | target |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, c := range configs {
		u, o := c.key+"upstream", c.key+"ours"
		fmt.Fprintf(&b, "| %s | %s | %s | %s | ", c.title, msText(med(u, up)), msText(med(u, down)), msText(med(u, total)))
		if refused[c.key] != "" {
			fmt.Fprintf(&b, "refused | refused | refused | — | %s |\n", targetText(c.target))
			continue
		}
		fmt.Fprintf(&b, "%s | %s | %s | %.3f× | %s |\n", msText(med(o, up)), msText(med(o, down)), msText(med(o, total)),
			float64(med(o, total))/float64(med(u, total)), targetText(c.target))
	}
	b.WriteString("\n")
	if len(mismatch) == 0 {
		b.WriteString("After `up` the namespace's links, addresses, routes, rules and nftables ruleset were the same for upstream and ours in every config both ran (link-local addresses masked).\n\n")
	}
	b.WriteString(analysis)
	for _, c := range configs {
		if refused[c.key] != "" {
			fmt.Fprintf(&b, "%s: ours refused: `%s`\n\n", c.title, refused[c.key])
		}
		if mismatch[c.key] != "" {
			fmt.Fprintf(&b, "%s: the host state after `up` differed between upstream (-) and ours (+):\n\n```\n%s\n```\n\n", c.title, mismatch[c.key])
		}
	}
	return b.String()
}

func targetText(t float64) string {
	if t == 0 {
		return "— (baseline)"
	}
	return fmt.Sprintf("≤ %.2f×", t)
}

func debVersion(pkg string) string {
	out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(out))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func msText(d time.Duration) string {
	if d >= 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f ms", ms(d))
}

func run(args ...string) {
	if b, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		benchmd.Fatalf("%v: %v\n%s", args, err, b)
	}
}

func output(c *exec.Cmd) string {
	b, err := c.Output()
	if err != nil {
		benchmd.Fatalf("%v: %v", c.Args, err)
	}
	return string(b)
}

// analysis is where the time goes, from profiles and strace of both tools
// (it does not change from run to run).
const analysis = "Where the time goes. Upstream runs a process for every step (`ip`, `wg`, `nft`, `sysctl`, " +
	"about 2 ms each), two per allowed IP for a many-peer config; with an Endpoint on every peer it also runs " +
	"`ip route get` and `ip link show` per peer (about 8 s for 1000 peers, `-endpoints`). Ours makes each change " +
	"as a netlink call on one socket (routes listed once, the link index looked up once). Of our 1000-peer `up`, " +
	"about 60% is the embedded daemon applying the configuration: wireguard-go computes one static-static " +
	"Diffie-Hellman per peer, and through x/crypto's curve25519 on crypto/ecdh each costs two scalar " +
	"multiplications (Debian's older wireguard-go does the same `setconf` in 71–80 ms, ours 134–177 ms). " +
	"A `down` is mostly the kernel deleting the link (about 15 ms, both tools); ours then waits for the daemon " +
	"to exit, which upstream does not, and skips `iptables-save` when it removed nftables tables.\n\n"
