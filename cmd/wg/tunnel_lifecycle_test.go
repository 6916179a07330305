//go:build linux

package main

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/wgctl"
	"golang.org/x/sys/unix"
)

// rigCount numbers the namespaces of this process.
var rigCount atomic.Int32

// inNetns runs fn on an OS thread inside a new network namespace; the
// thread is thrown away afterwards.
func inNetns(t *testing.T, fn func()) {
	t.Helper()
	ns := fmt.Sprintf("wgl%d-%d", os.Getpid()%100000, rigCount.Add(1))
	if out, err := netnstest.AddNetns(ns); err != nil {
		t.Fatalf("ip netns add: %v %s", err, out)
	}
	defer netnstest.DeleteNetns(ns)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread ends with this goroutine
		f, err := os.Open("/run/netns/" + ns)
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWNET); err != nil {
			t.Error(err)
			return
		}
		fn()
	}()
	<-done
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestTunnelLifecycle: 50 start/configure/stop cycles through the API
// wg-quick uses leave no process, socket, interface or file descriptor; a
// daemon killed with SIGKILL is replaced cleanly by the next start.
func TestTunnelLifecycle(t *testing.T) {
	netnstest.NeedNetns(t)
	const name = "wglc0"
	inNetns(t, func() {
		c, _ := wgctl.Open()
		defer c.Close()
		priv := config.Key{1}
		peer := config.Key{2}
		ep := netip.MustParseAddrPort("192.0.2.1:51820")
		before := 0
		for i := 0; i <= 50; i++ { // cycle 0 warms up lazily opened descriptors
			if i == 1 {
				before = openFDs(t)
			}
			real, err := tunnel.Start(name, 0, tunnel.LogSilent, nil)
			if err != nil {
				t.Fatalf("cycle %d: start: %v", i, err)
			}
			port := 52000 + i
			err = c.Configure(real, &config.Config{PrivateKey: &priv, ListenPort: &port, Peers: []config.Peer{
				{PublicKey: peer, HasPublicKey: true, Endpoint: &ep, ReplaceAllowedIPs: true,
					AllowedIPs: []config.AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}}}}})
			if err != nil {
				t.Fatalf("cycle %d: configure: %v", i, err)
			}
			d, err := c.Device(real)
			if err != nil || d.ListenPort != port || len(d.Peers) != 1 {
				t.Fatalf("cycle %d: device %+v, %v", i, d, err)
			}
			if err := tunnel.Stop(real); err != nil {
				t.Fatalf("cycle %d: stop: %v", i, err)
			}
			if _, err := net.InterfaceByName(name); err == nil {
				t.Fatalf("cycle %d: interface left", i)
			}
			if _, err := os.Stat(wgctl.SocketPath(name)); err == nil {
				t.Fatalf("cycle %d: socket left", i)
			}
		}
		time.Sleep(100 * time.Millisecond)
		if pids := netnstest.DaemonPIDs(name); pids != "" {
			t.Errorf("daemons left: %s", pids)
		}
		if after := openFDs(t); after > before {
			t.Errorf("%d file descriptors before, %d after 50 cycles", before, after)
		}

		// SIGKILL leaves a stale socket; the next start replaces it.
		if _, err := tunnel.Start(name, 0, tunnel.LogSilent, nil); err != nil {
			t.Fatal(err)
		}
		var pid int
		fmt.Sscan(netnstest.DaemonPIDs(name), &pid)
		if pid == 0 {
			t.Fatal("no daemon found")
		}
		syscall.Kill(pid, syscall.SIGKILL)
		for i := 0; i < 100 && netnstest.DaemonPIDs(name) != ""; i++ {
			time.Sleep(10 * time.Millisecond)
		}
		for i := 0; i < 100; i++ {
			if _, err := net.InterfaceByName(name); err != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := os.Stat(wgctl.SocketPath(name)); err != nil {
			t.Log("no stale socket after SIGKILL:", err)
		}
		if _, err := tunnel.Start(name, 0, tunnel.LogSilent, nil); err != nil {
			t.Fatalf("start after SIGKILL: %v", err)
		}
		if !tunnel.Running(name) {
			t.Fatal("replacement daemon does not answer")
		}
		if err := tunnel.Stop(name); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTunnelSignalsAndErrors: a foreground daemon ends on SIGINT and a
// detached one on SIGTERM, each removing its socket and interface within a
// second; a second start for a name in use fails clearly and changes
// nothing.
func TestTunnelSignalsAndErrors(t *testing.T) {
	p := netnstest.NewPair(t)
	gone := func(name string) bool {
		_, err := os.Stat(wgctl.SocketPath(name))
		return err != nil && !strings.Contains(p.Sh(0, "ip link show "+name+" 2>&1 || true"), "mtu")
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for i := 0; i < 100; i++ {
			if cond() {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("%s within 1s", what)
	}

	fg := exec.Command("ip", "netns", "exec", p.NS[0], p.Daemon, "-f", "wgfg0")
	fg.Env = append(os.Environ(), "LOG_LEVEL=silent")
	if err := fg.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor("foreground daemon answers", func() bool { return tunnel.Running("wgfg0") })
	fg.Process.Signal(os.Interrupt)
	waitFor("foreground daemon gone after SIGINT", func() bool { return gone("wgfg0") })
	fg.Wait()

	p.In(0, p.Daemon, "wgbg0")
	var pid int
	fmt.Sscan(netnstest.DaemonPIDs("wgbg0"), &pid)
	if pid == 0 {
		t.Fatal("no detached daemon")
	}
	// A second start for the same name fails clearly; the first keeps going.
	out, err := exec.Command("ip", "netns", "exec", p.NS[0], p.Daemon, "wgbg0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use") {
		t.Errorf("second start: %v %s", err, out)
	}
	if !tunnel.Running("wgbg0") {
		t.Fatal("the first daemon stopped answering")
	}
	syscall.Kill(pid, syscall.SIGTERM)
	waitFor("detached daemon gone after SIGTERM", func() bool { return gone("wgbg0") })
}
