// Package resolve answers wg's name lookups from this system: UDP services
// from /etc/services, host names through Go's resolver, interface names.
package resolve

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"

	"github.com/wgtools/wgtools/internal/config"
)

type system struct {
	once     sync.Once
	services map[string]int
}

// System returns a resolver backed by this machine.
func System() config.Resolver { return &system{} }

func (s *system) LookupPort(name string) (int, bool) {
	s.once.Do(func() {
		f, err := os.Open("/etc/services")
		if err != nil {
			return
		}
		defer f.Close()
		s.services = config.ParseServices(f, "udp")
	})
	p, ok := s.services[name]
	return p, ok
}

func (s *system) LookupHost(host string) ([]netip.Addr, error) {
	addrs, err := net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && (de.IsTemporary || de.IsTimeout) && !de.IsNotFound {
			return nil, &config.LookupError{Msg: config.MsgAgain}
		}
		return nil, &config.LookupError{Msg: config.MsgNoName, Permanent: true}
	}
	return addrs, nil
}

func (s *system) InterfaceIndex(name string) (int, bool) {
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, false
	}
	return ifi.Index, true
}
