package wgctl

import (
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
)

// On Windows, userspace devices are reached through wgctrl's named-pipe
// backend; there are no UAPI sockets to look at here.

// SocketPath is the named pipe of the userspace interface NAME, as
// wireguard-go makes it on Windows.
func SocketPath(name string) string {
	return `\\.\pipe\ProtectedPrefix\Administrators\WireGuard\` + name
}

func hasUAPI(string) bool                    { return false }
func listUAPI() ([]string, error)            { return nil, nil }
func getUAPI(string) (*config.Device, error) { return nil, syscall.ENOENT }
func setUAPI(string, *config.Config) error   { return syscall.ENOENT }
