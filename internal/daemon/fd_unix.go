//go:build !windows

package daemon

import "syscall"

func setNonblock(fd uintptr) error { return syscall.SetNonblock(int(fd), true) }
