// Package wgcmd is the `wg` command: its subcommands and their argument
// grammars, with wireguard-tools' exact usage texts and messages.
package wgcmd

import (
	"fmt"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/complete"
	"github.com/wgtools/wgtools/internal/version"
)

type subcommand struct {
	name, summary string
	run           func(env *cli.Env, args []string) error
}

// subcommands in upstream's order; args[0] of run is the subcommand's name.
func subcommands() []subcommand {
	return []subcommand{
		{"show", "Shows the current configuration and device information", runShow},
		{"showconf", "Shows the current configuration of a given WireGuard interface, for use with `setconf'", runShowConf},
		{"set", "Change the current configuration, add peers, remove peers, or change peers", runSet},
		{"setconf", "Applies a configuration file to a WireGuard interface", runConf},
		{"addconf", "Appends a configuration file to a WireGuard interface", runConf},
		{"syncconf", "Synchronizes a configuration file to a WireGuard interface", runConf},
		{"genkey", "Generates a new private key and writes it to stdout", runGenKey},
		{"genpsk", "Generates a new preshared key and writes it to stdout", runGenKey},
		{"pubkey", "Reads a private key from stdin and writes a public key to stdout", runPubKey},
	}
}

func usage(prog string) string {
	s := fmt.Sprintf("Usage: %s <cmd> [<args>]\n\nAvailable subcommands:\n", prog)
	for _, c := range subcommands() {
		s += fmt.Sprintf("  %s: %s\n", c.name, c.summary)
	}
	return s + "You may pass `--help' to any of these subcommands to view usage.\n"
}

// Run runs `wg` with args (argv without argv[0]). An exact subcommand name
// runs that subcommand; everything else is the root's, so that flags never
// move a later word into the subcommand position.
//
// The dispatch is written by hand rather than with cobra: wg's grammars are
// positional anyway, and linking cobra (with text/template and regexp) made
// every start of the program measurably slower (see BENCHMARKS.md).
func Run(env *cli.Env, args []string) error {
	if len(args) > 0 && (args[0] == "__complete" || args[0] == "__completeNoDesc") {
		return complete.Run(env.Stdout, complete.WG, args[1:], complete.System())
	}
	if len(args) > 0 {
		for _, sc := range subcommands() {
			if args[0] == sc.name {
				return sc.run(env, args)
			}
		}
	}
	return runRoot(env, args)
}

func runRoot(env *cli.Env, args []string) error {
	if len(args) == 0 {
		return runShow(env, []string{"show"})
	}
	if len(args) == 1 {
		switch args[0] {
		case "-h", "--help", "help":
			_, err := fmt.Fprint(env.Stdout, usage(env.Prog))
			return err
		case "-v", "--version", "version":
			_, err := fmt.Fprintln(env.Stdout, version.Banner())
			return err
		}
	}
	fmt.Fprintf(env.Stderr, "Invalid subcommand: `%s'\n%s", args[0], usage(env.Prog))
	return &cli.Silent{}
}
