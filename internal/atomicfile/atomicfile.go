// Package atomicfile replaces files whole: a temporary file in the same
// directory, written, synced and renamed over the target, so that readers
// and a crash see the old content or the new, never a part.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrRename marks a failure of the final rename: the new content was
// written but could not replace the file.
var ErrRename = errors.New("rename")

// Write replaces path with data, mode 0600 (the files it serves hold keys
// or private state). The directory must exist.
func Write(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data) // CreateTemp makes it 0600
	if err == nil {
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
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
