//go:build !linux

package quick

// DefaultStateDir is where wg-quick keeps its state. macOS has no /run (its
// system volume is read-only) and neither have the BSDs; /var/run is
// cleared at boot there, as /run is on Linux.
const DefaultStateDir = "/var/run/wgtools"
