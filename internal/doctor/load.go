package doctor

import (
	"io"
	"net/netip"
	"strconv"

	"github.com/wgtools/wgtools/internal/config"
)

// Load reads the config NAME from r for the checks. Host names in
// Endpoint lines are not looked up here: they are kept in Endpoints, for
// the endpoints check to look up through the Probe.
func Load(name, path string, r io.Reader) (*Env, error) {
	q, err := config.ParseQuick(r)
	if err != nil {
		return nil, err
	}
	rec := &recorder{}
	opts := &config.Options{Resolver: rec, LookupEnv: func(string) (string, bool) { return "", false }}
	wg, err := opts.ParseLines(q.WG)
	if err != nil {
		return nil, err
	}
	e := &Env{Name: name, Path: path, Quick: q, WG: wg}
	for _, p := range wg.Peers {
		if p.Endpoint == nil {
			continue
		}
		ep := Endpoint{Port: p.Endpoint.Port(), Addr: p.Endpoint.Addr()}
		if host, ok := rec.hosts[ep.Addr]; ok {
			ep.Host, ep.Addr = host, netip.Addr{}
		} else {
			ep.Host = ep.Addr.String()
		}
		e.Endpoints = append(e.Endpoints, ep)
	}
	return e, nil
}

// recorder answers each host name lookup with a placeholder of its own
// (240.0.0.0/4 is reserved) and keeps the names by placeholder.
type recorder struct {
	hosts map[netip.Addr]string
	n     int
}

func (r *recorder) LookupPort(service string) (int, bool) {
	n, err := strconv.Atoi(service)
	return n, err == nil
}

func (r *recorder) LookupHost(host string) ([]netip.Addr, error) {
	if r.hosts == nil {
		r.hosts = map[netip.Addr]string{}
	}
	r.n++
	a := netip.AddrFrom4([4]byte{240, byte(r.n >> 16), byte(r.n >> 8), byte(r.n)})
	r.hosts[a] = host
	return []netip.Addr{a}, nil
}

func (r *recorder) InterfaceIndex(string) (int, bool) { return 0, false }
