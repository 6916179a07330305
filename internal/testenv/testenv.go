// Package testenv is how tests say what they need of the machine: root, a
// device, a network namespace, a reference tool. What is missing skips the
// test with a one-line reason and how to get it, and is written to the file
// named by $WGTOOLS_SKIP_LOG, from which `make test` prints its summary of
// what was skipped. Under CI (CI set and not "false") a missing need fails
// the test instead: CI installs everything, so a skip there would hide a
// broken set-up.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Need is one thing a test needs and how a newcomer gets it.
type Need struct {
	// What is missing, as the reason reads: "root", "ping".
	What string
	// Enable says how to get it, such as an apt-get command.
	Enable string
	have   func() bool
}

// Root is the need to run as root (network namespaces, TUN devices).
func Root() Need {
	return Need{What: "root", Enable: "sudo make test",
		have: func() bool { return os.Geteuid() == 0 }}
}

// Command is the need for a program on PATH (or at an absolute path) that
// Debian's package pkg provides.
func Command(name, pkg string) Need {
	return Need{What: name, Enable: aptGet(pkg),
		have: func() bool { _, err := exec.LookPath(name); return err == nil }}
}

// Package is the need for a file of a Debian package at path, such as
// /usr/bin/wg of wireguard-tools (the reference wg).
func Package(path, pkg string) Need {
	return Need{What: "Debian's " + pkg + " (" + path + ")", Enable: aptGet(pkg),
		have: func() bool { _, err := os.Stat(path); return err == nil }}
}

// TUN is the need for /dev/net/tun.
func TUN() Need {
	return Need{What: "/dev/net/tun",
		Enable: "load the tun module (modprobe tun), or give the container the device (--device /dev/net/tun)",
		have:   func() bool { _, err := os.Stat("/dev/net/tun"); return err == nil }}
}

// Netns is everything a test in network namespaces of its own needs: root,
// iproute2's ip, util-linux's nsenter and unshare, and /dev/net/tun.
func Netns() []Need {
	return []Need{Root(), Command("ip", "iproute2"), Command("nsenter", "util-linux"),
		Command("unshare", "util-linux"), TUN()}
}

// Require skips t (under CI: fails it) unless every need is met.
func Require(t testing.TB, needs ...Need) {
	t.Helper()
	var missing []Need
	for _, n := range needs {
		if !n.have() {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		skip(t, missing)
	}
}

// Skip skips t (under CI: fails it) for a need checked by the caller.
func Skip(t testing.TB, what, enable string) {
	t.Helper()
	skip(t, []Need{{What: what, Enable: enable}})
}

// CI reports whether the tests run under CI, where nothing may be skipped.
func CI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

func skip(t testing.TB, missing []Need) {
	t.Helper()
	whats := make([]string, len(missing))
	enables := make([]string, 0, len(missing))
	for i, n := range missing {
		whats[i] = n.What
		if !slices.Contains(enables, n.Enable) {
			enables = append(enables, n.Enable)
		}
	}
	msg := fmt.Sprintf("needs %s (%s)", strings.Join(whats, ", "), strings.Join(enables, "; "))
	if CI() {
		t.Fatalf("CI is set, so this test must run, but it %s", msg)
	}
	record(t.Name(), missing)
	t.Skip(msg)
}

// record appends "WHAT<TAB>ENABLE<TAB>TEST" lines to $WGTOOLS_SKIP_LOG.
// Each line is one write to a file opened for appending, so the packages
// that go test runs at once do not mix their lines.
func record(test string, missing []Need) {
	path := os.Getenv("WGTOOLS_SKIP_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	oneLine := strings.NewReplacer("\t", " ", "\n", " ")
	for _, n := range missing {
		fmt.Fprintf(f, "%s\t%s\t%s\n", oneLine.Replace(n.What), oneLine.Replace(n.Enable), test)
	}
}

func aptGet(pkg string) string {
	return "apt-get install --no-install-recommends " + pkg
}
