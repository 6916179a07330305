package bsd

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// native is this system's layout, and these its ioctl requests.
var native = freebsdLayout

const (
	siocAIFAddr    = siocAIFAddrFBSD
	siocAIFAddrIn6 = siocAIFAddrIn6FBSD
	siocSIFMTU     = siocSIFMTUFBSD
)

var errOpenBSDOnly = errors.New("wg-quick: only OpenBSD describes and proposes this way")

// CreateWG is `ifconfig wg create name NAME`: SIOCIFCREATE2 of "wg"
// (the kernel names it wgN), then SIOCSIFNAME to NAME; when the rename
// fails, the new interface is destroyed again.
func (s *System) CreateWG(name string) error {
	b := ifreq("wg")
	if err := ioctlBytes(unix.AF_INET, siocIFCreate2FBSD, b); err != nil {
		return ifconfigError("SIOCIFCREATE2", err)
	}
	created := cString(b[:16])
	if created == name {
		return nil
	}
	newname := make([]byte, 16)
	copy(newname[:15], name)
	r := newIfreqPtr(created, newname)
	err := ioctl(unix.AF_INET, siocSIFNameFBSD, unsafe.Pointer(r))
	runtime.KeepAlive(r)
	runtime.KeepAlive(newname)
	if err != nil {
		s.Destroy(created)
		return ifconfigError("ioctl SIOCSIFNAME (set name)", err)
	}
	return nil
}

// StartUserspace starts the embedded tunnel on a tun named NAME.
func (s *System) StartUserspace(name string) error {
	if s.StartUserspaceFunc == nil {
		return errors.New("no userspace implementation")
	}
	return s.StartUserspaceFunc(name)
}

// Described: FreeBSD's interfaces are named after their config.
func (s *System) Described(string) (string, bool) { return "", false }

// CreateDescribed is OpenBSD's.
func (s *System) CreateDescribed(string, string) error { return errOpenBSDOnly }

// RouteNameservers is OpenBSD's.
func (s *System) RouteNameservers(string, []string) error { return errOpenBSDOnly }

// resolvconf runs resolvconf(8); a failure carries its standard error.
func resolvconf(stdin string, args ...string) (string, error) {
	cmd := exec.Command("resolvconf", args...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("resolvconf %s: %w: %s", strings.Join(args, " "), err, msg)
		}
		return "", fmt.Errorf("resolvconf %s: %w", strings.Join(args, " "), err)
	}
	return stdout.String(), nil
}

// ResolvconfAdd is `resolvconf -a IF -x` given text.
func (s *System) ResolvconfAdd(ifname, text string) error {
	_, err := resolvconf(text, "-a", ifname, "-x")
	return err
}

// ResolvconfDelete is `resolvconf -d IF`.
func (s *System) ResolvconfDelete(ifname string) error {
	_, err := resolvconf("", "-d", ifname)
	return err
}

// ResolvconfList is `resolvconf -l IF`.
func (s *System) ResolvconfList(ifname string) (string, error) {
	return resolvconf("", "-l", ifname)
}

// setTable puts the routing socket on FIB table (route -fib N).
func setTable(fd int, _ *routeMsg, table int) error {
	return unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SETFIB, table)
}

// watchAllTables: FreeBSD's routing socket reports every FIB's changes.
func watchAllTables(int) error { return nil }
