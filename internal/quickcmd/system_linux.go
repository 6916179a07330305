package quickcmd

import (
	"os"
	"os/exec"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/netcfg"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/linux"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// systemBuilt: Linux has its platform.
const systemBuilt = true

// newSystem wires Linux's platform: netlink, nftables, the DNS backends,
// the devices, and the kernel module or else the embedded tunnel (or
// $WG_QUICK_USERSPACE_IMPLEMENTATION, as upstream).
func newSystem(env *cli.Env, c *wgctl.Client, t tunnels) (*system, error) {
	dns := newDNS(env)
	p := &linux.Platform{
		Sys:           &netcfg.Linux{Log: env.Stderr},
		Devices:       c,
		Firewall:      &firewall.Firewall{Log: env.Stderr},
		DNS:           dns,
		TableID:       netcfg.TableID,
		UserspaceName: "wireguard-go",
		Userspace:     func(name string) error { _, err := t.start(name); return err },
		UserspaceGone: t.gone,
		Log:           env.Stderr,
	}
	if _, err := os.Stat("/sys/module/wireguard"); err == nil {
		p.KernelModule = true
	}
	if impl := env.Getenv("WG_QUICK_USERSPACE_IMPLEMENTATION"); impl != "" {
		p.UserspaceName = impl
		p.Userspace = func(name string) error {
			cmd := exec.Command(impl, name)
			cmd.Stdout, cmd.Stderr = env.Stderr, env.Stderr
			return cmd.Run()
		}
		p.UserspaceGone = userspaceGone
	}
	return &system{
		platform: p,
		states:   quick.Dir(stateDir()),
		temps:    dns.env.RemoveTemps,
	}, nil
}
