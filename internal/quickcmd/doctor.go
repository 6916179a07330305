package quickcmd

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/doctor"
)

const doctorHelp = `Usage: wg-quick doctor [ CONFIG_FILE | INTERFACE ] [ --json ]

Checks, without changing anything, what would make wg-quick up fail or
the tunnel misbehave, one line per check with a fix for each problem:
the kernel module or the embedded tunnel's TUN device, privileges, IPv6,
the interface name, a read-only /proc/sys, the DNS backend, nf_tables
against iptables-legacy, a full tunnel leaving a family out, allowed IPs
overlapping routes or other tunnels, endpoints that do not resolve, the
path MTU to each endpoint, the listen port, the file's permissions.
Without a config, only the host's checks run.

Exit status: 0 no problem, 2 warnings only, 1 errors.

  --json   one JSON document (docs/wg-quick-doctor.schema.json)
`

// doctorCmd is `wg-quick doctor [CONFIG_FILE | INTERFACE] [--json]`.
func doctorCmd(env *cli.Env, args []string) error {
	fs := newFlagSet("doctor")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(env, fs, doctorHelp, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		fmt.Fprint(env.Stderr, doctorHelp)
		return &cli.Silent{}
	}
	e := &doctor.Env{Quick: &config.QuickConfig{}, WG: &config.Config{}}
	checks := doctor.ChecksFor(runtime.GOOS)
	if len(pos) == 1 {
		if e, err = doctorLoad(pos[0]); err != nil {
			return err
		}
	} else {
		checks = doctor.HostChecks(checks)
	}
	e.Probe = &doctor.System{}
	fs2 := doctor.Run(e, checks)
	if *asJSON {
		err = doctor.WriteJSON(env.Stdout, e, fs2)
	} else {
		err = doctor.Write(env.Stdout, fs2)
	}
	if err != nil {
		return err
	}
	if code := doctor.ExitCode(fs2); code != 0 {
		return &cli.Silent{Code: code}
	}
	return nil
}

// doctorLoad reads the config of an operand as wg-quick finds it, but
// also when its name is one wg-quick would refuse (the interface-name
// check then says why).
func doctorLoad(operand string) (*doctor.Env, error) {
	path, name := operand, operand
	if strings.Contains(operand, "/") || strings.HasSuffix(operand, ".conf") {
		name = strings.TrimSuffix(filepath.Base(operand), ".conf")
	} else {
		path = inConfigDirs(operand)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("`%s' does not exist", path)
	}
	defer f.Close()
	e, err := doctor.Load(name, path, f)
	if err != nil {
		return nil, inFile(path, err)
	}
	return e, nil
}
