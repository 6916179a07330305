//go:build linux

package netcfg

import (
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"github.com/wgtools/wgtools/internal/netnstest"
)

// TestMoveIn: a link made in the birthplace namespace moves into the
// target (as `up --netns` moves a kernel WireGuard link, which this
// machine cannot make: a veth stands in), logged as ip(8) would; a link
// that cannot move is deleted.
func TestMoveIn(t *testing.T) {
	target, log, targetName := newNS(t)
	birthName := netnstest.NewNetns(t, "wgnb")
	bns, err := netns.GetFromName(birthName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bns.Close() })
	birth, err := netlink.NewHandleAt(bns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(birth.Close)
	target.Birthplace, target.NSName = birth, targetName
	ip(t, birthName, "link", "add", "wgmv0", "type", "veth", "peer", "name", "wgmv0p")
	if err := target.moveIn("wgmv0"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ip(t, targetName, "-o", "link", "show"), "wgmv0@") {
		t.Errorf("wgmv0 is not in the target namespace")
	}
	if strings.Contains(ip(t, birthName, "-o", "link", "show"), "wgmv0@") {
		t.Errorf("wgmv0 is still in its birthplace")
	}
	if got, want := log.String(), "[#] ip link set dev wgmv0 netns "+targetName+"\n"; got != want {
		t.Errorf("log %q, want %q", got, want)
	}
	// A name the target has already: the move fails and the link goes.
	ip(t, birthName, "link", "add", "wgt0", "type", "veth", "peer", "name", "wgmv1p")
	if err := target.moveIn("wgt0"); err == nil {
		t.Error("moving onto a name in use succeeded")
	}
	if strings.Contains(ip(t, birthName, "-o", "link", "show"), "wgt0@") {
		t.Errorf("the link that could not move is left in its birthplace")
	}
}
