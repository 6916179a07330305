//go:build unix

package quickcmd

import "github.com/wgtools/wgtools/internal/quick"

// stateRoot is where wg-quick keeps its state files and locks:
// quick.DefaultStateDir, or what a test set with TestOnlyStateRoot.
var stateRoot = quick.DefaultStateDir

// TestOnlyStateRoot makes wg-quick keep its state and locks under dir
// instead of quick.DefaultStateDir, so that the CLI tests touch nothing of the
// host's and run without root. Only a test binary's TestMain calls it.
func TestOnlyStateRoot(dir string) { stateRoot = dir }
