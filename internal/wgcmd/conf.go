package wgcmd

import (
	"fmt"
	"io"
	"os"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/errno"
	"github.com/wgtools/wgtools/internal/resolve"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// ifNameMax is IFNAMSIZ-1: wg truncates interface names to it.
const ifNameMax = 15

func truncName(s string) string {
	if len(s) > ifNameMax {
		return s[:ifNameMax]
	}
	return s
}

// parseOptions wires the parsers to this process.
func parseOptions(env *cli.Env) *config.Options {
	return &config.Options{
		Resolver:  resolve.System(),
		Warn:      func(msg string) { fmt.Fprintln(env.Stderr, msg) },
		LookupEnv: env.LookupEnv,
		OpenFile:  func(name string) (io.ReadCloser, error) { return os.Open(name) },
	}
}

// parseFailure prints a parse error the way wg does after it.
func parseFailure(err error) error {
	e, ok := err.(*config.Error)
	if !ok {
		return err
	}
	switch e.Kind {
	case config.KindLine:
		return cli.Fail(e.Msg + "\nConfiguration parsing error")
	case config.KindInvalid:
		return cli.Fail(e.Msg + "\nInvalid configuration")
	}
	return cli.Fail(e.Msg)
}

// runConf is `wg setconf` and `wg addconf`.
func runConf(env *cli.Env, args []string) error {
	if len(args) != 3 {
		return cli.Fail(fmt.Sprintf("Usage: %s %s <interface> <configuration filename>", env.Prog, args[0]))
	}
	f, err := os.Open(args[2])
	if err != nil {
		return cli.Fail("fopen: " + errno.Text(err))
	}
	defer f.Close()
	cfg, err := parseOptions(env).Parse(f)
	if err != nil {
		return parseFailure(err)
	}
	if args[0] == "setconf" {
		cfg.ReplacePeers = true
		zero := 0
		var zeroKey config.Key
		var zeroMark uint32
		if cfg.PrivateKey == nil {
			cfg.PrivateKey = &zeroKey
		}
		if cfg.ListenPort == nil {
			cfg.ListenPort = &zero
		}
		if cfg.FwMark == nil {
			cfg.FwMark = &zeroMark
		}
	}
	return configure(truncName(args[1]), cfg)
}

// runSet is `wg set`.
func runSet(env *cli.Env, args []string) error {
	if len(args) < 3 {
		return cli.Fail(fmt.Sprintf("Usage: %s %s <interface> [listen-port <port>] [fwmark <mark>] [private-key <file path>] [peer <base64 public key> [remove] [preshared-key <file path>] [endpoint <ip>:<port>] [persistent-keepalive <interval seconds>] [allowed-ips [+|-]<ip1>/<cidr1>[,[+|-]<ip2>/<cidr2>]...] ]...", env.Prog, args[0]))
	}
	cfg, err := parseOptions(env).ParseSet(args[2:])
	if err != nil {
		return parseFailure(err)
	}
	return configure(truncName(args[1]), cfg)
}

func configure(name string, cfg *config.Config) error {
	c, err := wgctl.Open()
	if err != nil {
		return cli.Fail("Unable to modify interface: " + errno.Text(err))
	}
	defer c.Close()
	wc, convErr := cfg.WGTypes()
	if convErr != nil {
		// Report a missing device as wg would before refusing the change.
		if err := c.Check(name); err != nil {
			return cli.Fail("Unable to modify interface: " + errno.Text(err))
		}
		return cli.Fail("wg: " + convErr.Error())
	}
	if err := c.Configure(name, wc); err != nil {
		return cli.Fail("Unable to modify interface: " + errno.Text(err))
	}
	return nil
}
