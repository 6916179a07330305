//go:build freebsd && !cgo

package wgctl

import (
	"errors"

	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// errNoCgo explains why this build cannot reach devices: wgctrl's FreeBSD
// backend needs cgo.
var errNoCgo = errors.New("controlling WireGuard devices on FreeBSD needs a build with cgo enabled")

// Client controls devices.
type Client struct{}

// Open fails: this build has no device backend.
func Open() (*Client, error) { return nil, errNoCgo }

// Close releases the client.
func (c *Client) Close() error { return nil }

// Configure applies cfg to the device name.
func (c *Client) Configure(string, wgtypes.Config) error { return errNoCgo }

// Check reports whether the device name can be reached.
func (c *Client) Check(string) error { return errNoCgo }
