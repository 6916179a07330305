package quickcmd

import (
	"fmt"
	"net/netip"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/resolve"
)

// validate parses a config as wg-quick up would, without resolving host
// names: for configs that are only checked (qr, peer).
func validate(env *cli.Env, path string, text []byte) (*config.QuickConfig, *config.Config, error) {
	return parse(env, path, text, checkOnly{resolve.System()})
}

// parse reads wg-quick's keys, then wg's, with FILE:LINE errors.
func parse(env *cli.Env, path string, text []byte, r config.Resolver) (*config.QuickConfig, *config.Config, error) {
	q, err := config.ParseQuickLines(config.SplitLines(string(text)))
	if err != nil {
		return nil, nil, inFile(path, err)
	}
	opts := &config.Options{
		Resolver:  r,
		Warn:      func(msg string) { fmt.Fprintln(env.Stderr, msg) },
		LookupEnv: env.LookupEnv,
	}
	wg, err := opts.ParseLines(q.WG)
	if err != nil {
		return nil, nil, inFile(path, err)
	}
	return q, wg, nil
}

// checkOnly resolves nothing: it lets a config be validated without
// looking up its endpoint host names.
type checkOnly struct{ config.Resolver }

func (checkOnly) LookupHost(string) ([]netip.Addr, error) {
	return []netip.Addr{netip.MustParseAddr("192.0.2.1")}, nil
}
func (checkOnly) InterfaceIndex(string) (int, bool) { return 1, true }
