//go:build !linux

package tunnel

import "errors"

// NetnsEnv is Linux's; elsewhere nothing reads it.
const NetnsEnv = "WGTOOLS_TUN_NETNS"

// InNetns: network namespaces are Linux's.
func InNetns(string, func() error) error {
	return errors.New("network namespaces exist on Linux only")
}
