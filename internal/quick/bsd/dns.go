package bsd

import (
	"fmt"
	"strings"

	"github.com/wgtools/wgtools/internal/quick"
)

// resolvConf is the system's resolver configuration.
const resolvConf = "/etc/resolv.conf"

// backupPath is OpenBSD's copy of resolv.conf while NAME is up (named
// after the config, not the wgN).
func backupPath(name string) string { return resolvConf + ".wg-quick-backup." + name }

// SetDNS is set_dns. FreeBSD: the servers and search domains through
// `resolvconf -a IF -x`. OpenBSD: when unwind or resolvd runs, resolv.conf
// is kept aside, search domains replace it, and the servers are proposed
// to resolvd for the interface (`route nameserver`).
func (p *Platform) SetDNS(j *quick.Journal, name, real string, servers, search []string) error {
	r := record(j)
	if !p.openBSD() {
		p.logf("[#] resolvconf -a %s -x", real)
		// Recorded first: an interrupted resolvconf may have applied.
		r.Resolvconf = true
		if err := save(j, r); err != nil {
			return err
		}
		return p.Sys.ResolvconfAdd(real, resolvconfText(servers, search))
	}
	switch {
	case p.Sys.Running("unwind"):
		p.logf("[!] WARNING: unwind will leak DNS queries")
	case p.Sys.Running("resolvd"):
		p.logf("[!] WARNING: resolvd may leak DNS queries")
	default:
		p.logf("[+] resolvd is not running, DNS will not be configured")
		return nil
	}
	backup := backupPath(name)
	p.logf("[#] cp %s %s", resolvConf, backup)
	data, err := p.Sys.ReadFile(resolvConf)
	if err != nil {
		return err
	}
	if err := p.Sys.WriteFile(backup, data); err != nil {
		return err
	}
	r.Backup = true
	if err := save(j, r); err != nil {
		return err
	}
	if len(search) > 0 {
		p.logf(`[#] printf search %%s\n %s`, strings.Join(search, " "))
		if err := p.Sys.WriteFile(resolvConf, []byte("search "+strings.Join(search, " ")+"\n")); err != nil {
			return err
		}
	}
	return p.Sys.RouteNameservers(real, servers)
}

// resolvconfText is what FreeBSD's set_dns gives resolvconf.
func resolvconfText(servers, search []string) string {
	var b strings.Builder
	for _, s := range servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	if len(search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(search, " "))
	}
	return b.String()
}

// unsetDNS is unset_dns. FreeBSD: `resolvconf -d IF` when up set it (or,
// on down, when the config has DNS: the state may be an older run's).
// OpenBSD: when the backup is there, the proposal is withdrawn and the
// backup put back.
func (p *Platform) unsetDNS(r *Record, name, real string, configured bool) error {
	if !p.openBSD() {
		if !r.Resolvconf && !configured {
			return nil
		}
		r.Resolvconf = false
		p.logf("[#] resolvconf -d %s", real)
		return p.Sys.ResolvconfDelete(real)
	}
	backup := backupPath(name)
	if !p.Sys.Exists(backup) {
		return nil
	}
	if real != "" && p.Sys.InterfaceExists(real) {
		p.Sys.RouteNameservers(real, nil)
	}
	p.logf("[#] mv %s %s", backup, resolvConf)
	r.Backup = false
	return p.Sys.Rename(backup, resolvConf)
}

// resolvconfServers are the nameservers resolvconf holds for real, for
// save.
func (p *Platform) resolvconfServers(real string) []string {
	text, err := p.Sys.ResolvconfList(real)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if s, ok := strings.CutPrefix(line, "nameserver "); ok && !strings.ContainsAny(s, " \t") && s != "" {
			out = append(out, s)
		}
	}
	return out
}
