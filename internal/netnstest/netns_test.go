package netnstest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestSweepNetns: the namespace of a test process that is gone (killed by
// a timeout, its cleanups never run) is deleted, with its /etc/netns
// directory; a live process's is kept.
func TestSweepNetns(t *testing.T) {
	NeedNetns(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	live := NewNetns(t, "wgsw") // this process's: kept
	stale := "wgsw-stale-" + strconv.Itoa(os.Getpid())
	if out, err := AddNetns(stale); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Cleanup(func() { DeleteNetns(stale); os.RemoveAll(filepath.Join("/etc/netns", stale)) })
	if err := os.WriteFile(filepath.Join(markerDir, stale), []byte(strconv.Itoa(dead.Process.Pid)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join("/etc/netns", stale), 0o755); err != nil {
		t.Fatal(err)
	}

	SweepNetns()

	for name, want := range map[string]bool{live: true, stale: false} {
		_, err := os.Stat(filepath.Join("/run/netns", name))
		if got := err == nil; got != want {
			t.Errorf("namespace %s exists: %v, want %v", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join("/etc/netns", stale)); !os.IsNotExist(err) {
		t.Errorf("/etc/netns/%s is left: %v", stale, err)
	}
	if _, err := os.Stat(filepath.Join(markerDir, stale)); !os.IsNotExist(err) {
		t.Errorf("the marker of %s is left: %v", stale, err)
	}
}
