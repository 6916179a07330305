//go:build !unix

package cli

import (
	"io"
	"os"
)

// WorldAccessibleFile reports whether w is a regular file whose mode lets
// others read, write or run it.
func WorldAccessibleFile(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode().IsRegular() && st.Mode().Perm()&0o007 != 0
}
