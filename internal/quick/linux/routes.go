package linux

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/ipset"
	"github.com/wgtools/wgtools/internal/quick"
)

// AddRoutes is add_route for each allowed IP, longest prefix first: into
// the given table, or (Table auto) into main unless the kernel already
// routes the prefix through the interface, a /0 going through add_default.
func (p *Platform) AddRoutes(ctx context.Context, j *quick.Journal, real string, t quick.Table, prefixes []netip.Prefix, dev *config.Device) error {
	if err := updateInstalled(j, func(in *installed) { in.Table = &t }); err != nil {
		return err
	}
	if t.Off {
		return nil
	}
	if t.Auto && !killRecorded(j) && p.Netns == "" {
		p.warnOneFamily(real, prefixes)
	}
	var existing [2][]netip.Prefix
	if t.Auto {
		for i, v6 := range []bool{false, true} {
			rs, err := p.Sys.RoutesThrough(real, v6)
			if err != nil {
				return err
			}
			existing[i] = rs
		}
	}
	for _, pr := range prefixes {
		if err := ctx.Err(); err != nil {
			return quick.Interrupted(ctx)
		}
		if !t.Auto {
			if err := p.Sys.AddRoute(real, pr, t.ID, t.Name); err != nil {
				return err
			}
			continue
		}
		if pr.Bits() == 0 && p.Netns == "" {
			if err := p.addDefault(j, real, pr, dev); err != nil {
				return err
			}
			continue
		}
		fam := 0
		if pr.Addr().Is6() {
			fam = 1
		}
		if routedBy(existing[fam], pr) {
			continue
		}
		if err := p.Sys.AddRoute(real, pr, 0); err != nil {
			return err
		}
		existing[fam] = append(existing[fam], pr)
	}
	return nil
}

// routedBy is `ip route show dev IF match P` being non-empty: a route whose
// prefix contains p.
func routedBy(routes []netip.Prefix, p netip.Prefix) bool {
	for _, r := range routes {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// addDefault is upstream's add_default for one /0: pick the table and
// fwmark (the device's fwmark, or the first table from 51820 empty in both
// families), add the two policy rules, then the route, then
// src_valid_mark (IPv4), then the firewall.
func (p *Platform) addDefault(j *quick.Journal, name string, pr netip.Prefix, dev *config.Device) error {
	v6 := pr.Addr().Is6()
	n := int(dev.FwMark)
	if n == 0 {
		n = firstTable
		for {
			e4, err := p.Sys.TableEmpty(n, false)
			if err != nil {
				return err
			}
			e6, err := p.Sys.TableEmpty(n, true)
			if err != nil {
				return err
			}
			if e4 && e6 {
				break
			}
			n++
		}
		p.logf("[#] wg set %s fwmark %d", name, n)
		mark := uint32(n)
		if err := p.Devices.Configure(name, &config.Config{FwMark: &mark}); err != nil {
			return fmt.Errorf("set fwmark %d on %s: %w", n, name, err)
		}
		dev.FwMark = mark
	}
	if err := j.Set(changeTable, n); err != nil {
		return err
	}
	if err := p.Sys.AddDefaultRules(n, v6); err != nil {
		return err
	}
	if err := p.excludeRules(j, v6); err != nil {
		return err
	}
	if err := p.Sys.AddRoute(name, pr, n); err != nil {
		return err
	}
	if !v6 {
		old, err := p.Sys.SetSysctl(srcValidMark, "1")
		if err != nil {
			return err
		}
		if old != "" {
			if err := j.Set(changeSysctl, old); err != nil {
				return err
			}
		}
	}
	addrs, err := p.Sys.Addresses(name, v6)
	if err != nil {
		return err
	}
	if err := j.Set(changeFirewall, true); err != nil {
		return err
	}
	if err := p.Firewall.AddDefault(name, v6, addrs, uint32(n)); err != nil {
		return err
	}
	return updateInstalled(j, func(in *installed) { in.setFirewall(v6, addrs) })
}

// warnOneFamily warns when the tunnel takes one family's default route and
// the host routes the other family elsewhere: that family's traffic
// leaves outside the tunnel (a kill switch would block it).
func (p *Platform) warnOneFamily(real string, prefixes []netip.Prefix) {
	var full [2]bool
	full[0], full[1] = ipset.Defaults(prefixes)
	for i, probe := range []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")} {
		if full[1-i] && !full[i] {
			if _, routed := p.Sys.RouteMTU(probe); routed {
				fam, other, zero := "IPv4", "IPv6", "::/0"
				if i == 0 {
					fam, other, zero = "IPv6", "IPv4", "0.0.0.0/0"
				}
				p.logf("[!] Warning: %s goes through `%s' but %s does not: %s traffic leaves outside the tunnel (add %s to AllowedIPs, or KillSwitch = true to block it)", fam, real, other, other, zero)
			}
		}
	}
}
