//go:build unix && !linux

package quickcmd

import "io"

// sweepStale: one state directory here, never stale while the system runs.
func sweepStale(string, io.Writer) {}
