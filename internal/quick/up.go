package quick

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"

	"github.com/wgtools/wgtools/internal/config"
)

// Up brings the interface up from a parsed config, in upstream's order:
// link, PreUp, configuration, addresses, MTU, DNS, routes (with the policy
// routing and firewall of a default route), PostUp. On any failure, or when
// ctx ends, everything applied so far is undone. What is applied is
// recorded in the state store as it happens, so that `down` can undo it
// even if this process or the tunnel dies.
func Up(ctx context.Context, e *Env, name string, q *config.QuickConfig, wg *config.Config) (err error) {
	tbl, mtu, addrs, err := check(q, e.TableID)
	if err != nil {
		return err
	}
	if e.Host.LinkExists(name) {
		return fmt.Errorf("`%s' already exists", name)
	}
	if e.States != nil {
		if old, _ := e.States.Load(name); old != nil {
			// An earlier up whose tunnel died and that no down followed:
			// undo what it left first, or its DNS backup and rules would
			// be taken for the host's own.
			e.logf("[!] `%s' is gone (its tunnel process ended); removing what the last `up' left behind", name)
			old.SrcValidMark = "" // as down, leave it
			e.undo(name, old)
		}
	}
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}
	st := &State{Interface: name}
	if err := e.Host.AddWireGuardLink(name); err != nil {
		if e.KernelModule {
			return fmt.Errorf("ip link add dev %s type wireguard: %w", name, err)
		}
		e.logf("[!] Missing WireGuard kernel module. Falling back to slow userspace implementation.")
		e.logf("[#] %s %s", e.UserspaceName, name)
		st.Userspace = true
		if err := e.Userspace(name); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			e.undo(name, st)
		}
	}()
	if err := e.save(st); err != nil {
		return err
	}
	if err := e.hooks(ctx, name, q.PreUp); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}
	e.logf("[#] wg addconf %s /dev/fd/63", name)
	if err := e.Devices.Configure(name, wg); err != nil {
		return fmt.Errorf("configure %s: %w", name, err)
	}
	for i, a := range addrs {
		if err := e.Host.AddAddress(name, a, q.Addresses[i]); err != nil {
			return err
		}
	}
	dev, err := e.Devices.Device(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if mtu == 0 {
		mtu = autoMTU(e.Host, dev)
	}
	if err := e.Host.SetMTUUp(name, mtu); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return interrupted(ctx)
	}
	if len(q.DNS) > 0 {
		backend, err := e.DNS.Set(name, q.DNS, q.DNSSearch)
		if backend != "" {
			st.DNS = backend
			if serr := e.save(st); serr != nil && err == nil {
				err = serr
			}
		}
		if err != nil {
			return err
		}
	}
	if err := e.routes(ctx, name, tbl, dev, st); err != nil {
		return err
	}
	return e.hooks(ctx, name, q.PostUp)
}

// undo is upstream's del_if for a failed `up`: DNS and firewall (as far as
// this run set them), the policy rules, the link, then the state.
func (e *Env) undo(name string, st *State) {
	if st.DNS != "" {
		if err := e.DNS.Unset(name, st.DNS); err != nil {
			e.logf("[!] rollback: %v", err)
		}
	}
	if st.Firewall {
		if err := e.Firewall.Remove(name); err != nil {
			e.logf("[!] rollback: %v", err)
		}
	}
	e.delRules(st.Table)
	if st.SrcValidMark != "" {
		if _, err := e.Host.SetSysctl(srcValidMark, st.SrcValidMark); err != nil {
			e.logf("[!] rollback: %v", err)
		}
	}
	if e.Host.LinkExists(name) {
		if err := e.Host.DeleteLink(name); err != nil {
			e.logf("[!] rollback: %v", err)
		}
	}
	if st.Userspace && e.UserspaceGone != nil {
		e.UserspaceGone(name)
	}
	if e.States != nil {
		if err := e.States.Remove(name); err != nil {
			e.logf("[!] rollback: %v", err)
		}
	}
}

// delRules removes the default-route policy rules of table n, IPv4 then
// IPv6, as del_if does.
func (e *Env) delRules(n int) {
	if n == 0 {
		return
	}
	for _, v6 := range []bool{false, true} {
		if err := e.Host.DelDefaultRules(n, v6); err != nil {
			e.logf("[!] %v", err)
		}
	}
}

func (e *Env) save(st *State) error {
	if e.States == nil {
		return nil
	}
	if err := e.States.Save(st); err != nil {
		return fmt.Errorf("record state of %s: %w", st.Interface, err)
	}
	return nil
}

// Link MTUs the kernel accepts for a WireGuard or TUN link (ETH_MIN_MTU;
// an IP packet's length field).
const minMTU, maxMTU = 68, 65535

// check reads the Table, MTU and Address values before anything changes,
// each error a *config.Error naming the value's line (the value cut short
// when long).
func check(q *config.QuickConfig, tableID func(string) (int, bool)) (tbl tableSpec, mtu int, addrs []netip.Prefix, err error) {
	if tbl, err = parseTable(q.Table, tableID); err != nil {
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
	addrs = make([]netip.Prefix, len(q.Addresses))
	for i, a := range q.Addresses {
		if addrs[i], err = parseAddress(a); err != nil {
			line := 0
			if i < len(q.AddressLines) {
				line = q.AddressLines[i]
			}
			return tbl, 0, nil, &config.Error{Line: line, Key: "Address", Msg: err.Error()}
		}
	}
	return tbl, mtu, addrs, nil
}

// parseAddress reads an Address entry as ip(8) does: ip/cidr, or a bare ip
// for a host route.
func parseAddress(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, errors.New("address `" + config.Excerpt(s) + "' is not an IP address with an optional /prefix")
}
