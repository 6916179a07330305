package quickcmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/wgtools/wgtools/internal/atomicfile"
	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/qr"
)

const qrHelp = `Usage: wg-quick qr [--png FILE] [--size N] [--ascii] [--keep-extensions] { CONFIG_FILE | INTERFACE | - }

Shows a wg-quick config as a QR code for the WireGuard apps on phones and
tablets to scan (Add tunnel, then Scan from QR code).

  CONFIG_FILE   a config file, such as ./phone.conf
  INTERFACE     an interface name, for /etc/wireguard/INTERFACE.conf
  -             the config on standard input

The config is checked first, as wg-quick up would check it (but without
looking up endpoint host names); a config that does not parse gives its
FILE:LINE error and no code. The code holds the config's private key:
anyone who sees or photographs it can use the tunnel, so wg-quick says so
on standard error.

Options:
  --png FILE    write a PNG image to FILE (a new file, mode 0600, that
                replaces what was at FILE) instead of drawing the code
                on the terminal
  --size N      the PNG's width in pixels (default: 8 pixels per module)
  --ascii       draw with ASCII (##) instead of Unicode half blocks; the
                default when the locale is not UTF-8
  --keep-extensions
                keep the keys only this wg-quick knows (KillSwitch,
                ExcludedIPs, AllowLAN), which the WireGuard apps refuse;
                without it they are left out of the code
  -h, --help    show this help

The error-correction level is the highest the config fits in; a config too
large for any QR code (about 2.9 KB) is refused with its size.

Exit status: 0 when the code was drawn or written, 1 otherwise.

Examples:
  wg-quick qr ./phone.conf
  wg-quick qr --png phone.png ./phone.conf
  wg-quick peer add wg0 phone --endpoint vpn.example.com:51820 --qr
`

// qrCmd is `wg-quick qr`.
func qrCmd(env *cli.Env, args []string) error {
	fs := flag.NewFlagSet("qr", flag.ContinueOnError)
	png := fs.String("png", "", "")
	size := fs.Int("size", 0, "")
	ascii := fs.Bool("ascii", false, "")
	keep := fs.Bool("keep-extensions", false, "")
	pos, err := parseFlags(env, fs, qrHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprint(env.Stderr, qrHelp)
		return &cli.Silent{}
	}
	if *size < 0 {
		return errors.New("--size must be a positive number of pixels")
	}
	path, text, err := readConfig(env, pos[0])
	if err != nil {
		return err
	}
	if _, _, err := validate(env, path, text); err != nil {
		return err
	}
	if !*keep {
		if without := config.WithoutExtensions(text); len(without) != len(text) {
			fmt.Fprintf(env.Stderr, "Note: the code leaves out %s, which only this wg-quick knows (--keep-extensions keeps them).\n", strings.Join(config.ExtensionKeys, ", "))
			text = without
		}
	}
	code, err := qr.Encode(text)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(env.Stderr, "Warning: this QR code holds the private key of `%s'; anyone who sees it can use the tunnel.\n", path)
	if *png != "" {
		img, err := code.PNG(*size)
		if err != nil {
			return err
		}
		// A new 0600 file that only then takes the name: never through a
		// symlink planted at FILE, never into a file someone else made
		// there (who could read the key from it).
		return atomicfile.Write(*png, img)
	}
	return code.WriteTerminal(env.Stdout, *ascii || !utf8Locale(env))
}

// readConfig reads the config an operand names: - is standard input, a
// name or path is looked up as wg-quick does.
func readConfig(env *cli.Env, operand string) (path string, text []byte, err error) {
	if operand == "-" {
		text, err = io.ReadAll(env.Stdin)
		return "(standard input)", text, err
	}
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return "", nil, err
	}
	text, err = os.ReadFile(src.Path)
	return src.Path, text, err
}
