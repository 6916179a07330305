//go:build !unix

package quickcmd

import "io"

// TestOnlyStateRoot: this system keeps no wg-quick state yet.
func TestOnlyStateRoot(string) {}

// sweepHere: no state is kept here.
func sweepHere(io.Writer) {}
