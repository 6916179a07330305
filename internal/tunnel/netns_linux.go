package tunnel

import (
	"fmt"
	"os"
	"runtime"

	"golang.org/x/sys/unix"
)

// NetnsEnv names, for a daemon started by StartIn, the network namespace
// its interface lives in: it adopts the interface there, and keeps its UDP
// socket where it runs.
const NetnsEnv = "WGTOOLS_TUN_NETNS"

// InNetns runs fn on a thread of its own that entered the network
// namespace at path (a name's /run/netns/NAME, or /proc/PID/ns/net): the
// sockets and devices fn makes belong to that namespace; the goroutines it
// starts do not run there. The thread goes back after fn; one that could
// not is not used again.
func InNetns(path string, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		self, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open this network namespace: %w", err)
			return
		}
		defer self.Close()
		target, err := os.Open(path)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("network namespace %s: %w", path, err)
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter network namespace %s: %w", path, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(int(self.Fd()), unix.CLONE_NEWNET); err != nil {
			// Locked to a goroutine that ends: the runtime ends the thread.
			errc <- fmt.Errorf("leave network namespace %s: %w", path, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}
