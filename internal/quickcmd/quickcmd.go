// Package quickcmd is the `wg-quick` command: its argument grammar, config
// lookup and messages, as wireguard-tools' wg-quick(8) has them.
package quickcmd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/complete"
)

const usageText = `Usage: %[1]s [ up | down | save | strip ] [ CONFIG_FILE | INTERFACE ]

  CONFIG_FILE is a configuration file, whose filename is the interface name
  followed by ` + "`.conf'" + `. Otherwise, INTERFACE is an interface name, with
  configuration found at /etc/wireguard/INTERFACE.conf. It is to be readable
  by wg(8)'s ` + "`setconf'" + ` sub-command, with the exception of the following additions
  to the [Interface] section, which are handled by %[1]s:

  - Address: may be specified one or more times and contains one or more
    IP addresses (with an optional CIDR mask) to be set for the interface.
  - DNS: an optional DNS server to use while the device is up.
  - MTU: an optional MTU for the interface; if unspecified, auto-calculated.
  - Table: an optional routing table to which routes will be added; if
    unspecified or ` + "`auto'" + `, the default table is used. If ` + "`off'" + `, no routes
    are added.
  - PreUp, PostUp, PreDown, PostDown: script snippets which will be executed
    by bash(1) at the corresponding phases of the link, most commonly used
    to configure DNS. The string ` + "`%%i'" + ` is expanded to INTERFACE.
  - SaveConfig: if set to ` + "`true'" + `, the configuration is saved from the current
    state of the interface upon shutdown.

See wg-quick(8) for more info and examples.
`

// Run runs `wg-quick` with args (argv without argv[0]).
func Run(env *cli.Env, args []string) error {
	prog := filepath.Base(env.Prog)
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		fmt.Fprintf(env.Stderr, usageText, prog)
		return nil
	}
	err := dispatch(env, prog, args)
	switch {
	case errors.Is(err, errHelp):
		return nil // a subcommand printed its help
	case errors.Is(err, os.ErrPermission) && os.Geteuid() != 0 && len(args) > 0 && args[0] != "up" && args[0] != "down" && args[0] != "save" && args[0] != "reload":
		// strip, qr and peer need root only for files they cannot
		// read or write otherwise: then run again as root.
		return autoSu(env, prog, args...)
	}
	return err
}

// dispatch runs the subcommand args name. Errors are returned, never
// printed: app.Exit prints them after "wg-quick: ".
func dispatch(env *cli.Env, prog string, args []string) error {
	if len(args) > 0 {
		if readsState(args[0]) {
			sweepHere(env.Stderr)
		}
		switch args[0] {
		case "__complete", "__completeNoDesc":
			return complete.Run(env.Stdout, complete.Quick, args[1:], completions())
		case "qr":
			return qrCmd(env, args[1:])
		case "peer":
			return peerCmd(env, prog, args[1:])
		case "status":
			return statusCmd(env, args[1:])
		case "doctor":
			return doctorCmd(env, args[1:])
		case "reresolve":
			return reresolveCmd(env, prog, args[1:])
		case routeMonitorVerb:
			return routeMonitor(env, args[1:])
		}
	}
	verb, operand, flags, ok := parseArgs(args)
	if !ok {
		fmt.Fprintf(env.Stderr, usageText, prog)
		return &cli.Silent{}
	}
	if verb == "strip" {
		return strip(env, operand)
	}
	return action(env, prog, verb, operand, flags, args)
}

// readsState reports whether the subcommand reads or writes wg-quick's
// state: such a one first removes what namespaces that are gone left in
// this one's place. (A switch, not a map: no work at every start.)
func readsState(verb string) bool {
	switch verb {
	case "up", "down", "save", "reload", "peer", "status", "reresolve":
		return true
	}
	return false
}

// actionFlags are the flags of up, down and reload.
type actionFlags struct {
	// Foreground: `up --foreground`; KillSwitch: `up --kill-switch`;
	// RunPostUp: `reload --run-postup`.
	Foreground, KillSwitch, RunPostUp bool
	// Netns: `up|down --netns NS`; NetnsCreate: `up --netns-create NS`
	// (which also sets Netns).
	Netns       string
	NetnsCreate bool
}

// verbFlags are the flags each verb takes; a flag whose setter takes a
// value takes the next argument.
var verbFlags = map[string]map[string]func(f *actionFlags, value string){
	"up": {
		"--foreground":   func(f *actionFlags, _ string) { f.Foreground = true },
		"--kill-switch":  func(f *actionFlags, _ string) { f.KillSwitch = true },
		"--netns":        func(f *actionFlags, v string) { f.Netns = v },
		"--netns-create": func(f *actionFlags, v string) { f.Netns, f.NetnsCreate = v, true },
	},
	"down":   {"--netns": func(f *actionFlags, v string) { f.Netns = v }},
	"reload": {"--run-postup": func(f *actionFlags, _ string) { f.RunPostUp = true }},
	"save":   {},
	"strip":  {},
}

// valued are the flags that take a value.
var valued = map[string]bool{"--netns": true, "--netns-create": true}

// parseArgs reads `ACTION [FLAG...] OPERAND`: the verb's flags (each at
// most once, --netns and --netns-create not both) on either side of the
// one operand.
func parseArgs(args []string) (verb, operand string, flags actionFlags, ok bool) {
	if len(args) < 2 {
		return "", "", flags, false
	}
	known, found := verbFlags[args[0]]
	if !found {
		return "", "", flags, false
	}
	seen := map[string]bool{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		set, isFlag := known[a]
		switch {
		case isFlag && !seen[a]:
			seen[a] = true
			value := ""
			if valued[a] {
				if i+1 >= len(args) || args[i+1] == "" {
					return "", "", actionFlags{}, false
				}
				i++
				value = args[i]
			}
			set(&flags, value)
		case isFlag || operand != "":
			return "", "", actionFlags{}, false
		default:
			operand = a
		}
	}
	if operand == "" || (seen["--netns"] && seen["--netns-create"]) {
		return "", "", actionFlags{}, false
	}
	return args[0], operand, flags, true
}

func (m message) Error() string { return string(m) }
