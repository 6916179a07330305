package tunnel

import (
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// ownerPID finds the process serving a UAPI socket (LOCAL_PEERPID).
func ownerPID(name string) (int, error) {
	c, err := net.DialTimeout("unix", SocketPath(name), time.Second)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	raw, err := c.(*net.UnixConn).SyscallConn()
	if err != nil {
		return 0, err
	}
	var pid int
	var pidErr error
	raw.Control(func(fd uintptr) { pid, pidErr = unix.GetsockoptInt(int(fd), unix.SOL_LOCAL, unix.LOCAL_PEERPID) })
	return pid, pidErr
}
