package linux

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/quick"
)

// TestNetnsPlan: in a namespace the tunnel was moved into, a full tunnel
// is the namespace's default route: plain routes of the main table, no
// fwmark, policy rules, src_valid_mark or firewall, and no warning.
func TestNetnsPlan(t *testing.T) {
	f := newFake()
	e := f.env()
	e.Platform.(*Platform).Netns = "box"
	q, wg := fullTunnel()
	q.DNS = nil
	if err := quick.Up(context.Background(), e, "wg0", q, wg); err != nil {
		t.Fatal(err)
	}
	want := "userspace wg0\nhook pre wg0\nconfigure wg0\naddress wg0 10.0.0.1/24\naddress wg0 fd00::1/64\nmtu wg0 1420\n" +
		"route wg0 10.9.0.0/16 table 0\nroute wg0 ::/0 table 0\nroute wg0 0.0.0.0/0 table 0\nhook post wg0\n"
	if diff := cmp.Diff(want, f.log.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	f.log.Reset()
	if err := quick.Down(context.Background(), e, "wg0", q, ""); err != nil {
		t.Fatal(err)
	}
	if got := f.log.String(); strings.Contains(got, "rules") || strings.Contains(got, "firewall remove") && !strings.Contains(got, "link del") {
		t.Errorf("down:\n%s", got)
	}
}
