// Package app is the program's entry: it picks the personality (wg, wg-quick
// or the wireguard-go daemon) from argv[0], runs it, and is the one place
// that prints errors and turns them into exit codes.
package app

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/daemon"
	"github.com/wgtools/wgtools/internal/quickcmd"
	"github.com/wgtools/wgtools/internal/wgcmd"
)

// The daemon re-resolves the endpoint names of the tunnel it serves, as
// wg-quick does in the foreground.
func init() { daemon.Alongside = quickcmd.KeepResolved }

// personality runs one of the suite's programs.
type personality func(env *cli.Env, args []string) error

// lookup returns the personality of a program name.
func lookup(name string) (personality, bool) {
	switch name {
	case "wg":
		return wgcmd.Run, true
	case "wg-quick":
		return quickcmd.Run, true
	case "wireguard-go":
		return daemon.Run, true
	}
	return nil, false
}

// Main runs the program named by args[0] (falling back to def) and returns
// its exit code.
func Main(args []string, def string) int {
	prog := def
	if len(args) > 0 {
		prog = args[0]
	}
	name := programName(prog, def)
	run, _ := lookup(name)
	if name != "wireguard-go" {
		// A command runs for milliseconds: collecting garbage costs more
		// than it saves, so the collector only runs near the soft limit.
		// The daemon keeps the default; anything else that stays running
		// (wg-quick up --foreground) must restore it.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(512 << 20)
	}
	env := cli.ProcessEnv(prog, cli.Random)
	return Exit(env, run(env, args[min(1, len(args)):]))
}

// programName is the program a binary run as prog is: its base name
// (wg-quick.exe too, as Windows runs programs by that name), or def for a
// name that is none of ours.
func programName(prog, def string) string {
	name := strings.TrimSuffix(filepath.Base(prog), ".exe")
	if _, ok := lookup(name); ok {
		return name
	}
	return def
}

// Exit prints err, if any, and returns the exit code it stands for.
func Exit(env *cli.Env, err error) int {
	if err == nil {
		return 0
	}
	var silent *cli.Silent
	if errors.As(err, &silent) {
		return code(silent.Code)
	}
	var e *cli.Error
	if errors.As(err, &e) {
		fmt.Fprintln(env.Stderr, e.Msg)
		return code(e.Code)
	}
	fmt.Fprintf(env.Stderr, "%s: %v\n", filepath.Base(env.Prog), err)
	return 1
}

func code(c int) int {
	if c == 0 {
		return 1
	}
	return c
}
