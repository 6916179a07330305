package dns

// Root tests run the code under test in a child process inside a network
// namespace: `ip netns exec NS` bind-mounts /etc/netns/NS/resolv.conf over
// /etc/resolv.conf in a private mount namespace, so writes land in the
// namespace's file and never in the host's. The child is this test binary,
// switched into helperMain by the WGDNS_HELPER variable.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

func TestMain(m *testing.M) {
	if op := os.Getenv("WGDNS_HELPER"); op != "" {
		os.Exit(helperMain(op))
	}
	// Guard: the host's resolv.conf must come out exactly as it went in.
	before, berr := os.ReadFile(resolvConf)
	code := m.Run()
	if after, aerr := os.ReadFile(resolvConf); (berr == nil) != (aerr == nil) || !bytes.Equal(before, after) {
		fmt.Fprintf(os.Stderr, "FAIL: the tests changed the host's %s\n", resolvConf)
		code = 1
	}
	os.Exit(code)
}

// helperMain runs one backend operation as described by WGDNS_* variables:
// op is set, unset or servers; WGDNS_BACKEND is a backend name or "pick";
// WGDNS_IF the interface; WGDNS_DNS the DNS= items; WGDNS_STATEDIR the
// state directory; WGDNS_FAULT "truncate" or "readonly" to make writing
// /etc/resolv.conf fail; WGDNS_NO_RESOLVCONF hides resolvconf. It prints the
// backend's name and then the servers to stdout, the log to stderr.
func helperMain(op string) int {
	ns := os.Getenv("WGDNS_NETNS")
	if err := checkBindMounted(ns); err != nil {
		fmt.Fprintf(os.Stderr, "helper: refusing to run: %v\n", err)
		return 3
	}
	e := &Env{Log: os.Stderr, StateDir: os.Getenv("WGDNS_STATEDIR")}
	if os.Getenv("WGDNS_NO_RESOLVCONF") != "" {
		e.LookPath = func(file string) (string, error) {
			if file == "resolvconf" {
				return notFound(file)
			}
			return exec.LookPath(file)
		}
	}
	var b Backend
	if name := os.Getenv("WGDNS_BACKEND"); name == "pick" {
		b, _ = Pick(e)
	} else {
		b = ByName(e, name)
	}
	switch os.Getenv("WGDNS_FAULT") {
	case "":
	case "truncate":
		if d, ok := b.(*direct); ok {
			d.write = failOnce(failAfterTruncate)
		}
	case "readonly":
		// Only this private mount namespace sees the read-only remount.
		if err := syscall.Mount("", resolvConf, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			fmt.Fprintf(os.Stderr, "helper: remount read-only: %v\n", err)
			return 3
		}
	default:
		fmt.Fprintln(os.Stderr, "helper: unknown fault")
		return 3
	}
	fmt.Println(b.Name())
	ifname := os.Getenv("WGDNS_IF")
	var err error
	switch op {
	case "set":
		err = b.Set(ifname, Split(strings.Fields(os.Getenv("WGDNS_DNS"))))
	case "unset":
		err = b.Unset(ifname)
	case "servers":
		var servers []string
		servers, err = b.Servers(ifname)
		for _, s := range servers {
			fmt.Println(s)
		}
	default:
		err = fmt.Errorf("unknown op %q", op)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "error: %v\n", err)
		return 1
	}
	return 0
}

// checkBindMounted makes sure /etc/resolv.conf is the namespace's file, so
// that nothing the helper does can reach the host's.
func checkBindMounted(ns string) error {
	if ns == "" {
		return fmt.Errorf("WGDNS_NETNS is not set")
	}
	nsFile := filepath.Join("/etc/netns", ns, "resolv.conf")
	a, err := os.Stat(nsFile)
	if err != nil {
		return err
	}
	b, err := os.Stat(resolvConf)
	if err != nil {
		return err
	}
	if !os.SameFile(a, b) {
		return fmt.Errorf("%s is not %s", resolvConf, nsFile)
	}
	return nil
}

// requireRoot skips the test unless it runs as root with ip(8); with CI set
// it fails instead.
func requireRoot(t *testing.T) {
	t.Helper()
	testenv.Require(t, testenv.Root(), testenv.Command("ip", "iproute2"))
}

var nsSeq atomic.Int32

// newNetns creates a network namespace with /etc/netns/NAME/resolv.conf
// holding resolvConfContent; both go away when the test ends.
func newNetns(t *testing.T, resolvConfContent string) string {
	t.Helper()
	name := fmt.Sprintf("wgdns%d-%d", os.Getpid(), nsSeq.Add(1))
	dir := filepath.Join("/etc/netns", name)
	_, err := os.Stat("/etc/netns")
	madeParent := os.IsNotExist(err)
	t.Cleanup(func() {
		if err := netnstest.DeleteNetns(name); err != nil {
			t.Error(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Error(err)
		}
		if madeParent {
			_ = os.Remove("/etc/netns") // only if still empty
		}
	})
	if out, err := netnstest.AddNetns(name); err != nil {
		testenv.Skip(t, fmt.Sprintf("a working `ip netns add` (%v: %s)", err, bytes.TrimSpace(out)), "run where network namespaces can be made")
	}
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "resolv.conf"), []byte(resolvConfContent), 0o644))
	ipNetns(t, name, "link", "set", "lo", "up")
	return name
}

// ipNetns runs `ip -n ns args...`.
func ipNetns(t *testing.T, ns string, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ip -n %s %s: %v: %s", ns, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// helperResult is what one helper run printed.
type helperResult struct {
	backend string
	out     []string // lines after the backend name
	log     string
	err     error
}

// runHelper runs op in namespace ns with the given WGDNS_* settings (and
// any other environment variables).
func runHelper(t *testing.T, ns, op string, env ...string) helperResult {
	t.Helper()
	exe, err := os.Executable()
	must(t, err)
	cmd := exec.Command("ip", "netns", "exec", ns, exe)
	cmd.Env = append(os.Environ(), "WGDNS_HELPER="+op, "WGDNS_NETNS="+ns, "WGDNS_IF=wg0")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 3 {
		t.Fatalf("helper could not run: %s", stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	r := helperResult{backend: lines[0], out: lines[1:], log: stderr.String(), err: err}
	if len(r.out) == 0 {
		r.out = nil
	}
	return r
}
