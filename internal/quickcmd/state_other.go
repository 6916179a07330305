//go:build !unix

package quickcmd

// TestOnlyStateRoot: this system keeps no wg-quick state yet.
func TestOnlyStateRoot(string) {}
