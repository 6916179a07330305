//go:build freebsd || openbsd

package quickcmd

import (
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/bsd"
)

// platformRuns: the kernel's interface, unless FreeBSD fell back to a
// userspace tunnel; the platform's record says which, and the real name.
func platformRuns(st *quick.State, t *tunnelStatus) {
	t.Runs.Kind = "kernel"
	r := bsd.StateRecord(st)
	if r == nil {
		return
	}
	if r.Real != "" {
		t.Real = r.Real
	}
	if r.Userspace {
		t.Runs.Kind = "userspace"
	}
}

// platformInstalled: the DNS backend up used (FreeBSD's resolvconf,
// OpenBSD's resolvd). Routes are not read back on the BSDs.
func platformInstalled(st *quick.State, t *tunnelStatus) {
	r := bsd.StateRecord(st)
	switch {
	case r == nil:
	case r.Resolvconf:
		t.DNS = &dnsStatus{Backend: "resolvconf", Servers: []string{}}
	case r.Backup:
		t.DNS = &dnsStatus{Backend: "resolvd", Servers: []string{}}
	}
}
