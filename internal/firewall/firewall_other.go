//go:build !linux

package firewall

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
)

var errUnsupported = fmt.Errorf("firewall: not supported on %s: %w", runtime.GOOS, errors.ErrUnsupported)

// AddDefault is not supported on this system.
func (f *Firewall) AddDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	return errUnsupported
}

// Remove is not supported on this system.
func (f *Firewall) Remove(ifname string) error { return errUnsupported }

// Has is not supported on this system.
func (f *Firewall) Has(ifname string) (bool, error) { return false, errUnsupported }

// RemoveFamily is not supported on this system.
func (f *Firewall) RemoveFamily(ifname string, v6 bool) error { return errUnsupported }

// ReplaceDefault is not supported on this system.
func (f *Firewall) ReplaceDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	return errUnsupported
}

// AddKillSwitch is not supported on this system (macOS and the BSDs get pf
// rules from their platforms).
func (f *Firewall) AddKillSwitch(ifname string, k KillSwitch) error { return errUnsupported }

// RemoveKillSwitch is not supported on this system.
func (f *Firewall) RemoveKillSwitch(ifname string) (bool, error) { return false, errUnsupported }
