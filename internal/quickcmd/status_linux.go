package quickcmd

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wgtools/wgtools/internal/dns"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/netcfg"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
	"golang.org/x/sys/unix"
)

// The kinds of the Linux platform's records that status reads (their
// writer is internal/quick/linux, whose constants are unexported).
const (
	recordUserspace = "userspace"
	recordTable     = "table"
	recordFirewall  = "firewall"
	recordDNS       = "dns"
)

// platformRuns: a kernel link, unless up recorded a userspace one; then
// the process that serves its UAPI socket.
func platformRuns(st *quick.State, t *tunnelStatus) {
	if !st.Get(recordUserspace, nil) {
		t.Runs.Kind = "kernel"
		return
	}
	t.Runs.Kind = "userspace"
	pid := socketPID(wgctl.SocketPath(t.Real))
	if pid == 0 {
		return
	}
	t.Runs.PID = &pid
	t.Runs.Kind, t.Runs.Program = classify(pid)
}

// classify tells our embedded tunnel (this program, or a binary of ours
// run as wireguard-go) from another implementation, by the process's
// executable and argv[0].
func classify(pid int) (string, *string) {
	exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	exe = strings.TrimSuffix(exe, " (deleted)")
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	argv0, _, _ := strings.Cut(string(cmdline), "\x00")
	arg := filepath.Base(argv0)
	self, _ := os.Executable()
	if s, err := filepath.EvalSymlinks(self); err == nil {
		self = s
	}
	prog := arg
	switch {
	case arg == "wg-quick" || (exe == self && arg != "wireguard-go"):
		prog = "wg-quick" // up --foreground
		return "embedded", &prog
	case exe == self || (arg == "wireguard-go" && filepath.Base(exe) != "wireguard-go"):
		prog = "wireguard-go"
		return "embedded", &prog
	}
	if exe != "" {
		prog = filepath.Base(exe)
	}
	return "userspace", &prog
}

// soAcceptCon is __SO_ACCEPTCON, the flag of a listening socket in
// /proc/net/unix.
const soAcceptCon = 0x10000

// socketPID is the process holding the listening Unix socket bound to
// path (in this network namespace's /proc/net/unix), 0 when none is found:
// the daemon started by up, which a re-executed process inherits, so the
// socket's owner, not its creator, is asked for.
func socketPID(path string) int {
	f, err := os.Open("/proc/net/unix")
	if err != nil {
		return 0
	}
	defer f.Close()
	inodes := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// Num RefCount Protocol Flags Type St Inode Path
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[7] != path {
			continue
		}
		if flags, err := strconv.ParseUint(fields[3], 16, 32); err == nil && flags&soAcceptCon != 0 {
			inodes["socket:["+fields[6]+"]"] = true
		}
	}
	if len(inodes) == 0 {
		return 0
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/fd")
	for _, dir := range procs {
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if link, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && inodes[link] {
				pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
				return pid
			}
		}
	}
	return 0
}

// platformInstalled reads what up installed that is there now: routes
// through the interface in any table, the policy rules and firewall tables
// of a default route, and the DNS servers of the recorded backend.
func platformInstalled(st *quick.State, t *tunnelStatus) {
	sys := &netcfg.Linux{}
	if routes, err := sys.RoutesOf(t.Real); err == nil {
		for _, r := range routes {
			s := r.Dst.String()
			if r.Table != unix.RT_TABLE_MAIN {
				s += fmt.Sprintf(" table %d", r.Table)
			}
			t.Installed.Routes = append(t.Installed.Routes, s)
		}
	}
	var table int
	if st.Get(recordTable, &table) && table != 0 {
		if rules, err := sys.DefaultRules(table); err == nil {
			t.Installed.Rules = append(t.Installed.Rules, rules...)
		}
	}
	if st.Get(recordFirewall, nil) {
		if has, err := (&firewall.Firewall{Log: io.Discard}).Has(t.Real); err == nil && has {
			t.Installed.Firewall = append(t.Installed.Firewall, firewall.TableName(t.Real))
		}
	}
	var backend string
	if st.Get(recordDNS, &backend) && backend != "" {
		d := &dnsBackends{env: &dns.Env{Log: io.Discard, StateDir: stateDir()}}
		servers, _ := d.Servers(t.Real, backend)
		t.DNS = &dnsStatus{Backend: backend, Servers: append([]string{}, servers...)}
	}
}
