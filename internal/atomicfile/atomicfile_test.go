package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWrite runs over Write and WriteVolatile, which differ only in
// syncing.
func TestWrite(t *testing.T) {
	for name, write := range map[string]func(string, []byte) error{"Write": Write, "WriteVolatile": WriteVolatile} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.conf")
			os.WriteFile(path, []byte("old"), 0o644)
			if err := write(path, []byte("new")); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			fi, _ := os.Stat(path)
			if string(got) != "new" || fi.Mode().Perm() != 0o600 {
				t.Errorf("content %q mode %v", got, fi.Mode())
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("left %d files in the directory", len(entries))
			}
			// A directory in the way: the rename fails, marked, and leaves nothing.
			os.Mkdir(filepath.Join(dir, "d"), 0o700)
			os.WriteFile(filepath.Join(dir, "d", "x"), nil, 0o600)
			if err := write(filepath.Join(dir, "d"), []byte("x")); !errors.Is(err, ErrRename) {
				t.Errorf("rename over a directory: %v", err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 2 {
				t.Errorf("left %d files in the directory", len(entries))
			}
			if err := write(filepath.Join(dir, "nosuch", "f"), nil); err == nil || errors.Is(err, ErrRename) {
				t.Errorf("missing directory: %v", err)
			}
		})
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"wg0.json", ".wg0.json.tmp123", ".wg0.json.tmp98765", ".wg0.json.tmp", ".wg0.json.tmpx1",
		".wg0.json.x.tmp1", ".wg0.jsonx.tmp1", ".wg0.x.json.tmp1", ".wg1.json.tmp1", "wg0.json.tmp1"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o600)
	}
	RemoveTemps(filepath.Join(dir, "wg0.json"))
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{".wg0.json.tmp", ".wg0.json.tmpx1", ".wg0.json.x.tmp1", ".wg0.jsonx.tmp1", ".wg0.x.json.tmp1", ".wg1.json.tmp1", "wg0.json", "wg0.json.tmp1"}
	if diff := cmp.Diff(want, left); diff != "" {
		t.Errorf("files left (-want +got):\n%s", diff)
	}
	// What Write leaves when killed is what RemoveTemps removes.
	f, _ := os.CreateTemp(dir, tempPattern(filepath.Join(dir, "wg2.json")))
	f.Close()
	RemoveTemps(filepath.Join(dir, "wg2.json"))
	if _, err := os.Stat(f.Name()); err == nil {
		t.Errorf("%s was not removed", f.Name())
	}
}
