//go:build unix

package quickcmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/wgtools/wgtools/internal/cli"
)

const qrTestConfig = "[Interface]\nPrivateKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAddress = 10.0.0.2/32\n"

func testEnv(stdin string) (*cli.Env, *bytes.Buffer) {
	var stderr bytes.Buffer
	return &cli.Env{Prog: "wg-quick", Stdin: strings.NewReader(stdin), Stdout: &bytes.Buffer{}, Stderr: &stderr,
		LookupEnv: func(string) (string, bool) { return "", false }}, &stderr
}

// TestQRPNGPlanted: --png FILE where someone planted a symlink or a file of
// their own at FILE (a directory others can write, written as root): the
// symlink's target is untouched, and FILE becomes a new 0600 file of ours,
// never the planted inode, whose owner could read the key from it.
func TestQRPNGPlanted(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.png")
	os.Symlink(victim, link)
	planted := filepath.Join(dir, "planted.png")
	os.WriteFile(planted, nil, 0o666)
	os.Chmod(planted, 0o666)
	if os.Geteuid() == 0 {
		os.Chown(planted, 65534, 65534) // nobody's, as another user's would be
	}
	var before syscall.Stat_t
	syscall.Stat(planted, &before)

	for _, png := range []string{link, planted} {
		env, stderr := testEnv(qrTestConfig)
		if err := qrCmd(env, []string{"--png", png, "-"}); err != nil {
			t.Fatalf("qr --png %s: %v (%s)", png, err, stderr)
		}
		fi, err := os.Lstat(png)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want a regular file with mode 0600", png, fi.Mode())
		}
		data, _ := os.ReadFile(png)
		if !bytes.HasPrefix(data, []byte("\x89PNG")) {
			t.Errorf("%s does not hold a PNG", png)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != os.Geteuid() {
			t.Errorf("%s belongs to uid %d, want ours (%d)", png, st.Uid, os.Geteuid())
		}
		if png == planted && st.Ino == before.Ino {
			t.Errorf("the PNG was written into the planted file's inode")
		}
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious\n" {
		t.Errorf("the symlink's target was overwritten (%d bytes, was 9)", len(got))
	}
}
