//go:build unix

package hostsys

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestLoopback(t *testing.T) {
	name := "lo"
	if !Exists(name) {
		name = "lo0"
	}
	if !Exists(name) {
		t.Skip("no loopback interface named lo or lo0")
	}
	if mtu, ok := MTU(name); !ok || mtu <= 0 {
		t.Errorf("MTU(%s) = %d, %v", name, mtu, ok)
	}
	found := false
	for _, a := range Addresses(name) {
		if a.Addr().IsLoopback() {
			found = true
		}
	}
	if !found {
		t.Errorf("Addresses(%s) = %v: no loopback address", name, Addresses(name))
	}
	if Exists("wgtools-none0") {
		t.Error("an interface that is not there exists")
	}
}

// TestStartDetached: the process runs in its own session, Alive sees it,
// and no longer once it ended.
func TestStartDetached(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep(1)")
	}
	pid, err := StartDetached([]string{sleep}, "0.3", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !Alive(pid) {
		t.Fatal("the detached process is not alive")
	}
	if sid, err := unix.Getsid(pid); err == nil && sid != pid {
		t.Errorf("session %d, want its own (%d)", sid, pid)
	}
	deadline := time.Now().Add(5 * time.Second)
	for Alive(pid) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if Alive(pid) {
		t.Error("still alive after it ended")
	}
	if _, err := StartDetached(nil, "x", os.Stderr); err == nil {
		t.Error("no command started something")
	}
}
