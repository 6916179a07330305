//go:build !linux

package quickcmd

import (
	"fmt"

	"github.com/wgtools/wgtools/internal/cli"
)

func upDown(_ *cli.Env, prog, action, _ string) error {
	return cli.Fail(fmt.Sprintf("%s: `%s' is not built for this system yet", prog, action))
}
