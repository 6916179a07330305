package quick

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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

// WriteAtomic writes FILE.tmp (0600), syncs it and renames it over file.
func WriteAtomic(file string, data []byte) error {
	tmp := file + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return &fileError{"Could not write configuration file", err}
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return &fileError{"Could not write configuration file", err}
	}
	if err := os.Rename(tmp, file); err != nil {
		os.Remove(tmp)
		return &fileError{"Could not move configuration file", err}
	}
	if d, err := os.Open(filepath.Dir(file)); err == nil {
		d.Sync()
		d.Close()
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
