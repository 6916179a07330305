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

// Save is `wg-quick save` (and SaveConfig on down): the running
// interface's addresses, DNS servers, MTU (when the file set one), Table,
// SaveConfig and hooks, followed by `wg showconf`, written to the config
// file atomically with mode 0600. Search domains, comments and spelling are
// lost, as upstream.
func Save(e *Env, name string, q *config.QuickConfig, file string) error {
	var st *State
	if e.States != nil {
		st, _ = e.States.Load(name)
	}
	var b strings.Builder
	b.WriteString("[Interface]\n")
	prefixes, err := e.Host.Prefixes(name)
	if err != nil {
		return err
	}
	for _, p := range prefixes {
		fmt.Fprintf(&b, "Address = %s\n", config.AppendPrefix(nil, p))
	}
	backend := ""
	if st != nil {
		backend = st.DNS
	}
	if e.DNS != nil && (backend != "" || len(q.DNS) > 0) {
		servers, _ := e.DNS.Servers(name, backend)
		for _, s := range servers {
			fmt.Fprintf(&b, "DNS = %s\n", s)
		}
	}
	if q.MTU != "" {
		if mtu, err := e.Host.LinkMTU(name); err == nil {
			fmt.Fprintf(&b, "MTU = %d\n", mtu)
		}
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
	e.logf("[#] wg showconf %s", name)
	dev, err := e.Devices.Device(name)
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	var conf bytes.Buffer
	if err := show.ShowConf(&conf, dev); err != nil {
		return err
	}
	text := strings.TrimRight(conf.String(), "\n")
	text = strings.Replace(text, "[Interface]\n", b.String(), 1) + "\n"
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
