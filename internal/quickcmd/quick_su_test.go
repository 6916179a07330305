//go:build linux

package quickcmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// TestQuickAutoSu: as a user other than root, wg-quick re-runs itself
// through sudo with upstream's prompt (strip only when it cannot read the
// file), and says so when there is no sudo.
func TestQuickAutoSu(t *testing.T) {
	testenv.Require(t, testenv.Root()) // to run a command as another user
	dir, err := os.MkdirTemp("", "wgtools-su-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "wg-quick")
	data, err := os.ReadFile(netnstest.Binary(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bin, data, 0o755)
	fake := filepath.Join(dir, "fake")
	os.Mkdir(fake, 0o755)
	os.WriteFile(filepath.Join(fake, "sudo"), []byte("#!/bin/sh\nfor a in \"$@\"; do printf '<%s>' \"$a\"; done; echo\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "wgsu0.conf"), []byte("[Interface]\nListenPort = 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "wgsu1.conf"), []byte("[Interface]\nListenPort = 1\n"), 0o600)
	run := func(path string, args ...string) netnstest.Result {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + path}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		return netnstest.Run(t, cmd)
	}
	prompt := "<-p><wg-quick must be run as root. Please enter the password for %u to continue: ><-->"
	for _, c := range []struct {
		path string
		args []string
		want netnstest.Result
	}{
		{fake + ":/usr/bin:/bin", []string{"up", "wg0"}, netnstest.Result{Stdout: prompt + "<" + bin + "><up><wg0>\n"}},
		{fake + ":/usr/bin:/bin", []string{"down", "./wgsu1.conf"}, netnstest.Result{Stdout: prompt + "<" + bin + "><down><./wgsu1.conf>\n"}},
		{fake + ":/usr/bin:/bin", []string{"strip", "./wgsu1.conf"}, netnstest.Result{Stdout: prompt + "<" + bin + "><strip><./wgsu1.conf>\n"}},
		{fake + ":/usr/bin:/bin", []string{"strip", "./wgsu0.conf"}, netnstest.Result{Stdout: "[Interface]\nListenPort = 1\n\n", Stderr: "Warning: `" + dir + "/wgsu0.conf' is world accessible\n"}},
		{"/nonexistent", []string{"up", "wg0"}, netnstest.Result{Stderr: "wg-quick: must be run as root (and sudo was not found)\n", Code: 1}},
	} {
		if got := run(c.path, c.args...); got != c.want {
			t.Errorf("wg-quick %s: %+v, want %+v", strings.Join(c.args, " "), got, c.want)
		}
	}
}
