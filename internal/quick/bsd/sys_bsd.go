//go:build freebsd || openbsd

package bsd

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wgtools/wgtools/internal/quick/hostsys"
	"github.com/wgtools/wgtools/internal/quick/pf"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// System is Sys on this FreeBSD or OpenBSD machine: ioctls for
// interfaces and addresses, the routing socket for routes and (OpenBSD)
// resolver proposals, resolvconf(8) (FreeBSD) and pgrep(1) (OpenBSD)
// as upstream runs them, and the embedded tunnel (FreeBSD's fallback).
type System struct {
	// StartUserspaceFunc starts the embedded tunnel on a tun named NAME
	// (FreeBSD's `wireguard-go NAME`).
	StartUserspaceFunc func(name string) error
	// MonitorCommand is the command line that runs NAME's route monitor
	// (this program, hidden verb), NAME appended.
	MonitorCommand []string
	// Pfctl is pf, for the kill switch.
	pf.Pfctl
}

var _ Sys = (*System)(nil)

// ioctl runs one request on a datagram socket of the family. The
// argument's size is encoded in req; the caller keeps it alive. x/sys/unix
// has no wrapper for an arbitrary structure; its pointer-taking one for
// struct winsize passes the address on (through libc on OpenBSD, which
// allows system calls from libc only).
func ioctl(family int, req uint, arg unsafe.Pointer) error {
	fd, err := unix.Socket(family, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetWinsize(fd, req, (*unix.Winsize)(arg))
}

// ioctlBytes is ioctl with a byte layout.
func ioctlBytes(family int, req uint, b []byte) error {
	err := ioctl(family, req, unsafe.Pointer(&b[0]))
	runtime.KeepAlive(b)
	return err
}

// ifconfigError is an ioctl's failure as ifconfig(8) reports it
// (err(1, "what")), the errno wrapped.
func ifconfigError(what string, err error) error {
	return fmt.Errorf("ifconfig: %s: %w", what, strerror{err})
}

// strerror is an errno as the C library words it (capitalised), still
// matching errors.Is.
type strerror struct{ err error }

func (e strerror) Error() string {
	s := e.err.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

func (e strerror) Unwrap() error { return e.err }

// InterfaceExists: the interface is there.
func (s *System) InterfaceExists(ifname string) bool { return hostsys.Exists(ifname) }

// InterfaceMTU is the interface's MTU.
func (s *System) InterfaceMTU(ifname string) (int, bool) { return hostsys.MTU(ifname) }

// InterfaceAddresses are the interface's addresses, IPv4 first.
func (s *System) InterfaceAddresses(ifname string) []netip.Prefix {
	out := hostsys.Addresses(ifname)
	slices.SortStableFunc(out, func(a, b netip.Prefix) int {
		return boolInt(a.Addr().Is6()) - boolInt(b.Addr().Is6())
	})
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// AddAddress is SIOCAIFADDR or SIOCAIFADDR_IN6, as ifconfig's alias. A
// point-to-point interface gets its own address as the destination,
// which the kernel requires there.
func (s *System) AddAddress(ifname string, addr netip.Prefix) error {
	if addr.Addr().Is4() {
		var dst netip.Addr
		if i, err := net.InterfaceByName(ifname); err == nil && i.Flags&net.FlagPointToPoint != 0 {
			dst = addr.Addr()
		}
		if err := ioctlBytes(unix.AF_INET, siocAIFAddr, native.inAliasreq(ifname, addr, dst)); err != nil {
			return ifconfigError("SIOCAIFADDR", err)
		}
		return nil
	}
	if err := ioctlBytes(unix.AF_INET6, siocAIFAddrIn6, native.in6Aliasreq(ifname, addr)); err != nil {
		return ifconfigError("SIOCAIFADDR_IN6", err)
	}
	return nil
}

// DeleteAddress is SIOCDIFADDR or SIOCDIFADDR_IN6, as ifconfig's -alias.
func (s *System) DeleteAddress(ifname string, addr netip.Prefix) error {
	if addr.Addr().Is4() {
		if err := ioctlBytes(unix.AF_INET, siocDIFAddr, ifreqAddr(ifname, addr.Addr())); err != nil {
			return ifconfigError("SIOCDIFADDR", err)
		}
		return nil
	}
	if err := ioctlBytes(unix.AF_INET6, siocDIFAddrIn6, native.in6Ifreq(ifname, addr.Addr())); err != nil {
		return ifconfigError("SIOCDIFADDR_IN6", err)
	}
	return nil
}

// SetMTU is SIOCSIFMTU.
func (s *System) SetMTU(ifname string, mtu int) error {
	if err := ioctlBytes(unix.AF_INET, siocSIFMTU, ifreqInt(ifname, mtu)); err != nil {
		return ifconfigError("SIOCSIFMTU", err)
	}
	return nil
}

// SetUp is SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP.
func (s *System) SetUp(ifname string) error {
	b := ifreq(ifname)
	if err := ioctlBytes(unix.AF_INET, siocGIFFlags, b); err != nil {
		return ifconfigError("SIOCGIFFLAGS", err)
	}
	setIfreqFlags(b, ifreqFlags(b)|unix.IFF_UP)
	if err := ioctlBytes(unix.AF_INET, siocSIFFlags, b); err != nil {
		return ifconfigError("SIOCSIFFLAGS", err)
	}
	return nil
}

// Destroy is SIOCIFDESTROY.
func (s *System) Destroy(ifname string) error {
	if err := ioctlBytes(unix.AF_INET, siocIFDestroy, ifreq(ifname)); err != nil {
		return ifconfigError("SIOCIFDESTROY", err)
	}
	return nil
}

// Userspace: NAME's UAPI socket exists.
func (s *System) Userspace(name string) bool {
	fi, err := os.Stat(wgctl.SocketPath(name))
	return err == nil && fi.Mode()&os.ModeSocket != 0
}

// StopUserspace removes NAME's UAPI socket; the tunnel ends when it goes.
func (s *System) StopUserspace(name string) error {
	if err := os.Remove(wgctl.SocketPath(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// WireGuardInterfaces is `wg show interfaces` (none when they cannot be
// listed).
func (s *System) WireGuardInterfaces() []string {
	c, err := wgctl.Open()
	if err != nil {
		return nil
	}
	defer c.Close()
	names, _ := c.Interfaces()
	return names
}

// ReadFile reads a file.
func (s *System) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// WriteFile writes a file (0644).
func (s *System) WriteFile(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }

// Rename renames a file.
func (s *System) Rename(from, to string) error { return os.Rename(from, to) }

// Exists: the path is there.
func (s *System) Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// StartMonitor runs MonitorCommand NAME detached (its own session, no
// input, output to nowhere, errors to our standard error as upstream's
// fd 3), as upstream's backgrounded subshell.
func (s *System) StartMonitor(name string) (int, error) {
	return hostsys.StartDetached(s.MonitorCommand, name, os.Stderr)
}

// MonitorRunning: signal 0 reaches the process.
func (s *System) MonitorRunning(pid int) bool { return hostsys.Alive(pid) }

// Running is `pgrep -qx NAME`.
func (s *System) Running(process string) bool {
	return exec.Command("pgrep", "-qx", process).Run() == nil
}

// HasCommand: the program is on the PATH.
func (s *System) HasCommand(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}
