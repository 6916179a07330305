//go:build !unix

package quickcmd

import (
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
)

// statusCmd: this system keeps no wg-quick state yet.
func statusCmd(*cli.Env, []string) error {
	return errors.New("`status' is not built for this system yet")
}
