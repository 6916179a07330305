//go:build linux

// Package dnstest provides real DNS programs for tests: Debian packages
// downloaded with apt-get and unpacked with dpkg -x (never installed), and
// openresolv set up to work in temporary directories. Only tests import it.
package dnstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/wgtools/wgtools/internal/testenv"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// debCacheDir keeps downloaded .deb files between runs:
// $WGTOOLS_TEST_DEB_CACHE, else the user cache directory.
func debCacheDir(t testing.TB) string {
	if d := os.Getenv("WGTOOLS_TEST_DEB_CACHE"); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return t.TempDir()
	}
	return filepath.Join(d, "wgtools-test", "debs")
}

var aptUpdate sync.Once

// FetchDeb downloads a Debian package (spec is NAME or NAME=VERSION) with
// `apt-get download`, unless cached, and unpacks it with `dpkg -x` into a
// temporary directory, which it returns. The package is never installed.
// The test is skipped if apt cannot download it.
func FetchDeb(t testing.TB, spec string) string {
	t.Helper()
	testenv.Require(t, testenv.Command("apt-get", "apt"), testenv.Command("dpkg", "dpkg"))
	dir := filepath.Join(debCacheDir(t), strings.NewReplacer("=", "_", ":", "_", "/", "_").Replace(spec))
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	if len(debs) == 0 {
		must(t, os.MkdirAll(dir, 0o755))
		download := func() ([]byte, error) {
			cmd := exec.Command("apt-get", "download", "-q", spec)
			cmd.Dir = dir
			return cmd.CombinedOutput()
		}
		out, err := download()
		if err != nil {
			// The package lists may be missing or stale.
			aptUpdate.Do(func() { _ = exec.Command("apt-get", "update", "-q").Run() })
			out, err = download()
		}
		if err != nil {
			testenv.Skip(t, fmt.Sprintf("apt-get download %s (%v: %s)", spec, err, lastLine(out)), "let apt-get reach Debian's package registry")
		}
		debs, _ = filepath.Glob(filepath.Join(dir, "*.deb"))
		if len(debs) == 0 {
			t.Fatalf("apt-get download %s left no .deb in %s:\n%s", spec, dir, out)
		}
	}
	root := t.TempDir()
	if out, err := exec.Command("dpkg", "-x", debs[0], root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -x %s: %v\n%s", debs[0], err, out)
	}
	return root
}

// PatchFile replaces text in a file, failing the test if old is missing.
func PatchFile(t testing.TB, path string, pairs ...string) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	s := string(data)
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%s does not contain %q", path, pairs[i])
		}
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	must(t, os.WriteFile(path, []byte(s), 0o755))
}

// Openresolv unpacks Debian's openresolv and points it at temporary
// directories: its configuration, subscribers and state live in tmp, and the
// libc subscriber writes /etc/resolv.conf through a symlink, so that its
// .bak file lands in tmp too. It returns the directory to put first in PATH.
func Openresolv(t testing.TB, resolvConf string) string {
	t.Helper()
	root := FetchDeb(t, "openresolv")
	tmp := t.TempDir()
	etc, run := filepath.Join(tmp, "etc"), filepath.Join(tmp, "run")
	libexec := filepath.Join(root, "lib/resolvconf")
	prog := filepath.Join(root, "sbin/resolvconf")
	must(t, os.MkdirAll(etc, 0o755))

	// Keep only the libc subscriber (no dnsmasq, named, unbound, ...).
	entries, err := os.ReadDir(libexec)
	must(t, err)
	for _, e := range entries {
		if e.Name() != "libc" {
			must(t, os.RemoveAll(filepath.Join(libexec, e.Name())))
		}
	}
	paths := []string{
		"SYSCONFDIR=/etc\n", "SYSCONFDIR=" + etc + "\n",
		"LIBEXECDIR=/lib/resolvconf\n", "LIBEXECDIR=" + libexec + "\n",
		"VARDIR=/run/resolvconf\n", "VARDIR=" + run + "\n",
	}
	PatchFile(t, prog, paths...)
	PatchFile(t, filepath.Join(libexec, "libc"), append(paths, "/sbin/resolvconf", prog)...)

	link := filepath.Join(tmp, "resolv.conf")
	must(t, os.Symlink(resolvConf, link))
	conf := "resolv_conf=" + link + "\nstate_dir=" + run + "\nlibc_restart=:\n"
	must(t, os.WriteFile(filepath.Join(etc, "resolvconf.conf"), []byte(conf), 0o644))
	return filepath.Dir(prog)
}

// lastLine is the last non-empty line of a command's output.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
