package bsd

import (
	"context"
	"strings"
	"time"
)

// Monitor is the route monitor of one tunnel (upstream's monitor_daemon):
// on each routing message it puts the endpoint routes through the current
// gateway; when the interface is gone it removes them. Its lines are
// upstream's, which reach the terminal (the scripts' fd 3).
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
	return &Monitor{p: *p, rec: rec, save: save}
}

// Message handles one routing message (RTM_…; other lines are ignored).
// It reports whether the interface still exists.
func (m *Monitor) Message(msg string) (alive bool) {
	if !strings.HasPrefix(msg, "RTM_") {
		return true
	}
	r := m.current()
	if !m.p.Sys.InterfaceExists(r.Real) {
		return false
	}
	if r.Any() {
		dev, _ := m.p.Devices.Device(r.Real)
		r.EndpointRoutes.Update(m.p.Sys, m.p.logf, dev, true)
		m.save(r)
	}
	return true
}

// Exit is the monitor's end (upstream's trap): the endpoint routes go.
func (m *Monitor) Exit() {
	m.current()
	m.rec.EndpointRoutes.Delete(m.p.Sys, m.p.logf)
	m.save(m.rec)
}

// Run handles the messages until the interface is gone, ctx ends or
// messages is closed, then runs Exit.
func (m *Monitor) Run(ctx context.Context, messages <-chan string) {
	defer m.Exit()
	refresh := time.NewTicker(refreshEvery)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-refresh.C:
			m.current()
		case msg, ok := <-messages:
			if !ok || !m.Message(msg) {
				return
			}
		}
	}
}
