package wgcmd

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/errno"
	"github.com/wgtools/wgtools/internal/show"
	"github.com/wgtools/wgtools/internal/wgctl"
)

func showUsage(env *cli.Env, sub string) string {
	return fmt.Sprintf("Usage: %s %s { <interface> | all | interfaces } [%s]\n", env.Prog, sub, strings.Join(show.Fields, " | "))
}

// prettyOptions reads WG_COLOR_MODE and WG_HIDE_KEYS as wg does: colour is
// "always", "never", or otherwise whether stdout is a terminal; keys show
// only for exactly "never".
func prettyOptions(env *cli.Env) show.Options {
	color := cli.IsTerminal(env.Stdout)
	switch env.Getenv("WG_COLOR_MODE") {
	case "always":
		color = true
	case "never":
		color = false
	}
	return show.Options{Now: time.Now(), Color: color, ShowKeys: env.Getenv("WG_HIDE_KEYS") == "never"}
}

// runShow is `wg show`; `json` is an extra field that prints one JSON
// document.
func runShow(env *cli.Env, args []string) error {
	a := args[1:]
	if len(a) > 2 {
		io.WriteString(env.Stderr, showUsage(env, args[0]))
		return &cli.Silent{}
	}
	c, _ := wgctl.Open()
	defer c.Close()
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	defer out.Flush()
	opts := prettyOptions(env)

	switch {
	case len(a) == 0 || a[0] == "all":
		return showAll(env, c, out, a, args[0], opts)
	case a[0] == "interfaces":
		if len(a) > 1 {
			io.WriteString(env.Stderr, showUsage(env, args[0]))
			return &cli.Silent{}
		}
		names, err := c.Interfaces()
		if err != nil {
			return cli.Fail("Unable to list interfaces: " + errno.Text(err))
		}
		if len(names) > 0 {
			fmt.Fprintln(out, strings.Join(names, " "))
		}
		return nil
	case len(a) == 1 && (a[0] == "-h" || a[0] == "--help" || a[0] == "help"):
		io.WriteString(env.Stderr, showUsage(env, args[0]))
		return nil
	}
	d, err := c.Device(a[0])
	if err != nil {
		return cli.Fail("Unable to access interface: " + errno.Text(err))
	}
	if len(a) == 1 {
		return show.Pretty(out, d, opts)
	}
	if a[1] == "json" {
		return show.JSON(out, []*config.Device{d}, opts.ShowKeys)
	}
	if err := show.Field(out, d, a[1], false); err != nil {
		out.Flush()
		fmt.Fprintf(env.Stderr, "Invalid parameter: `%s'\n%s", a[1], showUsage(env, args[0]))
		return &cli.Silent{}
	}
	return nil
}

// showAll is `wg show [all [FIELD]]`: a device that cannot be read is
// reported and skipped; the result fails only when every device failed or
// the field is invalid.
func showAll(env *cli.Env, c *wgctl.Client, out *bufio.Writer, a []string, sub string, opts show.Options) error {
	names, err := c.Interfaces()
	if err != nil {
		return cli.Fail("Unable to list interfaces: " + errno.Text(err))
	}
	failed := len(names) > 0
	var devs []*config.Device
	for i, name := range names {
		d, err := c.Device(name)
		if err != nil {
			out.Flush()
			fmt.Fprintf(env.Stderr, "Unable to access interface %s: %s\n", name, errno.Text(err))
			continue
		}
		switch {
		case len(a) == 2 && a[1] == "json":
			devs = append(devs, d)
		case len(a) == 2:
			if err := show.Field(out, d, a[1], true); err != nil {
				out.Flush()
				fmt.Fprintf(env.Stderr, "Invalid parameter: `%s'\n%s", a[1], showUsage(env, sub))
				return &cli.Silent{}
			}
		default:
			show.Pretty(out, d, opts)
			if i < len(names)-1 {
				out.WriteString("\n")
			}
		}
		failed = false
	}
	if len(a) == 2 && a[1] == "json" {
		if err := show.JSON(out, devs, opts.ShowKeys); err != nil {
			return err
		}
	}
	if failed {
		return &cli.Silent{}
	}
	return nil
}

// runShowConf is `wg showconf`.
func runShowConf(env *cli.Env, args []string) error {
	if len(args) != 2 {
		return cli.Fail(fmt.Sprintf("Usage: %s %s <interface>", env.Prog, args[0]))
	}
	c, _ := wgctl.Open()
	defer c.Close()
	d, err := c.Device(args[1])
	if err != nil {
		return cli.Fail("Unable to access interface: " + errno.Text(err))
	}
	out := bufio.NewWriterSize(env.Stdout, 64<<10)
	defer out.Flush()
	return show.ShowConf(out, d)
}
