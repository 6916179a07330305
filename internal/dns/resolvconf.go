package dns

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
)

// resolvconf is upstream wg-quick's backend: resolvconf(8), either
// openresolv, Debian's resolvconf or systemd's resolvectl shim.
type resolvconf struct {
	env      *Env
	announce string // the choice line, when picked by Pick
}

// Name implements Backend.
func (r *resolvconf) Name() string { return NameResolvconf }

// Set implements Backend: `resolvconf -a <prefix>IF -m 0 -x` with one
// `nameserver X` line per server and one `search …` line.
func (r *resolvconf) Set(ifname string, c Config) error {
	if len(c.Servers) == 0 {
		return nil
	}
	if err := validate(c); err != nil {
		return err
	}
	prog, name, err := r.target(ifname)
	if err != nil {
		return err
	}
	var in bytes.Buffer
	for _, s := range c.Servers {
		fmt.Fprintf(&in, "nameserver %s\n", s)
	}
	if len(c.Search) > 0 {
		fmt.Fprintf(&in, "search %s\n", strings.Join(c.Search, " "))
	}
	if r.announce != "" {
		r.env.logf("[#] # DNS: %s", r.announce)
	}
	if err := r.exec(prog, &in, "-a", name, "-m", "0", "-x"); err != nil {
		// Some implementations record the interface before failing.
		_ = r.exec(prog, nil, "-d", name, "-f")
		return err
	}
	return nil
}

// Unset implements Backend: `resolvconf -d <prefix>IF -f`. Upstream ignores
// its failure; callers may too.
func (r *resolvconf) Unset(ifname string) error {
	prog, name, err := r.target(ifname)
	if err != nil {
		return err
	}
	return r.exec(prog, nil, "-d", name, "-f")
}

// nameserverRE is the line save_config takes a DNS server from.
var nameserverRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^nameserver ([a-zA-Z0-9_=+:%.-]+)$`) })

// Servers implements Backend: the nameserver lines of
// `resolvconf -l <prefix>IF`, or, if that fails, of
// /etc/resolvconf/run/interface/<prefix>IF.
func (r *resolvconf) Servers(ifname string) ([]string, error) {
	prog, _ := r.env.lookPath("resolvconf")
	name := ifacePrefix(r.env.path(interfaceOrder), prog) + ifname
	var out bytes.Buffer
	var err error = exec.ErrNotFound
	if prog != "" {
		cmd := exec.Command(prog, "-l", name)
		cmd.Stdout = &out
		err = r.env.run(cmd)
	}
	if err != nil {
		// Like upstream's `resolvconf -l … || cat …`, keep what -l printed.
		data, _ := os.ReadFile(r.env.path("/etc/resolvconf/run/interface/" + name))
		out.Write(data)
	}
	var servers []string
	for _, line := range readLines(out.Bytes()) {
		if m := nameserverRE().FindStringSubmatch(line); m != nil {
			servers = append(servers, m[1])
		}
	}
	return servers, nil
}

// target finds resolvconf and the name to register ifname under.
func (r *resolvconf) target(ifname string) (prog, name string, err error) {
	prog, err = r.env.lookPath("resolvconf")
	if err != nil {
		return "", "", fmt.Errorf("dns: resolvconf: %w", err)
	}
	return prog, ifacePrefix(r.env.path(interfaceOrder), prog) + ifname, nil
}

// exec runs prog with args, echoing it as upstream does. Its stderr goes to
// the log, or into the error when it fails.
func (r *resolvconf) exec(prog string, stdin io.Reader, args ...string) error {
	line := "resolvconf " + strings.Join(args, " ")
	r.env.logf("[#] %s", line)
	cmd := exec.Command(prog, args...)
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stdout = r.env.Log
	cmd.Stderr = &stderr
	if err := r.env.run(cmd); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%s: %w: %s", line, err, msg)
		}
		return fmt.Errorf("%s: %w", line, err)
	}
	if r.env.Log != nil {
		_, _ = r.env.Log.Write(stderr.Bytes())
	}
	return nil
}

const interfaceOrder = "/etc/resolvconf/interface-order"

// prefixRE is the interface-order line that names the VPN class.
var prefixRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([A-Za-z0-9-]+)\*$`) })

// ifacePrefix is upstream's resolvconf_iface_prefix: if orderFile is a
// regular file (after symlinks) and prog is not a symlink, the first line of
// orderFile matching ^([A-Za-z0-9-]+)\*$, plus a dot; else "". The check on
// prog keeps the prefix away from systemd's and openresolv's shims.
func ifacePrefix(orderFile, prog string) string {
	if fi, err := os.Stat(orderFile); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	if fi, err := os.Lstat(prog); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return ""
	}
	data, err := os.ReadFile(orderFile)
	if err != nil {
		return ""
	}
	return prefixFrom(data)
}

// prefixFrom applies the interface-order rule to the file's content.
func prefixFrom(data []byte) string {
	for _, line := range readLines(data) {
		if m := prefixRE().FindStringSubmatch(line); m != nil {
			return m[1] + "."
		}
	}
	return ""
}

// readLines splits data the way bash's `while read -r line` loop sees it:
// only newline-terminated lines, with leading and trailing blanks removed.
func readLines(data []byte) []string {
	var lines []string
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return lines
		}
		lines = append(lines, strings.Trim(string(data[:i]), " \t"))
		data = data[i+1:]
	}
}
