// Package pf is the kill switch of macOS, FreeBSD and OpenBSD: the rules
// of firewall.KillSwitch (its PF text) in a pf anchor of their own, which
// the main ruleset evaluates ahead of the rest. Ctl is pfctl(8); the
// platforms give it natively (pfctl.go) or on a simulated machine
// (internal/xplan), where every call is recorded.
//
// macOS's /etc/pf.conf evaluates every anchor under "com.apple" (in name
// order), so the kill switch is com.apple/100.wgtools.killswitch.NAME,
// ahead of Apple's 200.AirDrop and 250.ApplicationFirewall; pf is turned
// on with a reference (`pfctl -E`, its token released on down). The BSDs'
// main ruleset is the administrator's: it must evaluate `anchor
// "wgtools/*"` (first: the kill switch's quick rules decide only for what
// reaches them). A main ruleset that does not is refused, unless it is
// empty: then it gets that one rule, removed again on down. pf turned on
// by the kill switch is turned off on down.
package pf

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/wgtools/wgtools/internal/firewall"
)

// Ctl is what the kill switch asks of pf and changes in it: pfctl's
// commands, natively or on a simulated machine.
type Ctl interface {
	// Rules are the filter rules of an anchor ("": the main ruleset), as
	// `pfctl [-a ANCHOR] -s rules` prints them, one per line.
	Rules(anchor string) (string, error)
	// Load replaces an anchor's rules and tables ("": the main ruleset's
	// rules) with rules: `pfctl [-a ANCHOR] -f -`.
	Load(anchor, rules string) error
	// Flush empties an anchor, rules and tables: `pfctl -a ANCHOR -F
	// all`; the main ruleset's rules only: `pfctl -F rules`.
	Flush(anchor string) error
	// Enabled is `pfctl -s info`'s Status.
	Enabled() (bool, error)
	// Enable turns pf on: macOS's `pfctl -E`, whose token keeps it on
	// until released; the BSDs' `pfctl -e` (no token).
	Enable() (token string, err error)
	// Release undoes Enable: `pfctl -X TOKEN`, or `pfctl -d`.
	Release(token string) error
}

// Darwin is the system name of macOS; the others are FreeBSD's and
// OpenBSD's own.
const Darwin = "darwin"

// AnchorPoint is the anchor the main ruleset evaluates the kill switches
// under.
func AnchorPoint(os string) string {
	if os == Darwin {
		return "com.apple"
	}
	return "wgtools"
}

// Anchor is the anchor of the kill switch of the config NAME (by the
// config's name: macOS's utun number changes from one up to the next).
func Anchor(os, name string) string {
	if os == Darwin {
		return AnchorPoint(os) + "/100.wgtools.killswitch." + name
	}
	return AnchorPoint(os) + "/killswitch." + name
}

// anchorRule is the main ruleset's rule that evaluates the anchors under
// point, as pfctl prints it.
func anchorRule(point string) string { return `anchor "` + point + `/*" all` }

// Record is what the kill switch changed in pf, for whoever removes it.
type Record struct {
	Anchor string `json:"anchor"`
	// Token is macOS's reference that keeps pf on.
	Token string `json:"token,omitempty"`
	// Enabled: pf was off and the kill switch turned it on (BSDs).
	Enabled bool `json:"enabled,omitempty"`
	// Main: the main ruleset was empty and got the anchor point's rule.
	Main bool `json:"main,omitempty"`
}

// Switch installs and removes kill switches through Ctl, logging pfctl's
// command lines ([#]) to Log.
type Switch struct {
	OS  string
	Ctl Ctl
	Log io.Writer
}

func (s *Switch) logf(format string, args ...any) { fmt.Fprintf(s.Log, "[#] "+format+"\n", args...) }

// Add installs k as the kill switch of NAME, or replaces one there (rec
// is its record; nil when there is none), in one load of its anchor.
// save records what changed, each time before it changes.
func (s *Switch) Add(name string, k firewall.KillSwitch, rec *Record, save func(*Record) error) error {
	if rec == nil {
		rec = &Record{Anchor: Anchor(s.OS, name)}
		if err := save(rec); err != nil {
			return err
		}
		if err := s.anchorPoint(rec, save); err != nil {
			return err
		}
	}
	s.logf("pfctl -a %s -f -", rec.Anchor)
	if err := s.Ctl.Load(rec.Anchor, k.PF()); err != nil {
		return fmt.Errorf("pfctl -a %s: %w", rec.Anchor, err)
	}
	return s.enable(rec, save)
}

// anchorPoint makes sure the main ruleset evaluates the anchor point:
// macOS's does, from /etc/pf.conf; a BSD's must, or be empty (it gets the
// rule). A ruleset that would not evaluate the kill switch is refused.
func (s *Switch) anchorPoint(rec *Record, save func(*Record) error) error {
	point := AnchorPoint(s.OS)
	main, err := s.Ctl.Rules("")
	if err != nil {
		return fmt.Errorf("pfctl -s rules: %w", err)
	}
	if HasAnchorRule(main, point) {
		return nil
	}
	if strings.TrimSpace(main) != "" {
		return fmt.Errorf("pf's main ruleset does not evaluate `anchor \"%s/*\"', so a kill switch there would block nothing: "+
			"add that line to /etc/pf.conf ahead of the filter rules and load it (pfctl -f /etc/pf.conf)", point)
	}
	rec.Main = true
	if err := save(rec); err != nil {
		return err
	}
	s.logf("pfctl -f - <<<'%s'", anchorRule(point))
	if err := s.Ctl.Load("", anchorRule(point)+"\n"); err != nil {
		return fmt.Errorf("pfctl -f -: %w", err)
	}
	return nil
}

// enable turns pf on unless the record already holds it on: macOS takes a
// reference; a BSD's pf is turned on only when it is off.
func (s *Switch) enable(rec *Record, save func(*Record) error) error {
	if rec.Token != "" || rec.Enabled {
		return nil
	}
	if s.OS == Darwin {
		s.logf("pfctl -E")
		token, err := s.Ctl.Enable()
		if err != nil {
			return fmt.Errorf("pfctl -E: %w", err)
		}
		rec.Token = token
		return save(rec)
	}
	on, err := s.Ctl.Enabled()
	if err != nil {
		return fmt.Errorf("pfctl -s info: %w", err)
	}
	if on {
		return nil
	}
	rec.Enabled = true
	if err := save(rec); err != nil {
		return err
	}
	s.logf("pfctl -e")
	if _, err := s.Ctl.Enable(); err != nil {
		return fmt.Errorf("pfctl -e: %w", err)
	}
	return nil
}

// Remove undoes what rec says: the anchor is emptied, pf's reference
// released (or pf turned off again), the main ruleset's rule removed
// while it is the only one. Each step is tried.
func (s *Switch) Remove(rec Record) error {
	var errs []error
	s.logf("pfctl -a %s -F all", rec.Anchor)
	if err := s.Ctl.Flush(rec.Anchor); err != nil {
		errs = append(errs, fmt.Errorf("pfctl -a %s -F all: %w", rec.Anchor, err))
	}
	switch {
	case rec.Token != "":
		s.logf("pfctl -X %s", rec.Token)
		if err := s.Ctl.Release(rec.Token); err != nil {
			errs = append(errs, fmt.Errorf("pfctl -X: %w", err))
		}
	case rec.Enabled:
		s.logf("pfctl -d")
		if err := s.Ctl.Release(""); err != nil {
			errs = append(errs, fmt.Errorf("pfctl -d: %w", err))
		}
	}
	if rec.Main {
		point := AnchorPoint(s.OS)
		if main, err := s.Ctl.Rules(""); err == nil && strings.TrimSpace(main) == anchorRule(point) {
			s.logf("pfctl -F rules")
			if err := s.Ctl.Flush(""); err != nil {
				errs = append(errs, fmt.Errorf("pfctl -F rules: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// RemoveOrphan empties the anchor of NAME's kill switch when it has rules
// (`down` with tunnel and state gone), reporting whether it had. What else
// the lost record held (macOS's token, pf turned on) is not known any
// more, and stays.
func (s *Switch) RemoveOrphan(name string) (bool, error) {
	anchor := Anchor(s.OS, name)
	rules, err := s.Ctl.Rules(anchor)
	if err != nil || strings.TrimSpace(rules) == "" {
		return false, nil
	}
	s.logf("pfctl -a %s -F all", anchor)
	if err := s.Ctl.Flush(anchor); err != nil {
		return true, fmt.Errorf("pfctl -a %s -F all: %w", anchor, err)
	}
	return true, nil
}

// HasAnchorRule reports whether a main ruleset, as pfctl prints it,
// evaluates the anchors under point.
func HasAnchorRule(rules, point string) bool {
	for _, line := range strings.Split(rules, "\n") {
		line = strings.TrimSpace(line)
		if line == anchorRule(point) || strings.HasPrefix(line, `anchor "`+point+`/*" `) {
			return true
		}
	}
	return false
}
