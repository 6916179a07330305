package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

var handshakeRe = regexp.MustCompile(`latest handshake: .* ago|latest handshake: Now`)
var transferRe = regexp.MustCompile(`transfer: .* received, .* sent`)

// TestTunnelPing: two of our daemons, one configured with the reference wg
// and one with ours; ping both ways; both wg report the handshake and
// transfer; deleting the interfaces ends the daemons and their sockets.
func TestTunnelPing(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing)
	p := netnstest.NewPair(t)
	ka, pa := netnstest.Keypair(t)
	kb, pb := netnstest.Keypair(t)
	p.In(0, p.Daemon, "wgx0")
	p.In(1, p.Daemon, "wgx1")
	p.Configure(0, referenceWG(t), "wgx0", ka, pb, 51820, 51821)
	p.Configure(1, netnstest.Binary(t), "wgx1", kb, pa, 51821, 51820)
	p.Ping(0)
	p.Ping(1)
	for i, wg := range []string{netnstest.Binary(t), referenceWG(t)} {
		out := p.In(i, wg, "show")
		if !handshakeRe.MatchString(out) || !transferRe.MatchString(out) {
			t.Errorf("%s show in %s lacks handshake or transfer:\n%s", wg, p.NS[i], out)
		}
	}
	p.In(0, "ip", "link", "del", "wgx0")
	p.In(1, "ip", "link", "del", "wgx1")
	waitGone(t, "wgx0", "wgx1")
}

// waitGone waits up to a second for the daemons of the given interfaces to
// exit and remove their sockets.
func waitGone(t *testing.T, names ...string) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for _, n := range names {
		for {
			_, err := os.Stat("/var/run/wireguard/" + n + ".sock")
			if err != nil && netnstest.DaemonPIDs(n) == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("daemon or socket for %s still there after 1s", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// TestTunnelInterop: our daemon against Debian's wireguard-go, both ways.
func TestTunnelInterop(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing)
	p := netnstest.NewPair(t)
	ka, pa := netnstest.Keypair(t)
	kb, pb := netnstest.Keypair(t)
	for _, order := range [][2]string{{p.Daemon, netnstest.ReferenceDaemon()}, {netnstest.ReferenceDaemon(), p.Daemon}} {
		p.Sh(0, "LOG_LEVEL=silent "+order[0]+" wgi0 2>/dev/null")
		p.Sh(1, "LOG_LEVEL=silent "+order[1]+" wgi1 2>/dev/null")
		p.Configure(0, netnstest.Binary(t), "wgi0", ka, pb, 51830, 51831)
		p.Configure(1, referenceWG(t), "wgi1", kb, pa, 51831, 51830)
		p.Ping(0)
		p.Ping(1)
		p.In(0, "ip", "link", "del", "wgi0")
		p.In(1, "ip", "link", "del", "wgi1")
		waitGone(t, "wgi0", "wgi1")
	}
}

// TestTunnelUpstreamWgQuick: Debian's wg-quick brings an interface up and
// down on our daemon through WG_QUICK_USERSPACE_IMPLEMENTATION.
func TestTunnelUpstreamWgQuick(t *testing.T) {
	testenv.Require(t, netnstest.NeedPing)
	netnstest.NeedQuickReference(t)
	p := netnstest.NewPair(t)
	ka, pa := netnstest.Keypair(t)
	kb, pb := netnstest.Keypair(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "wgq0.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("[Interface]\nPrivateKey = %s\nListenPort = 51840\nAddress = 10.0.0.1/24\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.0.0.2/32\nEndpoint = 192.168.241.2:51841\n", ka, pb)), 0o600)
	p.In(1, p.Daemon, "wgq1")
	p.Configure(1, netnstest.Binary(t), "wgq1", kb, pa, 51841, 51840)
	out := p.Sh(0, "WG_QUICK_USERSPACE_IMPLEMENTATION="+p.Daemon+" wg-quick up "+conf+" 2>&1")
	if !strings.Contains(out, "[#] "+p.Daemon+" wgq0") {
		t.Errorf("wg-quick did not use our daemon:\n%s", out)
	}
	p.Ping(0)
	out = p.Sh(0, "wg-quick down "+conf+" 2>&1")
	if !strings.Contains(out, "[#] ip link delete dev wgq0") {
		t.Errorf("wg-quick down:\n%s", out)
	}
	p.In(1, "ip", "link", "del", "wgq1")
	waitGone(t, "wgq0", "wgq1")
}
