//go:build !unix

package quickcmd

import (
	"fmt"
	"io"

	"github.com/wgtools/wgtools/internal/cli"
)

func action(_ *cli.Env, _, verb, _ string, _ actionFlags, _ []string) error {
	return fmt.Errorf("`%s' is not built for this system yet", verb)
}

// lock serialises changes to one interface; this system has none yet.
func lock(string, io.Writer) (func(), error) { return func() {}, nil }
