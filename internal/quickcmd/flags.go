package quickcmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/resolve"
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

// checkOnly resolves nothing: it lets a config be validated without
// looking up its endpoint host names.
type checkOnly struct{ config.Resolver }

func (checkOnly) LookupHost(string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
}
func (checkOnly) InterfaceIndex(string) (int, bool) { return 1, true }

// validate parses a config as wg-quick up would, without resolving host
// names, and returns it with FILE:LINE errors.
func validate(path string, text []byte, warn io.Writer) (*config.QuickConfig, *config.Config, error) {
	q, err := config.ParseQuick(strings.NewReader(string(text)))
	if err != nil {
		return nil, nil, fmt.Errorf("%s", lineMessage(path, err))
	}
	opts := &config.Options{
		Resolver: checkOnly{resolve.System()},
		Warn:     func(msg string) { fmt.Fprintln(warn, msg) },
	}
	wg, err := opts.ParseLines(q.WG)
	if err != nil {
		return nil, nil, fmt.Errorf("%s", lineMessage(path, err))
	}
	return q, wg, nil
}
