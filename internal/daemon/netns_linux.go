package daemon

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// watchNetns calls gone, once, when the network namespace at path (where
// this tunnel's interface lives, the daemon itself running in another) is
// left to this process alone: its name removed (`ip netns delete`, as a
// container runtime does when the container ends) or the process whose
// /proc/PID/ns/net it was ended, and no other process in it. The TUN
// device this process holds keeps the namespace alive: nothing could reach
// it any more, and the tunnel would go on handshaking for nobody. It looks
// every interval until ctx ends.
func watchNetns(ctx context.Context, path string, every time.Duration, gone func()) {
	var at unix.Stat_t
	if err := unix.Stat(path, &at); err != nil {
		return
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var now unix.Stat_t
		if unix.Stat(path, &now) == nil && now.Ino == at.Ino && now.Dev == at.Dev {
			continue
		}
		if othersIn(at.Ino) {
			continue
		}
		gone()
		return
	}
}

// othersIn reports whether a process other than this one is in the
// network namespace of inode ino.
func othersIn(ino uint64) bool {
	want := fmt.Sprintf("net:[%d]", ino)
	self := os.Getpid()
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		if l, err := os.Readlink("/proc/" + e.Name() + "/ns/net"); err == nil && l == want {
			return true
		}
	}
	return false
}
