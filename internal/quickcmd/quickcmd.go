// Package quickcmd is the `wg-quick` command: its argument grammar, config
// lookup and messages, as wireguard-tools' wg-quick(8) has them.
package quickcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/complete"
	"github.com/wgtools/wgtools/internal/config"
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
	if len(args) > 0 {
		switch args[0] {
		case "__complete", "__completeNoDesc":
			return complete.Run(env.Stdout, complete.Quick, args[1:], completions())
		case "qr":
			return qrCmd(env, prog, args[1:])
		case "peer":
			return peerCmd(env, prog, args[1:])
		}
	}
	verb, operand, foreground, ok := parseArgs(args)
	if !ok {
		fmt.Fprintf(env.Stderr, usageText, prog)
		return &cli.Silent{}
	}
	if verb == "strip" {
		return strip(env, prog, operand, args)
	}
	return action(env, prog, verb, operand, foreground, args)
}

// parseArgs reads `ACTION OPERAND`, and `up --foreground OPERAND` (the
// flag on either side of the operand).
func parseArgs(args []string) (verb, operand string, foreground, ok bool) {
	if len(args) == 3 && args[0] == "up" {
		switch "--foreground" {
		case args[1]:
			return "up", args[2], true, true
		case args[2]:
			return "up", args[1], true, true
		}
		return "", "", false, false
	}
	if len(args) != 2 {
		return "", "", false, false
	}
	switch args[0] {
	case "up", "down", "save", "strip":
		return args[0], args[1], false, true
	}
	return "", "", false, false
}

// pathRe is wg-quick's rule for a config path: an interface name, then
// .conf.
var pathRe = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`(^|/)(%s{1,%d})\.conf$`, config.InterfaceNameChars, config.InterfaceNameMax))
})

// Source is a config file found from a wg-quick operand.
type Source struct {
	// Path is the resolved path (readlink -f); Interface the name it gives.
	Path, Interface string
}

// Lookup finds the config file of an operand as wg-quick does: a bare
// interface name means /etc/wireguard/NAME.conf; a path must end in a valid
// interface name followed by .conf. It warns on warn when both the file and
// its directory let others in.
func Lookup(operand string, warn io.Writer) (*Source, error) {
	path := operand
	if config.ValidInterfaceName(path) {
		path = "/etc/wireguard/" + path + ".conf"
	}
	if _, err := os.Stat(path); err != nil {
		return nil, hinted(fmt.Sprintf("`%s' does not exist", path), missingHint(operand, path))
	}
	m := pathRe().FindStringSubmatch(path)
	if m == nil {
		return nil, hinted("The config file must be a valid interface name, followed by .conf", nameHint(path))
	}
	resolved, err := readlinkF(path)
	if err != nil {
		return nil, fmt.Errorf("`%s' does not exist", path)
	}
	fi, err1 := os.Stat(resolved)
	di, err2 := os.Stat(filepath.Dir(resolved))
	if err1 == nil && err2 == nil && fi.Mode().Perm()&di.Mode().Perm()&0o007 != 0 {
		fmt.Fprintf(warn, "Warning: `%s' is world accessible\n", resolved)
	}
	return &Source{Path: resolved, Interface: m[2]}, nil
}

// hinted is upstream's message, then a line saying what to do.
func hinted(msg, hint string) error {
	if hint == "" {
		return message(msg)
	}
	return message(msg + "\n  hint: " + hint)
}

// missingHint explains a config that was not found.
func missingHint(operand, path string) string {
	switch {
	case path != operand && strings.HasSuffix(operand, ".conf") && exists(operand):
		return fmt.Sprintf("`%s' was read as an interface name; to use the file in this directory, say ./%s", operand, operand)
	case len(operand) > config.InterfaceNameMax && config.OnlyInterfaceNameChars(operand):
		return fmt.Sprintf("`%s' was read as a path, since interface names have at most %d characters (it has %d)", operand, config.InterfaceNameMax, len(operand))
	case path != operand && exists(operand):
		return fmt.Sprintf("`%s' was read as an interface name; to use the file in this directory, say ./%s", operand, operand)
	}
	return ""
}

// nameHint explains a path that does not end in NAME.conf.
func nameHint(path string) string {
	base := filepath.Base(path)
	name, ok := strings.CutSuffix(base, ".conf")
	switch {
	case !ok:
		return fmt.Sprintf("the file name must be the interface name followed by .conf, as in wg0.conf (not `%s')", base)
	case len(name) > config.InterfaceNameMax:
		return fmt.Sprintf("`%s' has %d characters; interface names have at most %d", name, len(name), config.InterfaceNameMax)
	default:
		return fmt.Sprintf("`%s' is not an interface name: use 1 to %d letters, digits and _=+.-", name, config.InterfaceNameMax)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// message is an error whose text is upstream's, capital letter included.
type message string

func (m message) Error() string { return string(m) }

// readlinkF is readlink -f: absolute, every symbolic link followed.
func readlinkF(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// strip is `wg-quick strip`: the config without wg-quick's own keys. It
// needs root only when the file is not readable otherwise.
func strip(env *cli.Env, prog, operand string, args []string) error {
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return cli.Fail(prog + ": " + err.Error())
	}
	f, err := os.Open(src.Path)
	if errors.Is(err, os.ErrPermission) && os.Geteuid() != 0 {
		return autoSu(env, prog, args...)
	}
	if err != nil {
		return cli.Fail(fmt.Sprintf("%s: %s: %v", prog, src.Path, err))
	}
	defer f.Close()
	q, err := config.ParseQuick(f)
	if err != nil {
		var e *config.Error
		if errors.As(err, &e) {
			return cli.Fail(prog + ": " + e.Msg)
		}
		return cli.Fail(prog + ": " + err.Error())
	}
	_, err = io.WriteString(env.Stdout, q.Strip()) // WG_CONFIG, then an empty line
	return err
}
