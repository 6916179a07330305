package quickcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/show"
)

// staleAfter is how old a latest handshake may be before an active peer
// is stale: 180 s, upstream's REJECT_AFTER_TIME; tests shorten it.
var staleAfter = 180 * time.Second

// TestOnlyStaleAfter sets how old a handshake may be before a peer is
// stale, so that a test need not wait 180 s. Only a test binary's TestMain
// calls it.
func TestOnlyStaleAfter(d time.Duration) { staleAfter = d }

// The health of a tunnel and of the status as a whole.
const (
	healthHealthy = "healthy"
	healthStale   = "stale"
	healthDead    = "dead"
)

// The health of a peer.
const (
	peerOK      = "ok"      // a handshake within staleAfter
	peerIdle    = "idle"    // no traffic and no keepalive: nothing expected
	peerWaiting = "waiting" // no handshake yet, up for less than staleAfter
	peerStale   = "stale"
)

// statusDoc is the JSON document of `wg-quick status --json`, described by
// docs/wg-quick-status.schema.json. Members are never left out: null
// stands for unknown or none.
type statusDoc struct {
	Health  string          `json:"health"`
	Tunnels []*tunnelStatus `json:"tunnels"`
}

// tunnelStatus is one tunnel of the status.
type tunnelStatus struct {
	Interface string  `json:"interface"`
	Real      string  `json:"real"`
	Config    *string `json:"config"`
	Health    string  `json:"health"`
	// Reason says why the tunnel is not healthy (null when it is).
	Reason     *string      `json:"reason"`
	Runs       runs         `json:"runs"`
	DNS        *dnsStatus   `json:"dns"`
	Installed  installed    `json:"installed"`
	ListenPort *int         `json:"listenPort"`
	PublicKey  *string      `json:"publicKey"`
	Peers      []peerStatus `json:"peers"`
}

// runs is how the interface runs.
type runs struct {
	// Kind is kernel, embedded (our tunnel: a wireguard-go daemon or
	// wg-quick up --foreground), userspace (another implementation) or
	// unknown.
	Kind    string  `json:"kind"`
	Program *string `json:"program"`
	PID     *int    `json:"pid"`
}

type dnsStatus struct {
	Backend string   `json:"backend"`
	Servers []string `json:"servers"`
}

// installed is what up put on the host that is there now.
type installed struct {
	Addresses []string `json:"addresses"`
	Routes    []string `json:"routes"`
	Rules     []string `json:"rules"`
	Firewall  []string `json:"firewall"`
}

type peerStatus struct {
	PublicKey  string   `json:"publicKey"`
	Endpoint   *string  `json:"endpoint"`
	AllowedIPs []string `json:"allowedIps"`
	// LatestHandshake is in Unix seconds; HandshakeAge in seconds before
	// now. Both are null when there was none.
	LatestHandshake     *int64 `json:"latestHandshake"`
	HandshakeAge        *int64 `json:"handshakeAge"`
	TransferRx          uint64 `json:"transferRx"`
	TransferTx          uint64 `json:"transferTx"`
	PersistentKeepalive *int   `json:"persistentKeepalive"`
	Health              string `json:"health"`
}

// peerHealth is the rule: a peer with traffic or a persistent keepalive
// whose latest handshake, or without one the tunnel's up (upSince; zero
// when unknown), is more than after before now is stale.
func peerHealth(p *config.DevicePeer, now, upSince time.Time, after time.Duration) string {
	if p.RxBytes == 0 && p.TxBytes == 0 && p.PersistentKeepalive == 0 {
		return peerIdle
	}
	if p.LastHandshakeSec == 0 && p.LastHandshakeNsec == 0 {
		if !upSince.IsZero() && now.Sub(upSince) <= after {
			return peerWaiting
		}
		return peerStale
	}
	if now.Sub(time.Unix(p.LastHandshakeSec, p.LastHandshakeNsec)) > after {
		return peerStale
	}
	return peerOK
}

// setPeers fills t's peers from the device and judges the tunnel by them.
func (t *tunnelStatus) setPeers(d *config.Device, now, upSince time.Time) {
	if d.ListenPort != 0 {
		port := d.ListenPort
		t.ListenPort = &port
	}
	if d.HasPrivateKey() {
		pub := config.FormatKey(d.PublicKey)
		t.PublicKey = &pub
	}
	var stale []string
	for i := range d.Peers {
		p := &d.Peers[i]
		ps := peerStatus{
			PublicKey:  config.FormatKey(p.PublicKey),
			AllowedIPs: []string{},
			TransferRx: p.RxBytes,
			TransferTx: p.TxBytes,
			Health:     peerHealth(p, now, upSince, staleAfter),
		}
		if p.Endpoint.IsValid() {
			ep := config.FormatEndpoint(p.Endpoint)
			ps.Endpoint = &ep
		}
		for _, a := range p.AllowedIPs {
			ps.AllowedIPs = append(ps.AllowedIPs, string(config.AppendPrefix(nil, a)))
		}
		if p.LastHandshakeSec != 0 {
			hs, age := p.LastHandshakeSec, max(0, now.Unix()-p.LastHandshakeSec)
			ps.LatestHandshake, ps.HandshakeAge = &hs, &age
		}
		if p.PersistentKeepalive != 0 {
			ka := p.PersistentKeepalive
			ps.PersistentKeepalive = &ka
		}
		if ps.Health == peerStale {
			stale = append(stale, ps.PublicKey)
		}
		t.Peers = append(t.Peers, ps)
	}
	if len(stale) > 0 {
		t.setHealth(healthStale, fmt.Sprintf("no handshake for over %v with %s", staleAfter, strings.Join(stale, ", ")))
	}
}

// setHealth marks the tunnel unhealthy for a reason (the first one given
// stays).
func (t *tunnelStatus) setHealth(h, reason string) {
	if t.Reason != nil {
		return
	}
	t.Health, t.Reason = h, &reason
}

// overall is the worst health of the tunnels.
func overall(ts []*tunnelStatus) string {
	h := healthHealthy
	for _, t := range ts {
		if t.Health == healthDead {
			return healthDead
		}
		if t.Health == healthStale {
			h = healthStale
		}
	}
	return h
}

// statusResult prints the status and turns its health into the exit
// status: 3 (silently) unless every tunnel is healthy.
func statusResult(env *cli.Env, ts []*tunnelStatus, asJSON bool, now time.Time) error {
	var err error
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(statusDoc{Health: overall(ts), Tunnels: append([]*tunnelStatus{}, ts...)})
	} else {
		err = statusText(env.Stdout, ts, now)
	}
	if err != nil {
		return err
	}
	if overall(ts) != healthHealthy {
		return &cli.Silent{Code: 3}
	}
	return nil
}

// statusText writes one block per tunnel in the manner of wg show: the
// tunnel's lines, then a block per peer, blank lines between.
func statusText(w io.Writer, ts []*tunnelStatus, now time.Time) error {
	var b strings.Builder
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %s: %s\n", label, value)
		}
	}
	for i, t := range ts {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString("tunnel: " + t.Interface)
		if t.Real != t.Interface {
			b.WriteString(" (" + t.Real + ")")
		}
		b.WriteString("\n")
		health := t.Health
		if t.Reason != nil {
			health += " (" + *t.Reason + ")"
		}
		line("health", health)
		if t.Config != nil {
			line("config", *t.Config)
		}
		line("runs", t.Runs.text())
		if t.DNS != nil {
			line("dns", strings.TrimSpace(t.DNS.Backend+" "+strings.Join(t.DNS.Servers, ", ")))
		}
		line("addresses", strings.Join(t.Installed.Addresses, ", "))
		line("routes", strings.Join(t.Installed.Routes, ", "))
		line("rules", strings.Join(t.Installed.Rules, ", "))
		line("firewall", strings.Join(t.Installed.Firewall, ", "))
		if t.ListenPort != nil {
			line("listening port", fmt.Sprint(*t.ListenPort))
		}
		for _, p := range t.Peers {
			b.WriteString("\npeer: " + p.PublicKey + "\n")
			line("health", p.Health)
			if p.Endpoint != nil {
				line("endpoint", *p.Endpoint)
			}
			line("allowed ips", strings.Join(p.AllowedIPs, ", "))
			if p.LatestHandshake != nil {
				line("latest handshake", show.Ago(*p.LatestHandshake, now))
			}
			if p.TransferRx != 0 || p.TransferTx != 0 {
				line("transfer", show.Bytes(p.TransferRx)+" received, "+show.Bytes(p.TransferTx)+" sent")
			}
			if p.PersistentKeepalive != nil {
				line("persistent keepalive", show.Every(*p.PersistentKeepalive))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r runs) text() string {
	s := r.Kind
	switch {
	case r.Kind == "embedded" && r.Program != nil && *r.Program == "wg-quick":
		s = "embedded tunnel in wg-quick up --foreground"
	case r.Kind == "embedded":
		s = "embedded tunnel"
	case r.Kind == "userspace" && r.Program != nil:
		s = "userspace, " + *r.Program
	}
	if r.PID != nil {
		s += fmt.Sprintf(", pid %d", *r.PID)
	}
	return s
}
