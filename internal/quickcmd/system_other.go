//go:build unix && !linux && !darwin && !freebsd && !openbsd

package quickcmd

import (
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// systemBuilt: wg-quick up, down and save are not built for this system yet.
const systemBuilt = false

func newSystem(*cli.Env, *wgctl.Client, tunnels) (*system, error) {
	return nil, errors.New("not built for this system yet")
}

// stateDir is where state and locks live.
func stateDir() string { return stateRoot }
