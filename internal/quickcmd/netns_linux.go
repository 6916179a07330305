package quickcmd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/dns"
	"github.com/wgtools/wgtools/internal/firewall"
	"github.com/wgtools/wgtools/internal/netcfg"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/linux"
	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// netnsTarget is the namespace of `up|down --netns NS`: a name under
// /run/netns, or a path such as /proc/PID/ns/net.
type netnsTarget struct {
	name, path string
}

const netnsDir = "/run/netns"

func newNetnsTarget(v string) (*netnsTarget, error) {
	if strings.Contains(v, "/") {
		return &netnsTarget{path: v}, nil
	}
	if v == "." || v == ".." || strings.ContainsAny(v, "\x00") {
		return nil, fmt.Errorf("`%s' is not a network namespace name", v)
	}
	return &netnsTarget{name: v, path: filepath.Join(netnsDir, v)}, nil
}

// netnsAt is the target at path, named when it is one of netnsDir's (a
// daemon is given the path).
func netnsAt(path string) *netnsTarget {
	if filepath.Dir(path) == netnsDir {
		return &netnsTarget{name: filepath.Base(path), path: path}
	}
	return &netnsTarget{path: path}
}

// etcDir is /etc/netns/NAME, which ip netns exec maps over the named
// namespace's /etc.
func (n *netnsTarget) etcDir() string { return filepath.Join("/etc/netns", n.name) }

// resolvConf is the file the namespace's DNS goes to; "" for one given by
// path, which has none.
func (n *netnsTarget) resolvConf() string {
	if n.name == "" {
		return ""
	}
	return filepath.Join(n.etcDir(), "resolv.conf")
}

// label is how logs name it.
func (n *netnsTarget) label() string {
	if n.name != "" {
		return n.name
	}
	return n.path
}

// stateDir is the namespace's own state directory (that of wg-quick run
// inside it), its cookie read inside it.
func (n *netnsTarget) stateDir() (string, error) {
	dir, err := nsStateDir(n.path, func() (cookie uint64, err error) {
		err = tunnel.InNetns(n.path, func() error { cookie, _ = netnsCookie(); return nil })
		return cookie, err
	})
	if err != nil {
		return "", fmt.Errorf("network namespace %s: %w", n.label(), err)
	}
	return dir, nil
}

// create makes the named namespace as `ip netns add` does (a new namespace
// bind-mounted at /run/netns/NAME), with its loopback up; it must not
// exist yet.
func (n *netnsTarget) create(env *cli.Env) error {
	if n.name == "" {
		return fmt.Errorf("--netns-create takes a name, not a path (%s)", n.path)
	}
	fmt.Fprintf(env.Stderr, "[#] ip netns add %s\n", n.name)
	if err := os.MkdirAll(netnsDir, 0o755); err != nil {
		return err
	}
	// As ip(8): /run/netns a shared mount, so that the namespace's mount
	// reaches every mount namespace.
	if err := unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, ""); errors.Is(err, unix.EINVAL) {
		if err := unix.Mount(netnsDir, netnsDir, "none", unix.MS_BIND|unix.MS_REC, ""); err == nil {
			unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	}
	f, err := os.OpenFile(n.path, os.O_CREATE|os.O_EXCL|os.O_RDONLY, 0)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("network namespace `%s' exists already; bring the tunnel up into it with --netns", n.name)
	}
	if err != nil {
		return fmt.Errorf("create network namespace %s: %w", n.name, err)
	}
	f.Close()
	errc := make(chan error, 1)
	go func() {
		// The thread that makes the namespace never runs anything else.
		runtime.LockOSThread()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- err
			return
		}
		errc <- unix.Mount(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), n.path, "none", unix.MS_BIND, "")
	}()
	if err := <-errc; err != nil {
		os.Remove(n.path)
		return fmt.Errorf("create network namespace %s: %w", n.name, err)
	}
	h, err := netns.GetFromPath(n.path)
	if err == nil {
		defer h.Close()
		var nh *netlink.Handle
		if nh, err = netlink.NewHandleAt(h); err == nil {
			defer nh.Close()
			var lo netlink.Link
			if lo, err = nh.LinkByName("lo"); err == nil {
				err = nh.LinkSetUp(lo)
			}
		}
	}
	if err != nil {
		n.remove(env)
		return fmt.Errorf("bring up lo in %s: %w", n.name, err)
	}
	return nil
}

// remove deletes the named namespace create made (`ip netns delete`), and
// its /etc/netns/NAME when empty.
func (n *netnsTarget) remove(env *cli.Env) error {
	fmt.Fprintf(env.Stderr, "[#] ip netns delete %s\n", n.name)
	os.Remove(n.etcDir())
	if err := unix.Unmount(n.path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("delete network namespace %s: %w", n.name, err)
	}
	if err := os.Remove(n.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("delete network namespace %s: %w", n.name, err)
	}
	return nil
}

// createdMark is the file, in the namespace's state directory, that says
// up made the namespace (and down deletes it).
func createdMark(dir, iface string) string { return filepath.Join(dir, iface+".netns-created") }

// devices opens the device client inside the namespace: kernel devices
// answer there; userspace ones through their socket anywhere.
func (r *netnsRun) devices() *wgctl.Client {
	var c *wgctl.Client
	tunnel.InNetns(r.n.path, func() error { c, _ = wgctl.Open(); return nil })
	if c == nil {
		c, _ = wgctl.Open()
	}
	return c
}

// system is newSystemIn for this run.
func (r *netnsRun) system(env *cli.Env, c *wgctl.Client, t tunnels) (*system, error) {
	return newSystemIn(env, c, t, r.n, r.dir)
}

// newSystemIn wires Linux's platform for an interface moved into n: netlink
// and nftables inside it, a kernel link born here and moved in, the
// embedded tunnel's TUN made inside while its daemon (and UDP socket) stays
// here, DNS in /etc/netns/NAME/resolv.conf, state in the namespace's own
// directory.
func newSystemIn(env *cli.Env, c *wgctl.Client, t tunnels, n *netnsTarget, dir string) (*system, error) {
	if env.Getenv("WG_QUICK_USERSPACE_IMPLEMENTATION") != "" {
		return nil, errors.New("--netns runs the embedded tunnel: unset WG_QUICK_USERSPACE_IMPLEMENTATION")
	}
	h, err := netns.GetFromPath(n.path)
	if err != nil {
		return nil, fmt.Errorf("network namespace %s: %w", n.label(), err)
	}
	inside, err := netlink.NewHandleAt(h)
	if err != nil {
		return nil, fmt.Errorf("netlink in %s: %w", n.label(), err)
	}
	here, err := netlink.NewHandle()
	if err != nil {
		return nil, fmt.Errorf("netlink: %w", err)
	}
	d := &dnsBackends{env: &dns.Env{Log: env.Stderr, StateDir: dir, ResolvConf: n.resolvConf()}, only: dns.NameDirect}
	p := &linux.Platform{
		Sys:           &netcfg.Linux{Log: env.Stderr, Handle: inside, NS: &h, Birthplace: here, NSName: n.label()},
		Devices:       c,
		Firewall:      &firewall.Firewall{Log: env.Stderr, NetNS: int(h)},
		DNS:           d,
		TableID:       netcfg.TableID,
		UserspaceName: "wireguard-go",
		Userspace:     func(name string) error { _, err := t.startIn(n.path, name); return err },
		UserspaceGone: t.gone,
		Log:           env.Stderr,
		Netns:         n.label(),
	}
	if _, err := os.Stat("/sys/module/wireguard"); err == nil {
		p.KernelModule = true
	}
	return &system{platform: p, states: quick.Dir(dir), temps: d.env.RemoveTemps}, nil
}

// netnsRun is one `up|down --netns` run.
type netnsRun struct {
	n       *netnsTarget
	dir     string // the namespace's state directory
	created bool   // up made the namespace (--netns-create)
}

// startNetns prepares the flags' namespace, making it for
// --netns-create; nil without --netns.
func startNetns(env *cli.Env, flags actionFlags, q *config.QuickConfig) (*netnsRun, error) {
	if flags.Netns == "" {
		return nil, nil
	}
	if q.KillSwitch {
		return nil, errors.New("--netns needs no kill switch: the namespace has no way out but the tunnel")
	}
	n, err := newNetnsTarget(flags.Netns)
	if err != nil {
		return nil, err
	}
	r := &netnsRun{n: n}
	if flags.NetnsCreate {
		if err := n.create(env); err != nil {
			return nil, err
		}
		r.created = true
	}
	if r.dir, err = n.stateDir(); err != nil {
		r.abandon(env)
		return nil, err
	}
	sweepStale(r.dir, env.Stderr)
	if len(q.DNS) > 0 && n.name == "" {
		r.abandon(env)
		return nil, fmt.Errorf("DNS in a namespace given by path (%s) has no resolv.conf to go to; name it under %s", n.path, netnsDir)
	}
	if len(q.DNS) > 0 {
		// ip netns exec maps /etc/netns/NAME/resolv.conf over the
		// namespace's /etc/resolv.conf.
		if err := os.MkdirAll(n.etcDir(), 0o755); err != nil {
			r.abandon(env)
			return nil, err
		}
	}
	return r, nil
}

// abandon deletes a namespace this run made, when its up failed.
func (r *netnsRun) abandon(env *cli.Env) {
	if r.created {
		if err := r.n.remove(env); err != nil {
			fmt.Fprintf(env.Stderr, "[!] rollback: %v\n", err)
		}
	}
}

// hook runs a hook command inside the namespace.
func (r *netnsRun) hook(h *exec.Cmd) error {
	if err := tunnel.InNetns(r.n.path, h.Start); err != nil {
		return err
	}
	return h.Wait()
}

// finish ends the run: after up, a namespace it made is marked for down to
// delete (or deleted when up failed); after a down, a marked one goes.
func (r *netnsRun) finish(env *cli.Env, verb, iface string, err error) error {
	mark := createdMark(r.dir, iface)
	switch {
	case verb == "up" && err != nil:
		r.abandon(env)
	case verb == "up" && r.created:
		if werr := os.WriteFile(mark, []byte(r.n.name+"\n"), 0o600); werr != nil {
			return werr
		}
	case verb == "down" && err == nil:
		if _, serr := os.Stat(mark); serr == nil && r.n.name != "" {
			if rerr := r.n.remove(env); rerr != nil {
				return rerr
			}
			os.Remove(mark)
		}
	}
	return err
}
