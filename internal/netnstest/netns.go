package netnstest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

// markerDir holds a file per namespace a test made, NAME holding the
// test process's pid, so that a later run removes what a killed one
// (a timeout's panic runs no cleanup) left.
const markerDir = "/run/wgtools-test/netns"

var sweepOnce sync.Once

// AddNetns makes the network namespace name for this test process (first
// removing those of test processes that are gone); DeleteNetns removes it.
func AddNetns(name string) ([]byte, error) {
	sweepOnce.Do(SweepNetns)
	if err := os.MkdirAll(markerDir, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(markerDir, name), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return nil, err
	}
	out, err := exec.Command("ip", "netns", "add", name).CombinedOutput()
	if err != nil {
		os.Remove(filepath.Join(markerDir, name))
	}
	return out, err
}

// SweepNetns deletes the namespaces (and their /etc/netns/NAME) that test
// processes no longer running made.
func SweepNetns() {
	ents, _ := os.ReadDir(markerDir)
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(markerDir, e.Name()))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err == nil && alive(pid) {
			continue
		}
		DeleteNetns(e.Name())
		os.RemoveAll(filepath.Join("/etc/netns", e.Name()))
	}
}

func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// DeleteNetns ends the processes left in a namespace (a daemon of a test
// that failed half way would keep it alive), then deletes it.
func DeleteNetns(ns string) error {
	out, _ := exec.Command("ip", "netns", "pids", ns).Output()
	for _, pid := range strings.Fields(string(out)) {
		// This process is listed too when one of its threads entered the
		// namespace and was the main thread, which never ends.
		if n, err := strconv.Atoi(pid); err == nil && n != os.Getpid() {
			if proc, err := os.FindProcess(n); err == nil {
				proc.Signal(os.Kill)
			}
		}
	}
	out, err := exec.Command("ip", "netns", "del", ns).CombinedOutput()
	if err != nil && !strings.Contains(string(out), "No such file") {
		return errors.New("ip netns del " + ns + ": " + strings.TrimSpace(string(out)))
	}
	os.Remove(filepath.Join(markerDir, ns))
	return nil
}

var netnsSeq atomic.Int32

// NewNetns makes a network namespace named PREFIX<pid>-<n> that goes away
// when the test ends (NeedNetns first).
func NewNetns(t *testing.T, prefix string) string {
	t.Helper()
	name := fmt.Sprintf("%s%d-%d", prefix, os.Getpid()%100000, netnsSeq.Add(1))
	MakeNetns(t, name)
	return name
}

// MakeNetns makes the network namespace name, which goes away when the
// test ends.
func MakeNetns(t *testing.T, name string) {
	t.Helper()
	if out, err := AddNetns(name); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() {
		if err := DeleteNetns(name); err != nil {
			t.Error(err)
		}
	})
}
