package wgctl

import (
	"syscall"

	"github.com/mdlayher/genetlink"
)

// kernelSupport reports whether the kernel offers the "wireguard" generic
// netlink family.
func kernelSupport() bool {
	c, err := genetlink.Dial(nil)
	if err != nil {
		return false
	}
	defer c.Close()
	_, err = c.GetFamily("wireguard")
	return err == nil
}

// kernelPrecheck gives the errors wg's netlink path gives before it finds a
// device: a name too long for an interface (reads only), and a kernel
// without WireGuard.
func kernelPrecheck(name string, get bool) error {
	if get && len(name) >= 16 {
		return syscall.ENAMETOOLONG
	}
	if !kernelSupport() {
		return syscall.EPROTONOSUPPORT
	}
	return nil
}
