package quick

import (
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
)

// NamedEndpoint is a peer whose Endpoint the config gave as a host name,
// for re-resolving it while the tunnel is up (internal/reresolve).
type NamedEndpoint struct {
	// Peer is the peer's public key, in base64.
	Peer string `json:"peer"`
	// Name is the Endpoint value as the config wrote it ("host:port").
	Name string `json:"name"`
	// Set is the address `up` set, or the last re-resolution did.
	Set netip.AddrPort `json:"set"`
}

// NamedEndpoints lists the peers of the config whose Endpoint is a host
// name, with the address wg (its endpoints resolved) sets for each. Peers
// given as IP addresses have no entry.
func NamedEndpoints(q *config.QuickConfig, wg *config.Config) []NamedEndpoint {
	set := map[config.Key]netip.AddrPort{}
	for _, p := range wg.Peers {
		if p.Endpoint != nil {
			set[p.PublicKey] = *p.Endpoint
		}
	}
	last := map[config.Key]config.EndpointText{}
	var order []config.Key
	for _, e := range config.EndpointTexts(q.WG) {
		if _, seen := last[e.Peer]; !seen {
			order = append(order, e.Peer)
		}
		last[e.Peer] = e
	}
	var out []NamedEndpoint
	for _, k := range order {
		e := last[k]
		if ep, ok := set[k]; ok && !e.Literal {
			out = append(out, NamedEndpoint{Peer: config.FormatKey(k), Name: e.Text, Set: ep})
		}
	}
	return out
}
