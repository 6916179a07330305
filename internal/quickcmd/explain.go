//go:build unix

package quickcmd

import (
	"runtime"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/doctor"
)

// explained is an error of up followed by what doctor's checks found.
type explained struct {
	err  error
	text string
}

func (e *explained) Error() string { return e.err.Error() + e.text }
func (e *explained) Unwrap() error { return e.err }

// explain adds to a failed up's error the errors doctor's quick checks
// find on this host for the config (the same checks `wg-quick doctor`
// runs), so that "RTNETLINK answers: Operation not supported" or
// "Permission denied" come with their cause and fix.
func explain(err error, src *Source, q *config.QuickConfig, wg *config.Config) error {
	e := &doctor.Env{Name: src.Interface, Path: src.Path, Quick: q, WG: wg, Probe: &doctor.System{}}
	text := doctor.Explain(e, doctor.ForFailure(doctor.ChecksFor(runtime.GOOS)))
	if text == "" {
		return err
	}
	return &explained{err: err, text: text}
}
