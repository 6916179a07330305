//go:build linux

package firewall

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// nftLog is what upstream logs for each nft script it runs.
const nftLog = "nft -f /dev/fd/63"

// testOnlyBreakBatch, when set, makes nftAdd append an invalid rule to its
// batch, so tests can check a failed batch leaves nothing behind.
var testOnlyBreakBatch bool

func (f *Firewall) nftConn() (*nftables.Conn, error) {
	var opts []nftables.ConnOption
	if f.NetNS != 0 {
		opts = append(opts, nftables.WithNetNSFd(f.NetNS))
	}
	return nftables.New(opts...)
}

// unavailable reports whether err says the kernel has no nf_tables: no
// nfnetlink (EPROTONOSUPPORT), no nf_tables subsystem (EINVAL for a plain
// request, EOPNOTSUPP in a batch) or no support for the family.
func unavailable(err error) bool {
	for _, errno := range []unix.Errno{unix.EPROTONOSUPPORT, unix.EOPNOTSUPP, unix.EAFNOSUPPORT, unix.EINVAL} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// nftAvailable reports whether nf_tables can be used, by listing tables.
func (f *Firewall) nftAvailable() (bool, error) {
	c, err := f.nftConn()
	if err == nil {
		_, err = c.ListTables()
	}
	switch {
	case err == nil:
		return true, nil
	case unavailable(err):
		return false, nil
	}
	return false, fmt.Errorf("nftables: list tables: %w", err)
}

// nftTables lists the tables named wg-quick-IF, of any family; none if
// nf_tables is unavailable.
func (f *Firewall) nftTables(ifname string) ([]*nftables.Table, error) {
	c, err := f.nftConn()
	var all []*nftables.Table
	if err == nil {
		all, err = c.ListTables()
	}
	if err != nil {
		if unavailable(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("nftables: list tables: %w", err)
	}
	var out []*nftables.Table
	for _, t := range all {
		if t.Name == tableName(ifname) {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *Firewall) nftAdd(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	return f.nftReplace(ifname, v6, addrs, mark, nil)
}

// nftReplace is nftAdd deleting the table old first, in the same batch.
func (f *Firewall) nftReplace(ifname string, v6 bool, addrs []netip.Addr, mark uint32, old *nftables.Table) error {
	family := nftables.TableFamilyIPv4
	if v6 {
		family = nftables.TableFamilyIPv6
	}
	what := fmt.Sprintf("nftables: add table %s %s", familyName(family), tableName(ifname))
	c, err := f.nftConn()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if old != nil {
		c.DelTable(old)
	}
	t := c.AddTable(&nftables.Table{Family: family, Name: tableName(ifname)})
	chain := func(name string, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
		return c.AddChain(&nftables.Chain{Name: name, Table: t, Type: nftables.ChainTypeFilter, Hooknum: hook, Priority: prio})
	}
	preraw := chain("preraw", nftables.ChainHookPrerouting, nftables.ChainPriorityRaw)
	premangle := chain("premangle", nftables.ChainHookPrerouting, nftables.ChainPriorityMangle)
	postmangle := chain("postmangle", nftables.ChainHookPostrouting, nftables.ChainPriorityMangle)
	for _, a := range addrs {
		c.AddRule(&nftables.Rule{Table: t, Chain: preraw, Exprs: dropForeign(ifname, a)})
	}
	c.AddRule(&nftables.Rule{Table: t, Chain: postmangle, Exprs: saveMark(mark)})
	c.AddRule(&nftables.Rule{Table: t, Chain: premangle, Exprs: restoreMark()})
	if testOnlyBreakBatch {
		c.AddRule(&nftables.Rule{Table: t, Chain: preraw, Exprs: []expr.Any{&expr.Meta{Key: 0xffff, Register: 1}}})
	}
	f.logf(nftLog)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (f *Firewall) nftRemove(ifname string) (found bool, err error) {
	tables, err := f.nftTables(ifname)
	if err != nil || len(tables) == 0 {
		return false, err
	}
	c, err := f.nftConn()
	if err != nil {
		return true, fmt.Errorf("nftables: delete table %s: %w", tableName(ifname), err)
	}
	for _, t := range tables {
		c.DelTable(t)
	}
	f.logf(nftLog)
	if err := c.Flush(); err != nil {
		return true, fmt.Errorf("nftables: delete table %s: %w", tableName(ifname), err)
	}
	return true, nil
}

// familyName is the family's name in nft syntax.
func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	case nftables.TableFamilyARP:
		return "arp"
	case nftables.TableFamilyNetdev:
		return "netdev"
	case nftables.TableFamilyBridge:
		return "bridge"
	}
	return fmt.Sprintf("family%d", f)
}

// dropForeign is `iifname != "IF" ip daddr ADDR fib saddr type != local
// drop` (ip6 daddr for IPv6), in the bytecode nft generates for it.
func dropForeign(ifname string, a netip.Addr) []expr.Any {
	name := make([]byte, unix.IFNAMSIZ)
	copy(name, ifname)
	// The destination address sits at offset 16 in IPv4's header, 24 in
	// IPv6's.
	offset := uint32(16)
	if a.Is6() {
		offset = 24
	}
	addr := a.AsSlice()
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFNAME, Register: 1},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: name},
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: offset, Len: uint32(len(addr))},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: addr},
		&expr.Fib{Register: 1, FlagSADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
}

// saveMark is `meta l4proto udp mark N ct mark set mark`.
func saveMark(mark uint32) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_UDP}},
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(mark)},
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
		&expr.Ct{Key: expr.CtKeyMARK, Register: 1, SourceRegister: true},
	}
}

// restoreMark is `meta l4proto udp meta mark set ct mark`.
func restoreMark() []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_UDP}},
		&expr.Ct{Key: expr.CtKeyMARK, Register: 1},
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1, SourceRegister: true},
	}
}
