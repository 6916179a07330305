package tunnel

import (
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// ownerPID finds the process serving a UAPI socket from the peer
// credentials of a connection to it.
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
	var cred *unix.Ucred
	var credErr error
	raw.Control(func(fd uintptr) { cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED) })
	if credErr != nil {
		return 0, credErr
	}
	return int(cred.Pid), nil
}
