package darwin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/wgtools/wgtools/internal/quick/hostsys"
	"github.com/wgtools/wgtools/internal/quick/pf"
	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// System is Sys on this Mac: ioctls for addresses, MTU and flags, the
// routing socket for routes, networksetup(8) for DNS (macOS has no cgo-free
// API for network services), and the embedded tunnel.
type System struct {
	// StartTunnelFunc starts the embedded tunnel on a new utun ("utun") and
	// returns its name (tunnel.Start in a detached daemon, or in this
	// process for `up --foreground`).
	StartTunnelFunc func(name string) (string, error)
	// MonitorCommand is the command line that runs NAME's route monitor
	// (this program, hidden verb), NAME appended.
	MonitorCommand []string
	// Pfctl is pf, for the kill switch.
	pf.Pfctl
}

var _ Sys = (*System)(nil)

// Tunnel is get_real_interface: NAME's name file names a utun whose
// socket exists and was made within 2 s of the file.
func (s *System) Tunnel(name string) (string, bool) {
	data, err := os.ReadFile(wgctl.NameFile(name))
	if err != nil {
		return "", false
	}
	real := strings.TrimSpace(string(data))
	sock, err := os.Stat(wgctl.SocketPath(real))
	if real == "" || err != nil || sock.Mode()&os.ModeSocket == 0 {
		return "", false
	}
	nf, err := os.Stat(wgctl.NameFile(name))
	if err != nil {
		return "", false
	}
	if d := sock.ModTime().Sub(nf.ModTime()); d >= 2*time.Second || d <= -2*time.Second {
		return "", false
	}
	return real, true
}

// StartTunnel starts the tunnel and writes NAME's name file (0400), as
// wireguard-go does with WG_TUN_NAME_FILE.
func (s *System) StartTunnel(name string) error {
	start := s.StartTunnelFunc
	if start == nil {
		start = func(string) (string, error) { return tunnel.Start("utun", 0, tunnel.LogError, nil) }
	}
	real, err := start(name)
	if err != nil {
		return err
	}
	path := wgctl.NameFile(name)
	os.Remove(path)
	if err := os.WriteFile(path, []byte(real+"\n"), 0o400); err != nil {
		os.Remove(wgctl.SocketPath(real))
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// StopTunnel removes the socket (the tunnel then ends and its utun goes)
// and the name file.
func (s *System) StopTunnel(name, real string) error {
	var err error
	if real != "" {
		if e := os.Remove(wgctl.SocketPath(real)); e != nil && !errors.Is(e, os.ErrNotExist) {
			err = e
		}
	}
	if e := os.Remove(wgctl.NameFile(name)); e != nil && !errors.Is(e, os.ErrNotExist) && err == nil {
		err = e
	}
	return err
}

// IsWireGuard: the utun exists and its UAPI socket answers.
func (s *System) IsWireGuard(real string) bool {
	return s.InterfaceExists(real) && tunnel.Running(real)
}

func (s *System) InterfaceExists(ifname string) bool { return hostsys.Exists(ifname) }

func (s *System) InterfaceMTU(ifname string) (int, bool) { return hostsys.MTU(ifname) }

func (s *System) InterfaceAddresses(ifname string) []netip.Prefix {
	return hostsys.Addresses(ifname)
}

// ioctl runs one request on a datagram socket of the family, through
// libSystem's ioctl. x/sys/unix has no wrapper for an arbitrary structure;
// its pointer-taking one for struct winsize passes the address on, and the
// kernel reads and writes the size the request encodes.
func ioctl(family int, req uint, arg []byte) error {
	fd, err := unix.Socket(family, unix.SOCK_DGRAM, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return unix.IoctlSetWinsize(fd, req, (*unix.Winsize)(unsafe.Pointer(&arg[0])))
}

// AddAddress is SIOCAIFADDR (an IPv4 address, point-to-point to itself)
// or SIOCAIFADDR_IN6. A bare IPv6 address gets ifconfig's default /64.
func (s *System) AddAddress(ifname string, addr netip.Prefix, raw string) error {
	if addr.Addr().Is4() {
		if err := ioctl(unix.AF_INET, siocAIFAddr, ifaliasreq(ifname, addr, addr.Addr())); err != nil {
			return fmt.Errorf("ifconfig %s inet %s: %w", ifname, raw, err)
		}
		return nil
	}
	if !strings.Contains(raw, "/") {
		addr = netip.PrefixFrom(addr.Addr(), 64)
	}
	if err := ioctl(unix.AF_INET6, siocAIFAddrIn6, in6Aliasreq(ifname, addr)); err != nil {
		return fmt.Errorf("ifconfig %s inet6 %s: %w", ifname, raw, err)
	}
	return nil
}

// DeleteAddress is SIOCDIFADDR or SIOCDIFADDR_IN6 (ifconfig's -alias).
func (s *System) DeleteAddress(ifname string, addr netip.Prefix) error {
	if addr.Addr().Is4() {
		if err := ioctl(unix.AF_INET, siocDIFAddr, ifreqAddr(ifname, addr.Addr())); err != nil {
			return fmt.Errorf("ifconfig %s inet %s -alias: %w", ifname, addr.Addr(), err)
		}
		return nil
	}
	if err := ioctl(unix.AF_INET6, siocDIFAddrIn6, in6Ifreq(ifname, addr.Addr())); err != nil {
		return fmt.Errorf("ifconfig %s inet6 %s -alias: %w", ifname, addr.Addr(), err)
	}
	return nil
}

// SetMTU is SIOCSIFMTU.
func (s *System) SetMTU(ifname string, mtu int) error {
	b := make([]byte, sizeofIfreq)
	ifname16(b, ifname)
	binary.LittleEndian.PutUint32(b[16:], uint32(mtu))
	if err := ioctl(unix.AF_INET, unix.SIOCSIFMTU, b); err != nil {
		return fmt.Errorf("ifconfig %s mtu %d: %w", ifname, mtu, err)
	}
	return nil
}

// SetUp is SIOCGIFFLAGS, then SIOCSIFFLAGS with IFF_UP.
func (s *System) SetUp(ifname string) error {
	b := ifreqFlags(ifname, 0)
	if err := ioctl(unix.AF_INET, siocGIFFlags, b); err != nil {
		return fmt.Errorf("ifconfig %s up: %w", ifname, err)
	}
	flags := binary.LittleEndian.Uint16(b[16:]) | unix.IFF_UP
	if err := ioctl(unix.AF_INET, siocSIFFlags, ifreqFlags(ifname, flags)); err != nil {
		return fmt.Errorf("ifconfig %s up: %w", ifname, err)
	}
	return nil
}

// StartMonitor runs MonitorCommand NAME detached (its own session, no
// terminal, output nowhere), as upstream's backgrounded subshell.
func (s *System) StartMonitor(name string) (int, error) {
	return hostsys.StartDetached(s.MonitorCommand, name, nil)
}

// MonitorRunning: signal 0 reaches the process.
func (s *System) MonitorRunning(pid int) bool { return hostsys.Alive(pid) }
