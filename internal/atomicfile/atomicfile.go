// Package atomicfile replaces files whole: a temporary file in the same
// directory, written, synced (unless volatile) and renamed over the
// target, so that readers and a crash see the old content or the new,
// never a part.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrRename marks a failure of the final rename: the new content was
// written but could not replace the file.
var ErrRename = errors.New("rename")

// tempPattern is the name of Write's temporary file for path, as
// os.CreateTemp takes it: the '*' becomes a random decimal number.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".tmp*" }

// Write replaces path with data, mode 0600 (the files it serves hold keys
// or private state). The directory must exist.
func Write(path string, data []byte) error { return write(path, data, true) }

// WriteVolatile is Write for files that do not outlive the boot (state
// under /run): the rename keeps a crashed process from leaving a part, and
// nothing is synced, since after a power loss the file means nothing.
// Syncing cost a millisecond or more per write on a disk-backed /run.
func WriteVolatile(path string, data []byte) error { return write(path, data, false) }

func write(path string, data []byte, sync bool) error {
	f, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return err
	}
	_, err = f.Write(data) // CreateTemp makes it 0600
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("%w: %w", ErrRename, err)
	}
	if !sync {
		return nil
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// RemoveTemps removes the temporary files that Writes of path left when
// their process was killed before the rename. The caller must hold
// whatever serialises the Writes of path, or it may remove one in flight.
func RemoveTemps(path string) {
	dir, prefix := filepath.Dir(path), strings.TrimSuffix(tempPattern(path), "*")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if ok && rest != "" && strings.Trim(rest, "0123456789") == "" && e.Type().IsRegular() {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
