package main

// Differential tests: our wg and the reference wg (Debian's wireguard-tools,
// found at $WG_REFERENCE or /usr/bin/wg) run side by side on the same input;
// stdout, stderr and the exit code must match byte for byte, apart from the
// documented, intended differences listed with each case.

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// invocation is one run of a wg binary.
type invocation struct {
	args  []string
	stdin []byte
	env   []string
	dir   string
	// stdout, when set, receives the output instead of a buffer.
	stdout *os.File
}

func (in invocation) run(t testing.TB, bin string) netnstest.Result {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Args = append([]string{"wg"}, in.args...)
	cmd.Stdin = bytes.NewReader(in.stdin)
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}, in.env...)
	cmd.Dir = in.dir
	if in.stdout != nil {
		cmd.Stdout = in.stdout
	}
	return netnstest.Run(t, cmd)
}

// referenceWG finds the upstream wg. Under CI its absence is a failure:
// .ci/run installs it, so a skip there would hide a broken setup.
func referenceWG(t testing.TB) string {
	t.Helper()
	p := os.Getenv("WG_REFERENCE")
	if p == "" {
		p = "/usr/bin/wg"
	}
	if runtime.GOOS != "linux" {
		t.Skip("differential tests need Linux")
	}
	testenv.Require(t, testenv.Package(p, "wireguard-tools"))
	return p
}

// compareAll runs each invocation through both binaries, in parallel, and
// reports every mismatch. want, when non-nil for an index, is our expected
// netnstest.Result where we differ from the reference on purpose; the reference must
// then differ from it too, or the override is stale.
func compareAll(t *testing.T, names []string, ins []invocation, want map[int]netnstest.Result) {
	t.Helper()
	ours, ref := netnstest.Binary(t), referenceWG(t)
	type pair struct{ ours, ref netnstest.Result }
	got := make([]pair, len(ins))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2*runtime.NumCPU())
	for i := range ins {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			got[i] = pair{ins[i].run(t, ours), ins[i].run(t, ref)}
		}()
	}
	wg.Wait()
	for i, g := range got {
		if w, ok := want[i]; ok {
			if diff := cmp.Diff(w, g.ours); diff != "" {
				t.Errorf("%s: ours differs from the intended netnstest.Result (-want +got):\n%s", names[i], diff)
			}
			if g.ref == w {
				t.Errorf("%s: override is stale: the reference now gives the same netnstest.Result", names[i])
			}
			continue
		}
		if diff := cmp.Diff(g.ref, g.ours); diff != "" {
			t.Errorf("%s: ours differs from the reference (-ref +ours):\n%s", names[i], diff)
		}
	}
}

// TestCompatSetconf runs the corpus in testdata/compat/setconf through
// `wg setconf nosuchdev FILE` and `wg addconf nosuchdev FILE`.
func TestCompatSetconf(t *testing.T) {
	files, err := filepath.Glob("testdata/compat/setconf/*.conf")
	if err != nil || len(files) < 40 {
		t.Fatalf("corpus has %d files (%v), want at least 40", len(files), err)
	}
	var names []string
	var ins []invocation
	want := map[int]netnstest.Result{}
	for _, f := range files {
		abs, _ := filepath.Abs(f)
		override, err := os.ReadFile(strings.TrimSuffix(f, ".conf") + ".want")
		for _, sub := range []string{"setconf", "addconf"} {
			if err == nil {
				want[len(ins)] = netnstest.Result{Stderr: string(override), Code: 1}
			}
			names = append(names, sub+" "+filepath.Base(f))
			ins = append(ins, invocation{args: []string{sub, "nosuchdev", abs}})
		}
	}
	compareAll(t, names, ins, want)
}

// TestCompatDispatch covers the root command and argument-count usage texts.
func TestCompatDispatch(t *testing.T) {
	cases := [][]string{
		{"help"}, {"-h"}, {"--help"}, {"help", "x"}, {"-h", "x"}, {"foo"}, {"-x", "show"}, {"SHOW"},
		{"version", "x"}, {"--version", "x"}, {""}, {"genkey", "x"}, {"genpsk", "x", "y"}, {"pubkey", "x"},
		{"setconf"}, {"setconf", "a"}, {"setconf", "a", "b", "c"}, {"addconf", "wg0"}, {"setconf", "--help"},
		{"setconf", "nosuchdev", "/nonexistent"}, {"addconf", "nosuchdev", "/"},
		{"setconf", "nosuchdev-with-a-very-long-name", "/dev/null"}, {"setconf", "nosuch/dev", "/dev/null"},
		{"set"}, {"set", "wg0"},
	}
	names := make([]string, len(cases))
	ins := make([]invocation, len(cases))
	for i, c := range cases {
		names[i] = strings.Join(c, " ")
		ins[i] = invocation{args: c}
	}
	want := map[int]netnstest.Result{
		// 1.0.20250521 added [+|-] to the set usage line.
		len(cases) - 2: {Stderr: setUsageLine, Code: 1},
		len(cases) - 1: {Stderr: setUsageLine, Code: 1},
	}
	compareAll(t, names, ins, want)
}

// TestVersion checks our own banner (design §1), which replaces upstream's.
func TestVersion(t *testing.T) {
	bin := netnstest.Binary(t)
	for _, arg := range []string{"version", "-v", "--version"} {
		r := invocation{args: []string{arg}}.run(t, bin)
		if r.Code != 0 || r.Stderr != "" || !strings.HasPrefix(r.Stdout, "wgtools v") ||
			!strings.HasSuffix(r.Stdout, " (wireguard-tools 1.0.20260223 compatible)\n") {
			t.Errorf("wg %s = %+v", arg, r)
		}
	}
}
