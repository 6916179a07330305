package daemon

import "errors"

// setNonblock: Windows has no TUN file descriptors to hand over.
func setNonblock(uintptr) error { return errors.New("WG_TUN_FD is not supported on Windows") }
