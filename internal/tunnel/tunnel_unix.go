//go:build !windows

package tunnel

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/internal/wgctl"
	"golang.zx2c4.com/wireguard/conn"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/ipc"
	"golang.zx2c4.com/wireguard/tun"
)

// Log levels, as wireguard-go's LOG_LEVEL names them.
const (
	LogSilent  = device.LogLevelSilent
	LogError   = device.LogLevelError
	LogVerbose = device.LogLevelVerbose
)

// DefaultMTU is the MTU of a new interface.
const DefaultMTU = device.DefaultMTU

// Tunnel is an interface and its UAPI socket, before or while it runs.
type Tunnel struct {
	name string
	tun  tun.Device
	uapi *os.File
	log  *device.Logger
}

// Open creates the TUN interface and the UAPI socket. It fails without
// leaving either behind: no /dev/net/tun, no permission, a name in use.
func Open(name string, mtu, logLevel int) (*Tunnel, error) {
	if mtu == 0 {
		mtu = DefaultMTU
	}
	t, err := tun.CreateTUN(name, mtu)
	// A tunnel that just ended may still be releasing its interface.
	for i := 0; i < 100 && errors.Is(err, syscall.EBUSY); i++ {
		time.Sleep(10 * time.Millisecond)
		t, err = tun.CreateTUN(name, mtu)
	}
	if errors.Is(err, syscall.EBUSY) {
		return nil, fmt.Errorf("create TUN device %s: the interface is in use by another process", name)
	}
	if err != nil {
		return nil, fmt.Errorf("create TUN device %s: %w", name, err)
	}
	return adopt(name, t, nil, logLevel)
}

// FromFiles adopts an interface and a UAPI socket a parent opened and handed
// over (WG_TUN_FD, WG_UAPI_FD). uapi may be nil: the socket is then opened
// here.
func FromFiles(name string, tunFile, uapi *os.File, logLevel int) (*Tunnel, error) {
	t, err := tun.CreateTUNFromFile(tunFile, DefaultMTU)
	if err != nil {
		return nil, fmt.Errorf("adopt TUN device: %w", err)
	}
	return adopt(name, t, uapi, logLevel)
}

func adopt(name string, t tun.Device, uapi *os.File, logLevel int) (*Tunnel, error) {
	if real, err := t.Name(); err == nil {
		name = real
	}
	if uapi == nil {
		var err error
		if uapi, err = uapiOpen(name); err != nil {
			t.Close()
			return nil, fmt.Errorf("UAPI socket for %s: %w", name, err)
		}
	}
	return &Tunnel{name: name, tun: t, uapi: uapi, log: device.NewLogger(logLevel, fmt.Sprintf("(%s) ", name))}, nil
}

// Name is the interface's real name.
func (t *Tunnel) Name() string { return t.name }

// Files returns the TUN and UAPI files, for handing to a child process.
func (t *Tunnel) Files() (tunFile, uapi *os.File) { return t.tun.File(), t.uapi }

// Close releases the interface and the socket of a tunnel that is not run.
func (t *Tunnel) Close() error {
	err := t.tun.Close()
	t.uapi.Close()
	os.Remove(wgctl.SocketPath(t.name))
	return err
}

// Run brings the device up and serves UAPI until ctx ends, the interface is
// deleted, or the socket file is removed. It then closes everything and
// removes the socket.
func (t *Tunnel) Run(ctx context.Context) error {
	dev := device.NewDevice(t.tun, conn.NewDefaultBind(), t.log)
	uapi, err := ipc.UAPIListen(t.name, t.uapi)
	t.uapi.Close() // the listener holds its own copy
	if err != nil {
		dev.Close()
		return fmt.Errorf("listen on UAPI socket: %w", err)
	}
	serve(ctx, dev, uapi, t.log)
	return nil
}

// serve answers UAPI requests on l until ctx ends, the device closes or the
// listener fails, then closes both.
func serve(ctx context.Context, dev *device.Device, l net.Listener, log *device.Logger) {
	defer dev.Close()
	defer l.Close()
	log.Verbosef("Device started")
	errs := make(chan error, 1)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				errs <- err
				return
			}
			go dev.IpcHandle(c)
		}
	}()
	select {
	case <-ctx.Done():
	case err := <-errs:
		if !errors.Is(err, net.ErrClosed) {
			log.Verbosef("UAPI listener stopped: %v", err)
		}
	case <-dev.Wait():
	}
	log.Verbosef("Shutting down")
}
