//go:build !unix

package quickcmd

import (
	"context"
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
)

func reresolveOnce(*cli.Env, string, string) error {
	return errors.New("`reresolve' is not built for this system yet")
}

// KeepResolved re-resolves nothing on this system yet.
func KeepResolved(context.Context, *cli.Env, string) {}
