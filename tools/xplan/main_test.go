package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/testenv"
	"github.com/wgtools/wgtools/internal/xplan"
)

// declare rewrites the lines of the differences files that have a first
// line (the reason, written by hand) with the differences found.
var declare = flag.Bool("declare", false, "write the found differences into differences/*.md files that give a reason")

// scenario is one directory of testdata/scenarios.
type scenario struct {
	name, dir, conf, facts, events string
	oses                           []string
	mode                           string
	flags                          []string
	killSwitch                     bool
}

func scenarios(t *testing.T) []scenario {
	t.Helper()
	dirs, _ := filepath.Glob("testdata/scenarios/*")
	var out []scenario
	for _, dir := range dirs {
		confs, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
		if len(confs) != 1 {
			t.Fatalf("%s: want one config, have %v", dir, confs)
		}
		s := scenario{name: filepath.Base(dir), dir: dir, conf: confs[0], facts: filepath.Join(dir, "facts.json")}
		if _, err := os.Stat(filepath.Join(dir, "events.json")); err == nil {
			s.events = filepath.Join(dir, "events.json")
		}
		var f struct {
			Scenario struct {
				OSes  []string `json:"oses"`
				Mode  string   `json:"mode"`
				Flags []string `json:"flags"`
				// KillSwitch runs our up with --kill-switch.
				KillSwitch bool `json:"kill_switch"`
			} `json:"scenario"`
		}
		data, err := os.ReadFile(s.facts)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", s.facts, err)
		}
		s.oses, s.mode, s.flags, s.killSwitch = f.Scenario.OSes, f.Scenario.Mode, f.Scenario.Flags, f.Scenario.KillSwitch
		if s.mode == "" {
			s.mode = "updown"
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		t.Fatal("no scenarios in testdata/scenarios")
	}
	return out
}

// modelled are the systems xplan runs our engine for.
var modelled = []string{"darwin", "freebsd", "openbsd"}

// TestScenarios: on every scenario, our engine's LOG, EXIT and changing
// CALL lines, and the machine it leaves after up and after down, are
// upstream's, but for the differences declared in
// differences/OS-NAME.md (a first line saying what and why, then the
// lines only upstream has, "- …", and only ours has, "+ …").
func TestScenarios(t *testing.T) {
	same, declared := 0, 0
	for _, s := range scenarios(t) {
		for _, osName := range s.oses {
			if !slices.Contains(modelled, osName) {
				continue
			}
			t.Run(osName+"-"+s.name, func(t *testing.T) {
				want := readRecords(t, filepath.Join("testdata/expected", osName+"-"+s.name+".txt"))
				var out bytes.Buffer
				if err := xplan.Run(xplan.Options{OS: osName, Mode: s.mode, Config: s.conf, Facts: s.facts, Events: s.events, State: true, KillSwitch: s.killSwitch}, &out); err != nil {
					t.Fatal(err)
				}
				got, err := xplan.Parse(out.String())
				if err != nil {
					t.Fatal(err)
				}
				diff := xplan.Diff(xplan.Comparable(want), xplan.Comparable(got))
				declPath := filepath.Join("differences", osName+"-"+s.name+".md")
				if *declare {
					writeDifference(t, declPath, diff)
				}
				declaredDiff, why := readDifference(t, declPath)
				if d := cmp.Diff(declaredDiff, diff); d != "" {
					t.Errorf("the transcript differs from upstream's other than declared in differences/%s-%s.md (-declared +found):\n%s\nours:\n%s", osName, s.name, d, out.String())
				}
				if len(diff) == 0 {
					same++
				} else {
					declared++
					t.Logf("declared difference: %s", why)
				}
			})
		}
	}
	t.Logf("%d scenario runs as upstream's, %d with a declared difference", same, declared)
}

func readRecords(t *testing.T, path string) []xplan.Record {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := xplan.Parse(string(data))
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// readDifference reads a declared difference: its "- " and "+ " lines,
// and its first line.
func readDifference(t *testing.T, path string) ([]string, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, ""
	}
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	var diff []string
	for _, l := range lines[1:] {
		if strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "+ ") {
			diff = append(diff, l)
		}
	}
	if len(diff) == 0 {
		t.Fatalf("%s declares no lines", path)
	}
	return diff, lines[0]
}

// writeDifference puts diff under the first line of an existing
// differences file.
func writeDifference(t *testing.T, path string, diff []string) {
	data, err := os.ReadFile(path)
	if err != nil || len(diff) == 0 {
		return
	}
	first, _, _ := strings.Cut(string(data), "\n")
	text := first + "\n\nUpstream's lines (-) and ours (+), in order:\n\n" + strings.Join(diff, "\n") + "\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRecordingsCurrent runs upstream's scripts in the reference simulator
// (root, ../shared/xplat) on every scenario: the recordings in
// testdata/expected must be what it prints now.
func TestRecordingsCurrent(t *testing.T) {
	sim, err := filepath.Abs("../../../shared/xplat/simulate")
	if err != nil {
		t.Fatal(err)
	}
	testenv.Require(t, testenv.Root(), testenv.Command("python3", "python3"), testenv.Command("unshare", "util-linux"))
	if _, err := os.Stat(sim); err != nil {
		testenv.Skip(t, "the reference simulator ("+sim+")", "clone beside ../shared, as CI does")
	}
	for _, s := range scenarios(t) {
		for _, osName := range s.oses {
			path := filepath.Join("testdata/expected", osName+"-"+s.name+".txt")
			if _, err := os.Stat(path); err != nil {
				continue // a system we hold no recording for yet
			}
			t.Run(osName+"-"+s.name, func(t *testing.T) {
				args := []string{osName, s.mode, s.conf, s.facts}
				if s.events != "" {
					args = append(args, "--events", s.events)
				}
				args = append(args, recordingFlags(s.flags)...)
				out, err := exec.Command(sim, args...).Output()
				if err != nil {
					t.Fatalf("simulate %v: %v", args, err)
				}
				want, _ := os.ReadFile(path)
				if d := cmp.Diff(string(want), string(out)); d != "" {
					t.Errorf("%s is not what the simulator records now (-recorded +now):\n%s", path, d)
				}
			})
		}
	}
}

// recordingFlags are the simulator's flags for a recording: the
// scenario's, and --state, so that the machine after each phase is
// compared too.
func recordingFlags(flags []string) []string {
	if slices.Contains(flags, "--state") {
		return flags
	}
	return append(slices.Clip(flags), "--state")
}

// TestRollback makes each change of `up` fail in turn (hooks too), on
// every scenario: up fails, and once its monitor (if it started) has seen
// the utun go, the machine is as it was before.
func TestRollback(t *testing.T) {
	for _, s := range scenarios(t) {
		for _, osName := range s.oses {
			if !slices.Contains(modelled, osName) {
				continue
			}
			t.Run(osName+"-"+s.name, func(t *testing.T) {
				rolledBack := 0
				// FailAt 0 is the run without a failure: a scenario whose up
				// fails of itself is checked once. Some failures are ignored
				// (an endpoint route, as upstream's), so every change up to
				// the last one a successful up makes fails in turn.
				last := 0
				for n := 0; n <= last || n == 0; n++ {
					var out bytes.Buffer
					err := xplan.Run(xplan.Options{OS: osName, Mode: "up", Config: s.conf, Facts: s.facts, State: true, FailAt: n, KillSwitch: s.killSwitch}, &out)
					if err != nil {
						t.Fatal(err)
					}
					states := map[string]string{}
					exit := ""
					recs, _ := xplan.Parse(out.String())
					for _, r := range recs {
						if r.Kind == "STATE" {
							phase, state, _ := strings.Cut(r.Text, " ")
							states[phase] = state
						}
						if r.Kind == "EXIT" && strings.HasPrefix(r.Text, "up ") {
							exit = r.Text
						}
					}
					if n == 0 && exit == "up 0" {
						last, _ = strconv.Atoi(states["changes"])
					}
					if exit == "up 0" {
						continue
					}
					rolledBack++
					if exit != "up 1" {
						t.Fatalf("failing change %d: %q", n, exit)
					}
					if d := cmp.Diff(states["initial"], states["up"]); d != "" {
						t.Errorf("failing change %d left the machine changed (-before +after):\n%s\n%s", n, d, out.String())
					}
					if n == 0 {
						t.Log("up fails of itself and changes nothing")
						return
					}
				}
				t.Logf("%d changes made up fail when they failed, and were rolled back", rolledBack)
			})
		}
	}
}

// TestDownAfterMonitorKilled: with the route monitor killed (it cleans up
// nothing), down itself removes the endpoint routes (and on macOS puts
// back every service's DNS), from the state, and says so; the machine is
// as before.
func TestDownAfterMonitorKilled(t *testing.T) {
	cases := []struct{ os, scenario, says string }{
		{"darwin", "kill-switch", "routes and DNS settings"},
		{"freebsd", "kill-switch", "routes"},
		{"openbsd", "kill-switch", "routes"},
		{"darwin", "full-tunnel-dual", "routes and DNS settings"},
		{"darwin", "darwin-two-services", "routes and DNS settings"},
		{"darwin", "endpoints-v4-v6", "routes and DNS settings"},
		{"darwin", "dns-search", "routes and DNS settings"},
		{"freebsd", "full-tunnel-dual", "routes"},
		{"freebsd", "endpoints-v4-v6", "routes"},
		{"freebsd", "freebsd-userspace", "routes"},
		{"openbsd", "full-tunnel-dual", "routes"},
		{"openbsd", "endpoints-no-gateway", "routes"},
	}
	for _, c := range cases {
		t.Run(c.os+"-"+c.scenario, func(t *testing.T) {
			dir := filepath.Join("testdata/scenarios", c.scenario)
			o := xplan.Options{OS: c.os, Mode: "updown", Config: filepath.Join(dir, "wg0.conf"), Facts: filepath.Join(dir, "facts.json"), State: true, KillMonitor: true, KillSwitch: c.scenario == "kill-switch"}
			if _, err := os.Stat(filepath.Join(dir, "events.json")); err == nil {
				o.Events = filepath.Join(dir, "events.json")
			}
			var out bytes.Buffer
			if err := xplan.Run(o, &out); err != nil {
				t.Fatal(err)
			}
			states := map[string]string{}
			recs, _ := xplan.Parse(out.String())
			for _, r := range recs {
				if r.Kind == "STATE" {
					phase, state, _ := strings.Cut(r.Text, " ")
					states[phase] = state
				}
			}
			if !strings.Contains(out.String(), "LOG [!] The route monitor of `wg0' is not running; removing its "+c.says+"\n") || !strings.Contains(out.String(), "EXIT down 0\n") {
				t.Errorf("down did not clean up itself:\n%s", out.String())
			}
			if d := cmp.Diff(states["initial"], states["down"]); d != "" {
				t.Errorf("the machine after down (-before +after):\n%s", d)
			}
		})
	}
}

// TestDownAfterMonitorKilledRoaming: the monitor recorded what it changed
// (the roamed endpoint's route through the new router), so down after its
// death removes that route, not the first one.
func TestDownAfterMonitorKilledRoaming(t *testing.T) {
	dir := "testdata/scenarios/roaming-events"
	var out bytes.Buffer
	err := xplan.Run(xplan.Options{OS: "darwin", Mode: "updown", Config: dir + "/wg0.conf", Facts: dir + "/facts.json",
		Events: dir + "/events.json", State: true, KillMonitor: true}, &out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"LOG [#] route -q -n delete -inet 198.51.100.7\n",
		"LOG [#] networksetup -setdnsservers Wi-Fi Empty\n",
		"EXIT down 0\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
	for _, r := range strings.Split(out.String(), "\n") {
		state, ok := strings.CutPrefix(r, "STATE down ")
		if !ok {
			continue
		}
		var m struct{ Routes []string }
		if err := json.Unmarshal([]byte(state), &m); err != nil {
			t.Fatal(err)
		}
		for _, route := range m.Routes {
			if strings.HasPrefix(route, "198.51.100.7/32 ") || strings.HasPrefix(route, "203.0.113.1/32 ") {
				t.Errorf("an endpoint route is left: %s", route)
			}
		}
	}
}
