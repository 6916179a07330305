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

// truncName cuts s to an interface name's length, as wg does.
func truncName(s string) string {
	if len(s) > config.InterfaceNameMax {
		return s[:config.InterfaceNameMax]
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

// runConf is `wg setconf`, `wg addconf` and `wg syncconf`.
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
	name := truncName(args[1])
	if args[0] != "addconf" {
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
	if args[0] == "syncconf" {
		if err := syncAdjust(name, cfg); err != nil {
			return err
		}
	}
	return configure(name, cfg)
}

// syncAdjust turns a setconf into a syncconf against the running device:
// no replace-peers; runtime peers missing from the file are removed (their
// removals go first); a PSK or keepalive the file no longer sets is cleared.
// Peers that stay keep their sessions.
func syncAdjust(name string, cfg *config.Config) error {
	if len(cfg.Peers) == 0 {
		return nil
	}
	c, _ := wgctl.Open()
	defer c.Close()
	rt, err := c.Device(name)
	if err != nil {
		return cli.Fail("Unable to retrieve current interface configuration: " + errno.Text(err))
	}
	if len(rt.Peers) == 0 {
		return nil
	}
	config.Sync(cfg, rt)
	return nil
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
	if err == nil {
		defer c.Close()
		err = c.Configure(name, cfg)
	}
	if err != nil {
		return cli.Fail("Unable to modify interface: " + errno.Text(err))
	}
	return nil
}
