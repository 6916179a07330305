package darwin

import (
	"errors"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// Teardown is del_if: the utun's socket goes (and the tunnel with it) and
// NAME's name file. The route monitor then sees the utun go and removes
// the endpoint routes and puts the DNS back, as upstream's does. When the
// monitor is not running (it was killed, or a failed up never started it)
// this does it, from what the record says. The kill switch goes last.
func (p *Platform) Teardown(j *quick.Journal, name, real string, q *config.QuickConfig, why quick.Reason) error {
	err := p.teardown(j, name, real, why)
	return errors.Join(err, p.killSwitch().Teardown(j, q, why))
}

func (p *Platform) teardown(j *quick.Journal, name, real string, why quick.Reason) error {
	r := record(j)
	if real == "" {
		real = r.Real
	}
	if real != "" {
		p.logf("[#] rm -f %s", wgctl.SocketPath(real))
	}
	p.logf("[#] rm -f %s", wgctl.NameFile(name))
	err := p.Sys.StopTunnel(name, real)
	if r.MonitorPID != 0 && p.Sys.MonitorRunning(r.MonitorPID) {
		return err
	}
	if why == quick.ForDown && (len(r.Endpoints) > 0 || r.DNSSet) {
		p.logf("[!] The route monitor of `%s' is not running; removing its routes and DNS settings", name)
	}
	p.delRoutes(r, true)
	if r.DNSSet {
		p.restoreDNS(r, true)
	}
	return err
}
