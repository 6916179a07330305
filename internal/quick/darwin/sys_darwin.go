package darwin

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

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
}

var _ Sys = (*System)(nil)

var seq atomic.Int32

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

func (s *System) InterfaceExists(ifname string) bool {
	_, err := net.InterfaceByName(ifname)
	return err == nil
}

func (s *System) InterfaceMTU(ifname string) (int, bool) {
	i, err := net.InterfaceByName(ifname)
	if err != nil {
		return 0, false
	}
	return i.MTU, true
}

func (s *System) InterfaceAddresses(ifname string) []netip.Prefix {
	i, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil
	}
	addrs, _ := i.Addrs()
	var out []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ip, _ := netip.AddrFromSlice(n.IP)
			ones, _ := n.Mask.Size()
			out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
		}
	}
	return out
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

// routes is the routing table of a family (NET_RT_DUMP).
func routes(v6 bool) ([]*routeMsg, error) {
	af := unix.AF_INET
	if v6 {
		af = unix.AF_INET6
	}
	b, err := unix.SysctlRaw("net.route", 0, af, unix.NET_RT_DUMP, 0)
	if err != nil {
		return nil, fmt.Errorf("read the routing table: %w", err)
	}
	var out []*routeMsg
	for len(b) > 0 {
		m, n, err := parseRouteMsg(b)
		if err != nil {
			break
		}
		out = append(out, m)
		b = b[n:]
	}
	return out, nil
}

func ifname(index int) string {
	if i, err := net.InterfaceByIndex(index); err == nil {
		return i.Name
	}
	return ""
}

// DefaultRoute is the family's default route that is not scoped to an
// interface: its gateway (invalid for a link#N one) and interface.
func (s *System) DefaultRoute(v6 bool) (netip.Addr, string, bool) {
	rs, err := routes(v6)
	if err != nil {
		return netip.Addr{}, "", false
	}
	for _, m := range rs {
		if m.flags&rtfIfScope != 0 || m.flags&rtfUp == 0 {
			continue
		}
		if p, ok := m.prefix(); !ok || p.Bits() != 0 {
			continue
		}
		var gw netip.Addr
		if g := m.sa[1]; g != nil && !g.isLink && g.ip.IsValid() {
			gw = g.ip
			if g.linkIndex != 0 {
				gw = gw.WithZone(ifname(g.linkIndex))
			}
		}
		return gw, ifname(m.index), true
	}
	return netip.Addr{}, "", false
}

// RouteInterface is `route -n get P`: RTM_GET, the interface of the reply.
func (s *System) RouteInterface(p netip.Prefix) (string, bool) {
	m := &routeMsg{typ: rtmGet, flags: rtfUp}
	m.sa[0] = &rtAddr{ip: p.Addr()}
	if !p.IsSingleIP() {
		m.sa[2] = &rtAddr{ip: maskOf(p)}
	} else {
		m.flags |= rtfHost
	}
	m.sa[4] = &rtAddr{isLink: true} // RTAX_IFP: name the interface
	reply, err := routeRequest(m)
	if err != nil {
		return "", false
	}
	if ifp := reply.sa[4]; ifp != nil && ifp.isLink && ifp.linkIndex != 0 {
		return ifname(ifp.linkIndex), true
	}
	return ifname(reply.index), reply.index != 0
}

// RoutesThrough lists the routes of a family through ifname (not the
// ones the kernel clones).
func (s *System) RoutesThrough(name string, v6 bool) []netip.Prefix {
	i, err := net.InterfaceByName(name)
	if err != nil {
		return nil
	}
	rs, err := routes(v6)
	if err != nil {
		return nil
	}
	var out []netip.Prefix
	for _, m := range rs {
		if m.index != i.Index || m.flags&(rtfWasCloned|rtfLLInfo) != 0 {
			continue
		}
		if p, ok := m.prefix(); ok && !p.Addr().IsLinkLocalUnicast() {
			out = append(out, p)
		}
	}
	return out
}

// AddRoute is RTM_ADD.
func (s *System) AddRoute(p netip.Prefix, via Via) error {
	m := &routeMsg{typ: rtmAdd, flags: rtfUp | rtfStatic}
	m.sa[0] = &rtAddr{ip: p.Addr()}
	switch {
	case via.Interface != "":
		i, err := net.InterfaceByName(via.Interface)
		if err != nil {
			return err
		}
		m.sa[1] = &rtAddr{isLink: true, linkIndex: i.Index}
	case via.Blackhole:
		lo := netip.MustParseAddr("127.0.0.1")
		if p.Addr().Is6() {
			lo = netip.IPv6Loopback()
		}
		m.flags |= rtfGateway | rtfBlackhole
		m.sa[1] = &rtAddr{ip: lo}
	default:
		m.flags |= rtfGateway
		zone := 0
		if z := via.Gateway.Zone(); z != "" {
			if i, err := net.InterfaceByName(z); err == nil {
				zone = i.Index
			}
		}
		m.sa[1] = &rtAddr{ip: via.Gateway.WithZone(""), linkIndex: zone}
	}
	if p.IsSingleIP() {
		m.flags |= rtfHost
	} else {
		m.sa[2] = &rtAddr{ip: maskOf(p)}
	}
	if _, err := routeRequest(m); err != nil {
		return fmt.Errorf("add route %s: %w", p, err)
	}
	return nil
}

// DeleteRoute is RTM_DELETE.
func (s *System) DeleteRoute(p netip.Prefix) error {
	m := &routeMsg{typ: rtmDelete}
	m.sa[0] = &rtAddr{ip: p.Addr()}
	if p.IsSingleIP() {
		m.flags |= rtfHost
	} else {
		m.sa[2] = &rtAddr{ip: maskOf(p)}
	}
	if _, err := routeRequest(m); err != nil {
		return fmt.Errorf("delete route %s: %w", p, err)
	}
	return nil
}

// routeRequest writes m to a routing socket and reads its answer (the
// kernel echoes each request, with rtm_errno set on failure).
func routeRequest(m *routeMsg) (*routeMsg, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	m.pid, m.seq = int32(os.Getpid()), seq.Add(1)
	if _, err := unix.Write(fd, m.marshal()); err != nil {
		return nil, err
	}
	if m.typ != rtmGet {
		return m, nil
	}
	buf := make([]byte, 2048)
	for {
		n, err := unix.Read(fd, buf)
		if err != nil {
			return nil, err
		}
		reply, _, err := parseRouteMsg(buf[:n])
		if err != nil || reply.pid != m.pid || reply.seq != m.seq {
			continue
		}
		if reply.errno != 0 {
			return nil, syscall.Errno(reply.errno)
		}
		return reply, nil
	}
}

// Watch delivers the routing socket's messages as their RTM_ names until
// done is closed (for the route monitor).
func Watch(done <-chan struct{}) (<-chan string, error) {
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW, unix.AF_UNSPEC)
	if err != nil {
		return nil, err
	}
	out := make(chan string, 64)
	go func() {
		<-done
		unix.Close(fd)
	}()
	go func() {
		defer close(out)
		buf := make([]byte, 8192)
		for {
			n, err := unix.Read(fd, buf)
			if err != nil {
				return
			}
			if n >= 4 {
				out <- rtmName(buf[3])
			}
		}
	}()
	return out, nil
}

// rtmName names a routing message type as route(8) does.
func rtmName(t byte) string {
	names := map[byte]string{1: "RTM_ADD", 2: "RTM_DELETE", 3: "RTM_CHANGE", 4: "RTM_GET", 5: "RTM_LOSING",
		6: "RTM_REDIRECT", 7: "RTM_MISS", 8: "RTM_LOCK", 11: "RTM_RESOLVE", 12: "RTM_NEWADDR", 13: "RTM_DELADDR",
		14: "RTM_IFINFO", 15: "RTM_NEWMADDR", 16: "RTM_DELMADDR", 18: "RTM_IFINFO2", 19: "RTM_NEWMADDR2", 20: "RTM_GET2"}
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("RTM_%d", t)
}

const networksetup = "/usr/sbin/networksetup"

func runNetworksetup(args ...string) (string, error) {
	out, err := exec.Command(networksetup, args...).CombinedOutput()
	if err != nil || bytes.Contains(out, []byte("** Error")) {
		return "", fmt.Errorf("networksetup %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Services is `networksetup -listallnetworkservices`, the first line (a
// note about asterisks) skipped, disabled services' * taken off.
func (s *System) Services() ([]string, error) {
	out, err := runNetworksetup("-listallnetworkservices")
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var names []string
	for _, l := range lines[1:] {
		if l = strings.TrimPrefix(l, "*"); l != "" {
			names = append(names, l)
		}
	}
	return names, nil
}

// values reads a networksetup list: one per line, or a sentence (with
// spaces) saying there is none.
func values(out string) []string {
	var vs []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(l, " ") {
			return nil
		}
		if l != "" {
			vs = append(vs, l)
		}
	}
	return vs
}

func (s *System) DNSServers(service string) ([]string, error) {
	out, err := runNetworksetup("-getdnsservers", service)
	return values(out), err
}

func (s *System) SearchDomains(service string) ([]string, error) {
	out, err := runNetworksetup("-getsearchdomains", service)
	return values(out), err
}

// emptyArgs is networksetup's arguments for values: Empty for none.
func emptyArgs(vs []string) []string {
	if len(vs) == 0 {
		return []string{"Empty"}
	}
	return vs
}

func (s *System) SetDNSServers(service string, servers []string) error {
	_, err := runNetworksetup(append([]string{"-setdnsservers", service}, emptyArgs(servers)...)...)
	return err
}

func (s *System) SetSearchDomains(service string, domains []string) error {
	_, err := runNetworksetup(append([]string{"-setsearchdomains", service}, emptyArgs(domains)...)...)
	return err
}

// StartMonitor runs MonitorCommand NAME detached (its own session, no
// terminal, output nowhere), as upstream's backgrounded subshell.
func (s *System) StartMonitor(name string) (int, error) {
	if len(s.MonitorCommand) == 0 {
		return 0, errors.New("no route monitor command")
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	cmd := exec.Command(s.MonitorCommand[0], append(s.MonitorCommand[1:], name)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	go cmd.Wait()
	return pid, nil
}

// MonitorRunning: signal 0 reaches the process.
func (s *System) MonitorRunning(pid int) bool {
	return pid > 0 && unix.Kill(pid, 0) == nil
}
