//go:build !darwin

package quickcmd

import (
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
)

// routeMonitorVerb is the hidden command of macOS's route monitor.
const routeMonitorVerb = "__route-monitor"

func routeMonitor(*cli.Env, []string) error {
	return errors.New("the route monitor is macOS's")
}
