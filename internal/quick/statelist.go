package quick

import (
	"errors"
	"os"
	"slices"
	"strings"
	"time"
)

// List names the interfaces that have a state in the directory, sorted: the
// tunnels wg-quick brought up and has not taken down. A missing directory
// has none.
func (d Dir) List() ([]string, error) {
	entries, err := os.ReadDir(string(d))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		// Temporary files of a Save start with a dot; directories are
		// other namespaces' state.
		if !ok || name == "" || strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out, nil
}

// Modified is when the state of name was last saved (the end of its up,
// or a later change), the zero time when there is none.
func (d Dir) Modified(name string) time.Time {
	fi, err := os.Stat(d.path(name))
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}
