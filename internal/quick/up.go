package quick

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// Up brings the config NAME up in upstream's order: the interface, PreUp,
// the configuration, addresses, MTU and up, DNS and routes (in the
// platform's order), what the platform starts then, PostUp. On any
// failure, or when ctx ends, everything done so far is undone. What is
// done is recorded in the state store as it happens, so that `down` can
// undo it even if this process or the tunnel dies.
func Up(ctx context.Context, e *Env, name string, q *config.QuickConfig, wg *config.Config) (err error) {
	p := e.Platform
	tbl, mtu, addrs, err := check(p, q)
	if err != nil {
		return err
	}
	if real, exists, _ := p.Interface(name); exists {
		p.Found(name, real)
		if real != name {
			return fmt.Errorf("`%s' already exists as `%s'", name, real)
		}
		return fmt.Errorf("`%s' already exists", name)
	}
	if e.States != nil {
		if old, _ := e.States.Load(name); old != nil {
			// An earlier up whose tunnel died and that no down followed:
			// undo what it left first, or its DNS backup and rules would
			// be taken for the host's own.
			e.logf("[!] `%s' is gone (its tunnel process ended); removing what the last `up' left behind", name)
			if err := p.Teardown(NewJournal(old, nil), name, old.Real, q, ForLeftovers); err != nil {
				e.logf("[!] %v", err)
			}
			e.States.Remove(name)
		}
	}
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}
	st := &State{Interface: name, Config: e.ConfigFile, Endpoints: NamedEndpoints(q, wg)}
	j := NewJournal(st, e.States)
	real, err := p.AddInterface(j, name)
	if err != nil {
		return err
	}
	st.Real = real
	defer func() {
		if err != nil {
			if terr := p.Teardown(j, name, real, q, ForRollback); terr != nil {
				e.logf("[!] rollback: %v", terr)
			}
			if e.States != nil {
				if rerr := e.States.Remove(name); rerr != nil {
					e.logf("[!] rollback: %v", rerr)
				}
			}
		}
	}()
	if err := j.save(); err != nil {
		return err
	}
	excluded, err := e.excluded(q, real)
	if err != nil {
		return err
	}
	if len(excluded) > 0 {
		if err := j.Set(ChangeExcluded, excluded); err != nil {
			return err
		}
		wg = withoutExcluded(wg, excluded, tbl.Auto)
	}
	if err := e.hooks(ctx, name, real, q.PreUp); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}
	if s, ok := p.(StdinConfig); ok && s.ConfigOnStdin() {
		e.logf("[#] wg addconf %s /dev/stdin", real)
	} else {
		e.logf("[#] wg addconf %s /dev/fd/63", real)
	}
	if err := e.Devices.Configure(real, wg); err != nil {
		return fmt.Errorf("configure %s: %w", real, err)
	}
	for i, a := range addrs {
		if err := p.AddAddress(j, real, a, q.Addresses[i]); err != nil {
			return err
		}
	}
	dev, err := e.Devices.Device(real)
	if err != nil {
		return fmt.Errorf("read %s: %w", real, err)
	}
	if err := p.SetMTUUp(j, real, mtu, dev); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}
	dns := func() error {
		if len(q.DNS) == 0 {
			return nil
		}
		return p.SetDNS(j, name, real, q.DNS, q.DNSSearch)
	}
	if !p.DNSAfterRoutes() {
		if err := dns(); err != nil {
			return err
		}
	}
	if q.KillSwitch {
		if err := p.(KillSwitcher).AddKillSwitch(j, real, q, dev); err != nil {
			return err
		}
	}
	if err := p.AddRoutes(ctx, j, real, tbl, SortedAllowedIPs(dev), dev); err != nil {
		return err
	}
	if p.DNSAfterRoutes() {
		if err := dns(); err != nil {
			return err
		}
	}
	if err := p.Started(j, name, real, q); err != nil {
		return err
	}
	return e.hooks(ctx, name, real, q.PostUp)
}

// Checker is a Platform that checks, before anything changes, what its
// steps will need of the system (a tool that upstream's script finds
// missing only halfway through).
type Checker interface {
	Check(q *config.QuickConfig) error
}

// StdinConfig is a Platform whose upstream gives `wg addconf` the config
// on its standard input rather than as bash's /dev/fd/63 (FreeBSD's).
type StdinConfig interface{ ConfigOnStdin() bool }

// Link MTUs the kernels accept for a WireGuard or TUN link (ETH_MIN_MTU;
// an IP packet's length field).
const minMTU, maxMTU = 68, 65535

// check reads the Table, MTU and Address values before anything changes,
// each error a *config.Error naming the value's line (the value cut short
// when long), then asks the platform's Checker, if it has one.
func check(p Platform, q *config.QuickConfig) (tbl Table, mtu int, addrs []netip.Prefix, err error) {
	if tbl, err = p.ParseTable(q.Table); err != nil {
		return tbl, 0, nil, &config.Error{Line: q.TableLine, Key: "Table", Msg: err.Error()}
	}
	if q.MTU != "" {
		n, err := strconv.ParseUint(q.MTU, 10, 64)
		if err != nil || n < minMTU || n > maxMTU {
			return tbl, 0, nil, &config.Error{Line: q.MTULine, Key: "MTU",
				Msg: fmt.Sprintf("MTU `%s' is not a number from %d to %d", config.Excerpt(q.MTU), minMTU, maxMTU)}
		}
		mtu = int(n)
	}
	if err := checkKillSwitch(p, q); err != nil {
		return tbl, 0, nil, err
	}
	if _, err := excludedOf(p, q); err != nil {
		return tbl, 0, nil, err
	}
	addrs = make([]netip.Prefix, len(q.Addresses))
	for i, a := range q.Addresses {
		if addrs[i], err = config.ParseAddress(a); err != nil {
			line := 0
			if i < len(q.AddressLines) {
				line = q.AddressLines[i]
			}
			return tbl, 0, nil, &config.Error{Line: line, Key: "Address", Msg: err.Error()}
		}
	}
	if c, ok := p.(Checker); ok {
		if err := c.Check(q); err != nil {
			return tbl, 0, nil, err
		}
	}
	return tbl, mtu, addrs, nil
}

// SortedAllowedIPs orders the device's allowed IPs as upstream's
// `sort -nr -k 2 -t /` does: longest prefix first, ties in reverse text
// order.
func SortedAllowedIPs(d *config.Device) []netip.Prefix { return SortPrefixes(AllowedIPs(d)) }

// AllowedIPs are the device's allowed IPs, peer after peer, in a new slice.
func AllowedIPs(d *config.Device) []netip.Prefix {
	n := 0
	for _, p := range d.Peers {
		n += len(p.AllowedIPs)
	}
	ps := make([]netip.Prefix, 0, n)
	for _, p := range d.Peers {
		ps = append(ps, p.AllowedIPs...)
	}
	return ps
}

// SortPrefixes sorts ps in place in SortedAllowedIPs's order and returns
// it.
func SortPrefixes(ps []netip.Prefix) []netip.Prefix {
	type item struct {
		p    netip.Prefix
		text string
	}
	items := make([]item, len(ps))
	var buf []byte
	for i, p := range ps {
		buf = config.AppendPrefix(buf[:0], p)
		items[i] = item{p, string(buf)}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.p.Bits() != b.p.Bits() {
			return cmp.Compare(b.p.Bits(), a.p.Bits())
		}
		return strings.Compare(b.text, a.text)
	})
	for i, it := range items {
		ps[i] = it.p
	}
	return ps
}
