package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a testing.TB that records Skip and Fatalf, which end the
// goroutine that calls them, as testing's do.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Name() string                      { return "TestX" }
func (r *recorder) Skip(args ...any)                  { r.skipped = args[0].(string); runtime.Goexit() }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = format; runtime.Goexit() }

func TestRequire(t *testing.T) {
	have := Need{What: "present", Enable: "nothing", have: func() bool { return true }}
	gone := func(what, enable string) Need {
		return Need{What: what, Enable: enable, have: func() bool { return false }}
	}
	tests := []struct {
		name        string
		ci          string
		needs       []Need
		wantSkip    string
		wantFailed  bool
		wantLogFile string
	}{
		{name: "all met", needs: []Need{have}},
		{name: "one missing", needs: []Need{have, gone("ping", "apt-get install iputils-ping")},
			wantSkip: "needs ping (apt-get install iputils-ping)", wantLogFile: "ping\tapt-get install iputils-ping\tTestX\n"},
		{name: "two missing, one way to get both", needs: []Need{gone("nsenter", "get util-linux"), gone("unshare", "get util-linux")},
			wantSkip: "needs nsenter, unshare (get util-linux)", wantLogFile: "nsenter\tget util-linux\tTestX\nunshare\tget util-linux\tTestX\n"},
		{name: "a line stays one line", needs: []Need{gone("a\tb\nc", "d")},
			wantSkip: "needs a\tb\nc (d)", wantLogFile: "a b c\td\tTestX\n"},
		{name: "CI fails instead", ci: "true", needs: []Need{gone("root", "sudo")}, wantFailed: true},
		{name: "CI=false skips", ci: "false", needs: []Need{gone("root", "sudo")},
			wantSkip: "needs root (sudo)", wantLogFile: "root\tsudo\tTestX\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "skips")
			t.Setenv("WGTOOLS_SKIP_LOG", log)
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			done := make(chan struct{})
			go func() {
				defer close(done)
				Require(r, tt.needs...)
			}()
			<-done
			if r.skipped != tt.wantSkip {
				t.Errorf("skip message %q, want %q", r.skipped, tt.wantSkip)
			}
			if (r.failed != "") != tt.wantFailed {
				t.Errorf("failed = %q, want failure %v", r.failed, tt.wantFailed)
			}
			got, _ := os.ReadFile(log)
			if diff := cmp.Diff(tt.wantLogFile, string(got)); diff != "" {
				t.Errorf("skip log (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNeedsCheckTheMachine(t *testing.T) {
	if Command("sh", "dash").have() != true {
		t.Error("sh is not found on PATH")
	}
	if Command("no-such-program-wgtools", "x").have() {
		t.Error("a missing program is found")
	}
	if Package("/no/such/file", "x").have() {
		t.Error("a missing file is found")
	}
	if Root().have() != (os.Geteuid() == 0) {
		t.Error("Root disagrees with the effective user id")
	}
}
