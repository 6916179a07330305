package errno

import "syscall"

// special lists errnos whose glibc text is not Go's with a capital letter.
var special = map[syscall.Errno]string{
	syscall.ENOTSUP: "Operation not supported",
	133:             "Memory page has hardware error",
}
