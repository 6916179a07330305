//go:build freebsd && !cgo

package wgctl

import (
	"errors"

	"github.com/wgtools/wgtools/internal/config"
)

// errNoCgo explains why this build cannot reach kernel devices: wgctrl's
// FreeBSD backend needs cgo. Userspace devices still work.
var errNoCgo = errors.New("controlling kernel WireGuard devices on FreeBSD needs a build with cgo enabled")

type kernelClient struct{}

func openKernel() (*kernelClient, error)                   { return nil, errNoCgo }
func (k *kernelClient) close() error                       { return nil }
func (k *kernelClient) list() ([]string, error)            { return nil, errNoCgo }
func (k *kernelClient) get(string) (*config.Device, error) { return nil, errNoCgo }
func (k *kernelClient) set(string, *config.Config) error   { return errNoCgo }
