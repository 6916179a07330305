package quickcmd

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/netcfg"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/resolve"
	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// upDown runs `wg-quick up|down CONFIG`.
func upDown(env *cli.Env, prog, action, operand string) error {
	if os.Geteuid() != 0 {
		return cli.Fail(prog + ": must be run as root")
	}
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return cli.Fail(prog + ": " + err.Error())
	}
	f, err := os.Open(src.Path)
	if err != nil {
		return cli.Fail(fmt.Sprintf("%s: %v", prog, err))
	}
	q, err := config.ParseQuick(f)
	f.Close()
	if err != nil {
		return cli.Fail(prog + ": " + lineMessage(src.Path, err))
	}
	opts := &config.Options{
		Resolver:  resolve.System(),
		Warn:      func(msg string) { fmt.Fprintln(env.Stderr, msg) },
		LookupEnv: env.LookupEnv,
	}
	wgcfg, err := opts.ParseLines(q.WG)
	if err != nil {
		return cli.Fail(prog + ": " + lineMessage(src.Path, err))
	}
	c, _ := wgctl.Open()
	defer c.Close()
	e := &quick.Env{
		Host:          &netcfg.Linux{Log: env.Stderr},
		Devices:       c,
		Log:           env.Stderr,
		Opts:          opts,
		Path:          src.Path,
		UserspaceName: "wireguard-go",
		RunHook: func(cmd string) error {
			h := exec.Command("bash", "-c", cmd)
			h.Stdin, h.Stdout, h.Stderr = os.Stdin, env.Stdout, env.Stderr
			return h.Run()
		},
	}
	if _, err := os.Stat("/sys/module/wireguard"); err == nil {
		e.KernelModule = true
	}
	if impl := env.Getenv("WG_QUICK_USERSPACE_IMPLEMENTATION"); impl != "" {
		e.UserspaceName = impl
		e.Userspace = func(name string) error {
			cmd := exec.Command(impl, name)
			cmd.Stdout, cmd.Stderr = env.Stderr, env.Stderr
			return cmd.Run()
		}
	} else {
		e.Userspace = func(name string) error {
			devnull, _ := os.Open(os.DevNull)
			defer devnull.Close()
			_, err := tunnel.Start(name, 0, tunnel.LogError, devnull)
			return err
		}
	}
	if action == "down" {
		err = quick.Down(e, src.Interface, q)
	} else {
		var allowed []netip.Prefix
		for _, p := range wgcfg.Peers {
			for _, a := range p.AllowedIPs {
				allowed = append(allowed, a.Prefix)
			}
		}
		if msg := quick.Unsupported(q, allowed); msg != "" {
			return cli.Fail(prog + ": " + msg)
		}
		err = quick.Up(e, src.Interface, q, wgcfg)
	}
	if err != nil {
		return cli.Fail(prog + ": " + err.Error())
	}
	return nil
}

// lineMessage formats a config error as FILE:LINE: message.
func lineMessage(path string, err error) string {
	var e *config.Error
	if errors.As(err, &e) && e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", path, e.Line, e.Msg)
	}
	return err.Error()
}
