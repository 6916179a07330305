// Package doctor finds, without changing anything, what would make
// `wg-quick up` fail or a tunnel misbehave: each check a small function
// over what a Probe reads from the system, each finding a severity, one
// line of what was found and one of how to fix it. `wg-quick doctor`
// runs them all; `up` runs those that explain its failure.
package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// Severity is how bad a finding is.
type Severity string

const (
	// OK: nothing to do (the message says what was found).
	OK Severity = "ok"
	// Warning: up works, but the tunnel will misbehave or leak.
	Warning Severity = "warning"
	// Error: up fails.
	Error Severity = "error"
)

// Finding is what one check found.
type Finding struct {
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Fix is one line of what to do (nil when OK).
	Fix *string `json:"fix"`
}

func ok(msg string, args ...any) Finding {
	return Finding{Severity: OK, Message: fmt.Sprintf(msg, args...)}
}

func warn(fix, msg string, args ...any) Finding {
	return Finding{Severity: Warning, Message: fmt.Sprintf(msg, args...), Fix: &fix}
}

func fail(fix, msg string, args ...any) Finding {
	return Finding{Severity: Error, Message: fmt.Sprintf(msg, args...), Fix: &fix}
}

// Env is what the checks look at: the config (its wg part parsed without
// resolving names: Endpoints has them) and the system, through Probe.
type Env struct {
	// Name is the interface's name; Path the config file ("" when none
	// was found).
	Name, Path string
	Quick      *config.QuickConfig
	WG         *config.Config
	// Endpoints are the peers' endpoints as written.
	Endpoints []Endpoint
	Probe     Probe
}

// Endpoint is a peer's Endpoint as the file writes it.
type Endpoint struct {
	Host string
	Port uint16
	// Addr is the address when Host is one.
	Addr netip.Addr
}

// Check is one check: its name and its function.
type Check struct {
	Name string
	Run  func(e *Env) Finding
}

// Run runs the checks in order.
func Run(e *Env, checks []Check) []Finding {
	out := make([]Finding, 0, len(checks))
	for _, c := range checks {
		f := c.Run(e)
		f.Check = c.Name
		out = append(out, f)
	}
	return out
}

// ForFailure are the checks of checks (ChecksFor's) that explain a
// failed up: quick, reading only this host (no lookups, no probes).
func ForFailure(checks []Check) []Check {
	return pick(checks, "tunnel", "privileges", "ipv6", "sysctl", "listen-port")
}

// Explain is what up adds to its error: the errors the checks find, each
// as "  doctor: CHECK: MESSAGE" and "  fix: FIX" lines ("" when none).
func Explain(e *Env, checks []Check) string {
	var b strings.Builder
	for _, f := range Run(e, checks) {
		if f.Severity == Error {
			fmt.Fprintf(&b, "\n  doctor: %s: %s\n  fix: %s", f.Check, f.Message, *f.Fix)
		}
	}
	return b.String()
}

// ExitCode is doctor's exit status: 0 with no problem, 2 with warnings
// only, 1 with an error.
func ExitCode(fs []Finding) int {
	code := 0
	for _, f := range fs {
		switch f.Severity {
		case Error:
			return 1
		case Warning:
			code = 2
		}
	}
	return code
}

// Write prints one line per finding, "SEVERITY CHECK MESSAGE", and the
// fix under each one that has it.
func Write(w io.Writer, fs []Finding) error {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%-8s %-15s %s\n", f.Severity, f.Check, f.Message)
		if f.Fix != nil {
			fmt.Fprintf(&b, "%-8s %-15s fix: %s\n", "", "", *f.Fix)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Doc is the JSON document of `wg-quick doctor --json`, described by
// docs/wg-quick-doctor.schema.json.
type Doc struct {
	Interface string    `json:"interface"`
	Config    *string   `json:"config"`
	Result    Severity  `json:"result"`
	Findings  []Finding `json:"findings"`
}

// WriteJSON prints the findings as a Doc.
func WriteJSON(w io.Writer, e *Env, fs []Finding) error {
	d := Doc{Interface: e.Name, Findings: fs, Result: [...]Severity{OK, Error, Warning}[ExitCode(fs)]}
	if e.Path != "" {
		d.Config = &e.Path
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}
