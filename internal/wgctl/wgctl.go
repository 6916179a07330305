package wgctl

import (
	"errors"
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
)

// errnoOf reduces an error to its errno where it has one.
func errnoOf(err error) error {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	return err
}

// kernel is the kernel's side of devices; kernelClient implements it on
// each system.
type kernel interface {
	close() error
	list() ([]string, error)
	get(name string) (*config.Device, error)
	set(name string, cfg *config.Config) error
}

var _ kernel = (*kernelClient)(nil)

// Client reaches devices: a userspace device when its UAPI socket answers,
// otherwise the kernel's, as wg decides.
type Client struct {
	kernel kernel
	// openKernel and hasKernel reach the system (openKernelClient and
	// kernelSupport); tests replace them.
	openKernel func() (kernel, error)
	hasKernel  func() bool
}

// Open returns a client. Backends connect on first use.
func Open() (*Client, error) {
	return &Client{openKernel: openKernelClient, hasKernel: kernelSupport}, nil
}

func openKernelClient() (kernel, error) {
	k, err := openKernel()
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Close releases the client's connections.
func (c *Client) Close() error {
	if c.kernel != nil {
		return c.kernel.close()
	}
	return nil
}

func (c *Client) k() (kernel, error) {
	if c.kernel == nil {
		open := c.openKernel
		if open == nil {
			open = openKernelClient
		}
		k, err := open()
		if err != nil {
			return nil, err
		}
		c.kernel = k
	}
	return c.kernel, nil
}

// Interfaces lists WireGuard interfaces: kernel ones first, in link order,
// then userspace ones in directory order. When the kernel side fails (no
// WireGuard in the kernel, a kernel that refuses the request), the
// userspace ones are listed alone: unlike wg, which then lists nothing.
func (c *Client) Interfaces() ([]string, error) {
	var names []string
	has := c.hasKernel
	if has == nil {
		has = kernelSupport
	}
	if has() {
		if k, err := c.k(); err == nil {
			if kn, err := k.list(); err == nil {
				names = kn
			}
		}
	}
	user, err := listUAPI()
	if err != nil {
		return nil, err
	}
	return append(names, user...), nil
}

// Device reads the device's state.
func (c *Client) Device(name string) (*config.Device, error) {
	if hasUAPI(name) {
		return getUAPI(name)
	}
	if err := kernelPrecheck(name, true); err != nil {
		return nil, err
	}
	k, err := c.k()
	if err != nil {
		return nil, err
	}
	return k.get(name)
}

// Configure applies cfg to the device. The whole change has been parsed and
// checked before this is called; nothing is sent for a change that fails
// those checks.
func (c *Client) Configure(name string, cfg *config.Config) error {
	if hasUAPI(name) {
		return setUAPI(name, cfg)
	}
	if err := kernelPrecheck(name, false); err != nil {
		return err
	}
	k, err := c.k()
	if err != nil {
		return err
	}
	return k.set(name, cfg)
}

// SocketDir is where userspace implementations put their UAPI sockets on
// Unix systems.
const SocketDir = "/var/run/wireguard/"

// NameFile is where a userspace tunnel on macOS records the utunN it got
// for the name it was started with (wireguard-go's WG_TUN_NAME_FILE, as
// upstream's wg-quick sets it), so that NAME finds its interface.
func NameFile(name string) string { return SocketDir + name + ".name" }
