package app

import (
	"github.com/wgtools/wgtools/internal/daemon"
	"github.com/wgtools/wgtools/internal/quickcmd"
)

// A tunnel brought up into a namespace that is then deleted forgets its
// wg-quick state there as it ends.
func init() { daemon.NetnsGone = quickcmd.ForgetNetnsState }
