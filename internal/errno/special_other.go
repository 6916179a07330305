//go:build !linux

package errno

import "syscall"

var special = map[syscall.Errno]string{}
