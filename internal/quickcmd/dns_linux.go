package quickcmd

import (
	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/dns"
)

// dnsBackends connects the engine to the DNS backends: resolvconf, else
// systemd-resolved, else /etc/resolv.conf directly.
// dnsBackends are the DNS backends; only, when set, is the one to use
// (the direct one for another namespace's /etc/netns/NAME/resolv.conf).
type dnsBackends struct {
	env  *dns.Env
	only string
}

func newDNS(env *cli.Env) *dnsBackends {
	return &dnsBackends{env: &dns.Env{Log: env.Stderr, StateDir: stateDir()}}
}

// backend is the recorded backend, or the one this host would pick.
func (d *dnsBackends) backend(name string) dns.Backend {
	if name != "" {
		return dns.ByName(d.env, name)
	}
	if d.only != "" {
		return dns.ByName(d.env, d.only)
	}
	b, _ := dns.Pick(d.env)
	return b
}

func (d *dnsBackends) Set(ifname string, servers, search []string) (string, error) {
	b := d.backend("")
	if err := b.Set(ifname, dns.Config{Servers: servers, Search: search}); err != nil {
		return "", err
	}
	return b.Name(), nil
}

func (d *dnsBackends) Unset(ifname, backend string) error {
	return d.backend(backend).Unset(ifname)
}

func (d *dnsBackends) SetWith(ifname, backend string, servers, search []string) error {
	return d.backend(backend).Set(ifname, dns.Config{Servers: servers, Search: search})
}

func (d *dnsBackends) Servers(ifname, backend string) ([]string, error) {
	return d.backend(backend).Servers(ifname)
}
