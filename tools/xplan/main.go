// Command xplan runs our wg-quick for another operating system on a
// simulated machine described by a facts file of upstream's reference
// simulator (../shared/xplat), and prints the same transcript format, so
// that any scenario can be held against upstream's with a plain diff:
//
//	go run ./tools/xplan OS up|down|updown CONFIG_FILE FACTS_FILE [--events EVENTS_FILE] [--state] [--kill-switch]
//
// --kill-switch runs `up --kill-switch` (our extension, which upstream's
// scripts do not have: its pfctl lines are declared differences).
//
// OS is darwin. The config's base name names the interface, as in the
// simulator.
package main

import (
	"fmt"
	"os"

	"github.com/wgtools/wgtools/internal/xplan"
)

func main() {
	o, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "usage: xplan OS up|down|updown CONFIG_FILE FACTS_FILE [--events EVENTS_FILE] [--state] [--kill-switch]")
		fmt.Fprintln(os.Stderr, "xplan:", err)
		os.Exit(2)
	}
	if err := xplan.Run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "xplan:", err)
		os.Exit(3)
	}
}

func parseArgs(args []string) (xplan.Options, error) {
	var o xplan.Options
	var pos []string
	for i := 0; i < len(args); i++ {
		if args[i] == "--events" && i+1 < len(args) {
			o.Events = args[i+1]
			i++
			continue
		}
		if args[i] == "--state" {
			o.State = true
			continue
		}
		if args[i] == "--kill-switch" {
			o.KillSwitch = true
			continue
		}
		pos = append(pos, args[i])
	}
	if len(pos) != 4 {
		return o, fmt.Errorf("want OS, a mode, a config file and a facts file")
	}
	o.OS, o.Mode, o.Config, o.Facts = pos[0], pos[1], pos[2], pos[3]
	return o, nil
}
