package wgctl

import "github.com/mdlayher/genetlink"

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
