package quickcmd

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestNSDirName: names and their parse, what is not one refused.
func TestNSDirName(t *testing.T) {
	tests := []struct {
		name        string
		ino, cookie uint64
		ok          bool
	}{
		{"net-4026532177-5", 4026532177, 5, true},
		{"net-4026532177", 4026532177, 0, true},
		{"net-1-18446744073709551615", 1, 18446744073709551615, true},
		{"net-4026532177-0", 0, 0, false},
		{"net-4026532177-", 0, 0, false},
		{"net--5", 0, 0, false},
		{"net-x-5", 0, 0, false},
		{"net-1-2-3", 0, 0, false},
		{"wg0.json", 0, 0, false},
		{"net-", 0, 0, false},
	}
	for _, tt := range tests {
		ino, cookie, ok := parseNSDirName(tt.name)
		if diff := cmp.Diff([]any{tt.ino, tt.cookie, tt.ok}, []any{ino, cookie, ok}); diff != "" {
			t.Errorf("parseNSDirName(%q) (-want +got):\n%s", tt.name, diff)
		}
		if tt.ok && nsDirName(ino, cookie) != tt.name {
			t.Errorf("nsDirName(%d, %d) = %q, want %q", ino, cookie, nsDirName(ino, cookie), tt.name)
		}
	}
}

// TestStateDirHere: this namespace's cookie is stable and named in its
// directory (Linux ≥ 5.14), unless it is the host's.
func TestStateDirHere(t *testing.T) {
	c1, err := netnsCookie()
	if err != nil {
		t.Skipf("no network namespace cookies on this kernel: %v", err)
	}
	c2, _ := netnsCookie()
	if c1 == 0 || c1 != c2 {
		t.Fatalf("cookies %d, %d", c1, c2)
	}
	var self, host syscall.Stat_t
	syscall.Stat("/proc/thread-self/ns/net", &self)
	if syscall.Stat("/proc/1/ns/net", &host) == nil && host.Ino == self.Ino {
		if stateDir() != stateRoot {
			t.Errorf("host namespace: stateDir %s, want %s", stateDir(), stateRoot)
		}
		return
	}
	if want := filepath.Join(stateRoot, nsDirName(self.Ino, c1)); stateDir() != want {
		t.Errorf("stateDir %s, want %s", stateDir(), want)
	}
}

// TestSweepStale: under a live directory's inode every other cookie's
// directory (and the cookie-less one) goes, whatever it holds, with one
// line naming its tunnels; other inodes', the live one and what is not a
// namespace's stay; a second sweep says nothing.
func TestSweepStale(t *testing.T) {
	root := t.TempDir()
	defer func(old string) { stateRoot = old }(stateRoot)
	stateRoot = root
	files := map[string][]string{
		"net-7-100": {"wg0.json"}, // the live one
		"net-7-50":  {"wg0.json", "wg0.resolv.conf", "wg0.resolv.conf.ours", "wg0.netns-created", "wg1.json", ".wg1.json.123", "wg1.lock"},
		"net-7":     {"wg2.lock"}, // a lock only
		"net-7-60":  {},           // empty
		"net-8-50":  {"wg0.json"}, // another inode's
		"net-7-x":   {"wg0.json"}, // not a namespace's
		"other":     {"wg0.json"},
	}
	for dir, names := range files {
		os.MkdirAll(filepath.Join(root, dir), 0o700)
		for _, n := range names {
			os.WriteFile(filepath.Join(root, dir, n), []byte("{}"), 0o600)
		}
	}
	var log bytes.Buffer
	sweepStale(filepath.Join(root, "net-7-100"), &log)
	want := "[!] Removed the state of `wg0' and `wg1', left by a network namespace that is gone (" + filepath.Join(root, "net-7-50") + "); nothing of it was undone here\n"
	if diff := cmp.Diff(want, log.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	entries, _ := os.ReadDir(root)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if diff := cmp.Diff([]string{"net-7-100", "net-7-x", "net-8-50", "other"}, left); diff != "" {
		t.Errorf("left (-want +got):\n%s", diff)
	}
	if live, _ := os.ReadDir(filepath.Join(root, "net-7-100")); len(live) != 1 {
		t.Errorf("the live directory: %v", live)
	}
	log.Reset()
	sweepStale(filepath.Join(root, "net-7-100"), &log)
	if log.Len() != 0 {
		t.Errorf("second sweep: %q", log.String())
	}
	// Neither the host's directory nor one without a cookie sweeps.
	os.MkdirAll(filepath.Join(root, "net-7-50"), 0o700)
	os.WriteFile(filepath.Join(root, "net-7-50", "wg0.json"), nil, 0o600)
	for _, dir := range []string{root, filepath.Join(root, "net-7"), filepath.Join(t.TempDir(), "net-7-100")} {
		sweepStale(dir, &log)
	}
	if _, err := os.Stat(filepath.Join(root, "net-7-50", "wg0.json")); err != nil || log.Len() != 0 {
		t.Errorf("a sweep from the host's, a cookie-less or another root's directory acted: %v %q", err, log.String())
	}
}

// TestSweepStaleWaitsForLock: a tunnel's files go only under its lock;
// two sweeps at once report it once.
func TestSweepStaleWaitsForLock(t *testing.T) {
	root := t.TempDir()
	defer func(old string) { stateRoot = old }(stateRoot)
	stateRoot = root
	dead := filepath.Join(root, "net-7-50")
	os.MkdirAll(dead, 0o700)
	os.WriteFile(filepath.Join(dead, "wg0.json"), nil, 0o600)
	unlock, err := lockIn(dead, "wg0", &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	logs := make(chan string, 2)
	for range 2 {
		go func() {
			var log bytes.Buffer
			sweepStale(filepath.Join(root, "net-7-100"), &log)
			logs <- log.String()
		}()
	}
	time.Sleep(200 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(dead, "wg0.json")); err != nil {
		t.Errorf("removed while its lock was held: %v", err)
	}
	unlock()
	got := []string{<-logs, <-logs}
	slices.Sort(got)
	want := []string{
		"[!] Waiting for another wg-quick working on `wg0'\n",
		"[!] Waiting for another wg-quick working on `wg0'\n[!] Removed the state of `wg0', left by a network namespace that is gone (" + dead + "); nothing of it was undone here\n",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the two sweeps' reports (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("the dead directory: %v", err)
	}
}

// BenchmarkStateDir: what naming the state directory costs every command
// (two stats, and in a namespace other than the host's a socket for the
// cookie). Run it inside one: ip netns exec NS go test -bench StateDir.
func BenchmarkStateDir(b *testing.B) {
	for b.Loop() {
		stateDir()
	}
}

// BenchmarkSweepNothing: the sweep every state-reading command runs when
// there is nothing stale, beside five other namespaces' directories.
func BenchmarkSweepNothing(b *testing.B) {
	root := b.TempDir()
	defer func(old string) { stateRoot = old }(stateRoot)
	stateRoot = root
	for i := range 5 {
		os.MkdirAll(filepath.Join(root, nsDirName(uint64(100+i), 9)), 0o700)
	}
	live := filepath.Join(root, nsDirName(100, 9))
	for b.Loop() {
		sweepStale(live, io.Discard)
	}
}

// BenchmarkNetnsCookie: the part of BenchmarkStateDir that is new with the
// cookie.
func BenchmarkNetnsCookie(b *testing.B) {
	for b.Loop() {
		netnsCookie()
	}
}
