package quick

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/wgtools/wgtools/internal/atomicfile"
)

// State is what `up` did to the host, kept so that `down` can undo it even
// after the tunnel process died.
type State struct {
	// Interface is the config's name; Real the interface's (utunN, wgN).
	Interface string `json:"interface"`
	Real      string `json:"real,omitempty"`
	// Config is the config file up read, as found (for status, reload
	// and re-resolution; "" in states of older versions).
	Config string `json:"config,omitempty"`
	// Endpoints are the peers whose Endpoint is a host name, for
	// re-resolution (none when every endpoint is an IP address).
	Endpoints []NamedEndpoint `json:"endpoints,omitempty"`
	// Changes are the platform's records, in the order they were made.
	Changes []Change `json:"changes,omitempty"`
}

// Change is one record of a platform: a kind the platform names and a
// value only it reads.
type Change struct {
	Kind  string          `json:"kind"`
	Value json.RawMessage `json:"value,omitempty"`
}

// Get decodes the value of the change of that kind into v (nil only asks
// whether there is one).
func (s *State) Get(kind string, v any) bool {
	for _, c := range s.Changes {
		if c.Kind == kind {
			return v == nil || json.Unmarshal(c.Value, v) == nil
		}
	}
	return false
}

// set records v as the change of that kind, replacing an earlier one.
func (s *State) set(kind string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	for i := range s.Changes {
		if s.Changes[i].Kind == kind {
			s.Changes[i].Value = data
			return nil
		}
	}
	s.Changes = append(s.Changes, Change{Kind: kind, Value: data})
	return nil
}

// Journal is how a Platform records its changes: each Set is in the state
// file before the call returns.
type Journal struct {
	st    *State
	store StateStore
}

// NewJournal is a journal of st kept in store (nil keeps it in memory).
func NewJournal(st *State, store StateStore) *Journal { return &Journal{st: st, store: store} }

// Set records v as the change of that kind (replacing one of the same
// kind) and saves the state.
func (j *Journal) Set(kind string, v any) error {
	if err := j.st.set(kind, v); err != nil {
		return err
	}
	return j.save()
}

// Get decodes the recorded change of that kind into v (nil only asks
// whether there is one).
func (j *Journal) Get(kind string, v any) bool { return j.st.Get(kind, v) }

// Name is the config's name the journal is of.
func (j *Journal) Name() string { return j.st.Interface }

// Empty reports whether nothing is recorded (as for a `down` with no
// state file).
func (j *Journal) Empty() bool { return len(j.st.Changes) == 0 }

func (j *Journal) save() error {
	if j.store == nil {
		return nil
	}
	if err := j.store.Save(j.st); err != nil {
		return fmt.Errorf("record state of %s: %w", j.st.Interface, err)
	}
	return nil
}

// StateStore keeps States by interface name.
type StateStore interface {
	Save(st *State) error
	// Load returns nil, nil when there is no state for name.
	Load(name string) (*State, error)
	Remove(name string) error
}

// Dir is a StateStore of NAME.json files (0600) in a directory (0700),
// DefaultStateDir by default.
type Dir string

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
	return atomicfile.WriteVolatile(d.path(st.Interface), append(data, '\n'))
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
