//go:build !linux

package daemon

import (
	"context"
	"time"
)

// watchNetns: network namespaces are Linux's.
func watchNetns(context.Context, string, time.Duration, func()) {}
