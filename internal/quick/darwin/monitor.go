package darwin

import (
	"context"
	"io"
	"strings"
	"time"
)

// Monitor is the route monitor of one tunnel (upstream's monitor_daemon):
// on each routing message it puts the endpoint routes through the current
// gateway, sets the automatic MTU again and the DNS (again two seconds
// later, as macOS may overwrite it after a network change); when the utun
// is gone it removes the endpoint routes and puts every service's DNS
// back. Like upstream's, it prints nothing.
type Monitor struct {
	p    Platform
	rec  *Record
	save func(*Record) error
	// Load, when set, reads the record anew from the state (nil when it
	// is gone): the monitor reads it before each message, timer and its
	// end, so that what a reload changed (routes, DNS, MTU) is what it
	// keeps and saves, not its copy from up.
	Load func() *Record
}

// Refresh reads the record anew (Run does every refreshEvery, so that a
// reload that caused no routing message is known by the monitor's end).
func (m *Monitor) Refresh() { m.current() }

// refreshEvery is how often Run reads the record anew.
const refreshEvery = 2 * time.Second

// current reads the record anew when it can.
func (m *Monitor) current() *Record {
	if m.Load != nil {
		if rec := m.Load(); rec != nil && rec.Real == m.rec.Real {
			rec.MonitorPID = m.rec.MonitorPID
			m.rec = rec
		}
	}
	return m.rec
}

// NewMonitor is the monitor (process pid) of the tunnel rec describes;
// save keeps the record current after each change.
func NewMonitor(p *Platform, pid int, rec *Record, save func(*Record) error) *Monitor {
	rec.MonitorPID = pid
	m := &Monitor{p: *p, rec: rec, save: save}
	m.p.Log = io.Discard
	return m
}

// Message handles one routing message (RTM_…; other lines are ignored).
// It reports whether the utun still exists, and whether a DNS timer is to
// fire in two seconds.
func (m *Monitor) Message(msg string) (alive, timer bool) {
	if !strings.HasPrefix(msg, "RTM_") {
		return true, false
	}
	r := m.current()
	if !m.p.Sys.InterfaceExists(r.Real) {
		return false, false
	}
	if r.Auto4 || r.Auto6 {
		dev, _ := m.p.Devices.Device(r.Real)
		m.p.endpointRoutes(r, dev)
		m.save(r)
	}
	if r.MTU == "" {
		m.p.autoMTU(r.Real)
	}
	if len(r.DNS) == 0 {
		return true, false
	}
	m.Timer()
	return true, true
}

// Timer sets the DNS again (upstream's ALRM).
func (m *Monitor) Timer() {
	r := m.current()
	r.Services = m.p.collectServices(r.Services)
	m.p.applyDNS(r)
	r.DNSSet = true
	m.save(r)
}

// Exit is the monitor's end (upstream's trap): the routes go and the DNS
// comes back.
func (m *Monitor) Exit() {
	m.current()
	m.p.delRoutes(m.rec, false)
	m.p.restoreDNS(m.rec, false)
	m.rec.Endpoints, m.rec.DNSSet = nil, false
	m.save(m.rec)
}

// Run handles the messages until the utun is gone, ctx ends or messages
// is closed, firing the DNS timers as they come due, then runs Exit.
func (m *Monitor) Run(ctx context.Context, messages <-chan string) {
	defer m.Exit()
	refresh := time.NewTicker(refreshEvery)
	defer refresh.Stop()
	var timers []time.Time
	for {
		var due <-chan time.Time
		if len(timers) > 0 {
			due = time.After(time.Until(timers[0]))
		}
		select {
		case <-ctx.Done():
			return
		case <-refresh.C:
			m.current()
		case <-due:
			timers = timers[1:]
			m.Timer()
		case msg, ok := <-messages:
			if !ok {
				return
			}
			alive, timer := m.Message(msg)
			if !alive {
				return
			}
			if timer {
				timers = append(timers, time.Now().Add(2*time.Second))
			}
		}
	}
}
