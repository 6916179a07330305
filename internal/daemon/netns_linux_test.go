package daemon

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWatchNetns: gone is called once the path no longer names what it
// named (removed, or replaced by another file), never while it does, and
// the watch ends with ctx. A regular file stands in for the namespace: no
// process is "in" its inode.
func TestWatchNetns(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(path string)
		gone   bool
	}{
		{"kept", func(string) {}, false},
		{"removed", func(p string) { os.Remove(p) }, true},
		{"replaced", func(p string) { os.Remove(p); os.WriteFile(p, nil, 0o600) }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ns")
			os.WriteFile(path, nil, 0o600)
			keep, err := os.Open(path) // the inode stays allocated
			if err != nil {
				t.Fatal(err)
			}
			defer keep.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			called := make(chan struct{}, 2)
			ended := make(chan struct{})
			go func() { watchNetns(ctx, path, 10*time.Millisecond, func() { called <- struct{}{} }); close(ended) }()
			time.Sleep(30 * time.Millisecond)
			tt.change(path)
			select {
			case <-called:
				if !tt.gone {
					t.Fatal("gone called while the path names the same")
				}
				<-ended // it returns after calling
			case <-time.After(300 * time.Millisecond):
				if tt.gone {
					t.Fatal("gone not called")
				}
				cancel()
				<-ended
			}
			if len(called) != 0 {
				t.Error("gone called twice")
			}
		})
	}
}

// TestOthersIn: a child in this process's namespace is another process
// in it; a namespace number no process has is empty.
func TestOthersIn(t *testing.T) {
	var self unix.Stat_t
	if err := unix.Stat("/proc/self/ns/net", &self); err != nil {
		t.Skipf("no /proc/self/ns/net: %v", err)
	}
	child := exec.Command("sleep", "5")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Wait()
	defer child.Process.Kill()
	if !othersIn(self.Ino) {
		t.Error("a child in this namespace is not seen")
	}
	if othersIn(1) {
		t.Error("a process in namespace 1")
	}
}
