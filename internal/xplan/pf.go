package xplan

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/wgtools/wgtools/internal/quick/pf"
)

// pfState is the simulated machine's pf, which upstream's scripts never
// touch (the kill switch is ours): the main ruleset, the anchors' rules,
// whether it is on, and macOS's references that keep it on. Each change
// is recorded as the pfctl command that makes it (and the rules it reads,
// as a STDIN line); the STATE lines show it only once it differs from
// the machine's first.
type pfState struct {
	Main    string            `json:"main"`
	Anchors map[string]string `json:"anchors,omitempty"`
	On      bool              `json:"enabled"`
	Tokens  []string          `json:"tokens,omitempty"`
	initial string
}

// PFFact is pf as a system starts in a scenario: `scenario.pf.OS` of the
// facts (the simulator ignores the scenario block).
type PFFact struct {
	Main    string `json:"main"`
	Enabled bool   `json:"enabled"`
}

// darwinMain is the main ruleset macOS loads from its /etc/pf.conf.
const darwinMain = "scrub-anchor \"com.apple/*\" all fragment reassemble\nanchor \"com.apple/*\" all\n"

// initPF sets pf as the scenario says, or as the system ships: macOS's
// ruleset loaded and pf off, a BSD's off with no rules.
func (m *Machine) initPF(f *Facts) error {
	m.pf = pfState{}
	if m.OS == pf.Darwin {
		m.pf.Main = darwinMain
	}
	var sc struct {
		PF map[string]PFFact `json:"pf"`
	}
	if len(f.Scenario) > 0 {
		if err := json.Unmarshal(f.Scenario, &sc); err != nil {
			return err
		}
	}
	if fact, ok := sc.PF[m.OS]; ok {
		m.pf.Main, m.pf.On = fact.Main, fact.Enabled
	}
	m.pf.initial = m.pf.text()
	return nil
}

func (s *pfState) text() string {
	c := *s
	c.initial = ""
	data, _ := json.Marshal(c)
	return string(data)
}

// changed is pf for the STATE dump when it is not as the machine started.
func (s *pfState) changed() (any, bool) {
	if s.text() == s.initial {
		return nil, false
	}
	return json.RawMessage(s.text()), true
}

// pfCall records one pfctl command; stdin, when there is any, follows.
func (s *machineSys) pfCall(stdin string, args ...string) error {
	s.m.t.Call(append([]string{"pfctl"}, args...)...)
	if stdin != "" {
		s.m.t.line("STDIN", jsonText(stdin))
	}
	return s.m.change()
}

func anchorArgs(anchor string, args ...string) []string {
	if anchor == "" {
		return args
	}
	return append([]string{"-a", anchor}, args...)
}

func (s *machineSys) Rules(anchor string) (string, error) {
	if anchor == "" {
		return s.m.pf.Main, nil
	}
	return s.m.pf.Anchors[anchor], nil
}

func (s *machineSys) Load(anchor, rules string) error {
	if err := s.pfCall(rules, anchorArgs(anchor, "-f", "-")...); err != nil {
		return err
	}
	if anchor == "" {
		s.m.pf.Main = rules
		return nil
	}
	if s.m.pf.Anchors == nil {
		s.m.pf.Anchors = map[string]string{}
	}
	s.m.pf.Anchors[anchor] = rules
	return nil
}

func (s *machineSys) Flush(anchor string) error {
	if anchor == "" {
		if err := s.pfCall("", "-F", "rules"); err != nil {
			return err
		}
		s.m.pf.Main = ""
		return nil
	}
	if err := s.pfCall("", "-a", anchor, "-F", "all"); err != nil {
		return err
	}
	delete(s.m.pf.Anchors, anchor)
	if len(s.m.pf.Anchors) == 0 {
		s.m.pf.Anchors = nil
	}
	return nil
}

func (s *machineSys) Enabled() (bool, error) { return s.m.pf.On, nil }

func (s *machineSys) Enable() (string, error) {
	if s.m.OS != pf.Darwin {
		if err := s.pfCall("", "-e"); err != nil {
			return "", err
		}
		if s.m.pf.On {
			return "", errors.New("pfctl: pf already enabled")
		}
		s.m.pf.On = true
		return "", nil
	}
	if err := s.pfCall("", "-E"); err != nil {
		return "", err
	}
	token := strconv.Itoa(1000 + len(s.m.pf.Tokens) + 1)
	s.m.pf.Tokens = append(s.m.pf.Tokens, token)
	s.m.pf.On = true
	return token, nil
}

func (s *machineSys) Release(token string) error {
	if s.m.OS != pf.Darwin {
		if err := s.pfCall("", "-d"); err != nil {
			return err
		}
		s.m.pf.On = false
		return nil
	}
	if err := s.pfCall("", "-X", token); err != nil {
		return err
	}
	i := slices.Index(s.m.pf.Tokens, token)
	if i < 0 {
		return errors.New("pfctl: DIOCSTOPREF: Invalid argument")
	}
	s.m.pf.Tokens = slices.Delete(s.m.pf.Tokens, i, i+1)
	if len(s.m.pf.Tokens) == 0 {
		s.m.pf.Tokens, s.m.pf.On = nil, false
	}
	return nil
}
