//go:build !linux && !darwin && !windows

package tunnel

import "errors"

// ownerPID is not available here; Stop cannot find the daemon.
func ownerPID(string) (int, error) {
	return 0, errors.New("finding the tunnel daemon of a socket is not supported on this system")
}
