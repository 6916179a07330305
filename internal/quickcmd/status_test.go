package quickcmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/schematest"
)

func TestPeerHealth(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ago := func(s int64) int64 { return now.Unix() - s }
	up := now.Add(-time.Hour)
	tests := []struct {
		name    string
		peer    config.DevicePeer
		upSince time.Time
		want    string
	}{
		{"fresh handshake, traffic", config.DevicePeer{LastHandshakeSec: ago(10), RxBytes: 1, TxBytes: 1}, up, peerOK},
		{"exactly 180 s", config.DevicePeer{LastHandshakeSec: ago(180), RxBytes: 1}, up, peerOK},
		{"181 s with traffic", config.DevicePeer{LastHandshakeSec: ago(181), TxBytes: 1}, up, peerStale},
		{"181 s with keepalive only", config.DevicePeer{LastHandshakeSec: ago(181), PersistentKeepalive: 25}, up, peerStale},
		{"old handshake, no traffic, no keepalive", config.DevicePeer{LastHandshakeSec: ago(3600)}, up, peerIdle},
		{"never, nothing expected", config.DevicePeer{}, up, peerIdle},
		{"never, keepalive, up long ago", config.DevicePeer{PersistentKeepalive: 25}, up, peerStale},
		{"never, traffic, just up", config.DevicePeer{TxBytes: 148}, now.Add(-5 * time.Second), peerWaiting},
		{"never, traffic, up time unknown", config.DevicePeer{TxBytes: 148}, time.Time{}, peerStale},
		{"handshake in the future (clock)", config.DevicePeer{LastHandshakeSec: ago(-30), RxBytes: 1}, up, peerOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, peerHealth(&tt.peer, now, tt.upSince, 180*time.Second)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// statusFixture is a healthy, a stale and a dead tunnel, as tunnelOf makes
// them from states and devices.
func statusFixture(now time.Time) []*tunnelStatus {
	mk := func(name string) *tunnelStatus {
		return &tunnelStatus{Interface: name, Real: name, Health: healthHealthy, Runs: runs{Kind: "kernel"},
			Installed: installed{Addresses: []string{}, Routes: []string{}, Rules: []string{}, Firewall: []string{}}, Peers: []peerStatus{}}
	}
	key := func(s string) config.Key { k, _ := config.ParseKey(s); return k }
	path, pid, prog := "/etc/wireguard/wg0.conf", 4242, "wireguard-go"
	a := mk("wg0")
	a.Config = &path
	a.Runs = runs{Kind: "embedded", Program: &prog, PID: &pid}
	a.DNS = &dnsStatus{Backend: "resolvconf", Servers: []string{"10.0.0.53"}}
	a.Installed = installed{Addresses: []string{"10.0.0.1/24", "fd00::1/64"}, Routes: []string{"0.0.0.0/0 table 51820", "::/0 table 51820"},
		Rules:    []string{"not fwmark 51820 table 51820 (IPv4)", "table main suppress_prefixlength 0 (IPv4)"},
		Firewall: []string{"wg-quick-wg0"}}
	a.setPeers(&config.Device{Name: "wg0", PrivateKey: key("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="), ListenPort: 51820, Peers: []config.DevicePeer{{
		PublicKey: key("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="), Endpoint: netip.MustParseAddrPort("192.168.241.2:51821"),
		AllowedIPs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}, LastHandshakeSec: now.Unix() - 65,
		RxBytes: 2048, TxBytes: 1536, PersistentKeepalive: 25,
	}}}, now, now.Add(-time.Hour))
	a.PublicKey = nil // private keys of the fixture are not the point
	b := mk("wg1")
	b.setPeers(&config.Device{Name: "wg1", Peers: []config.DevicePeer{{
		PublicKey: key("TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0="), AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.9.0.0/16")},
		LastHandshakeSec: now.Unix() - 600, RxBytes: 100, TxBytes: 200,
	}}}, now, now.Add(-time.Hour))
	c := mk("wg2")
	c.Runs = runs{Kind: "userspace"}
	c.setHealth(healthDead, "interface wg2 is gone while its state is left; `wg-quick down wg2' removes the rest")
	return []*tunnelStatus{a, b, c}
}

const statusGolden = `tunnel: wg0
  health: healthy
  config: /etc/wireguard/wg0.conf
  runs: embedded tunnel, pid 4242
  dns: resolvconf 10.0.0.53
  addresses: 10.0.0.1/24, fd00::1/64
  routes: 0.0.0.0/0 table 51820, ::/0 table 51820
  rules: not fwmark 51820 table 51820 (IPv4), table main suppress_prefixlength 0 (IPv4)
  firewall: wg-quick-wg0
  listening port: 51820

peer: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
  health: ok
  endpoint: 192.168.241.2:51821
  allowed ips: 0.0.0.0/0, ::/0
  latest handshake: 1 minute, 5 seconds ago
  transfer: 2.00 KiB received, 1.50 KiB sent
  persistent keepalive: every 25 seconds

tunnel: wg1
  health: stale (no handshake for over 3m0s with TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=)
  runs: kernel

peer: TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=
  health: stale
  allowed ips: 10.9.0.0/16
  latest handshake: 10 minutes ago
  transfer: 100 B received, 200 B sent

tunnel: wg2
  health: dead (interface wg2 is gone while its state is left; ` + "`wg-quick down wg2'" + ` removes the rest)
  runs: userspace
`

func TestStatusText(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var b bytes.Buffer
	if err := statusText(&b, statusFixture(now), now); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(statusGolden, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStatusResult: the exit status is 0 only when every tunnel is
// healthy (none counts), else 3; the JSON follows the schema.
func TestStatusResult(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	all := statusFixture(now)
	schema := schematest.Load(t, "../../docs/wg-quick-status.schema.json")
	tests := []struct {
		name string
		ts   []*tunnelStatus
		code int
	}{
		{"none", nil, 0},
		{"healthy", all[:1], 0},
		{"stale", all[:2], 3},
		{"dead", all[2:], 3},
		{"all", all, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			env := &cli.Env{Stdout: &out}
			err := statusResult(env, tt.ts, true, now)
			code := 0
			var s *cli.Silent
			if errors.As(err, &s) {
				code = s.Code
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			schematest.Validate(t, schema, out.Bytes())
		})
	}
	for _, bad := range []string{`{"health":"healthy"}`, `{"health":"fine","tunnels":[]}`, `{"health":"dead","tunnels":[{"interface":"x"}]}`} {
		var v any
		if err := json.Unmarshal([]byte(bad), &v); err != nil {
			t.Fatal(err)
		}
		if schema.Validate(v) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
}
