package quick

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wgtools/wgtools/internal/atomicfile"
)

// State is what `up` applied to the host beyond the link itself, kept so
// that `down` can undo it even after the tunnel process died.
type State struct {
	Interface string `json:"interface"`
	// Userspace is set when the link is a userspace tunnel.
	Userspace bool `json:"userspace,omitempty"`
	// Table is the table and fwmark of the default-route policy rules.
	Table int `json:"table,omitempty"`
	// Firewall is set once the wg-quick-IF tables may exist.
	Firewall bool `json:"firewall,omitempty"`
	// SrcValidMark is the value src_valid_mark had before `up` set it;
	// only a failed `up` puts it back (as upstream, `down` leaves it).
	SrcValidMark string `json:"src_valid_mark,omitempty"`
	// DNS names the DNS backend used.
	DNS string `json:"dns,omitempty"`
}

// StateStore keeps States by interface name.
type StateStore interface {
	Save(st *State) error
	// Load returns nil, nil when there is no state for name.
	Load(name string) (*State, error)
	Remove(name string) error
}

// Dir is a StateStore of NAME.json files (0600) in a directory (0700),
// /run/wgtools by default.
type Dir string

// DefaultStateDir is where wg-quick keeps its state.
const DefaultStateDir = "/run/wgtools"

func (d Dir) path(name string) string { return filepath.Join(string(d), name+".json") }

// Save writes the state atomically.
func (d Dir) Save(st *State) error {
	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.Write(d.path(st.Interface), append(data, '\n'))
}

// Load reads the state of name.
func (d Dir) Load(name string) (*State, error) {
	data, err := os.ReadFile(d.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", d.path(name), err)
	}
	return &st, nil
}

// Remove deletes the state of name; a missing one is not an error.
func (d Dir) Remove(name string) error {
	err := os.Remove(d.path(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// RemoveTemps removes what a Save killed half way left of name's state
// (its temporary file). The caller holds name's lock.
func (d Dir) RemoveTemps(name string) { atomicfile.RemoveTemps(d.path(name)) }
