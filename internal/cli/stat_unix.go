//go:build unix

package cli

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// WorldAccessibleFile reports whether w is a regular file whose mode lets
// others read, write or run it. It uses fstat(2) directly: this runs on
// every key generation, where os.File.Stat's extra work is measurable.
func WorldAccessibleFile(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	var st unix.Stat_t
	if unix.Fstat(int(f.Fd()), &st) != nil {
		return false
	}
	return st.Mode&unix.S_IFMT == unix.S_IFREG && st.Mode&0o007 != 0
}
