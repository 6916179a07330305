package wgctl

import (
	"fmt"
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
)

// errRemoveUnsupported is what removing single allowed IPs gives where the
// kernel cannot (OpenBSD): EOPNOTSUPP, whose text wg prints, and
// config.ErrIncrementalRemove for callers that test for it.
var errRemoveUnsupported = fmt.Errorf("%w (%w)", syscall.EOPNOTSUPP, config.ErrIncrementalRemove)
