package quickcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/internal/tunnel"
)

// lock takes the per-interface lock in the state directory, waiting (and
// saying so) while another wg-quick holds it. Unlocking removes the lock
// file (and an emptied per-namespace directory); a waiter that then finds
// its file unlinked starts over on the new one.
func lock(name string, log io.Writer) (func(), error) {
	dir := stateDir()
	path := filepath.Join(dir, name+".lock")
	for waited, tries := false, 0; ; tries++ {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("state directory: %w", err)
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if errors.Is(err, os.ErrNotExist) && tries < 100 {
			continue // another wg-quick removed the emptied directory meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			if !waited {
				fmt.Fprintf(log, "[!] Waiting for another wg-quick working on `%s'\n", name)
				waited = true
			}
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
				f.Close()
				return nil, fmt.Errorf("lock %s: %w", name, err)
			}
		}
		var held, now syscall.Stat_t
		if syscall.Fstat(int(f.Fd()), &held) == nil && syscall.Stat(path, &now) == nil && held.Ino == now.Ino {
			var once sync.Once
			return func() {
				once.Do(func() {
					os.Remove(path)
					if dir != stateRoot {
						os.Remove(dir) // only when empty
					}
					f.Close()
				})
			}, nil
		}
		f.Close() // the holder removed this file; take the new one
	}
}

// stateDir is where state and locks live: /run/wgtools in the host's
// network namespace, and /run/wgtools/net-INODE in any other (interface
// names are per namespace, /run is not). When the host's namespace cannot
// be seen (as in some containers), every namespace gets its own directory.
func stateDir() string {
	var self, host syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/net", &self); err != nil {
		return stateRoot
	}
	if err := syscall.Stat("/proc/1/ns/net", &host); err == nil && self.Ino == host.Ino {
		return stateRoot
	}
	return filepath.Join(stateRoot, fmt.Sprintf("net-%d", self.Ino))
}

// startEmbedded starts the embedded tunnel as a detached daemon.
func startEmbedded(name string) error {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return err
	}
	defer devnull.Close()
	_, err = tunnel.Start(name, 0, tunnel.LogError, devnull)
	return err
}

// userspaceGone waits briefly for a userspace tunnel to end once its link
// is gone, and removes a socket it left (as a killed one does).
func userspaceGone(name string) {
	sock := tunnel.SocketPath(name)
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(sock); err != nil {
			return
		}
		if !tunnel.Running(name) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if !tunnel.Running(name) {
		os.Remove(sock)
	}
}

// hint adds what to do to errors upstream leaves cryptic.
func hint(err error) error {
	if !strings.Contains(err.Error(), "TUN") {
		return err
	}
	if _, serr := os.Stat("/dev/net/tun"); serr != nil && errors.Is(serr, os.ErrNotExist) {
		return fmt.Errorf("%w\n  hint: /dev/net/tun is missing; create it with `mkdir -p /dev/net && mknod /dev/net/tun c 10 200`, or give the container the device (docker run --device /dev/net/tun --cap-add NET_ADMIN)", err)
	}
	return err
}
