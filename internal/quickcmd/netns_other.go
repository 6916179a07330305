//go:build unix && !linux

package quickcmd

import (
	"errors"
	"os/exec"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// netnsRun: network namespaces are Linux's.
type netnsRun struct{ dir string }

func startNetns(_ *cli.Env, flags actionFlags, _ *config.QuickConfig) (*netnsRun, error) {
	if flags.Netns != "" {
		return nil, errors.New("--netns works on Linux only: network namespaces are Linux's")
	}
	return nil, nil
}

func (r *netnsRun) devices() *wgctl.Client                          { c, _ := wgctl.Open(); return c }
func (r *netnsRun) hook(h *exec.Cmd) error                          { return h.Run() }
func (r *netnsRun) finish(_ *cli.Env, _, _ string, err error) error { return err }
func (r *netnsRun) system(env *cli.Env, c *wgctl.Client, t tunnels) (*system, error) {
	return newSystem(env, c, t)
}
