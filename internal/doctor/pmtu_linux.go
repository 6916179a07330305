//go:build linux

package doctor

import (
	"errors"
	"net/netip"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// PathMTU is the MTU of the path to ap, as the kernel knows it, after
// probing: a UDP socket connected to the endpoint with fragmentation
// forbidden sends a packet of want bytes (WireGuard drops it unread); a
// router with a smaller MTU on the way answers "fragmentation needed",
// which the kernel keeps as the path's MTU, and the second send fails
// with EMSGSIZE. The kernel's figure (the route's MTU, or the one
// learnt) is the answer.
func (s *System) PathMTU(ap netip.AddrPort, want int) (int, error) {
	fam, level, discover, do, mtuOpt, header := unix.AF_INET, unix.IPPROTO_IP, unix.IP_MTU_DISCOVER, unix.IP_PMTUDISC_DO, unix.IP_MTU, 28
	var sa unix.Sockaddr = &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().Unmap().As4()}
	if ap.Addr().Is6() && !ap.Addr().Is4In6() {
		fam, level, discover, do, mtuOpt, header = unix.AF_INET6, unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER, unix.IPV6_PMTUDISC_DO, unix.IPV6_MTU, 48
		sa = &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ap.Addr().As16()}
	}
	fd, err := unix.Socket(fam, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, err
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, level, discover, do); err != nil {
		return 0, err
	}
	if err := unix.Connect(fd, sa); err != nil {
		return 0, err
	}
	if mtu, err := unix.GetsockoptInt(fd, level, mtuOpt); err != nil || mtu < want {
		return mtu, err // the route's own MTU is lower already
	}
	payload := make([]byte, max(want-header, 0))
	for i := 0; i < 2; i++ {
		if _, err := unix.Write(fd, payload); err != nil {
			if errors.Is(err, unix.EMSGSIZE) {
				break
			}
			if !errors.Is(err, unix.ECONNREFUSED) {
				return 0, err
			}
		}
		if i == 0 {
			time.Sleep(probeWait)
		}
	}
	return unix.GetsockoptInt(fd, level, mtuOpt)
}

// probeWait is how long a router has to answer the first probe.
const probeWait = 200 * time.Millisecond

// getsockopt reads an option into buf, which also carries its input.
func getsockopt(fd, level, opt int, buf []byte) error {
	n := uint32(len(buf))
	_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt),
		uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
	if e != 0 {
		return e
	}
	return nil
}

// fmtSscanHex reads a hexadecimal port of /proc/net/udp.
func fmtSscanHex(s string, p *uint16) (int, error) {
	n, err := strconv.ParseUint(s, 16, 16)
	if err != nil {
		return 0, err
	}
	*p = uint16(n)
	return 1, nil
}
