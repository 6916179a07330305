package quick

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/wgtools/wgtools/internal/atomicfile"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/show"
)

// Save is `wg-quick save`: upstream's error when NAME is not a running
// WireGuard interface, else save.
func Save(e *Env, name string, q *config.QuickConfig, file string) error {
	real, exists, wg := e.Platform.Interface(name)
	if !wg {
		return fmt.Errorf("`%s' is not a WireGuard interface", name)
	}
	if exists {
		e.Platform.Found(name, real)
	}
	return save(e, name, real, q, file)
}

// save is save_config (also SaveConfig on down): the running interface's
// addresses, DNS servers and MTU as the platform reads them, Table,
// SaveConfig and hooks, followed by `wg showconf`, written to the config
// file atomically with mode 0600. Search domains, comments and spelling
// are lost, as upstream.
func save(e *Env, name, real string, q *config.QuickConfig, file string) error {
	var st *State
	if e.States != nil {
		st, _ = e.States.Load(name)
	}
	if st == nil {
		st = &State{Interface: name}
	}
	addresses, dns, mtu, err := e.Platform.SaveLines(NewJournal(st, nil), real, q)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("[Interface]\n")
	for _, a := range addresses {
		fmt.Fprintf(&b, "Address = %s\n", a)
	}
	for _, s := range dns {
		fmt.Fprintf(&b, "DNS = %s\n", s)
	}
	if mtu != "" {
		fmt.Fprintf(&b, "MTU = %s\n", mtu)
	}
	if q.Table != "" {
		fmt.Fprintf(&b, "Table = %s\n", q.Table)
	}
	if q.SaveConfig {
		b.WriteString("SaveConfig = true\n")
	}
	for _, h := range []struct {
		key  string
		cmds []string
	}{{"PreUp", q.PreUp}, {"PostUp", q.PostUp}, {"PreDown", q.PreDown}, {"PostDown", q.PostDown}} {
		for _, c := range h.cmds {
			fmt.Fprintf(&b, "%s = %s\n", h.key, c)
		}
	}
	e.logf("[#] wg showconf %s", real)
	dev, err := e.Devices.Device(real)
	if err != nil {
		return fmt.Errorf("read %s: %w", real, err)
	}
	var conf bytes.Buffer
	if err := show.ShowConf(&conf, dev); err != nil {
		return err
	}
	text := strings.TrimRight(conf.String(), "\n")
	text = strings.Replace(text, "[Interface]\n", b.String(), 1) + "\n"
	if e.WriteConfig != nil {
		return e.WriteConfig(file, []byte(text))
	}
	return WriteAtomic(file, []byte(text))
}

// WriteAtomic replaces a config file whole (0600), with upstream's
// messages when that fails.
func WriteAtomic(file string, data []byte) error {
	if err := atomicfile.Write(file, data); err != nil {
		if errors.Is(err, atomicfile.ErrRename) {
			return &fileError{"Could not move configuration file", err}
		}
		return &fileError{"Could not write configuration file", err}
	}
	return nil
}

// fileError is upstream's message for a failed save, with the cause.
type fileError struct {
	msg string
	err error
}

func (e *fileError) Error() string { return e.msg + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }
