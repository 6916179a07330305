package quickcmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
)

// strip is `wg-quick strip`: the config without wg-quick's own keys. It
// needs root only when the file is not readable otherwise.
func strip(env *cli.Env, operand string) error {
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return err
	}
	f, err := os.Open(src.Path)
	if err != nil {
		return fmt.Errorf("%s: %w", src.Path, err)
	}
	defer f.Close()
	q, err := config.ParseQuick(f)
	if err != nil {
		var e *config.Error
		if errors.As(err, &e) {
			return message(e.Msg) // upstream's die, without the line
		}
		return err
	}
	_, err = io.WriteString(env.Stdout, q.Strip()) // WG_CONFIG, then an empty line
	return err
}
