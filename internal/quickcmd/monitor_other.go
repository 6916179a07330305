//go:build !darwin && !freebsd && !openbsd

package quickcmd

import (
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
)

// routeMonitorVerb is the hidden command of the route monitor (macOS and
// the BSDs).
const routeMonitorVerb = "__route-monitor"

func routeMonitor(*cli.Env, []string) error {
	return errors.New("there is no route monitor on this system")
}
