package errno

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestText(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{syscall.ENOENT, "No such file or directory"},
		{syscall.EPROTONOSUPPORT, "Protocol not supported"},
		{syscall.ENODEV, "No such device"},
		{syscall.ENAMETOOLONG, "File name too long"},
		{syscall.EACCES, "Permission denied"},
		{syscall.EADDRINUSE, "Address already in use"},
		{syscall.Errno(41), "Unknown error 41"},
		{&fs.PathError{Op: "open", Path: "/x", Err: syscall.ENOENT}, "No such file or directory"},
		{fmt.Errorf("wrapped: %w", syscall.EINVAL), "Invalid argument"},
		{errors.New("plain"), "plain"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, Text(tt.err)); diff != "" {
			t.Errorf("Text(%v) (-want +got):\n%s", tt.err, diff)
		}
	}
}
