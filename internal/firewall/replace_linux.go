//go:build linux

package firewall

import (
	"fmt"
	"net/netip"

	"github.com/google/nftables"
)

// The changes `wg-quick reload` makes to one family's rules while the
// other family's stay.

// RemoveFamily deletes what AddDefault installed for ifname in one family
// (IPv6 if v6): the wg-quick-IF table of that family, or else the tagged
// iptables (ip6tables) rules. With nothing to delete it does nothing and
// logs nothing.
func (f *Firewall) RemoveFamily(ifname string, v6 bool) error {
	if err := checkName(ifname); err != nil {
		return err
	}
	found, err := f.nftDelete(ifname, v6, nil)
	if found || err != nil {
		return err
	}
	return f.iptablesRemoveFamily(ifname, v6)
}

// ReplaceDefault makes one family's rules for ifname those AddDefault
// installs for addrs and mark. With nf_tables the old table goes and the
// new one comes in one batch, so no packet sees neither.
func (f *Firewall) ReplaceDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	if err := checkName(ifname); err != nil {
		return err
	}
	fam, err := familyAddrs(v6, addrs)
	if err != nil {
		return err
	}
	found, err := f.nftDelete(ifname, v6, func(old *nftables.Table) error { return f.nftReplace(ifname, v6, fam, mark, old) })
	if found || err != nil {
		return err
	}
	if err := f.iptablesRemoveFamily(ifname, v6); err != nil {
		return err
	}
	return f.AddDefault(ifname, v6, addrs, mark)
}

// nftDelete deletes the family's wg-quick-IF table, or, when add is
// given, has add delete it in the batch that adds the new one. It reports
// whether there was such a table.
func (f *Firewall) nftDelete(ifname string, v6 bool, add func(old *nftables.Table) error) (bool, error) {
	want := nftables.TableFamilyIPv4
	if v6 {
		want = nftables.TableFamilyIPv6
	}
	tables, err := f.nftTables(ifname)
	if err != nil {
		return false, err
	}
	for _, t := range tables {
		if t.Family != want {
			continue
		}
		if add != nil {
			return true, add(t)
		}
		c, err := f.nftConn()
		if err != nil {
			return true, fmt.Errorf("nftables: delete table %s: %w", tableName(ifname), err)
		}
		c.DelTable(t)
		f.logf(nftLog)
		if err := c.Flush(); err != nil {
			return true, fmt.Errorf("nftables: delete table %s %s: %w", familyName(t.Family), tableName(ifname), err)
		}
		return true, nil
	}
	return false, nil
}

func (f *Firewall) iptablesRemoveFamily(ifname string, v6 bool) error {
	save, ok, err := f.iptablesSave(v6)
	if err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	script, found := deleteScript(ifname, save)
	if !ok || !found {
		return nil
	}
	restore := iptablesCmd(v6) + "-restore"
	f.logf("%s -n", restore)
	if _, err := f.command([]byte(script), restore, "-n"); err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	return nil
}
