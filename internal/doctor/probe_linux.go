//go:build linux

package doctor

import (
	"context"
	"io/fs"
	"math/bits"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"github.com/wgtools/wgtools/internal/dns"
	"github.com/wgtools/wgtools/internal/wgctl"
	"golang.org/x/sys/unix"
)

// System is the Probe of this host (its current network namespace). It
// reads only: nothing is loaded, opened for good or changed, except that
// PathMTU sends a few UDP packets to the endpoint.
type System struct {
	// Root is prepended to the /proc and /sys paths read (tests).
	Root string
}

var _ Probe = (*System)(nil)

func (s *System) path(p string) string { return filepath.Join(s.Root, p) }

func (s *System) read(p string) string {
	data, err := os.ReadFile(s.path(p))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
}

// KernelModule: WireGuard is loaded (/sys/module/wireguard), or built as
// a module the kernel loads when a link of its type is made.
func (s *System) KernelModule() bool {
	if _, err := os.Stat(s.path("/sys/module/wireguard")); err == nil {
		return true
	}
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	dep, err := os.ReadFile(s.path(filepath.Join("/lib/modules", unix.ByteSliceToString(u.Release[:]), "modules.dep")))
	return err == nil && strings.Contains(string(dep), "/wireguard.ko")
}

// TUN opens /dev/net/tun and closes it (no device is made).
func (s *System) TUN() error {
	f, err := os.OpenFile(s.path("/dev/net/tun"), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

// CapNetAdmin reads the effective capabilities.
func (s *System) CapNetAdmin() bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return os.Geteuid() == 0
	}
	return data[0].Effective&(1<<unix.CAP_NET_ADMIN) != 0
}

// IPv6Disabled: disable_ipv6 is 1, or the kernel has no IPv6.
func (s *System) IPv6Disabled() bool {
	v := s.read("/proc/sys/net/ipv6/conf/all/disable_ipv6")
	return v == "1" || v == ""
}

const srcValidMark = "/proc/sys/net/ipv4/conf/all/src_valid_mark"

// SysctlWritable asks access(2), which answers EROFS for a read-only
// /proc/sys without writing.
func (s *System) SysctlWritable() bool {
	return unix.Access(s.path(srcValidMark), unix.W_OK) == nil
}

func (s *System) SrcValidMark() bool { return s.read(srcValidMark) == "1" }

// DNSBackend is the backend up would pick, by the same code.
func (s *System) DNSBackend() (string, string) {
	b, why := dns.Pick(&dns.Env{})
	return b.Name(), why
}

// Firewall lists nftables' tables (nf_tables works when that answers) and
// counts the rules of the iptables-legacy tables already loaded (asking
// for one that is not would load its module).
func (s *System) Firewall() (bool, int) {
	nft := false
	if c, err := nftables.New(); err == nil {
		_, err := c.ListTables()
		nft = err == nil
	}
	rules := 0
	for _, f := range []struct {
		names string
		level int
		get   int
	}{{"/proc/net/ip_tables_names", unix.IPPROTO_IP, 64}, {"/proc/net/ip6_tables_names", unix.IPPROTO_IPV6, 64}} {
		for _, table := range strings.Fields(s.read(f.names)) {
			rules += legacyRules(f.level, f.get, table)
		}
	}
	return nft, rules
}

// legacyRules is the number of rules of an iptables-legacy table beyond
// its built-in chains' policies: IPT_SO_GET_INFO's num_entries, less one
// per built-in chain and the final error entry.
func legacyRules(level, opt int, table string) int {
	fam := unix.AF_INET
	if level == unix.IPPROTO_IPV6 {
		fam = unix.AF_INET6
	}
	fd, err := unix.Socket(fam, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
	if err != nil {
		return 0
	}
	defer unix.Close(fd)
	// struct ipt_getinfo: name[32], valid_hooks, hook_entry[5],
	// underflow[5], num_entries, size (84 bytes).
	var info [84]byte
	copy(info[:32], table)
	if err := getsockopt(fd, level, opt, info[:]); err != nil {
		return 0
	}
	le := func(off int) uint32 {
		return uint32(info[off]) | uint32(info[off+1])<<8 | uint32(info[off+2])<<16 | uint32(info[off+3])<<24
	}
	hooks := bits.OnesCount32(le(32))
	n := int(le(76)) - hooks - 1
	return max(n, 0)
}

// Routes are the main table's routes, both families.
func (s *System) Routes() ([]Route, error) {
	var out []Route
	for _, fam := range []int{netlink.FAMILY_V4, netlink.FAMILY_V6} {
		routes, err := netlink.RouteListFiltered(fam, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
		if err != nil {
			return nil, err
		}
		for _, r := range routes {
			if r.Type != unix.RTN_UNICAST {
				continue
			}
			var p netip.Prefix
			if r.Dst == nil {
				p = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
				if fam == netlink.FAMILY_V6 {
					p = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
				}
			} else {
				a, _ := netip.AddrFromSlice(r.Dst.IP)
				ones, _ := r.Dst.Mask.Size()
				p = netip.PrefixFrom(a.Unmap(), ones)
			}
			name := ""
			if l, err := netlink.LinkByIndex(r.LinkIndex); err == nil {
				name = l.Attrs().Name
			}
			out = append(out, Route{Dst: p, Interface: name})
		}
	}
	return out, nil
}

// WireGuardAllowed reads every WireGuard interface there is.
func (s *System) WireGuardAllowed() (map[string][]netip.Prefix, error) {
	c, err := wgctl.Open()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	names, err := c.Interfaces()
	if err != nil {
		return nil, err
	}
	out := map[string][]netip.Prefix{}
	for _, n := range names {
		d, err := c.Device(n)
		if err != nil {
			continue
		}
		out[n] = []netip.Prefix{}
		for _, p := range d.Peers {
			out[n] = append(out[n], p.AllowedIPs...)
		}
	}
	return out, nil
}

// Resolve looks a name up as the system's resolver does, for at most 5 s.
func (s *System) Resolve(host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// UDPPortUser finds a socket bound to the UDP port in /proc/net/udp{,6}
// and names its process through /proc/PID/fd.
func (s *System) UDPPortUser(port uint16) string {
	for _, f := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		data, err := os.ReadFile(s.path(f))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(data), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 10 {
				continue
			}
			_, hexPort, _ := strings.Cut(fields[1], ":")
			var p uint16
			if _, err := fmtSscanHex(hexPort, &p); err != nil || p != port {
				continue
			}
			return s.socketOwner(fields[9])
		}
	}
	return ""
}

// socketOwner is "PROGRAM (pid N)" of the process holding the socket
// inode, or "a socket" when none can be seen.
func (s *System) socketOwner(inode string) string {
	target := "socket:[" + inode + "]"
	procs, _ := os.ReadDir(s.path("/proc"))
	for _, p := range procs {
		if strings.Trim(p.Name(), "0123456789") != "" {
			continue
		}
		fds, _ := os.ReadDir(s.path(filepath.Join("/proc", p.Name(), "fd")))
		for _, fd := range fds {
			if l, _ := os.Readlink(s.path(filepath.Join("/proc", p.Name(), "fd", fd.Name()))); l == target {
				return s.read(filepath.Join("/proc", p.Name(), "comm")) + " (pid " + p.Name() + ")"
			}
		}
	}
	return "a socket of another namespace's process"
}

func (s *System) FileMode(path string) (fs.FileMode, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Mode(), nil
}
