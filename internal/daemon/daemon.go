// Package daemon is the `wireguard-go` personality: a drop-in for the
// command line of upstream's userspace daemon, running the embedded tunnel.
package daemon

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/version"
)

// Alongside, when set, runs beside the tunnel this process serves until
// the tunnel ends (the process exits then): app sets it to wg-quick's
// endpoint re-resolution, which this package cannot import.
var Alongside func(ctx context.Context, env *cli.Env, name string)

// NetnsGone, when set, is called as a tunnel whose interface lives in the
// network namespace at netns starts; the function it returns is called
// when that namespace was deleted (see watchNetns), just before the tunnel
// ends: app sets it to wg-quick's, which forgets the tunnel's state there.
var NetnsGone func(netns, name string) func()

// netnsWatch is how often a tunnel in another namespace looks whether it
// was deleted.
const netnsWatch = time.Second

// Run runs `wireguard-go [-f|--foreground] INTERFACE-NAME`.
func Run(env *cli.Env, args []string) error {
	if len(args) == 1 && args[0] == "--version" {
		fmt.Fprintf(env.Stdout, "wireguard-go v%s (wgtools v%s)\n\nUserspace WireGuard daemon for %s-%s.\nInformation available at https://www.wireguard.com.\nCopyright (C) Jason A. Donenfeld <Jason@zx2c4.com>.\n",
			moduleVersion(), version.String(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
	foregroundEnv := env.Getenv("WG_PROCESS_FOREGROUND") == "1"
	if !foregroundEnv {
		kernelNotice(env.Stderr)
	}
	var name string
	foreground := foregroundEnv
	switch {
	case len(args) == 2 && (args[0] == "-f" || args[0] == "--foreground"):
		foreground, name = true, args[1]
	case len(args) == 1 && !strings.HasPrefix(args[0], "-"):
		name = args[0]
	default:
		// Also -h, --help and other dashed words, which upstream would take
		// as the name of a new interface.
		// Upstream prints its usage to stdout and exits 0.
		fmt.Fprintf(env.Stdout, "Usage: %s [-f/--foreground] INTERFACE-NAME\n", env.Prog)
		return nil
	}
	level := logLevel(env.Getenv("LOG_LEVEL"))

	if !foreground {
		logTo, _ := os.Open(os.DevNull)
		if env.Getenv("LOG_LEVEL") != "" && level != tunnel.LogSilent {
			logTo = os.Stdout
		}
		real, err := tunnel.Start(name, 0, level, logTo)
		if err != nil {
			return cli.Fail(fmt.Sprintf("ERROR: (%s) %v", name, err))
		}
		writeNameFile(env, real)
		return nil
	}

	t, err := open(env, name, level)
	if err != nil {
		return cli.Fail(fmt.Sprintf("ERROR: (%s) %v", name, err))
	}
	writeNameFile(env, t.Name())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if Alongside != nil {
		go Alongside(ctx, env, t.Name())
	}
	if netns := env.Getenv(tunnel.NetnsEnv); netns != "" {
		forget := func() {}
		if NetnsGone != nil {
			forget = NetnsGone(netns, t.Name())
		}
		var end context.CancelFunc
		ctx, end = context.WithCancel(ctx)
		defer end()
		go watchNetns(ctx, netns, netnsWatch, func() { forget(); end() })
	}
	err = t.Run(ctx)
	if f := env.Getenv("WG_TUN_NAME_FILE"); f != "" {
		os.Remove(f)
	}
	return err
}

// open adopts the files a parent handed over, or creates new ones.
func open(env *cli.Env, name string, level int) (*tunnel.Tunnel, error) {
	fdFile := func(key string) (*os.File, error) {
		s := env.Getenv(key)
		if s == "" {
			return nil, nil
		}
		fd, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if key == "WG_TUN_FD" {
			if err := setNonblock(uintptr(fd)); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		}
		return os.NewFile(uintptr(fd), key), nil
	}
	tunFile, err := fdFile("WG_TUN_FD")
	if err != nil {
		return nil, err
	}
	uapiFile, err := fdFile("WG_UAPI_FD")
	if err != nil {
		return nil, err
	}
	if tunFile != nil {
		netns := env.Getenv(tunnel.NetnsEnv)
		if netns == "" {
			return tunnel.FromFiles(name, tunFile, uapiFile, level)
		}
		// The interface lives in another namespace: adopt it there (the
		// TUN library asks the kernel about it by name), and open the UDP
		// socket here, later, as the device comes up.
		var t *tunnel.Tunnel
		err := tunnel.InNetns(netns, func() (err error) {
			t, err = tunnel.FromFiles(name, tunFile, uapiFile, level)
			return err
		})
		return t, err
	}
	return tunnel.Open(name, 0, level)
}

func logLevel(s string) int {
	switch s {
	case "verbose", "debug":
		return tunnel.LogVerbose
	case "silent":
		return tunnel.LogSilent
	}
	return tunnel.LogError
}

// writeNameFile records the interface's real name where WG_TUN_NAME_FILE
// asks (macOS's utun names differ from the requested one).
func writeNameFile(env *cli.Env, name string) {
	if f := env.Getenv("WG_TUN_NAME_FILE"); f != "" {
		os.WriteFile(f, []byte(name+"\n"), 0o600)
	}
}

// kernelNotice is upstream's banner, shown only where the kernel really has
// WireGuard (upstream shows it on every Linux).
func kernelNotice(w io.Writer) {
	if _, err := os.Stat("/sys/module/wireguard"); err != nil {
		return
	}
	fmt.Fprint(w, "┌──────────────────────────────────────────────────────┐\n"+
		"│                                                      │\n"+
		"│   Running wireguard-go is not required because this  │\n"+
		"│   kernel has first class support for WireGuard. For  │\n"+
		"│   information on installing the kernel module,       │\n"+
		"│   please visit:                                      │\n"+
		"│         https://www.wireguard.com/install/           │\n"+
		"│                                                      │\n"+
		"└──────────────────────────────────────────────────────┘\n")
}

// moduleVersion is the embedded wireguard-go's module version.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "golang.zx2c4.com/wireguard" {
				return d.Version[1:]
			}
		}
	}
	return "unknown"
}
