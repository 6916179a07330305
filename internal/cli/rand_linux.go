package cli

import (
	"io"

	"golang.org/x/sys/unix"
)

// Random is the kernel's random source, read with getrandom(2) as upstream
// does. crypto/rand would do the same but first arms a timer, which starts
// the runtime's poller and costs a measurable part of a key command's run.
var Random io.Reader = getrandom{}

type getrandom struct{}

func (getrandom) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Getrandom(p[n:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}
