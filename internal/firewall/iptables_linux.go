//go:build linux

package firewall

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// testOnlyRun, when set, runs the iptables commands instead of executing
// them: it gets the command's stdin and returns its stdout.
var testOnlyRun func(stdin []byte, name string, args ...string) ([]byte, error)

// iptablesCmd is the iptables program upstream uses for the family.
func iptablesCmd(v6 bool) string {
	if v6 {
		return "ip6tables"
	}
	return "iptables"
}

// hasTagged reports whether iptables-save output holds a rule tagged for
// ifname.
func hasTagged(ifname, save string) bool {
	_, found := deleteScript(ifname, save)
	return found
}

func (f *Firewall) iptablesAdd(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	restore := iptablesCmd(v6) + "-restore"
	f.logf("%s -n", restore)
	if _, err := f.command([]byte(restoreScript(ifname, addrs, mark)), restore, "-n"); err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	return nil
}

func (f *Firewall) iptablesRemove(ifname string) error {
	var errs []error
	for _, v6 := range []bool{false, true} {
		save, ok, err := f.iptablesSave(v6)
		if err != nil {
			errs = append(errs, fmt.Errorf("firewall: %w", err))
			continue
		}
		script, found := deleteScript(ifname, save)
		if !ok || !found {
			continue
		}
		restore := iptablesCmd(v6) + "-restore"
		f.logf("%s -n", restore)
		if _, err := f.command([]byte(script), restore, "-n"); err != nil {
			errs = append(errs, fmt.Errorf("firewall: %w", err))
		}
	}
	return errors.Join(errs...)
}

// iptablesSave returns iptables-save's (or ip6tables-save's) output. As
// upstream ignores the command's failure, ok is false when it is missing or
// fails; err is only for failing to run it at all.
func (f *Firewall) iptablesSave(v6 bool) (out string, ok bool, err error) {
	name := iptablesCmd(v6) + "-save"
	if testOnlyRun == nil {
		if _, err := lookPath(name); err != nil {
			return "", false, nil
		}
	}
	b, err := f.command(nil, name)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(b), true, nil
}

// command runs name with stdin in f.NetNS and returns its stdout; a
// failure carries its stderr.
func (f *Firewall) command(stdin []byte, name string, args ...string) ([]byte, error) {
	if testOnlyRun != nil {
		return testOnlyRun(stdin, name, args...)
	}
	if f.NetNS == 0 {
		return runCommand(stdin, name, args...)
	}
	// A child inherits the network namespace of the thread that starts
	// it, so start it from a locked thread moved into NetNS. The thread
	// stays locked and so is thrown away when the goroutine ends.
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Setns(f.NetNS, unix.CLONE_NEWNET); err != nil {
			done <- result{err: fmt.Errorf("%s: enter network namespace: %w", name, err)}
			return
		}
		out, err := runCommand(stdin, name, args...)
		done <- result{out, err}
	}()
	r := <-done
	return r.out, r.err
}

func runCommand(stdin []byte, name string, args ...string) ([]byte, error) {
	path, err := lookPath(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	what := strings.Join(append([]string{name}, args...), " ")
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("%s: %w: %s", what, err, msg)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return stdout.Bytes(), nil
}

// lookPath finds name in PATH, or in the sbin directories a non-root PATH
// often lacks.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, exec.ErrNotFound)
}
