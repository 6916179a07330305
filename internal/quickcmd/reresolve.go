package quickcmd

import (
	"fmt"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
)

const reresolveHelp = `Usage: wg-quick reresolve { INTERFACE | all }

Looks up again the host names of the peers' Endpoint values of a tunnel
wg-quick brought up (or of all of them), once, and sets a peer's new
address when its name now resolves elsewhere. Only peers whose latest
handshake is older than 135 seconds (or that never had one) are looked
up, and only when their endpoint is still the one wg-quick set: one set
by hand with ` + "`wg set'" + ` is left alone. The embedded tunnel and
` + "`up --foreground'" + ` do this by themselves every 10 seconds; this is for
kernel interfaces, from a timer (wg-quick-reresolve@.timer).
`

// reresolveCmd is `wg-quick reresolve { INTERFACE | all }`.
func reresolveCmd(env *cli.Env, prog string, args []string) error {
	pos, err := parseFlags(env, newFlagSet("reresolve"), reresolveHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "all" && !config.ValidInterfaceName(pos[0]) {
		fmt.Fprint(env.Stderr, reresolveHelp)
		return &cli.Silent{}
	}
	return reresolveOnce(env, prog, pos[0])
}
