package quickcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/wgtools/wgtools/internal/dns"
	"github.com/wgtools/wgtools/internal/quick"
)

// stateDir is where state and locks live: /run/wgtools in the host's
// network namespace, and /run/wgtools/net-INODE-COOKIE in any other
// (interface names are per namespace, /run is not). When the host's
// namespace cannot be seen (as in some containers), every namespace gets
// its own directory.
//
// A namespace's inode number is reused once it is gone, so the directory
// is also named by the namespace's cookie (SO_NETNS_COOKIE, Linux 5.14),
// which the kernel never gives twice in a boot: a new namespace with a dead
// one's inode has a directory of its own, and the dead one's is stale (see
// sweepStale). Kernels without cookies get net-INODE.
func stateDir() string {
	dir, err := nsStateDir("/proc/thread-self/ns/net", func() (uint64, error) {
		cookie, _ := netnsCookie() // none before 5.14: net-INODE
		return cookie, nil
	})
	if err != nil {
		return stateRoot
	}
	return dir
}

// nsStateDir is the state directory of the namespace at path; cookie reads
// its cookie, asked only when it is not the host's.
func nsStateDir(path string, cookie func() (uint64, error)) (string, error) {
	var target, host syscall.Stat_t
	if err := syscall.Stat(path, &target); err != nil {
		return "", err
	}
	if err := syscall.Stat("/proc/1/ns/net", &host); err == nil && host.Ino == target.Ino {
		return stateRoot, nil
	}
	c, err := cookie()
	if err != nil {
		return "", err
	}
	return filepath.Join(stateRoot, nsDirName(target.Ino, c)), nil
}

// netnsCookie is the cookie of the calling thread's network namespace, 0
// when the kernel has none (before 5.14).
func netnsCookie() (uint64, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	cookie, err := unix.GetsockoptUint64(fd, unix.SOL_SOCKET, unix.SO_NETNS_COOKIE)
	if err != nil {
		return 0, fmt.Errorf("SO_NETNS_COOKIE: %w", err)
	}
	return cookie, nil
}

// nsDirName names a namespace's state directory.
func nsDirName(ino, cookie uint64) string {
	if cookie == 0 {
		return fmt.Sprintf("net-%d", ino)
	}
	return fmt.Sprintf("net-%d-%d", ino, cookie)
}

// parseNSDirName is nsDirName's inverse.
func parseNSDirName(name string) (ino, cookie uint64, ok bool) {
	rest, ok := strings.CutPrefix(name, "net-")
	if !ok {
		return 0, 0, false
	}
	i, c, hasCookie := strings.Cut(rest, "-")
	ino, err := strconv.ParseUint(i, 10, 64)
	if err != nil {
		return 0, 0, false
	}
	if hasCookie {
		if cookie, err = strconv.ParseUint(c, 10, 64); err != nil || cookie == 0 {
			return 0, 0, false
		}
	}
	return ino, cookie, true
}

// sweepStale removes the state namespaces that are gone left under the
// inode of dir's (a live namespace's directory, net-INODE-COOKIE): every
// other net-INODE-* and net-INODE was written by a namespace that had the
// inode before this one, so is gone. Nothing recorded there is undone:
// its interfaces, routes and firewall went with their namespace, and
// nothing else may be touched on a dead namespace's word. Each
// interface's files go under its lock; one line says what went.
func sweepStale(dir string, log io.Writer) {
	if filepath.Dir(dir) != filepath.Clean(stateRoot) {
		return
	}
	ino, cookie, ok := parseNSDirName(filepath.Base(dir))
	if !ok || cookie == 0 {
		return // without cookies a reused inode cannot be told apart
	}
	entries, err := os.ReadDir(stateRoot)
	if err != nil {
		return
	}
	for _, e := range entries {
		if other, _, ok := parseNSDirName(e.Name()); ok && other == ino && e.Name() != filepath.Base(dir) && e.IsDir() {
			removeStale(filepath.Join(stateRoot, e.Name()), log)
		}
	}
}

// removeStale removes a dead namespace's state directory.
func removeStale(dir string, log io.Writer) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var names []string // of its interfaces: a state or a lock each
	for _, e := range entries {
		n := e.Name()
		if name, ok := strings.CutSuffix(n, ".json"); ok && !strings.HasPrefix(n, ".") {
			names = append(names, name)
		} else if name, ok := strings.CutSuffix(n, ".lock"); ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	var unlocks []func()
	defer func() {
		for _, u := range slices.Backward(unlocks) {
			u()
		}
	}()
	for _, n := range names {
		unlock, err := lockIn(dir, n, log)
		if errors.Is(err, os.ErrPermission) {
			return // not root: the next command run as root removes it
		}
		if err != nil {
			fmt.Fprintf(log, "[!] Stale state in %s: %v\n", dir, err)
			return
		}
		unlocks = append(unlocks, unlock)
	}
	states, _ := quick.Dir(dir).List()
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".lock") {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	if len(states) > 0 {
		fmt.Fprintf(log, "[!] Removed the state of %s, left by a network namespace that is gone (%s); nothing of it was undone here\n", quoteList(states), dir)
	}
	if len(names) == 0 {
		os.Remove(dir)
	}
}

// quoteList is `a', `b' and `c'.
func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "'"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// ForgetNetnsState is daemon.NetnsGone: for the tunnel name brought up
// into the namespace at netns, a function that forgets its state there
// once the namespace was deleted under it. The directory is found now,
// while the namespace lives. Under the interface's lock, unless a down
// came first: the direct DNS backend's file (/etc/netns/NS/resolv.conf,
// which outlives the namespace) is put back, then the state goes (and the
// directory with the lock); nothing else is left to undo.
func ForgetNetnsState(netns, name string) func() {
	n := netnsAt(netns)
	dir, err := n.stateDir()
	if err != nil || dir == stateRoot {
		return func() {}
	}
	return func() {
		unlock, err := lockIn(dir, name, io.Discard)
		if err != nil {
			return
		}
		defer unlock()
		states := quick.Dir(dir)
		if st, err := states.Load(name); err != nil || st == nil {
			return // taken down meanwhile
		}
		env := &dns.Env{Log: io.Discard, StateDir: dir, ResolvConf: n.resolvConf()}
		if n.name != "" {
			dns.ByName(env, dns.NameDirect).Unset(name)
			if _, err := os.Stat(createdMark(dir, name)); err == nil {
				os.Remove(n.etcDir()) // as the namespace's down would: only when empty
			}
		}
		env.RemoveTemps(name)
		os.Remove(createdMark(dir, name))
		states.RemoveTemps(name)
		states.Remove(name)
	}
}
