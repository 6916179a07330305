//go:build linux

package firewall

import (
	"errors"
	"fmt"
	"net/netip"
)

// logf prints one `[#] …` line.
func (f *Firewall) logf(format string, args ...any) {
	if f.Log != nil {
		fmt.Fprintf(f.Log, "[#] "+format+"\n", args...)
	}
}

func tableName(ifname string) string { return TableName(ifname) }

// AddDefault installs the rules upstream's add_default installs for one
// address family (IPv6 if v6): a wg-quick-IF table whose preraw chain drops
// packets for each of addrs (those of the family, in the order given, as
// `ip -o addr show dev IF` lists them) that do not arrive on ifname, and
// whose mangle chains save mark into conntrack and restore it on replies.
// Addresses of the other family are ignored.
//
// With nf_tables the table, its chains and rules go in as one batch, so
// either all of it is added or nothing is. As with `nft add`, calling it
// again keeps the table and chains and appends the rules once more.
func (f *Firewall) AddDefault(ifname string, v6 bool, addrs []netip.Addr, mark uint32) error {
	if err := checkName(ifname); err != nil {
		return err
	}
	addrs, err := familyAddrs(v6, addrs)
	if err != nil {
		return err
	}
	useNft := f.Backend == Nftables
	if f.Backend == Auto {
		if useNft, err = f.nftAvailable(); err != nil {
			return err
		}
	}
	if useNft {
		return f.nftAdd(ifname, v6, addrs, mark)
	}
	return f.iptablesAdd(ifname, v6, addrs, mark)
}

// Remove deletes what AddDefault installed for ifname with either backend,
// as upstream's remove_firewall does: every nftables table named
// wg-quick-IF, of any family, in one batch; then, only when there were no
// such tables, the iptables and ip6tables rules tagged for ifname. Each backend that is unavailable is
// skipped; when there is nothing to delete it does nothing and logs
// nothing.
func (f *Firewall) Remove(ifname string) error {
	if err := checkName(ifname); err != nil {
		return err
	}
	// wg-quick puts its rules in nftables when it can and in iptables only
	// otherwise, so tables found and removed mean there is nothing in
	// iptables: this skips two *tables-save runs (about 10 ms).
	found, err := f.nftRemove(ifname)
	if found && err == nil {
		return nil
	}
	return errors.Join(err, f.iptablesRemove(ifname))
}

// Has reports whether any wg-quick-IF table or iptables rule tagged for
// ifname exists.
func (f *Firewall) Has(ifname string) (bool, error) {
	if err := checkName(ifname); err != nil {
		return false, err
	}
	tables, err := f.nftTables(ifname)
	if err != nil {
		return false, err
	}
	if len(tables) > 0 {
		return true, nil
	}
	for _, v6 := range []bool{false, true} {
		save, ok, err := f.iptablesSave(v6)
		if err != nil {
			return false, fmt.Errorf("firewall: %w", err)
		}
		if ok && hasTagged(ifname, save) {
			return true, nil
		}
	}
	return false, nil
}
