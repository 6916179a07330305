//go:build !linux && (!freebsd || cgo)

package wgctl

import "github.com/wgtools/wgtools/internal/config"

// setWithRemovals: removing single allowed IPs from kernel devices is
// supported on Linux only (FreeBSD and OpenBSD have no such flag in wgctrl).
func setWithRemovals(string, *config.Config) error { return config.ErrIncrementalRemove }
