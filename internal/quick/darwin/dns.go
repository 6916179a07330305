package darwin

import (
	"strings"
)

// collectServices is collect_new_service_dns: the DNS servers and search
// domains of each network service not seen yet are read (and kept, to be
// put back); services that went away are forgotten.
func (p *Platform) collectServices(known []Service) []Service {
	names, err := p.Sys.Services()
	if err != nil {
		p.logf("[!] networksetup -listallnetworkservices: %v", err)
		return known
	}
	var out []Service
	for _, name := range names {
		if i := serviceIndex(known, name); i >= 0 {
			out = append(out, known[i])
			continue
		}
		p.logf("[#] networksetup -getdnsservers %s", name)
		servers, err := p.Sys.DNSServers(name)
		if err != nil {
			continue
		}
		p.logf("[#] networksetup -getsearchdomains %s", name)
		search, err := p.Sys.SearchDomains(name)
		if err != nil {
			continue
		}
		out = append(out, Service{Name: name, Servers: servers, Search: search})
	}
	return out
}

func serviceIndex(ss []Service, name string) int {
	for i, s := range ss {
		if s.Name == name {
			return i
		}
	}
	return -1
}

// applyDNS is the rest of set_dns: each known service gets the config's
// servers and search domains (Empty for none), in the services' listing
// order (upstream's follows bash's hash order of its associative array).
func (p *Platform) applyDNS(r *Record) {
	for _, s := range r.Services {
		p.logf("[#] networksetup -setdnsservers %s %s", s.Name, strings.Join(r.DNS, " "))
		if err := p.Sys.SetDNSServers(s.Name, r.DNS); err != nil {
			p.logf("[!] %v", err)
		}
		p.logf("[#] networksetup -setsearchdomains %s %s", s.Name, emptyOr(r.Search))
		if err := p.Sys.SetSearchDomains(s.Name, r.Search); err != nil {
			p.logf("[!] %v", err)
		}
	}
}

// restoreDNS is del_dns: each service gets back what it had. log says
// whether to print upstream's lines (not in the monitor).
func (p *Platform) restoreDNS(r *Record, log bool) {
	for _, s := range r.Services {
		if log {
			p.logf("[#] networksetup -setdnsservers %s %s", s.Name, emptyOr(s.Servers))
		}
		p.Sys.SetDNSServers(s.Name, s.Servers)
		if log {
			p.logf("[#] networksetup -setsearchdomains %s %s", s.Name, emptyOr(s.Search))
		}
		p.Sys.SetSearchDomains(s.Name, s.Search)
	}
}

// emptyOr is networksetup's word for no values, or the values.
func emptyOr(vs []string) string {
	if len(vs) == 0 {
		return "Empty"
	}
	return strings.Join(vs, " ")
}
