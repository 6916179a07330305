package quickcmd

import (
	"errors"

	"github.com/wgtools/wgtools/internal/cli"
)

// dnsBackends is a placeholder until the DNS backends land.
type dnsBackends struct{}

func newDNS(*cli.Env) *dnsBackends { return &dnsBackends{} }

func (*dnsBackends) Set(string, []string, []string) (string, error) {
	return "", errors.New("DNS is not wired yet")
}
func (*dnsBackends) Unset(string, string) error               { return nil }
func (*dnsBackends) Servers(string, string) ([]string, error) { return nil, nil }
