package bsd

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// native is this system's layout, and these its ioctl requests.
var native = openbsdLayout

const (
	siocAIFAddr    = siocAIFAddrOBSD
	siocAIFAddrIn6 = siocAIFAddrIn6OBSD
	siocSIFMTU     = siocSIFMTUOBSD
)

var errFreeBSDOnly = errors.New("wg-quick: only FreeBSD creates, falls back and uses resolvconf this way")

// Described is get_real_interface: the wg interface whose description
// (SIOCGIFDESCR) is desc.
func (s *System) Described(desc string) (string, bool) {
	ifs, err := net.Interfaces()
	if err != nil {
		return "", false
	}
	for _, i := range ifs {
		if !strings.HasPrefix(i.Name, "wg") {
			continue
		}
		buf := make([]byte, ifDescrSize)
		r := newIfreqPtr(i.Name, buf)
		err := ioctl(unix.AF_INET, siocGIFDescrOBSD, unsafe.Pointer(r))
		runtime.KeepAlive(r)
		runtime.KeepAlive(buf)
		if err == nil && cString(buf) == desc {
			return i.Name, true
		}
	}
	return "", false
}

// CreateDescribed is `ifconfig IF create description DESC`: SIOCIFCREATE,
// then SIOCSIFDESCR; when the description fails, the interface is
// destroyed again.
func (s *System) CreateDescribed(ifname, desc string) error {
	if err := ioctlBytes(unix.AF_INET, siocIFCreateOBSD, ifreq(ifname)); err != nil {
		return ifconfigError("SIOCIFCREATE", err)
	}
	buf := make([]byte, ifDescrSize)
	copy(buf[:ifDescrSize-1], desc)
	r := newIfreqPtr(ifname, buf)
	err := ioctl(unix.AF_INET, siocSIFDescrOBSD, unsafe.Pointer(r))
	runtime.KeepAlive(r)
	runtime.KeepAlive(buf)
	if err != nil {
		s.Destroy(ifname)
		return ifconfigError("SIOCSIFDESCR", err)
	}
	return nil
}

// RouteNameservers is `route nameserver IF SERVER…`: RTM_PROPOSAL
// messages to resolvd, in this process's rtable, as route.c writes them.
func (s *System) RouteNameservers(ifname string, servers []string) error {
	i, err := net.InterfaceByName(ifname)
	if err != nil {
		return fmt.Errorf("route: unknown interface: %s", ifname)
	}
	var addrs []netip.Addr
	for _, v := range servers {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return fmt.Errorf("route: %s: not a numeric address", v)
		}
		addrs = append(addrs, a.WithZone(""))
	}
	table, err := unix.Getrtable()
	if err != nil {
		return err
	}
	fd, err := unix.Socket(unix.AF_ROUTE, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.AF_UNSPEC)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	var errs []error
	for _, m := range proposals(i.Index, table, addrs) {
		if _, err := unix.Write(fd, m); err != nil {
			errs = append(errs, fmt.Errorf("route: failed to send route message: %w", err))
		}
	}
	return errors.Join(errs...)
}

// CreateWG is FreeBSD's.
func (s *System) CreateWG(string) error { return errFreeBSDOnly }

// StartUserspace is FreeBSD's (OpenBSD's wg-quick has no fallback).
func (s *System) StartUserspace(string) error { return errFreeBSDOnly }

// ResolvconfAdd, ResolvconfDelete and ResolvconfList are FreeBSD's.
func (s *System) ResolvconfAdd(string, string) error { return errFreeBSDOnly }

func (s *System) ResolvconfDelete(string) error { return errFreeBSDOnly }

func (s *System) ResolvconfList(string) (string, error) { return "", errFreeBSDOnly }

// setTable puts the message on rtable table (route -T N).
func setTable(_ int, m *routeMsg, table int) error {
	m.table = table
	return nil
}

// watchAllTables is route.c's monitor setup: setsockopt(ROUTE_TABLEFILTER,
// RTABLE_ANY) (net/route.h: ROUTE_TABLEFILTER 2, RTABLE_ANY 0xffffffff),
// since a routing socket otherwise hears only its own rtable.
func watchAllTables(fd int) error {
	return unix.SetsockoptInt(fd, unix.AF_ROUTE, 2, -1)
}
