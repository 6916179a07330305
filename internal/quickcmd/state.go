//go:build unix

package quickcmd

import (
	"io"

	"github.com/wgtools/wgtools/internal/quick"
)

// stateRoot is where wg-quick keeps its state files and locks:
// quick.DefaultStateDir, or what a test set with TestOnlyStateRoot.
var stateRoot = quick.DefaultStateDir

// TestOnlyStateRoot makes wg-quick keep its state and locks under dir
// instead of quick.DefaultStateDir, so that the CLI tests touch nothing of the
// host's and run without root. Only a test binary's TestMain calls it.
func TestOnlyStateRoot(dir string) { stateRoot = dir }

// sweepHere removes the state that network namespaces which are gone left
// under this one's inode (see sweepStale).
func sweepHere(log io.Writer) { sweepStale(stateDir(), log) }
