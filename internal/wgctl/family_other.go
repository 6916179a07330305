//go:build !linux

package wgctl

// kernelSupport is true where WireGuard devices are kernel interfaces that
// can simply be missing.
func kernelSupport() bool { return true }

func kernelPrecheck(string, bool) error { return nil }
