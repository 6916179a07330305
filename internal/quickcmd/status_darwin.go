package quickcmd

import (
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/quick/darwin"
)

// platformRuns: on macOS every tunnel is a userspace one on a utun, which
// the platform's record names; its process is not looked for.
func platformRuns(st *quick.State, t *tunnelStatus) {
	t.Runs.Kind = "userspace"
	if r := darwin.StateRecord(st); r != nil && r.Real != "" {
		t.Real = r.Real
	}
}

// platformInstalled: the DNS servers up gave the network services. Routes
// are not read back on macOS.
func platformInstalled(st *quick.State, t *tunnelStatus) {
	if r := darwin.StateRecord(st); r != nil && r.DNSSet {
		t.DNS = &dnsStatus{Backend: "networksetup", Servers: append([]string{}, r.DNS...)}
	}
}
