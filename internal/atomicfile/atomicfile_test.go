package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.conf")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := Write(path, []byte("new")); err != nil {
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
	if err := Write(filepath.Join(dir, "d"), []byte("x")); !errors.Is(err, ErrRename) {
		t.Errorf("rename over a directory: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left %d files in the directory", len(entries))
	}
	if err := Write(filepath.Join(dir, "nosuch", "f"), nil); err == nil || errors.Is(err, ErrRename) {
		t.Errorf("missing directory: %v", err)
	}
}
