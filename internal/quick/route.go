package quick

import (
	"context"
	"fmt"
	"net/netip"
	"sort"

	"github.com/wgtools/wgtools/internal/config"
)

// firstTable is where wg-quick starts looking for a free table (and fwmark)
// for default routes.
const firstTable = 51820

const srcValidMark = "net.ipv4.conf.all.src_valid_mark"

// routes adds a route for each allowed IP, longest prefix first: into the
// given table, or (Table auto) into main unless the kernel already routes
// the prefix through the interface, with /0 going through add_default.
func (e *Env) routes(ctx context.Context, name string, tbl tableSpec, dev *config.Device, st *State) error {
	if tbl.off {
		return nil
	}
	var existing [2][]netip.Prefix
	if tbl.auto {
		for i, v6 := range []bool{false, true} {
			rs, err := e.Host.RoutesThrough(name, v6)
			if err != nil {
				return err
			}
			existing[i] = rs
		}
	}
	for _, p := range sortedAllowedIPs(dev) {
		if err := ctx.Err(); err != nil {
			return interrupted(ctx)
		}
		if !tbl.auto {
			if err := e.Host.AddRoute(name, p, tbl.id, tbl.name); err != nil {
				return err
			}
			continue
		}
		if p.Bits() == 0 {
			if err := e.addDefault(name, p, dev, st); err != nil {
				return err
			}
			continue
		}
		fam := 0
		if p.Addr().Is6() {
			fam = 1
		}
		if routedBy(existing[fam], p) {
			continue
		}
		if err := e.Host.AddRoute(name, p, 0); err != nil {
			return err
		}
		existing[fam] = append(existing[fam], p)
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
func (e *Env) addDefault(name string, p netip.Prefix, dev *config.Device, st *State) error {
	v6 := p.Addr().Is6()
	n := int(dev.FwMark)
	if n == 0 {
		n = firstTable
		for {
			e4, err := e.Host.TableEmpty(n, false)
			if err != nil {
				return err
			}
			e6, err := e.Host.TableEmpty(n, true)
			if err != nil {
				return err
			}
			if e4 && e6 {
				break
			}
			n++
		}
		e.logf("[#] wg set %s fwmark %d", name, n)
		mark := uint32(n)
		if err := e.Devices.Configure(name, &config.Config{FwMark: &mark}); err != nil {
			return fmt.Errorf("set fwmark %d on %s: %w", n, name, err)
		}
		dev.FwMark = mark
	}
	st.Table = n
	if err := e.save(st); err != nil {
		return err
	}
	if err := e.Host.AddDefaultRules(n, v6); err != nil {
		return err
	}
	if err := e.Host.AddRoute(name, p, n); err != nil {
		return err
	}
	if !v6 {
		old, err := e.Host.SetSysctl(srcValidMark, "1")
		if err != nil {
			return err
		}
		if old != "" {
			st.SrcValidMark = old
			if err := e.save(st); err != nil {
				return err
			}
		}
	}
	addrs, err := e.Host.Addresses(name, v6)
	if err != nil {
		return err
	}
	st.Firewall = true
	if err := e.save(st); err != nil {
		return err
	}
	return e.Firewall.AddDefault(name, v6, addrs, uint32(n))
}

// autoMTU is wg-quick's choice: the smallest MTU on the way to any
// endpoint, else the default route's, else 1500; minus 80.
func autoMTU(h Host, d *config.Device) int {
	best := 0
	for _, p := range d.Peers {
		if !p.Endpoint.IsValid() {
			continue
		}
		if m, ok := h.RouteMTU(p.Endpoint.Addr().Unmap()); ok && (best == 0 || m < best) {
			best = m
		}
	}
	if best == 0 {
		if m, ok := h.DefaultRouteMTU(); ok {
			best = m
		}
	}
	if best == 0 {
		best = 1500
	}
	return best - 80
}

// sortedAllowedIPs orders the device's allowed IPs as `sort -nr -k 2 -t /`
// does: longest prefix first, ties in reverse text order.
func sortedAllowedIPs(d *config.Device) []netip.Prefix {
	type item struct {
		p    netip.Prefix
		text string
	}
	var items []item
	for _, p := range d.Peers {
		for _, a := range p.AllowedIPs {
			items = append(items, item{a, string(config.AppendPrefix(nil, a))})
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].p.Bits() != items[j].p.Bits() {
			return items[i].p.Bits() > items[j].p.Bits()
		}
		return items[i].text > items[j].text
	})
	ps := make([]netip.Prefix, len(items))
	for i, it := range items {
		ps[i] = it.p
	}
	return ps
}
