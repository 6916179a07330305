//go:build linux

package quickcmd_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// TestQuickNetns: `up --netns-create BOX` from namespace 0 puts the
// client's full tunnel into a new namespace whose only links are lo and
// the tunnel, while the embedded tunnel's daemon and UDP socket stay in
// namespace 0: from inside, the peer's network answers through the tunnel
// (ping, iperf3), DNS is in /etc/netns/BOX/resolv.conf; after SIGKILL of
// the daemon the box has no way out at all; `down --netns BOX` leaves
// namespace 0 as it was and deletes the box.
func TestQuickNetns(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing, netnstest.NeedHostState, testenv.Command("iperf3", "iperf3"), testenv.Command("nsenter", "util-linux"), testenv.Command("ss", "iproute2"))
	p := netnstest.NewPair(t)
	p.Underlay()
	paths := fullTunnelPair(t, p, t.TempDir())
	base, _ := os.ReadFile(paths[0])
	os.WriteFile(paths[0], []byte(strings.Replace(string(base), "\n\n[Peer]", "\nDNS = 10.0.0.2, box.example\n\n[Peer]", 1)), 0o600)
	ours := p.OurQuick()
	if r := p.Quick(1, ours, nil, "up", paths[1]); r.Code != 0 {
		t.Fatalf("server up: %+v", r)
	}
	defer p.Quick(1, ours, nil, "down", paths[1])
	box := "wgbox" + netnstest.UniqueID()
	t.Cleanup(func() { exec.Command("ip", "netns", "delete", box).Run(); os.RemoveAll("/etc/netns/" + box) })
	inBox := func(args ...string) (string, error) {
		out, err := exec.Command("ip", append([]string{"netns", "exec", box}, args...)...).CombinedOutput()
		return string(out), err
	}

	p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "1")
	before := p.HostState(0, "wgfta")
	// Not through ip netns exec, whose mount namespace would keep the new
	// namespace's mount to itself: as from a shell of namespace 0.
	quick := func(args ...string) netnstest.Result {
		cmd := exec.Command("nsenter", append([]string{"--net=/run/netns/" + p.NS[0], ours}, args...)...)
		cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
		return netnstest.Run(t, cmd)
	}
	r := quick("up", "--netns-create", box, paths[0])
	if r.Code != 0 {
		t.Fatalf("up --netns-create: %+v", r)
	}
	if out, _ := inBox("ip", "-o", "link", "show"); strings.Count(out, "\n") != 2 || !strings.Contains(out, "lo:") || !strings.Contains(out, "wgfta:") {
		t.Errorf("the box's links:\n%s", out)
	}
	if out, _ := inBox("ip", "route", "show"); !strings.HasPrefix(out, "default dev wgfta") {
		t.Errorf("the box's routes:\n%s", out)
	}
	if out, err := exec.Command("ip", "-n", p.NS[0], "-o", "link", "show", "wgfta").CombinedOutput(); err == nil {
		t.Errorf("the tunnel's link is left in namespace 0: %s", out)
	}
	if out, err := inBox("ping", "-c", "2", "-i", "0.2", "-W", "2", "10.50.0.1"); err != nil {
		t.Errorf("ping through the tunnel from the box: %v\n%s", err, out)
	}
	iperf := exec.Command("ip", "netns", "exec", p.NS[1], "iperf3", "-s", "-1", "-B", "10.50.0.1")
	if err := iperf.Start(); err != nil {
		t.Fatal(err)
	}
	defer iperf.Process.Kill()
	var out string
	var err error
	for i := 0; i < 20; i++ {
		if out, err = inBox("iperf3", "-c", "10.50.0.1", "-t", "1"); err == nil {
			break
		}
	}
	if err != nil || !strings.Contains(out, "receiver") {
		t.Errorf("iperf3 from the box: %v\n%s", err, out)
	}
	if rc, _ := os.ReadFile("/etc/netns/" + box + "/resolv.conf"); !strings.Contains(string(rc), "nameserver 10.0.0.2") {
		t.Errorf("the box's resolv.conf:\n%s", rc)
	}
	// The daemon runs in namespace 0, its UDP socket with it.
	if out := p.In(0, "ss", "-uanp"); !strings.Contains(out, ":51820") {
		t.Errorf("no UDP socket on 51820 in namespace 0:\n%s", out)
	}

	if err := netnstest.KillDaemons("wgfta"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if out, _ := inBox("ip", "-o", "link", "show"); strings.Count(out, "\n") == 1 {
			break
		}
		exec.Command("sleep", "0.1").Run()
	}
	if out, _ := inBox("ip", "-o", "link", "show"); strings.Count(out, "\n") != 1 {
		t.Errorf("after SIGKILL the box still has:\n%s", out)
	}
	if out, err := inBox("ping", "-c", "1", "-W", "1", "10.50.0.1"); err == nil {
		t.Errorf("the box reaches out with its tunnel dead:\n%s", out)
	}

	if r := quick("down", "--netns", box, paths[0]); r.Code != 0 {
		t.Fatalf("down --netns: %+v", r)
	}
	if _, err := os.Stat("/run/netns/" + box); err == nil {
		t.Errorf("down left the box it made")
	}
	if after := p.HostState(0, "wgfta"); after != before {
		t.Errorf("namespace 0 after down differs:\n%s\nwas:\n%s", after, before)
	}
}
