//go:build linux

package netcfg

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/wgtools/wgtools/internal/wgctl"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func afOf(v6 bool) (int, string) {
	if v6 {
		return unix.AF_INET6, "-6"
	}
	return unix.AF_INET, "-4"
}

// TableEmpty reports whether routing table n has no routes of the family
// (`ip -4|-6 route show table N` prints nothing); wg-quick picks the first
// empty table from 51820 on for its default routes.
func (h *Linux) TableEmpty(n int, v6 bool) (bool, error) {
	af, _ := afOf(v6)
	routes, err := h.nl().RouteListFiltered(af, &netlink.Route{Table: n}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return false, err
	}
	return len(routes) == 0, nil
}

// AddDefaultRules adds wg-quick's policy rules for a default route through
// table n: `ip -4|-6 rule add not fwmark N table N` and
// `ip -4|-6 rule add table main suppress_prefixlength 0`.
func (h *Linux) AddDefaultRules(n int, v6 bool) error {
	af, flag := afOf(v6)
	h.logf("ip %s rule add not fwmark %d table %d", flag, n, n)
	r := netlink.NewRule()
	r.Family, r.Mark, r.Table, r.Invert = af, uint32(n), n, true
	if err := h.nl().RuleAdd(r); err != nil {
		return fmt.Errorf("add rule not fwmark %d table %d: %w", n, n, err)
	}
	h.logf("ip %s rule add table main suppress_prefixlength 0", flag)
	r = netlink.NewRule()
	r.Family, r.Table, r.SuppressPrefixlen = af, unix.RT_TABLE_MAIN, 0
	if err := h.nl().RuleAdd(r); err != nil {
		return fmt.Errorf("add rule table main suppress_prefixlength 0: %w", err)
	}
	return nil
}

// DelDefaultRules removes the rules AddDefaultRules adds, as wg-quick's
// down does: first every rule looking up table n (`ip -4|-6 rule delete
// table N`), then every `from all lookup main suppress_prefixlength 0`.
func (h *Linux) DelDefaultRules(n int, v6 bool) error {
	af, flag := afOf(v6)
	rules, err := h.nl().RuleList(af)
	if err != nil {
		return err
	}
	for pass := 0; pass < 2; pass++ {
		for _, r := range rules {
			switch {
			case pass == 0 && r.Table == n:
				h.logf("ip %s rule delete table %d", flag, n)
			case pass == 1 && r.Table == unix.RT_TABLE_MAIN && r.SuppressPrefixlen == 0 && r.Src == nil && r.Dst == nil && r.Mark == 0 && !r.Invert:
				h.logf("ip %s rule delete table main suppress_prefixlength 0", flag)
			default:
				continue
			}
			if err := h.nl().RuleDel(&r); err != nil {
				return fmt.Errorf("delete rule table %d: %w", r.Table, err)
			}
		}
	}
	return nil
}

// SetSysctl writes value to a sysctl (`net.ipv4.conf.all.src_valid_mark`)
// only when it differs, logging `sysctl -q NAME=VALUE` as wg-quick does,
// and returns the value it replaced ("" when it changed nothing). Network
// sysctls belong to the network namespace of the calling thread, not to
// Handle's.
func (h *Linux) SetSysctl(name, value string) (old string, err error) {
	path := filepath.Join("/proc/sys", strings.ReplaceAll(name, ".", "/"))
	cur, err := os.ReadFile(path)
	if err == nil && strings.TrimSpace(string(cur)) == value {
		return "", nil
	}
	old = strings.TrimSpace(string(cur))
	h.logf("sysctl -q %s=%s", name, value)
	if err := os.WriteFile(path, []byte(value), 0o644); err != nil {
		return "", fmt.Errorf("set %s=%s: %w", name, value, err)
	}
	return old, nil
}

// IsWireGuard reports whether ifname is a WireGuard interface: a kernel
// one, or a userspace one with a UAPI socket.
func (h *Linux) IsWireGuard(ifname string) bool {
	link, err := h.nl().LinkByName(ifname)
	if err != nil {
		return false
	}
	if link.Type() == "wireguard" {
		return true
	}
	_, err = os.Stat(wgctl.SocketPath(ifname))
	return err == nil
}

// AddExcludeRule keeps prefix out of a policy-routed tunnel (ExcludedIPs,
// AllowLAN, our extension): `ip -4|-6 rule add to PREFIX table main`, added
// after the tunnel's rules and so looked at before them.
func (h *Linux) AddExcludeRule(prefix netip.Prefix) error {
	af, flag := afOf(prefix.Addr().Is6())
	h.logf("ip %s rule add to %s table main", flag, prefix)
	r := netlink.NewRule()
	r.Family, r.Dst, r.Table = af, ipnet(prefix.Masked()), unix.RT_TABLE_MAIN
	if err := h.nl().RuleAdd(r); err != nil {
		return fmt.Errorf("add rule to %s table main: %w", prefix, err)
	}
	return nil
}

// DelExcludeRule removes what AddExcludeRule added; a rule already gone is
// no error.
func (h *Linux) DelExcludeRule(prefix netip.Prefix) error {
	af, flag := afOf(prefix.Addr().Is6())
	h.logf("ip %s rule delete to %s table main", flag, prefix)
	r := netlink.NewRule()
	r.Family, r.Dst, r.Table = af, ipnet(prefix.Masked()), unix.RT_TABLE_MAIN
	if err := h.nl().RuleDel(r); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("delete rule to %s table main: %w", prefix, err)
	}
	return nil
}

// LANPrefixes are the networks of the addresses of every link but lo and
// except (the tunnel), with the link's name: what AllowLAN keeps out of
// the tunnel. Link-local networks (routed on their link anyway) and
// single-host addresses are left out.
func (h *Linux) LANPrefixes(except string) ([]netip.Prefix, []string, error) {
	links, err := h.nl().LinkList()
	if err != nil {
		return nil, nil, fmt.Errorf("list links: %w", err)
	}
	var prefixes []netip.Prefix
	var devs []string
	for _, l := range links {
		name := l.Attrs().Name
		if name == except || l.Attrs().Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := h.nl().AddrList(l, netlink.FAMILY_ALL)
		if err != nil {
			return nil, nil, fmt.Errorf("list addresses of %s: %w", name, err)
		}
		for _, a := range addrs {
			ip, ok := netip.AddrFromSlice(a.IP)
			ones, _ := a.Mask.Size()
			p := netip.PrefixFrom(ip.Unmap(), ones).Masked()
			if !ok || p.IsSingleIP() || ip.IsLinkLocalUnicast() || slices.Contains(prefixes, p) {
				continue
			}
			prefixes, devs = append(prefixes, p), append(devs, name)
		}
	}
	return prefixes, devs, nil
}
