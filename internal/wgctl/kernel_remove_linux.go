package wgctl

import (
	"syscall"

	"github.com/mdlayher/genetlink"
	"github.com/mdlayher/netlink"
	"github.com/wgtools/wgtools/internal/config"
)

// wgCmdSetDevice is WG_CMD_SET_DEVICE (uapi/linux/wireguard.h).
const wgCmdSetDevice = 1

// setWithRemovals sends a change that removes single allowed IPs, which
// wgctrl cannot express, as wg does: WGALLOWEDIP_F_REMOVE_ME on netlink.
func setWithRemovals(name string, cfg *config.Config) error {
	c, err := genetlink.Dial(nil)
	if err != nil {
		return errnoOf(err)
	}
	defer c.Close()
	fam, err := c.GetFamily("wireguard")
	if err != nil {
		return syscall.EPROTONOSUPPORT
	}
	msgs, err := setDevicePlan(name, cfg, zoneIndex)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		req := genetlink.Message{Header: genetlink.Header{Command: wgCmdSetDevice, Version: fam.Version}, Data: m}
		if _, err := c.Execute(req, fam.ID, netlink.Request|netlink.Acknowledge); err != nil {
			return errnoOf(err)
		}
	}
	return nil
}
