//go:build unix && !linux && !darwin && !freebsd && !openbsd

package quickcmd

import "github.com/wgtools/wgtools/internal/quick"

// platformRuns: this system has no platform; what runs is unknown.
func platformRuns(*quick.State, *tunnelStatus) {}

// platformInstalled: nothing beyond the addresses is read here.
func platformInstalled(*quick.State, *tunnelStatus) {}
