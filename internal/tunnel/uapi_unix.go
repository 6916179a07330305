//go:build !windows

package tunnel

import (
	"fmt"
	"net"
	"os"
	"path/filepath"

	"github.com/wgtools/wgtools/internal/wgctl"
	"golang.org/x/sys/unix"
)

// uapiOpen creates the UAPI socket (directory 0755, socket 0700) and
// returns it as a file to hand over. Unlike wireguard-go's ipc.UAPIOpen it
// closes its own listener, so a long-lived caller keeps no listening socket
// that would make the path look in use after the daemon ended. A socket
// left by a killed daemon (connections refused) is replaced.
func uapiOpen(name string) (*os.File, error) {
	path := wgctl.SocketPath(name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	addr := &net.UnixAddr{Name: path, Net: "unix"}
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	l, err := net.ListenUnix("unix", addr)
	if err != nil {
		if c, derr := net.Dial("unix", path); derr == nil {
			c.Close()
			return nil, fmt.Errorf("%s is in use: a tunnel for %s is already running", path, name)
		}
		os.Remove(path)
		if l, err = net.ListenUnix("unix", addr); err != nil {
			return nil, err
		}
	}
	l.SetUnlinkOnClose(false)
	f, err := l.File()
	l.Close()
	return f, err
}
