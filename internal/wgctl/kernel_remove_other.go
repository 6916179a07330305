//go:build !linux && !freebsd

package wgctl

import "github.com/wgtools/wgtools/internal/config"

// setWithRemovals: wgctrl has no way to remove single allowed IPs, and
// OpenBSD's wg(4) none either; wg answers EOPNOTSUPP there.
func setWithRemovals(string, *config.Config) error { return errRemoveUnsupported }
