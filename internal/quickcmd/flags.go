package quickcmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
)

// errHelp means the help was printed: exit 0.
var errHelp = errors.New("help printed")

// parseFlags parses flags given before, between or after the positional
// arguments and returns the positionals; -h/--help prints help to stdout
// and returns errHelp; a bad flag prints the error and the help to stderr.
func parseFlags(env *cli.Env, fs *flag.FlagSet, help string, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				io.WriteString(env.Stdout, help)
				return nil, errHelp
			}
			fmt.Fprintf(env.Stderr, "%s: %s\n\n%s", env.Prog, err, help)
			return nil, &cli.Silent{}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// listFlag collects comma- or space-separated values over repeated flags.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' })...)
	return nil
}

func newFlagSet(name string) *flag.FlagSet { return flag.NewFlagSet(name, flag.ContinueOnError) }
