//go:build linux

package firewall

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// killSwitchPriority puts the kill switch's chain ahead of every other
// postrouting filter: raw - 10, as Script says.
const killSwitchPriority = -310

// AddKillSwitch installs k for ifname (replacing one there, in the same
// batch): a table of its own, inet family, whose postrouting chain (ahead
// of other filters, policy drop) lets out only what k allows. Postrouting
// sees every packet that leaves, forwarded or the host's own, with the
// interface it leaves through after every rerouting. It needs nf_tables.
func (f *Firewall) AddKillSwitch(ifname string, k KillSwitch) error {
	if err := checkName(ifname); err != nil {
		return err
	}
	what := "nftables: add table inet " + KillSwitchTable(ifname)
	c, err := f.nftConn()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	old, err := f.killSwitchTable(ifname)
	if err != nil {
		return err
	}
	if old != nil {
		c.DelTable(old)
	}
	t := c.AddTable(&nftables.Table{Family: nftables.TableFamilyINet, Name: KillSwitchTable(ifname)})
	rule := func(ch *nftables.Chain, e ...expr.Any) { c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: e}) }
	var dns *nftables.Chain
	if len(k.DNS) > 0 {
		dns = c.AddChain(&nftables.Chain{Name: "dns", Table: t})
		for _, a := range k.DNS {
			rule(dns, daddr(netip.PrefixFrom(a, a.BitLen()), expr.VerdictReturn)...)
		}
		rule(dns, &expr.Counter{}, &expr.Verdict{Kind: expr.VerdictDrop})
	}
	prio := nftables.ChainPriority(killSwitchPriority)
	drop := nftables.ChainPolicyDrop
	post := c.AddChain(&nftables.Chain{Name: "postrouting", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookPostrouting, Priority: &prio, Policy: &drop})
	rule(post, oifname("lo", expr.VerdictAccept)...)
	if dns != nil {
		for _, proto := range []byte{unix.IPPROTO_UDP, unix.IPPROTO_TCP} {
			rule(post, append(ports(proto, 0, 53), &expr.Verdict{Kind: expr.VerdictJump, Chain: "dns"})...)
		}
	}
	rule(post, oifname(k.Tunnel, expr.VerdictAccept)...)
	rule(post, append(ports(unix.IPPROTO_UDP, k.ListenPort, 0), accept())...)
	rule(post, append(ports(unix.IPPROTO_UDP, 68, 67), accept())...)
	rule(post, append(ports(unix.IPPROTO_UDP, 546, 547), accept())...)
	for _, t := range ndpTypes {
		rule(post, &expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_ICMPV6}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{t.typ}},
			accept())
	}
	for _, p := range k.Allow {
		rule(post, daddr(p, expr.VerdictAccept)...)
	}
	rule(post, &expr.Counter{}, &expr.Verdict{Kind: expr.VerdictDrop})
	f.logf(nftLog)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// RemoveKillSwitch deletes ifname's kill switch; it reports whether there
// was one.
func (f *Firewall) RemoveKillSwitch(ifname string) (bool, error) {
	if err := checkName(ifname); err != nil {
		return false, err
	}
	t, err := f.killSwitchTable(ifname)
	if err != nil || t == nil {
		return false, err
	}
	c, err := f.nftConn()
	if err == nil {
		c.DelTable(t)
		f.logf(nftLog)
		err = c.Flush()
	}
	if err != nil {
		return true, fmt.Errorf("nftables: delete table inet %s: %w", KillSwitchTable(ifname), err)
	}
	return true, nil
}

// killSwitchTable is ifname's kill switch table, nil when there is none
// (or no nf_tables).
func (f *Firewall) killSwitchTable(ifname string) (*nftables.Table, error) {
	c, err := f.nftConn()
	var all []*nftables.Table
	if err == nil {
		all, err = c.ListTablesOfFamily(nftables.TableFamilyINet)
	}
	if err != nil {
		if unavailable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("nftables: list tables: %w", err)
	}
	for _, t := range all {
		if t.Name == KillSwitchTable(ifname) {
			return t, nil
		}
	}
	return nil, nil
}

func accept() expr.Any { return &expr.Verdict{Kind: expr.VerdictAccept} }

// oifname is `oifname "NAME" VERDICT`.
func oifname(name string, v expr.VerdictKind) []expr.Any {
	b := make([]byte, unix.IFNAMSIZ)
	copy(b, name)
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: b},
		&expr.Verdict{Kind: v},
	}
}

// ports is `udp|tcp [sport S] [dport D]` (a port of 0 is not matched).
func ports(proto byte, sport, dport uint16) []expr.Any {
	e := []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
	}
	for i, port := range []uint16{sport, dport} {
		if port == 0 {
			continue
		}
		e = append(e,
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: uint32(2 * i), Len: 2},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binary.BigEndian.AppendUint16(nil, port)})
	}
	return e
}

// daddr is `ip daddr PREFIX VERDICT` (ip6 for IPv6) in the inet family.
func daddr(p netip.Prefix, v expr.VerdictKind) []expr.Any {
	p = p.Masked()
	proto, offset := byte(unix.NFPROTO_IPV4), uint32(16)
	if p.Addr().Is6() {
		proto, offset = unix.NFPROTO_IPV6, 24
	}
	addr := p.Addr().AsSlice()
	e := []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{proto}},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: uint32(len(addr))},
	}
	if p.Bits() < p.Addr().BitLen() {
		m := make([]byte, len(addr))
		for i := 0; i < p.Bits(); i++ {
			m[i/8] |= 0x80 >> (i % 8)
		}
		e = append(e, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: uint32(len(addr)), Mask: m, Xor: make([]byte, len(addr))})
	}
	return append(e, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: addr}, &expr.Verdict{Kind: v})
}
