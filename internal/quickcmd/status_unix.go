//go:build unix

package quickcmd

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// statusCmd is `wg-quick status [INTERFACE] [--json]`. It needs no root
// where the state directory is readable; where it is not, Run re-runs it
// through sudo (the error is a permission error).
func statusCmd(env *cli.Env, args []string) error {
	fs := newFlagSet("status")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(env, fs, statusHelp, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		fmt.Fprintf(env.Stderr, "%s", statusHelp)
		return &cli.Silent{}
	}
	dir := quick.Dir(stateDir())
	names, err := dir.List()
	if err != nil {
		return fmt.Errorf("read the state directory: %w", err)
	}
	if len(pos) == 1 {
		name := pos[0]
		if !config.ValidInterfaceName(name) {
			return fmt.Errorf("`%s' is not a valid interface name", config.Excerpt(name))
		}
		st, err := dir.Load(name)
		if err != nil {
			return err
		}
		if st == nil {
			return fmt.Errorf("`%s' is not a tunnel wg-quick brought up (no state in %s)", name, dir)
		}
		names = []string{name}
	}
	c, _ := wgctl.Open()
	defer c.Close()
	now := time.Now()
	var ts []*tunnelStatus
	for _, name := range names {
		st, err := dir.Load(name)
		if err != nil {
			return err
		}
		if st == nil {
			continue // taken down meanwhile
		}
		ts = append(ts, tunnelOf(c, st, now, dir.Modified(name)))
	}
	return statusResult(env, ts, *asJSON, now)
}

// tunnelOf is the status of one tunnel: the state, then the system's and
// the device's view of it.
func tunnelOf(c *wgctl.Client, st *quick.State, now, upSince time.Time) *tunnelStatus {
	t := &tunnelStatus{
		Interface: st.Interface,
		Real:      st.Real,
		Health:    healthHealthy,
		Runs:      runs{Kind: "unknown"},
		Installed: installed{Addresses: []string{}, Routes: []string{}, Rules: []string{}, Firewall: []string{}},
		Peers:     []peerStatus{},
	}
	if t.Real == "" {
		t.Real = st.Interface
	}
	if st.Config != "" {
		path := st.Config
		t.Config = &path
	}
	platformRuns(st, t)
	ifc, err := net.InterfaceByName(t.Real)
	if err != nil {
		t.setHealth(healthDead, fmt.Sprintf("interface %s is gone while its state is left; `wg-quick down %s' removes the rest", t.Real, st.Interface))
		return t
	}
	if t.Runs.Kind != "kernel" && !tunnel.Running(t.Real) {
		t.setHealth(healthDead, fmt.Sprintf("the userspace tunnel of %s does not answer", t.Real))
	}
	if addrs, err := ifc.Addrs(); err == nil {
		var ps []netip.Prefix
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ip, _ := netip.AddrFromSlice(n.IP)
				ones, _ := n.Mask.Size()
				ps = append(ps, netip.PrefixFrom(ip.Unmap(), ones))
			}
		}
		t.Installed.Addresses = prefixTexts(ps)
	}
	platformInstalled(st, t)
	if t.Health == healthDead {
		return t
	}
	d, err := c.Device(t.Real)
	if err != nil {
		t.setHealth(healthDead, fmt.Sprintf("reading %s: %v", t.Real, err))
		return t
	}
	t.setPeers(d, now, upSince)
	return t
}

// statusHelp is `wg-quick status --help`.
const statusHelp = `Usage: wg-quick status [ INTERFACE ] [ --json ]

Shows the tunnels wg-quick brought up (from its state files), or only
INTERFACE's: the config file, how the interface runs, its DNS backend,
what up installed (addresses, routes, rules, firewall tables) and, per
peer, the latest handshake, transfer and endpoint, with a health.

A peer is stale when its latest handshake (or, without one, the tunnel's
up) is older than 180 seconds while it has traffic or a persistent
keepalive. A tunnel is dead when its interface or its tunnel process is
gone while its state is still there (wg-quick down cleans up).

  --json   one JSON document (docs/wg-quick-status.schema.json)

Exit status: 0 when every tunnel is healthy, 3 when one is stale or
dead, 1 on errors.
`

// prefixTexts writes addresses as `ip addr` does, link-local IPv6 left
// out (the system's, not up's).
func prefixTexts(ps []netip.Prefix) []string {
	out := []string{}
	for _, p := range ps {
		if p.Addr().Is6() && p.Addr().IsLinkLocalUnicast() {
			continue
		}
		out = append(out, p.String())
	}
	return out
}
