package wgctl

import (
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// These tests pin the wgtypes.Config that kernel devices reached through
// wgctrl (OpenBSD's wg(4), and Linux without removals) get for what wg set,
// setconf and syncconf parse.

func b64(b byte) string { return config.FormatKey(testKey(b)) }

func parseSet(t *testing.T, args string) *config.Config {
	t.Helper()
	o := &config.Options{OpenFile: func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil }}
	cfg, err := o.ParseSet(strings.Fields(args))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// parseConf parses a file and applies setconf's defaults (spec §1.5).
func parseConf(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := (&config.Options{}).Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	zero, zeroMark := 0, uint32(0)
	cfg.ReplacePeers = true
	if cfg.PrivateKey == nil {
		cfg.PrivateKey = new(config.Key)
	}
	if cfg.ListenPort == nil {
		cfg.ListenPort = &zero
	}
	if cfg.FwMark == nil {
		cfg.FwMark = &zeroMark
	}
	return cfg
}

func ptr[T any](v T) *T { return &v }

func TestWGTypes(t *testing.T) {
	k1, k2, k3 := testKey(1), testKey(2), testKey(3)
	tests := []struct {
		name string
		cfg  func(t *testing.T) *config.Config
		want wgtypes.Config
	}{
		{
			"set: fwmark, remove, PSK removal, keepalive 0 and unset, IPv6 endpoint",
			func(t *testing.T) *config.Config {
				return parseSet(t, "listen-port 51820 fwmark 0x10 peer "+b64(2)+" remove peer "+b64(1)+
					" preshared-key /dev/null persistent-keepalive 0 endpoint [2001:db8::1]:443 allowed-ips 10.0.0.0/8,fd00::/64 peer "+b64(3)+" endpoint 192.0.2.1:1")
			},
			wgtypes.Config{ListenPort: ptr(51820), FirewallMark: ptr(0x10), Peers: []wgtypes.PeerConfig{
				{PublicKey: k2, Remove: true},
				{
					PublicKey: k1, PresharedKey: ptr(config.Key{}), PersistentKeepaliveInterval: ptr(time.Duration(0)),
					Endpoint:          &net.UDPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443},
					ReplaceAllowedIPs: true,
					AllowedIPs:        []net.IPNet{{IP: net.IP{10, 0, 0, 0}, Mask: net.CIDRMask(8, 32)}, {IP: net.ParseIP("fd00::"), Mask: net.CIDRMask(64, 128)}},
				},
				{PublicKey: k3, Endpoint: &net.UDPAddr{IP: net.IP{192, 0, 2, 1}, Port: 1}},
			}},
		},
		{
			"set: +ip adds without replacing",
			func(t *testing.T) *config.Config { return parseSet(t, "peer "+b64(1)+" allowed-ips +10.1.0.0/16") },
			wgtypes.Config{Peers: []wgtypes.PeerConfig{{PublicKey: k1, AllowedIPs: []net.IPNet{{IP: net.IP{10, 1, 0, 0}, Mask: net.CIDRMask(16, 32)}}}}},
		},
		{
			"setconf: replace peers, zero defaults, keepalive 25, peer without allowed IPs clears them",
			func(t *testing.T) *config.Config {
				return parseConf(t, "[Interface]\nPrivateKey = "+b64(4)+"\n[Peer]\nPublicKey = "+b64(1)+
					"\nPersistentKeepalive = 25\nEndpoint = [fe80::1%1]:51820\nAllowedIPs = 0.0.0.0/0\n[Peer]\nPublicKey = "+b64(2)+"\n")
			},
			wgtypes.Config{PrivateKey: ptr(testKey(4)), ListenPort: ptr(0), FirewallMark: ptr(0), ReplacePeers: true, Peers: []wgtypes.PeerConfig{
				{
					PublicKey: k1, PersistentKeepaliveInterval: ptr(25 * time.Second), ReplaceAllowedIPs: true,
					Endpoint:   &net.UDPAddr{IP: net.ParseIP("fe80::1"), Port: 51820, Zone: "1"},
					AllowedIPs: []net.IPNet{{IP: net.IP{0, 0, 0, 0}, Mask: net.CIDRMask(0, 32)}},
				},
				{PublicKey: k2, ReplaceAllowedIPs: true},
			}},
		},
		{
			// syncconf after adjusting against the device: no replace-peers,
			// removals first, a PSK and a keepalive the file dropped cleared.
			"syncconf",
			func(t *testing.T) *config.Config {
				cfg := parseConf(t, "[Peer]\nPublicKey = "+b64(1)+"\n")
				cfg.ReplacePeers = false
				cfg.Peers[0].PresharedKey, cfg.Peers[0].PersistentKeepalive = new(config.Key), new(int)
				cfg.Peers = append([]config.Peer{{PublicKey: k3, HasPublicKey: true, Remove: true}}, cfg.Peers...)
				return cfg
			},
			wgtypes.Config{PrivateKey: ptr(config.Key{}), ListenPort: ptr(0), FirewallMark: ptr(0), Peers: []wgtypes.PeerConfig{
				{PublicKey: k3, Remove: true},
				{PublicKey: k1, PresharedKey: ptr(config.Key{}), PersistentKeepaliveInterval: ptr(time.Duration(0)), ReplaceAllowedIPs: true},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.cfg(t).WGTypes()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestWGTypesRemovals: -ip cannot go through wgctrl; on OpenBSD the kernel
// path answers errRemoveUnsupported (kernel_remove_other.go).
func TestWGTypesRemovals(t *testing.T) {
	cfg := parseSet(t, "peer "+b64(1)+" allowed-ips -10.1.0.0/16,+10.2.0.0/16")
	if !cfg.HasRemovals() {
		t.Fatal("no removals parsed")
	}
	if _, err := cfg.WGTypes(); !errors.Is(err, config.ErrIncrementalRemove) {
		t.Errorf("WGTypes error = %v, want ErrIncrementalRemove", err)
	}
}
