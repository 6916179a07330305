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

// Client reaches devices: a userspace device when its UAPI socket answers,
// otherwise the kernel's, as wg decides.
type Client struct {
	kernel *kernelClient
}

// Open returns a client. Backends connect on first use.
func Open() (*Client, error) { return &Client{}, nil }

// Close releases the client's connections.
func (c *Client) Close() error {
	if c.kernel != nil {
		return c.kernel.close()
	}
	return nil
}

func (c *Client) k() (*kernelClient, error) {
	if c.kernel == nil {
		k, err := openKernel()
		if err != nil {
			return nil, err
		}
		c.kernel = k
	}
	return c.kernel, nil
}

// Interfaces lists WireGuard interfaces: kernel ones first, in link order,
// then userspace ones in directory order.
func (c *Client) Interfaces() ([]string, error) {
	var names []string
	if kernelSupport() {
		k, err := c.k()
		if err != nil {
			return nil, err
		}
		if names, err = k.list(); err != nil {
			return nil, err
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
