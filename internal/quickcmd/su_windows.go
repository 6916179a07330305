package quickcmd

import (
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
)

func autoSu(*cli.Env, string, ...string) error {
	return errors.New("must be run as Administrator")
}
