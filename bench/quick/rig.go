//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/bench/benchmd"
)

// countPeers asks Debian's wg how many peers the interface has.
func countPeers(ns, iface string) int {
	out, err := exec.Command("ip", "netns", "exec", ns, "/usr/bin/wg", "show", iface, "peers").Output()
	if err != nil {
		return -1
	}
	return strings.Count(string(out), "\n")
}

// waitDaemonGone waits until no process is left in ns (the userspace daemon
// exits after its interface is deleted) and the UAPI socket is gone.
func waitDaemonGone(ns, iface string) error {
	sock := "/var/run/wireguard/" + iface + ".sock"
	deadline := time.Now().Add(10 * time.Second)
	for {
		pids := nsPIDs(ns)
		_, err := os.Stat(sock)
		if len(pids) == 0 && os.IsNotExist(err) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("10 s after down: processes %v still in the namespace, socket %s present: %v", pids, sock, err == nil)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// nsPIDs lists the processes in network namespace ns.
func nsPIDs(ns string) []int {
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+ns, &st); err != nil {
		return nil
	}
	want := fmt.Sprintf("net:[%d]", st.Ino)
	ents, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if l, err := os.Readlink("/proc/" + e.Name() + "/ns/net"); err == nil && l == want {
			pids = append(pids, p)
		}
	}
	return pids
}

// removeNamespace undoes everything in ns: its processes (daemons keep a
// namespace alive after `ip netns del`), our interfaces' sockets, and ns.
func removeNamespace(ns string, configs []*config) {
	for _, c := range configs {
		exec.Command("ip", "-n", ns, "link", "del", c.iface).Run()
	}
	for i := 0; i < 100; i++ {
		pids := nsPIDs(ns)
		if len(pids) == 0 {
			break
		}
		for _, p := range pids {
			sig := syscall.SIGTERM
			if i > 20 {
				sig = syscall.SIGKILL
			}
			syscall.Kill(p, sig)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, c := range configs {
		os.Remove("/var/run/wireguard/" + c.iface + ".sock")
	}
	if dir := stateDir(ns); !strings.HasSuffix(dir, "unknown") {
		os.RemoveAll(dir)
	}
	exec.Command("ip", "netns", "del", ns).Run()
}

func resetSysctl(ns string) {
	run("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.all.src_valid_mark=0")
}

// waitDAD waits for the veth's IPv6 link-local address to leave the
// tentative state, so that the state compared after each run is settled.
func waitDAD(ns string) {
	deadline := time.Now().Add(10 * time.Second)
	for output(exec.Command("ip", "-n", ns, "-6", "addr", "show", "tentative")) != "" {
		if time.Now().After(deadline) {
			benchmd.Fatalf("IPv6 duplicate address detection in %s did not finish within 10 s", ns)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var (
	ifIndex = regexp.MustCompile(`(?m)^\d+: `)
	// A new interface's link-local address is random (stable-privacy), and
	// upstream's and our nftables rules name it.
	linkLocal = regexp.MustCompile(`fe80:[0-9a-f:]*[0-9a-f]`)
)

// snapshot describes what wg-quick changes in ns: links, addresses, routes
// and rules of both families in all tables, and the nftables ruleset. Lines are sorted
// within each part (the order of a dump can change while IPv6 duplicate
// address detection finishes), link-local addresses are masked and the
// tentative flag dropped, so that two states can be compared.
func snapshot(ns string) string {
	var parts []string
	for _, args := range [][]string{
		{"-o", "link", "show"}, {"-o", "addr", "show"},
		{"-4", "route", "show", "table", "all"}, {"-6", "route", "show", "table", "all"},
		{"-4", "rule", "show"}, {"-6", "rule", "show"},
	} {
		out := output(exec.Command("ip", append([]string{"-n", ns}, args...)...))
		parts = append(parts, "# ip "+strings.Join(args, " ")+"\n"+ifIndex.ReplaceAllString(out, ""))
	}
	parts = append(parts, "# nft list ruleset\n"+output(exec.Command("ip", "netns", "exec", ns, "nft", "list", "ruleset")))
	for i, p := range parts {
		p = linkLocal.ReplaceAllString(p, "fe80::LL")
		p = strings.ReplaceAll(p, " tentative ", " ")
		lines := strings.Split(strings.TrimRight(p, "\n"), "\n")
		sort.Strings(lines[1:])
		parts[i] = strings.Join(lines, "\n")
	}
	return strings.Join(parts, "\n") + "\n"
}

// stateLeft lists what our wg-quick's state directory for ns still holds
// ("" when it is gone or empty).
func stateLeft(ns string) string {
	ents, _ := os.ReadDir(stateDir(ns))
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// stateDir is where our wg-quick keeps state for interfaces in ns.
func stateDir(ns string) string {
	var st syscall.Stat_t
	if err := syscall.Stat("/run/netns/"+ns, &st); err != nil {
		return "/run/wgtools/net-unknown"
	}
	return fmt.Sprintf("/run/wgtools/net-%d", st.Ino)
}

// diff lists the lines only in a (-) or only in b (+).
func diff(a, b string) string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]--
	}
	var lines []string
	for l, n := range count {
		for ; n > 0; n-- {
			lines = append(lines, "- "+l)
		}
		for ; n < 0; n++ {
			lines = append(lines, "+ "+l)
		}
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][2:] < lines[j][2:] })
	if len(lines) > 40 {
		lines = append(lines[:40], fmt.Sprintf("… and %d more lines", len(lines)-40))
	}
	return strings.Join(lines, "\n")
}
