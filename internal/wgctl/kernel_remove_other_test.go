//go:build !linux && !freebsd

package wgctl

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"

	"github.com/wgtools/wgtools/internal/config"
)

// TestSetWithRemovals: OpenBSD (and every wgctrl-only system) refuses -ip
// as wg does there, with EOPNOTSUPP, before anything is sent.
func TestSetWithRemovals(t *testing.T) {
	cfg := &config.Config{Peers: []config.Peer{{AllowedIPs: []config.AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Remove: true}}}}}
	err := (&kernelClient{}).set("wg0", cfg)
	if !errors.Is(err, syscall.EOPNOTSUPP) || !errors.Is(err, config.ErrIncrementalRemove) {
		t.Errorf("set = %v", err)
	}
}
