package wgctl

import (
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
)

// errRemoveUnsupported is what removing single allowed IPs gives where the
// kernel cannot (OpenBSD): EOPNOTSUPP, whose text wg prints, and
// config.ErrIncrementalRemove for callers that test for it.
var errRemoveUnsupported error = removeUnsupported{}

// removeUnsupported is errRemoveUnsupported's type: a plain value, since a
// package-level fmt.Errorf runs (and pages fmt in) at every start.
type removeUnsupported struct{}

func (removeUnsupported) Error() string {
	return syscall.EOPNOTSUPP.Error() + " (" + config.ErrIncrementalRemove.Error() + ")"
}

func (removeUnsupported) Unwrap() []error {
	return []error{syscall.EOPNOTSUPP, config.ErrIncrementalRemove}
}
