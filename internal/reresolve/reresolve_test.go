package reresolve

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/quick"
)

// fake is a device, a resolver and a clock.
type fake struct {
	now     time.Time
	peers   map[string]Peer
	names   map[string]string // name -> "addr:port", or "" for a failure
	lookups []string
	sets    []string
	logs    []string
}

func (f *fake) Peers() (map[string]Peer, error) { return f.peers, nil }

func (f *fake) SetEndpoint(peer string, ep netip.AddrPort) error {
	f.sets = append(f.sets, peer+" "+ep.String())
	p := f.peers[peer]
	p.Endpoint = ep
	f.peers[peer] = p
	return nil
}

func (f *fake) resolver() *Resolver {
	return &Resolver{
		Device: f,
		Now:    func() time.Time { return f.now },
		Lookup: func(name string) (netip.AddrPort, error) {
			f.lookups = append(f.lookups, name)
			if a := f.names[name]; a != "" {
				return netip.MustParseAddrPort(a), nil
			}
			return netip.AddrPort{}, errors.New("Name or service not known: `" + name + "'")
		},
		Logf: func(format string, args ...any) { f.logs = append(f.logs, fmt.Sprintf(format, args...)) },
	}
}

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

func TestPass(t *testing.T) {
	entry := quick.NamedEndpoint{Peer: "A", Name: "a.example:51820", Set: ap("192.0.2.1:51820")}
	other := quick.NamedEndpoint{Peer: "B", Name: "b.example:51820", Set: ap("192.0.2.2:51820")}
	tests := []struct {
		name        string
		peers       map[string]Peer
		names       map[string]string
		eps         []quick.NamedEndpoint
		wantStale   bool
		wantLookups []string
		wantSets    []string
		wantSet     []string // the entries' Set after the pass
		wantLogs    int
	}{{
		name:      "fresh handshake: nothing looked up",
		peers:     map[string]Peer{"A": {ap("192.0.2.1:51820"), t0.Add(-134 * time.Second)}},
		names:     map[string]string{"a.example:51820": "198.51.100.1:51820"},
		eps:       []quick.NamedEndpoint{entry},
		wantSet:   []string{"192.0.2.1:51820"},
		wantStale: false,
	}, {
		name:        "stale handshake, new address: set for that peer alone",
		peers:       map[string]Peer{"A": {ap("192.0.2.1:51820"), t0.Add(-136 * time.Second)}, "B": {ap("192.0.2.2:51820"), t0}},
		names:       map[string]string{"a.example:51820": "198.51.100.1:51820", "b.example:51820": "198.51.100.2:51820"},
		eps:         []quick.NamedEndpoint{entry, other},
		wantStale:   true,
		wantLookups: []string{"a.example:51820"},
		wantSets:    []string{"A 198.51.100.1:51820"},
		wantSet:     []string{"198.51.100.1:51820", "192.0.2.2:51820"},
		wantLogs:    1,
	}, {
		name:        "never a handshake: looked up",
		peers:       map[string]Peer{"A": {Endpoint: ap("192.0.2.1:51820")}},
		names:       map[string]string{"a.example:51820": "198.51.100.1:51820"},
		eps:         []quick.NamedEndpoint{entry},
		wantStale:   true,
		wantLookups: []string{"a.example:51820"},
		wantSets:    []string{"A 198.51.100.1:51820"},
		wantSet:     []string{"198.51.100.1:51820"},
		wantLogs:    1,
	}, {
		name:        "same address: nothing set",
		peers:       map[string]Peer{"A": {Endpoint: ap("192.0.2.1:51820")}},
		names:       map[string]string{"a.example:51820": "192.0.2.1:51820"},
		eps:         []quick.NamedEndpoint{entry},
		wantStale:   true,
		wantLookups: []string{"a.example:51820"},
		wantSet:     []string{"192.0.2.1:51820"},
	}, {
		name:      "set by hand: left alone, said once",
		peers:     map[string]Peer{"A": {Endpoint: ap("203.0.113.9:51820")}},
		names:     map[string]string{"a.example:51820": "198.51.100.1:51820"},
		eps:       []quick.NamedEndpoint{entry},
		wantStale: true,
		wantSet:   []string{"192.0.2.1:51820"},
		wantLogs:  1,
	}, {
		name:        "lookup fails: old address kept, said once",
		peers:       map[string]Peer{"A": {Endpoint: ap("192.0.2.1:51820")}},
		eps:         []quick.NamedEndpoint{entry},
		wantStale:   true,
		wantLookups: []string{"a.example:51820"},
		wantSet:     []string{"192.0.2.1:51820"},
		wantLogs:    1,
	}, {
		name:      "peer no longer on the device: skipped",
		peers:     map[string]Peer{"B": {Endpoint: ap("192.0.2.2:51820"), Handshake: t0}},
		eps:       []quick.NamedEndpoint{entry},
		wantSet:   []string{"192.0.2.1:51820"},
		wantStale: false,
	}, {
		name:        "an IPv4-mapped endpoint is the address recorded",
		peers:       map[string]Peer{"A": {Endpoint: ap("[::ffff:192.0.2.1]:51820")}},
		names:       map[string]string{"a.example:51820": "198.51.100.1:51820"},
		eps:         []quick.NamedEndpoint{entry},
		wantStale:   true,
		wantLookups: []string{"a.example:51820"},
		wantSets:    []string{"A 198.51.100.1:51820"},
		wantSet:     []string{"198.51.100.1:51820"},
		wantLogs:    1,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fake{now: t0, peers: tt.peers, names: tt.names}
			r := f.resolver()
			stale, err := r.Stale()
			if err != nil || stale != tt.wantStale {
				t.Errorf("Stale() = %v, %v; want %v", stale, err, tt.wantStale)
			}
			out, changed, err := r.Pass(tt.eps)
			if err != nil {
				t.Fatal(err)
			}
			var gotSet []string
			for _, e := range out {
				gotSet = append(gotSet, e.Set.String())
			}
			if diff := cmp.Diff(tt.wantSet, gotSet); diff != "" {
				t.Errorf("entries' Set (-want +got):\n%s", diff)
			}
			if changed != (len(tt.wantSets) > 0) {
				t.Errorf("changed = %v", changed)
			}
			if diff := cmp.Diff(tt.wantLookups, f.lookups); diff != "" {
				t.Errorf("lookups (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantSets, f.sets); diff != "" {
				t.Errorf("endpoints set (-want +got):\n%s", diff)
			}
			if len(f.logs) != tt.wantLogs {
				t.Errorf("logged %q, want %d lines", f.logs, tt.wantLogs)
			}
			// A second pass at once logs nothing new.
			n := len(f.logs)
			r.Pass(out)
			if len(f.logs) != n {
				t.Errorf("the second pass logged %q", f.logs[n:])
			}
		})
	}
}

// TestBackOff: a failing name is asked again after 1, 2, 4, … intervals
// up to MaxFailWait, logged once; an answer again is logged once; an
// unchanged answer backs off up to MaxSameWait; a fresh handshake ends
// the back-off.
func TestBackOff(t *testing.T) {
	entry := quick.NamedEndpoint{Peer: "A", Name: "a.example:51820", Set: ap("192.0.2.1:51820")}
	f := &fake{now: t0, peers: map[string]Peer{"A": {Endpoint: ap("192.0.2.1:51820")}}, names: map[string]string{}}
	r := f.resolver()
	r.Interval = time.Second
	run := func(seconds int) []int {
		var at []int
		for s := 0; s < seconds; s++ {
			n := len(f.lookups)
			r.Pass([]quick.NamedEndpoint{entry})
			if len(f.lookups) > n {
				at = append(at, s)
			}
			f.now = f.now.Add(time.Second)
		}
		return at
	}
	if diff := cmp.Diff([]int{0, 1, 3, 7, 15, 31, 61, 91}, run(100)); diff != "" {
		t.Errorf("failing lookups at seconds (-want +got):\n%s", diff)
	}
	if len(f.logs) != 1 || !strings.Contains(f.logs[0], "Name or service not known: `a.example:51820'; keeping 192.0.2.1:51820") {
		t.Errorf("logs %q, want one failure", f.logs)
	}
	f.names["a.example:51820"] = "192.0.2.1:51820"
	f.lookups, f.logs = nil, nil
	if diff := cmp.Diff([]int{21, 22, 24, 28, 34, 40}, run(45)); diff != "" { // the last failure's wait (30 s) runs out at 121
		t.Errorf("unchanged lookups at seconds (-want +got):\n%s", diff)
	}
	if len(f.logs) != 1 || !strings.Contains(f.logs[0], "resolves again") {
		t.Errorf("logs %q, want one recovery", f.logs)
	}
	// A fresh handshake ends the back-off; once stale again, at once.
	f.peers["A"] = Peer{Endpoint: ap("192.0.2.1:51820"), Handshake: f.now}
	r.Stale()
	f.now = f.now.Add(DefaultAge + time.Second)
	f.lookups = nil
	if got := run(1); len(got) != 1 {
		t.Errorf("after a fresh handshake went stale: lookups at %v, want one at once", got)
	}
}
