//go:build linux

package firewall

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLogGolden checks the `[#]` lines of an up (both families) and two
// downs, for each backend, against what upstream's wg-quick prints.
func TestLogGolden(t *testing.T) {
	tests := []struct {
		name    string
		backend Backend
		tools   []string
		want    string
	}{
		{
			name:    "nftables",
			backend: Auto,
			tools:   []string{"nft"},
			want: `[#] nft -f /dev/fd/63
[#] nft -f /dev/fd/63
[#] nft -f /dev/fd/63
`,
		},
		{
			name:    "iptables",
			backend: Iptables,
			tools:   iptablesTools,
			want: `[#] iptables-restore -n
[#] ip6tables-restore -n
[#] iptables-restore -n
[#] ip6tables-restore -n
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			needTools(t, tt.tools...)
			ns := newNS(t)
			var log bytes.Buffer
			f := &Firewall{Log: &log, NetNS: ns.fd, Backend: tt.backend}
			all := parseAddrs(t, append(ns.addrs(t, testLink, false), ns.addrs(t, testLink, true)...))
			for _, v6 := range []bool{false, true} {
				if err := f.AddDefault(testLink, v6, all, 51820); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 {
				if err := f.Remove(testLink); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(tt.want, log.String()); diff != "" {
				t.Errorf("log mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
