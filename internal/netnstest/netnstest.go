// Package netnstest is what the tests that run our binaries share: the
// binary built once per test binary, results of runs, key pairs, and a
// pair of network namespaces joined by a veth link, with wg-quick runs and
// readings of the host's state inside them. Only tests import it.
package netnstest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/wgtools/wgtools/internal/testenv"
)

// Result is what a run printed and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Run runs cmd and returns what it printed and its exit code; a failure to
// run at all fails the test.
func Run(t testing.TB, cmd *exec.Cmd) Result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if cmd.Stdout == nil {
		cmd.Stdout = &stdout
	}
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %q: %v", cmd.Args, err)
	}
	return Result{stdout.String(), stderr.String(), code}
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// Binary is our program (cmd/wg: wg, wg-quick and wireguard-go by the name
// it runs as), built once per test binary; Cleanup removes it.
func Binary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wgtools-test-")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "wg")
		out, err := exec.Command("go", "build", "-o", binary, "github.com/wgtools/wgtools/cmd/wg").CombinedOutput()
		if err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building wg: %v", buildErr)
	}
	return binary
}

// Cleanup removes the binary Binary built; TestMain calls it at the end.
func Cleanup() {
	if binary != "" {
		os.RemoveAll(filepath.Dir(binary))
	}
}

// Main wraps a TestMain's m for testscript.Main: its tests run, then
// Cleanup.
func Main(m *testing.M) interface{ Run() int } { return mainRunner{m} }

type mainRunner struct{ m *testing.M }

func (c mainRunner) Run() int {
	code := c.m.Run()
	Cleanup()
	return code
}

// BinDir is a directory holding our binary as wg and wg-quick, for a PATH
// or for commands that name /usr/bin's.
func BinDir(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	for _, n := range []string{"wg", "wg-quick"} {
		if err := os.Symlink(Binary(t), filepath.Join(bin, n)); err != nil {
			t.Fatal(err)
		}
	}
	return bin
}

// Keypair is a fresh private key and its public key, made by our wg.
func Keypair(t *testing.T) (priv, pub string) {
	t.Helper()
	priv = strings.TrimSpace(wg(t, "", "genkey"))
	return priv, strings.TrimSpace(wg(t, priv+"\n", "pubkey"))
}

func wg(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(Binary(t), args...)
	cmd.Args[0] = "wg"
	cmd.Stdin = strings.NewReader(stdin)
	r := Run(t, cmd)
	if r.Code != 0 {
		t.Fatalf("wg %v: %+v", args, r)
	}
	return r.Stdout
}

// ReferenceDaemon is Debian's wireguard-go, named by path ($WG_REFERENCE_DAEMON
// to choose another): a test binary may be on PATH as "wireguard-go".
func ReferenceDaemon() string {
	if p := os.Getenv("WG_REFERENCE_DAEMON"); p != "" {
		return p
	}
	return "/usr/bin/wireguard-go"
}

// NeedNetns skips (under CI: fails) without what tests in namespaces of
// their own need: root, ip, nsenter, unshare, /dev/net/tun.
func NeedNetns(t *testing.T) {
	t.Helper()
	testenv.Require(t, testenv.Netns()...)
}

// NeedPing is iputils' ping, which the tests that ping through a tunnel
// run in their namespaces (a newcomer's minimal Debian lacks it).
var NeedPing = testenv.Command("ping", "iputils-ping")

// NeedQuickReference skips (under CI: fails) without Debian's wg-quick.
func NeedQuickReference(t *testing.T) {
	t.Helper()
	testenv.Require(t, testenv.Package("/usr/bin/wg-quick", "wireguard-tools"))
}

var ids atomic.Int32

// UniqueID is a short text unique to this process and call, for names of
// namespaces and interfaces.
func UniqueID() string { return fmt.Sprintf("%d-%d", os.Getpid()%100000, ids.Add(1)) }
