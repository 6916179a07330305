package quickcmd

import "github.com/wgtools/wgtools/internal/cli"

func autoSu(_ *cli.Env, prog string, _ ...string) error {
	return cli.Fail(prog + ": must be run as Administrator")
}
