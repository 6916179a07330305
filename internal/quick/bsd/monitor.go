package bsd

import (
	"context"
	"strings"
)

// Monitor is the route monitor of one tunnel (upstream's monitor_daemon):
// on each routing message it puts the endpoint routes through the current
// gateway; when the interface is gone it removes them. Its lines are
// upstream's, which reach the terminal (the scripts' fd 3).
type Monitor struct {
	p    Platform
	rec  *Record
	save func(*Record) error
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
	r := m.rec
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
	m.rec.EndpointRoutes.Delete(m.p.Sys, m.p.logf)
	m.save(m.rec)
}

// Run handles the messages until the interface is gone, ctx ends or
// messages is closed, then runs Exit.
func (m *Monitor) Run(ctx context.Context, messages <-chan string) {
	defer m.Exit()
	for {
		select {
		case <-ctx.Done():
			return
		case msg, ok := <-messages:
			if !ok || !m.Message(msg) {
				return
			}
		}
	}
}
