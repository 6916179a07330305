package quick

// DefaultStateDir is where wg-quick keeps its state.
const DefaultStateDir = "/run/wgtools"
