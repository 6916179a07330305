package bsd

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// AddInterface is add_if.
func (p *Platform) AddInterface(j *quick.Journal, name string) (string, error) {
	if p.openBSD() {
		return p.addDescribed(j, name)
	}
	p.logf("[#] ifconfig wg create name %s", name)
	err := p.Sys.CreateWG(name)
	if err == nil {
		return name, save(j, &Record{Real: name})
	}
	if errors.Is(err, syscall.EEXIST) {
		return "", err
	}
	p.logf("[!] Missing WireGuard kernel support (%v). Falling back to slow userspace implementation.", err)
	p.logf("[#] %s %s", p.UserspaceName, name)
	if err := p.Sys.StartUserspace(name); err != nil {
		return "", err
	}
	return name, save(j, &Record{Real: name, Userspace: true})
}

// addDescribed is OpenBSD's add_if: the lowest wgN that `wg show
// interfaces` does not list, created with NAME's description, the next
// one when another process took it first.
func (p *Platform) addDescribed(j *quick.Journal, name string) (string, error) {
	taken := p.Sys.WireGuardInterfaces()
	for {
		n := 0
		for slices.Contains(taken, "wg"+strconv.Itoa(n)) {
			n++
		}
		real := "wg" + strconv.Itoa(n)
		p.logf("[#] ifconfig %s create description %s", real, description(name))
		err := p.Sys.CreateDescribed(real, description(name))
		if err == nil {
			return real, save(j, &Record{Real: real})
		}
		if !errors.Is(err, syscall.EEXIST) {
			return "", err
		}
		taken = append(p.Sys.WireGuardInterfaces(), real)
	}
}

// Teardown is del_if (and, after a failed up, del_routes): the DNS and
// the interface go, in the script's order (FreeBSD's down destroys first,
// OpenBSD's and every rollback put the DNS back first). The route
// monitor then sees the interface go and removes the endpoint routes, as
// upstream's does; when it is not running (it was killed, or a failed up
// never started it) this does it, from what the record says.
//
// The kill switch goes last.
func (p *Platform) Teardown(j *quick.Journal, name, real string, q *config.QuickConfig, why quick.Reason) error {
	err := p.teardown(j, name, real, q, why)
	return errors.Join(err, p.killSwitch().Teardown(j, q, why))
}

func (p *Platform) teardown(j *quick.Journal, name, real string, q *config.QuickConfig, why quick.Reason) error {
	r := record(j)
	if real == "" {
		real = r.Real
	}
	var errs []error
	if p.openBSD() || why != quick.ForDown {
		errs = append(errs, p.unsetDNS(r, name, real, false))
	}
	if real != "" {
		errs = append(errs, p.delInterface(r, name, real))
	}
	if !p.openBSD() && why == quick.ForDown {
		errs = append(errs, p.unsetDNS(r, name, real, len(q.DNS) > 0))
	}
	if r.MonitorPID != 0 && p.Sys.MonitorRunning(r.MonitorPID) {
		return errors.Join(errs...)
	}
	if why == quick.ForDown && len(r.Endpoints) > 0 {
		p.logf("[!] The route monitor of `%s' is not running; removing its routes", name)
	}
	r.EndpointRoutes.Delete(p.Sys, p.logf)
	return errors.Join(errs...)
}

// delInterface ends FreeBSD's userspace tunnel by its socket, or destroys
// the interface, and waits until it is gone. An OpenBSD interface is
// destroyed only while it still carries NAME's description (its wgN may
// be another tunnel's by now).
func (p *Platform) delInterface(r *Record, name, real string) error {
	if p.openBSD() {
		if got, ok := p.Sys.Described(description(name)); !ok || got != real {
			return nil
		}
		p.logf("[#] ifconfig %s destroy", real)
		return p.Sys.Destroy(real)
	}
	if r.Userspace || p.Sys.Userspace(real) {
		p.logf("[#] rm -f %s", wgctl.SocketPath(real))
		if err := p.Sys.StopUserspace(real); err != nil {
			return err
		}
	} else if p.Sys.InterfaceExists(real) {
		p.logf("[#] ifconfig %s destroy", real)
		if err := p.Sys.Destroy(real); err != nil {
			return err
		}
	}
	for i := 0; p.Sys.InterfaceExists(real); i++ {
		if i == 50 {
			return fmt.Errorf("%s is still there 5 s after it was removed", real)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}
