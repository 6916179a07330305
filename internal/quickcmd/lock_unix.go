//go:build unix

package quickcmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// lock takes the per-interface lock in the state directory, waiting (and
// saying so) while another wg-quick holds it. Unlocking removes the lock
// file (and an emptied per-namespace directory); a waiter that then finds
// its file unlinked starts over on the new one.
func lock(name string, log io.Writer) (func(), error) { return takeLock(stateDir(), name, log, true) }

// lockIn is lock with the state directory dir (another namespace's).
func lockIn(dir, name string, log io.Writer) (func(), error) { return takeLock(dir, name, log, true) }

// errLockBusy is tryLock's answer while another wg-quick holds the lock.
var errLockBusy = errors.New("another wg-quick is working on the interface")

// tryLock takes the lock as lock does, or returns errLockBusy at once
// while another wg-quick holds it.
func tryLock(name string) (func(), error) { return takeLock(stateDir(), name, io.Discard, false) }

func takeLock(dir, name string, log io.Writer, wait bool) (func(), error) {
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
			if !wait {
				f.Close()
				return nil, errLockBusy
			}
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
