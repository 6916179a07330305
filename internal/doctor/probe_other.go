//go:build !linux

package doctor

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"strconv"
	"time"
)

// System is the Probe of this host. Outside Linux it answers what the
// checks of ChecksFor this system ask: privileges, names, files and the
// listen port; the rest is Linux's.
type System struct{}

var _ Probe = (*System)(nil)

var errLinuxOnly = errors.New("read on Linux only")

func (*System) KernelModule() bool           { return false }
func (*System) TUN() error                   { return errLinuxOnly }
func (*System) CapNetAdmin() bool            { return os.Geteuid() == 0 }
func (*System) IPv6Disabled() bool           { return false }
func (*System) SysctlWritable() bool         { return false }
func (*System) SrcValidMark() bool           { return false }
func (*System) DNSBackend() (string, string) { return "", "" }
func (*System) Firewall() (bool, int)        { return false, 0 }
func (*System) Routes() ([]Route, error)     { return nil, errLinuxOnly }
func (*System) WireGuardAllowed() (map[string][]netip.Prefix, error) {
	return nil, errLinuxOnly
}
func (*System) PathMTU(netip.AddrPort, int) (int, error) { return 0, errLinuxOnly }

func (*System) Resolve(host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// UDPPortUser binds the port for a moment: taken when that fails.
func (*System) UDPPortUser(port uint16) string {
	c, err := net.ListenPacket("udp", ":"+strconv.Itoa(int(port)))
	if err != nil {
		return "another socket"
	}
	c.Close()
	return ""
}

func (*System) FileMode(path string) (fs.FileMode, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Mode(), nil
}
