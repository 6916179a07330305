package dns

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"

	"github.com/godbus/dbus/v5"
)

// Config is the DNS part of a wg-quick config.
type Config struct {
	// Servers are the nameservers, in order, as written in the config.
	Servers []string
	// Search are the search domains, in order.
	Search []string
}

// Env is the host the backends act on. The zero value is the real host.
type Env struct {
	// Log receives the `[#] …` and `[!] …` lines; nil discards them.
	Log io.Writer
	// LookPath finds resolvconf; nil is exec.LookPath.
	LookPath func(file string) (string, error)
	// Root is prepended to /etc/... and /run/... paths; "" is "/". For tests.
	Root string
	// ResolvConf is the file the direct backend manages; "" is
	// /etc/resolv.conf (a network namespace's is /etc/netns/NAME/resolv.conf).
	ResolvConf string
	// StateDir is where the direct backend keeps its backups;
	// "" is wg-quick's default under Root. It must survive until `down`.
	StateDir string
	// Bus returns a new connection to the system bus, which the caller of
	// Bus closes; nil is dbus.ConnectSystemBus (which honours
	// DBUS_SYSTEM_BUS_ADDRESS).
	Bus func() (*dbus.Conn, error)
	// Run runs a prepared command (resolvconf); nil is cmd.Run.
	Run func(cmd *exec.Cmd) error
	// IfIndex returns the index of a network interface; nil uses
	// net.InterfaceByName.
	IfIndex func(name string) (int, error)
}

func (e *Env) logf(format string, args ...any) {
	if e.Log != nil {
		fmt.Fprintf(e.Log, format+"\n", args...)
	}
}

func (e *Env) lookPath(file string) (string, error) {
	if e.LookPath != nil {
		return e.LookPath(file)
	}
	return exec.LookPath(file)
}

func (e *Env) path(p string) string {
	if e.Root == "" {
		return p
	}
	return filepath.Join(e.Root, p)
}

func (e *Env) stateDir() string {
	if e.StateDir != "" {
		return e.StateDir
	}
	return e.path(quick.DefaultStateDir)
}

func (e *Env) bus() (*dbus.Conn, error) {
	if e.Bus != nil {
		return e.Bus()
	}
	return dbus.ConnectSystemBus()
}

func (e *Env) run(cmd *exec.Cmd) error {
	if e.Run != nil {
		return e.Run(cmd)
	}
	return cmd.Run()
}

func (e *Env) ifIndex(name string) (int, error) {
	if e.IfIndex != nil {
		return e.IfIndex(name)
	}
	ifi, err := net.InterfaceByName(name)
	if err != nil {
		return 0, err
	}
	return ifi.Index, nil
}

// Backend sets and removes the DNS configuration of one interface.
type Backend interface {
	// Name is the name ByName accepts: "resolvconf", "systemd-resolved" or
	// "direct".
	Name() string
	// Set applies c to ifname. Like upstream, it does nothing when c has no
	// servers. On error nothing is left changed.
	Set(ifname string, c Config) error
	// Unset removes what Set applied. It needs no state from the process
	// that called Set. Like upstream, call it only for a config with
	// servers: resolvconf's backend runs `resolvconf -d` regardless.
	Unset(ifname string) error
	// Servers returns the nameservers currently set for ifname, for
	// `wg-quick save`.
	Servers(ifname string) ([]string, error)
}

// Backend names, as recorded in state files.
const (
	NameResolvconf = "resolvconf"
	NameResolved   = "systemd-resolved"
	NameDirect     = "direct"
)

// Split sorts wg-quick DNS= values into nameservers and search domains by
// wg-quick's rule (config.SplitDNS).
func Split(values []string) Config {
	var c Config
	for _, v := range values {
		servers, search := config.SplitDNS(v)
		c.Servers = append(c.Servers, servers...)
		c.Search = append(c.Search, search...)
	}
	return c
}

// Pick chooses the backend for this host: resolvconf if it is in PATH, else
// systemd-resolved if org.freedesktop.resolve1 is on the system bus, else
// /etc/resolv.conf directly. Windows and macOS get a backend whose methods
// fail with errors.ErrUnsupported.
//
// The returned backend prints `[#] # DNS: <choice> (<reason>)` before its
// first change in Set, so callers need not log reason; it is returned for
// diagnostics. Record Name() to find the backend again with ByName.
func Pick(e *Env) (Backend, string) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "plan9", "js", "wasip1":
		reason := "DNS from wg-quick configs is not supported on " + runtime.GOOS + " yet"
		return unsupported{name: "unsupported", reason: reason}, reason
	}
	if p, err := e.lookPath("resolvconf"); err == nil {
		reason := "found " + p + " in PATH"
		if t, err := os.Readlink(p); err == nil {
			reason += ", a symlink to " + t
		}
		return &resolvconf{env: e, announce: "using resolvconf (" + reason + ")"}, reason
	}
	if runtime.GOOS == "linux" {
		err := resolvedPresent(e)
		if err == nil {
			reason := "no resolvconf in PATH; org.freedesktop.resolve1 is on the system bus"
			return &resolved{env: e, announce: "using systemd-resolved over D-Bus (" + reason + ")"}, reason
		}
		reason := "no resolvconf in PATH; no systemd-resolved: " + err.Error()
		return &direct{env: e, announce: "writing /etc/resolv.conf directly (" + reason + ")"}, reason
	}
	reason := "no resolvconf in PATH"
	return &direct{env: e, announce: "writing /etc/resolv.conf directly (" + reason + ")"}, reason
}

// ByName returns the backend called name (see Backend.Name), for `down` and
// `save` in a process other than the one that ran `up`. An unknown name
// gives a backend whose methods fail.
func ByName(e *Env, name string) Backend {
	switch name {
	case NameResolvconf:
		return &resolvconf{env: e}
	case NameResolved:
		return &resolved{env: e}
	case NameDirect:
		return &direct{env: e}
	}
	return unsupported{name: name, reason: fmt.Sprintf("unknown DNS backend %q", name)}
}

// unsupported is the backend of hosts and names we cannot handle.
type unsupported struct{ name, reason string }

func (u unsupported) Name() string { return u.name }
func (u unsupported) Set(string, Config) error {
	return fmt.Errorf("dns: %s: %w", u.reason, errors.ErrUnsupported)
}
func (u unsupported) Unset(string) error { return u.Set("", Config{}) }
func (u unsupported) Servers(string) ([]string, error) {
	return nil, u.Set("", Config{})
}

// validate rejects items that would break the line-based formats the
// backends write (resolvconf input, resolv.conf).
func validate(c Config) error {
	for _, s := range append(append([]string(nil), c.Servers...), c.Search...) {
		if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
			return fmt.Errorf("dns: invalid DNS entry %q", s)
		}
	}
	return nil
}

var (
	_ Backend = (*resolvconf)(nil)
	_ Backend = (*resolved)(nil)
	_ Backend = (*direct)(nil)
	_ Backend = unsupported{}
)
