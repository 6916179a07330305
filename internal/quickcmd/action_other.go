//go:build !unix

package quickcmd

import (
	"fmt"
	"io"

	"github.com/wgtools/wgtools/internal/cli"
)

func action(_ *cli.Env, prog, verb, _ string, _ bool, _ []string) error {
	return cli.Fail(fmt.Sprintf("%s: `%s' is not built for this system yet", prog, verb))
}

// lock serialises changes to one interface; this system has none yet.
func lock(string, io.Writer) (func(), error) { return func() {}, nil }
