// Package xplan runs our wg-quick engine for another operating system on a
// simulated machine, described by the same facts file as upstream's
// reference simulator (../shared/xplat: its README is the schema), and
// prints the same transcript: upstream's [#] lines (LOG), each change as the
// command upstream would have run (CALL), the simulator's events (EVENT)
// and the exit statuses (EXIT). Holding the two transcripts side by side is
// how the macOS (and BSD) platforms are verified where those systems do not
// exist.
package xplan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// Facts is a machine as the simulator's facts file describes it, after the
// per_os replacements for one system.
type Facts struct {
	Interfaces    []IfaceFact                `json:"interfaces"`
	Gateways      map[string]GwFact          `json:"gateways"`
	Routes        []RouteFact                `json:"routes"`
	ResolvConf    *string                    `json:"resolv_conf"`
	Hosts         map[string]string          `json:"hosts"`
	ConfigMode    string                     `json:"config_mode"`
	ConfigDirMode string                     `json:"config_dir_mode"`
	TunnelMTU     int                        `json:"tunnel_mtu"`
	WGShow        map[string]string          `json:"wg_show"`
	Darwin        DarwinFacts                `json:"darwin"`
	FreeBSD       map[string]any             `json:"freebsd"`
	OpenBSD       map[string]any             `json:"openbsd"`
	Scenario      json.RawMessage            `json:"scenario"`
	PerOS         map[string]json.RawMessage `json:"per_os"`
}

// IfaceFact is an interface of the facts.
type IfaceFact struct {
	Name        string   `json:"name"`
	Kind        string   `json:"kind"`
	MTU         int      `json:"mtu"`
	Addresses   []string `json:"addresses"`
	MAC         string   `json:"mac"`
	Description string   `json:"description"`
	Flags       string   `json:"flags"`
	Destination string   `json:"destination"`
}

// GwFact is a default route of the facts.
type GwFact struct {
	Gateway   *string `json:"gateway"`
	Interface string  `json:"interface"`
	Family    string  `json:"family"`
}

// RouteFact is a route of the facts or of an add_route event.
type RouteFact struct {
	Destination string `json:"destination"`
	Gateway     string `json:"gateway"`
	Interface   string `json:"interface"`
	Flags       string `json:"flags"`
	Table       int    `json:"table"`
}

// DarwinFacts is the darwin block of the facts.
type DarwinFacts struct {
	Utun          *int          `json:"utun"`
	NetstatFormat string        `json:"netstat_format"`
	Launchd       bool          `json:"launchd"`
	Services      []ServiceFact `json:"services"`
}

// ServiceFact is a macOS network service.
type ServiceFact struct {
	Name    string   `json:"name"`
	Enabled *bool    `json:"enabled"`
	DNS     []string `json:"dns"`
	Search  []string `json:"search"`
}

// LoadFacts reads a facts file for the system osName (darwin, freebsd,
// openbsd): per_os replaces whole top-level keys; unknown keys are errors.
func LoadFacts(path, osName string) (*Facts, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if po, ok := top["per_os"]; ok {
		var per map[string]map[string]json.RawMessage
		if err := json.Unmarshal(po, &per); err != nil {
			return nil, fmt.Errorf("%s: per_os: %w", path, err)
		}
		for k, v := range per[osName] {
			top[k] = v
		}
	}
	merged, _ := json.Marshal(top)
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	f := &Facts{}
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if f.TunnelMTU == 0 {
		f.TunnelMTU = 1420
	}
	if f.Darwin.Services == nil {
		f.Darwin.Services = []ServiceFact{{Name: "Wi-Fi"}}
	}
	if f.Darwin.Launchd {
		return nil, fmt.Errorf("%s: darwin.launchd = true is not modelled", path)
	}
	return f, nil
}

// Event is one entry of an events file: changes applied at once at a
// virtual time, then routing messages for the monitor.
type Event struct {
	At       float64                      `json:"at"`
	Comment  string                       `json:"comment"`
	Changes  []map[string]json.RawMessage `json:"changes"`
	Messages *[]string                    `json:"messages"`
}

// LoadEvents reads an events file: {"events": [...]} or a bare list,
// ordered by time (messages default to one RTM_CHANGE).
func LoadEvents(path string) ([]Event, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimSpace(data)
	if bytes.HasPrefix(data, []byte("{")) {
		var w struct {
			Events json.RawMessage `json:"events"`
		}
		if err := json.Unmarshal(data, &w); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		data = w.Events
	}
	var evs []Event
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&evs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range evs {
		if evs[i].Messages == nil {
			evs[i].Messages = &[]string{"RTM_CHANGE"}
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At < evs[j].At })
	return evs, nil
}

// jsonText is v as the simulator prints JSON: compact, keys sorted.
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return strings.TrimSuffix(b.String(), "\n")
}
