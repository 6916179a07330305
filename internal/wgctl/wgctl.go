//go:build !freebsd || cgo

package wgctl

import (
	"errors"
	"os"
	"syscall"

	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// Client controls devices.
type Client struct {
	c *wgctrl.Client
}

// Open connects to every device backend this system has.
func Open() (*Client, error) {
	c, err := wgctrl.New()
	if err != nil {
		return nil, err
	}
	return &Client{c: c}, nil
}

// Close releases the client.
func (c *Client) Close() error { return c.c.Close() }

// Configure applies cfg to the device name.
func (c *Client) Configure(name string, cfg wgtypes.Config) error {
	return mapErr(c.c.ConfigureDevice(name, cfg))
}

// Check reports whether the device name can be reached, as an errno error.
func (c *Client) Check(name string) error {
	_, err := c.c.Device(name)
	return mapErr(err)
}

// mapErr turns "no such device" into the errno wg reports for it: no such
// device when the kernel has WireGuard, else protocol not supported (the
// generic netlink family is missing).
func mapErr(err error) error {
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if kernelSupport() {
		return syscall.ENODEV
	}
	return syscall.EPROTONOSUPPORT
}
