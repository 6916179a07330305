package errno

import "syscall"

// special returns glibc's text where it is not Go's with a capital letter.
func special(e syscall.Errno) string {
	switch e {
	case syscall.ENOTSUP:
		return "Operation not supported"
	case 133: // EHWPOISON
		return "Memory page has hardware error"
	}
	return ""
}
