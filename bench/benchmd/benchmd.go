// Package benchmd writes benchmark results into BENCHMARKS.md, replacing
// the section between <!-- NAME:begin --> and <!-- NAME:end --> markers.
package benchmd

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Median returns the median of ds (the mean of the middle two for an even
// count).
func Median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Machine describes the machine a benchmark ran on.
func Machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				_, v, _ := strings.Cut(l, ":")
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := ""
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s, %d cores%s, %s", cpu, runtime.NumCPU(), kernel, runtime.Version())
}

// Update replaces (or appends) the named section of the file at path.
func Update(path, name, body string) error {
	begin, end := "<!-- "+name+":begin -->", "<!-- "+name+":end -->"
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	section := begin + "\n" + strings.TrimRight(body, "\n") + "\n" + end
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i >= 0 && j > i {
		text = text[:i] + section + text[j+len(end):]
	} else {
		if text != "" && !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		text += "\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(text), 0o644)
}

// BuildOurs builds this repository's wg statically into dir/ours/wg (run
// from the repository's root) and returns its path.
func BuildOurs(dir string) (string, error) {
	out := filepath.Join(dir, "ours", "wg")
	build := exec.Command("go", "build", "-trimpath", "-o", out, "./cmd/wg")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build: %v\n%s", err, b)
	}
	return out, nil
}

// Workspace makes a temporary directory, removed at Exit or Fatalf, and
// builds our wg into it; it returns both paths. Failures are fatal.
func Workspace(prefix string) (dir, ours string) {
	err := Change(func() (err error) {
		dir, err = os.MkdirTemp("", prefix)
		return err
	}, func() {
		if dir != "" {
			os.RemoveAll(dir)
		}
	})
	if err != nil {
		Fatalf("%v", err)
	}
	if ours, err = BuildOurs(dir); err != nil {
		Fatalf("%v", err)
	}
	return dir, ours
}

// mu serialises changes to the host (and the cleanups that undo them) with
// the exit paths, so that a signal cannot run the cleanups while a change
// is half made, nor two exits run them at once.
var (
	mu       sync.Mutex
	cleanups []func()
)

// Cleanup registers f to run at Exit or Fatalf, last registered first.
func Cleanup(f func()) {
	mu.Lock()
	defer mu.Unlock()
	cleanups = append(cleanups, f)
}

// Change runs f, which changes the host, and registers undo with it, both
// before any exit can run the cleanups. f must not call Fatalf or Exit.
func Change(f func() error, undo func()) error {
	mu.Lock()
	defer mu.Unlock()
	cleanups = append(cleanups, undo)
	return f()
}

// ExitOnSignals makes SIGINT, SIGTERM and SIGHUP undo what was registered
// and exit 1.
func ExitOnSignals(name string) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	go func() { Fatalf("%s: interrupted by %v; cleaned up", name, <-sigs) }()
}

// Fatalf prints the message, undoes what was registered with Cleanup (such
// as network namespaces), and exits 1. Use it instead of log.Fatalf once a
// benchmark has changed anything.
func Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	Exit(1)
}

// Exit runs the cleanups and exits with code.
func Exit(code int) {
	mu.Lock() // never unlocked: the process ends here
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	os.Exit(code)
}
