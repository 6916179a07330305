// Package errno turns Go errors into the texts glibc's strerror(3) prints,
// which is what wireguard-tools shows after "fopen: " or
// "Unable to access interface: ".
package errno

import (
	"errors"
	"strings"
	"syscall"
)

// Text returns glibc's strerror text for the errno inside err, or err's own
// text when it carries none.
func Text(err error) string {
	var e syscall.Errno
	if errors.As(err, &e) {
		return Strerror(e)
	}
	return err.Error()
}

// Strerror returns glibc's text for e. Go's texts are glibc's with the first
// letter lowered; the few that differ more are listed.
func Strerror(e syscall.Errno) string {
	if s := special(e); s != "" {
		return s
	}
	s := e.Error()
	if strings.HasPrefix(s, "errno ") {
		return "Unknown error " + s[len("errno "):]
	}
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
