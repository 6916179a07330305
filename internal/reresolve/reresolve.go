package reresolve

import (
	"net/netip"
	"time"

	"github.com/wgtools/wgtools/internal/quick"
)

// The defaults of the rule; Resolver's zero fields take them.
const (
	// DefaultInterval is how often the handshakes are read.
	DefaultInterval = 10 * time.Second
	// DefaultAge is how old a handshake is before its peer's name is
	// looked up again.
	DefaultAge = 135 * time.Second
	// MaxFailWait and MaxSameWait cap the back-off, in intervals, after a
	// failed lookup (5 minutes by default) and after an unchanged answer
	// (1 minute).
	MaxFailWait, MaxSameWait = 30, 6
)

// Peer is what a pass reads of one peer of the device.
type Peer struct {
	Endpoint netip.AddrPort
	// Handshake is the latest handshake, zero when there was none.
	Handshake time.Time
}

// Device is the running interface.
type Device interface {
	// Peers reads the peers by base64 public key.
	Peers() (map[string]Peer, error)
	// SetEndpoint sets the endpoint of one peer, touching no other peer
	// and no session.
	SetEndpoint(peer string, ep netip.AddrPort) error
}

// Resolver applies the rule to one interface, pass after pass; it keeps
// the back-off in between.
type Resolver struct {
	// Interface names the interface in what is logged.
	Interface string
	Device    Device
	// Lookup resolves "host:port" as the config wrote it; its error
	// names what failed.
	Lookup func(name string) (netip.AddrPort, error)
	Now    func() time.Time
	// Logf receives one line per event (nil: none).
	Logf func(format string, args ...any)
	// Interval and Age are the rule's times (zero: the defaults).
	Interval, Age time.Duration

	peers map[string]*peerState
}

// peerState is what the resolver remembers of one peer between passes.
type peerState struct {
	name    string
	next    time.Time     // no lookup before
	wait    time.Duration // the back-off after the next lookup that changes nothing
	failing bool
	set     netip.AddrPort // what this resolver set last
	byHand  netip.AddrPort // a hand-set endpoint already logged
}

// Stale reads the device and reports whether any peer's handshake is
// stale: a pass can only have something to do then.
func (r *Resolver) Stale() (bool, error) {
	peers, err := r.Device.Peers()
	if err != nil {
		return false, err
	}
	now := r.Now()
	stale := false
	for key, p := range peers {
		if r.stale(p, now) {
			stale = true
		} else if ps := r.peers[key]; ps != nil {
			ps.next, ps.wait = time.Time{}, 0 // a fresh handshake ends the back-off
		}
	}
	return stale, nil
}

func (r *Resolver) stale(p Peer, now time.Time) bool {
	return p.Handshake.IsZero() || now.Sub(p.Handshake) > r.age()
}

// Pass re-resolves the entries that are due (see the package doc) and
// returns them with Set updated where it set a new address; changed
// reports whether it did. Errors of the device end the pass.
func (r *Resolver) Pass(eps []quick.NamedEndpoint) (out []quick.NamedEndpoint, changed bool, err error) {
	peers, err := r.Device.Peers()
	if err != nil {
		return eps, false, err
	}
	now := r.Now()
	out = append([]quick.NamedEndpoint(nil), eps...)
	for i := range out {
		e := &out[i]
		p, ok := peers[e.Peer]
		if !ok || !r.stale(p, now) {
			continue
		}
		ps := r.state(e)
		ours := sameAddrPort(p.Endpoint, e.Set) || ps.set.IsValid() && sameAddrPort(p.Endpoint, ps.set)
		if !ours {
			if ps.byHand != p.Endpoint {
				ps.byHand = p.Endpoint
				r.logf("[!] %s: peer %s: endpoint %s was set by hand; not re-resolving `%s'", r.Interface, e.Peer, p.Endpoint, e.Name)
			}
			continue
		}
		ps.byHand = netip.AddrPort{}
		if now.Before(ps.next) {
			continue
		}
		ep, lerr := r.Lookup(e.Name)
		switch {
		case lerr != nil:
			if !ps.failing {
				r.logf("[!] %s: peer %s: %v; keeping %s", r.Interface, e.Peer, lerr, p.Endpoint)
				ps.failing, ps.wait = true, 0
			}
			r.backOff(ps, now, MaxFailWait)
		case sameAddrPort(ep, p.Endpoint):
			if ps.failing {
				r.logf("[+] %s: peer %s: `%s' resolves again, to %s", r.Interface, e.Peer, e.Name, ep)
				ps.failing, ps.wait = false, 0
			}
			r.backOff(ps, now, MaxSameWait)
		default:
			if err := r.Device.SetEndpoint(e.Peer, ep); err != nil {
				return out, changed, err
			}
			r.logf("[+] %s: peer %s: `%s' is now %s (was %s)", r.Interface, e.Peer, e.Name, ep, p.Endpoint)
			e.Set, ps.set, changed = ep, ep, true
			ps.failing, ps.next, ps.wait = false, time.Time{}, 0
		}
	}
	return out, changed, nil
}

// state is what the resolver remembers of e's peer, started afresh when
// the name changed (a reload).
func (r *Resolver) state(e *quick.NamedEndpoint) *peerState {
	if r.peers == nil {
		r.peers = map[string]*peerState{}
	}
	ps := r.peers[e.Peer]
	if ps == nil || ps.name != e.Name {
		ps = &peerState{name: e.Name}
		r.peers[e.Peer] = ps
	}
	return ps
}

// backOff schedules the next lookup one wait from now, the wait doubling
// from one interval up to limit intervals.
func (r *Resolver) backOff(ps *peerState, now time.Time, limit int) {
	iv := r.interval()
	ps.wait = min(max(ps.wait, iv), time.Duration(limit)*iv)
	ps.next = now.Add(ps.wait)
	ps.wait *= 2
}

func sameAddrPort(a, b netip.AddrPort) bool {
	return a.Port() == b.Port() && a.Addr().Unmap() == b.Addr().Unmap()
}

func (r *Resolver) interval() time.Duration {
	if r.Interval > 0 {
		return r.Interval
	}
	return DefaultInterval
}

func (r *Resolver) age() time.Duration {
	if r.Age > 0 {
		return r.Age
	}
	return DefaultAge
}

func (r *Resolver) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}
