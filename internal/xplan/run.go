package xplan

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsd"
	"github.com/wgtools/wgtools/internal/quick/darwin"
)

// Options say what to run: OS (darwin), Mode (up, down or updown, as the
// simulator's), the config file, the facts file and an events file.
type Options struct {
	OS, Mode              string
	Config, Facts, Events string
	// State adds a STATE line with the machine after each phase (and
	// before the first): interfaces, routes, services, tunnel files.
	State bool
	// FailAt makes the FailAt-th change (counted from 1) fail, to test
	// the rollback of each step.
	FailAt int
	// KillMonitor kills the route monitor after the events, before down
	// (a killed process runs no cleanup).
	KillMonitor bool
	// Reload, when set, is a config applied with `wg-quick reload` after
	// up and the events (a STATE line "reload" after it).
	Reload string
	// KillSwitch is `up --kill-switch`.
	KillSwitch bool
}

// Run runs our wg-quick for o on the simulated machine and writes the
// transcript to w. Its error is the simulation's own (bad facts, an
// unknown system); what wg-quick did is in the EXIT lines.
func Run(o Options, w io.Writer) error {
	if o.OS != "darwin" && o.OS != bsd.FreeBSD && o.OS != bsd.OpenBSD {
		return fmt.Errorf("%s: not modelled (darwin, freebsd and openbsd are)", o.OS)
	}
	if o.Mode != "up" && o.Mode != "down" && o.Mode != "updown" {
		return fmt.Errorf("mode %q: want up, down or updown", o.Mode)
	}
	facts, err := LoadFacts(o.Facts, o.OS)
	if err != nil {
		return err
	}
	events, err := LoadEvents(o.Events)
	if err != nil {
		return err
	}
	out := &switchWriter{w: w}
	if o.Mode == "down" {
		out.w = io.Discard // the machine is brought up silently first
	}
	t := NewTranscript(out)
	m, err := NewMachine(o.OS, facts, t)
	if err != nil {
		return err
	}
	m.failAt = o.FailAt
	if text, err := os.ReadFile(o.Config); err == nil {
		m.configPath, m.configText = "/etc/wireguard/"+filepath.Base(o.Config), string(text)
	}
	r := &run{m: m, t: t, states: &memStates{}, state: o.State, facts: facts}
	r.dumpState("initial")
	var platform quick.Platform
	switch o.OS {
	case "darwin":
		sys := &darwinSys{machineSys{m: m}}
		p := &darwin.Platform{Sys: sys, Devices: devices{m, "/dev/fd/63"}, UserspaceName: "wireguard-go", Log: t.Log()}
		platform, r.host = p, &sys.monitorHost
		r.newMonitor = func(name string, st *quick.State) simMonitor {
			rec := darwin.StateRecord(st)
			if rec == nil {
				return nil
			}
			mon := darwin.NewMonitor(p, 1, rec, func(rec *darwin.Record) error {
				return r.saveRecord(name, func(j *quick.Journal) error { return darwin.SaveRecord(j, rec) })
			})
			mon.Load = func() *darwin.Record { return loadRecord(r, name, darwin.StateRecord) }
			return mon
		}
	default:
		sys := &bsdSys{machineSys{m: m}}
		p := &bsd.Platform{OS: o.OS, Sys: sys, UserspaceName: "wireguard-go", Log: t.Log()}
		p.Devices = devices{m, "/dev/fd/63"}
		if p.ConfigOnStdin() {
			p.Devices = devices{m, "/dev/stdin"}
		}
		platform, r.host = p, &sys.monitorHost
		r.newMonitor = func(name string, st *quick.State) simMonitor {
			rec := bsd.StateRecord(st)
			if rec == nil {
				return nil
			}
			mon := bsd.NewMonitor(p, 1, rec, func(rec *bsd.Record) error {
				return r.saveRecord(name, func(j *quick.Journal) error { return bsd.SaveRecord(j, rec) })
			})
			mon.Load = func() *bsd.Record { return loadRecord(r, name, bsd.StateRecord) }
			return bsdMonitor{mon}
		}
	}
	r.env = &quick.Env{Platform: platform, Devices: devices{m, "/dev/fd/63"}, States: r.states, Log: t.Log(),
		RunHook: func(context.Context, string) error { return m.change() }, WriteConfig: m.writeConfig}
	if s, ok := platform.(quick.StdinConfig); ok && s.ConfigOnStdin() {
		r.env.Devices = devices{m, "/dev/stdin"}
	}

	name, q, wg, err := readConfig(o.Config, facts)
	if err != nil {
		fmt.Fprintf(t.Log(), "wg-quick: %v\n", err)
		t.Exit("up", "1")
		return nil
	}
	r.host.onMonitor = r.startMonitor
	r.name = name
	q.KillSwitch = q.KillSwitch || o.KillSwitch
	r.phase("up", quick.Up(context.Background(), r.env, name, q, wg))
	if err := r.events(events); err != nil {
		return err
	}
	if r.upFailed {
		r.departures() // the monitor sees the utun of a failed up go
	}
	r.dumpState("up")
	if r.state {
		r.t.line("STATE", fmt.Sprintf("changes %d", r.m.changes))
	}
	if o.Reload != "" && !r.upFailed {
		if q, err = r.reload(o.Reload); err != nil {
			return err
		}
	}
	if o.Mode == "up" {
		r.monitorRunning()
		return nil
	}
	if r.upFailed {
		if o.Mode == "down" {
			return fmt.Errorf("mode down: the silent up failed")
		}
		return nil // as the simulator: no down after a failed up
	}
	if o.Mode == "down" {
		out.w = w
	}
	if o.KillMonitor && r.mon != nil {
		r.mon, r.timers = nil, nil
		r.host.monitorRunning = false
		r.t.Exit("monitor", "killed")
	}
	r.phase("down", quick.Down(context.Background(), r.env, name, q, r.m.configPath))
	r.departures()
	r.dumpState("down")
	r.monitorRunning()
	return nil
}

// dumpState writes a STATE line when asked to.
func (r *run) dumpState(phase string) {
	if r.state {
		r.t.line("STATE", phase+" "+jsonText(r.m.dump()))
	}
}

type run struct {
	m      *Machine
	t      *Transcript
	host   *monitorHost
	states *memStates
	env    *quick.Env
	// newMonitor is the platform's monitor of NAME, whose state is st.
	newMonitor func(name string, st *quick.State) simMonitor
	mon        simMonitor
	now        float64
	timers     []timer
	upFailed   bool
	state      bool
	facts      *Facts
	name       string
}

type timer struct{ at, since float64 }

// phase records a phase's end: the error as wg-quick prints it, then
// EXIT.
func (r *run) phase(name string, err error) {
	if err != nil {
		fmt.Fprintf(r.t.Log(), "wg-quick: %v\n", err)
		r.t.Exit(name, "1")
		if name == "up" {
			r.upFailed = true
		}
		return
	}
	r.t.Exit(name, "0")
}

// simMonitor is a platform's route monitor, fed the simulator's messages
// and timers.
type simMonitor interface {
	Message(msg string) (alive, timer bool)
	Timer()
	Exit()
}

// bsdMonitor is the BSDs' monitor, which sets no timers.
type bsdMonitor struct{ *bsd.Monitor }

func (b bsdMonitor) Message(msg string) (bool, bool) { return b.Monitor.Message(msg), false }
func (b bsdMonitor) Timer()                          {}

// startMonitor stands in for the monitor process the platform starts:
// the same code, with the record of the state it reads when it starts,
// fed the simulator's messages.
func (r *run) startMonitor(name string) {
	st, _ := r.states.Load(name)
	if st == nil {
		return
	}
	if mon := r.newMonitor(name, st); mon != nil {
		r.mon = mon
	}
}

// saveRecord has the monitor's record saved in NAME's state, only while
// there is one: after down it is gone, and must stay gone.
func (r *run) saveRecord(name string, save func(*quick.Journal) error) error {
	if st, _ := r.states.Load(name); st != nil {
		return save(quick.NewJournal(st, r.states))
	}
	return nil
}

// events applies the events at their virtual times, delivering their
// messages to the monitor, with the monitor's timers firing in between
// (first, at equal times), and then the timers still due.
func (r *run) events(evs []Event) error {
	for _, ev := range evs {
		r.fireTimers(ev.At)
		r.now = ev.At
		for _, ch := range ev.Changes {
			if err := r.m.applyChange(ch); err != nil {
				return err
			}
		}
		var changes []any
		for _, ch := range ev.Changes {
			changes = append(changes, decode(ch))
		}
		r.t.Event(map[string]any{"at": pyFloat(ev.At), "changes": changes, "messages": *ev.Messages})
		r.deliver(*ev.Messages)
	}
	r.fireTimers(1e18)
	return nil
}

func (r *run) fireTimers(until float64) {
	for len(r.timers) > 0 && r.timers[0].at <= until {
		tm := r.timers[0]
		r.timers = r.timers[1:]
		r.now = tm.at
		r.t.Event(map[string]any{"at": pyFloat(tm.at), "since": pyFloat(tm.since), "timer": []string{"sleep", "2"}})
		if r.mon != nil {
			r.mon.Timer()
		}
	}
}

// deliver hands routing messages to the running monitor.
func (r *run) deliver(msgs []string) {
	for _, msg := range msgs {
		if r.mon == nil {
			return
		}
		alive, tm := r.mon.Message(msg)
		if !alive {
			r.mon.Exit()
			r.mon = nil
			r.host.monitorRunning = false
			r.timers = nil
			r.t.Exit("monitor", "0")
			return
		}
		if tm {
			r.timers = append(r.timers, timer{at: r.now + 2, since: r.now})
		}
	}
}

// departures tells the monitor of the interfaces that went away.
func (r *run) departures() {
	for _, g := range r.m.gone {
		msgs := []string{"RTM_IFINFO"}
		r.t.Event(map[string]any{"at": pyFloat(r.now), "interface": g.name, "messages": msgs, "reason": g.reason})
		r.deliver(msgs)
	}
	r.m.gone = nil
}

func (r *run) monitorRunning() {
	if r.mon != nil {
		r.t.Exit("monitor", "running")
	}
}

// readConfig reads the config as the simulator installs it, its name from
// the file's base name, endpoint names through the facts' hosts.
func readConfig(path string, f *Facts) (string, *config.QuickConfig, *config.Config, error) {
	base := filepath.Base(path)
	name, ok := strings.CutSuffix(base, ".conf")
	if !ok || !config.ValidInterfaceName(name) {
		return "", nil, nil, fmt.Errorf("the config file must be a valid interface name, followed by .conf")
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return "", nil, nil, err
	}
	q, err := config.ParseQuick(bytes.NewReader(text))
	if err != nil {
		return "", nil, nil, err
	}
	opts := &config.Options{Resolver: newResolver(f.Hosts), LookupEnv: func(string) (string, bool) { return "", false }}
	wg, err := opts.ParseLines(q.WG)
	if err != nil {
		return "", nil, nil, err
	}
	return name, q, wg, nil
}

// memStates is a StateStore in memory.
type memStates struct{ m map[string]*quick.State }

func (s *memStates) Save(st *quick.State) error {
	if s.m == nil {
		s.m = map[string]*quick.State{}
	}
	c := *st
	c.Changes = append([]quick.Change(nil), st.Changes...)
	s.m[st.Interface] = &c
	return nil
}

func (s *memStates) Load(name string) (*quick.State, error) {
	st, ok := s.m[name]
	if !ok {
		return nil, nil
	}
	c := *st
	c.Changes = append([]quick.Change(nil), st.Changes...)
	return &c, nil
}

func (s *memStates) Remove(name string) error {
	delete(s.m, name)
	return nil
}

// switchWriter writes to w, which can change between phases.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

// pyFloat prints as Python's json does (1.0, 0.5).
type pyFloat float64

func (f pyFloat) MarshalJSON() ([]byte, error) {
	s := strconv.FormatFloat(float64(f), 'f', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return []byte(s), nil
}
