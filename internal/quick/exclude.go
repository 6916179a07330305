package quick

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/ipset"
)

// ChangeExcluded is the change that records the prefixes kept out of the
// tunnel (ExcludedIPs and, with AllowLAN, the LAN found at up).
const ChangeExcluded = "excluded"

// Excluder is a Platform that keeps prefixes out of the tunnel
// (`ExcludedIPs`, `AllowLAN`, our extensions). The engine takes them out
// of the peers' allowed IPs; a policy-routed default route (which the
// engine leaves whole) the platform keeps them out of by itself, reading
// ChangeExcluded.
type Excluder interface {
	// LANPrefixes are the networks directly attached to the host's
	// interfaces other than real and loopback, and each one's interface.
	LANPrefixes(real string) ([]netip.Prefix, []string, error)
}

// RecordedExcluded are the prefixes up recorded as kept out of the
// tunnel.
func RecordedExcluded(j *Journal) []netip.Prefix {
	var out []netip.Prefix
	j.Get(ChangeExcluded, &out)
	return out
}

// excludedOf reads q's ExcludedIPs (an address alone is one host), and
// refuses them and AllowLAN where the platform cannot keep prefixes out.
func excludedOf(p Platform, q *config.QuickConfig) ([]netip.Prefix, error) {
	if len(q.ExcludedIPs) == 0 && !q.AllowLAN {
		return nil, nil
	}
	if _, ok := p.(Excluder); !ok {
		line, key := q.AllowLANLine, "AllowLAN"
		if len(q.ExcludedIPsLines) > 0 {
			line, key = q.ExcludedIPsLines[0], "ExcludedIPs"
		}
		return nil, &config.Error{Line: line, Key: key, Msg: key + " is not built for this system yet"}
	}
	out := make([]netip.Prefix, len(q.ExcludedIPs))
	for i, s := range q.ExcludedIPs {
		pr, err := config.ParseAddress(s)
		if err != nil {
			return nil, &config.Error{Line: q.ExcludedIPsLines[i], Key: "ExcludedIPs", Msg: strings.Replace(err.Error(), "address", "excluded prefix", 1)}
		}
		out[i] = pr.Masked()
	}
	return out, nil
}

// excluded works out what up keeps out of the tunnel: ExcludedIPs and,
// with AllowLAN, the networks of the host's other interfaces (logged).
func (e *Env) excluded(q *config.QuickConfig, real string) ([]netip.Prefix, error) {
	out, err := excludedOf(e.Platform, q)
	if err != nil || !q.AllowLAN {
		return out, err
	}
	lan, devs, err := e.Platform.(Excluder).LANPrefixes(real)
	if err != nil {
		return nil, fmt.Errorf("AllowLAN: %w", err)
	}
	var list []string
	for i, pr := range lan {
		list = append(list, fmt.Sprintf("%s (%s)", pr, devs[i]))
	}
	if len(list) == 0 {
		list = append(list, "none")
	}
	e.logf("[#] # AllowLAN: %s", strings.Join(list, ", "))
	return append(out, lan...), nil
}

// withoutExcluded is wg with excluded taken out of every peer's allowed
// IPs, computed exactly (ipset.Exclude); a default route is left whole
// when keepDefault (the platform keeps the excluded prefixes out of it).
func withoutExcluded(wg *config.Config, excluded []netip.Prefix, keepDefault bool) *config.Config {
	if len(excluded) == 0 {
		return wg
	}
	c := *wg
	c.Peers = make([]config.Peer, len(wg.Peers))
	for i, p := range wg.Peers {
		var plain []netip.Prefix
		var kept []config.AllowedIP
		for _, a := range p.AllowedIPs {
			if a.Remove || (keepDefault && a.Prefix.Bits() == 0) {
				kept = append(kept, a)
			} else {
				plain = append(plain, a.Prefix)
			}
		}
		for _, pr := range ipset.Exclude(plain, excluded) {
			kept = append(kept, config.AllowedIP{Prefix: pr})
		}
		p.AllowedIPs = kept
		c.Peers[i] = p
	}
	return &c
}
