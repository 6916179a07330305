//go:build !linux

package cli

import (
	"crypto/rand"
	"io"
)

// Random is the system's random source.
var Random io.Reader = rand.Reader
