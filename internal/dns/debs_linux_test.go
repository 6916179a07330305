package dns

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// debCacheDir keeps downloaded .deb files between runs:
// $WGTOOLS_TEST_DEB_CACHE, else the user cache directory.
func debCacheDir(t *testing.T) string {
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

// fetchDeb downloads a Debian package (spec is NAME or NAME=VERSION) with
// `apt-get download`, unless cached, and unpacks it with `dpkg -x` into a
// temporary directory, which it returns. The package is never installed.
// The test is skipped if apt cannot download it.
func fetchDeb(t *testing.T, spec string) string {
	t.Helper()
	for _, tool := range []string{"apt-get", "dpkg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s to fetch %s", tool, spec)
		}
	}
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
			t.Skipf("apt-get cannot download %s: %v\n%s", spec, err, out)
		}
		debs, _ = filepath.Glob(filepath.Join(dir, "*.deb"))
		if len(debs) == 0 {
			t.Skipf("apt-get download %s left no .deb in %s:\n%s", spec, dir, out)
		}
	}
	root := t.TempDir()
	if out, err := exec.Command("dpkg", "-x", debs[0], root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg -x %s: %v\n%s", debs[0], err, out)
	}
	return root
}

// patchFile replaces text in a file, failing the test if old is missing.
func patchFile(t *testing.T, path string, pairs ...string) {
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
