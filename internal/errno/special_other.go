//go:build !linux

package errno

import "syscall"

func special(syscall.Errno) string { return "" }
