//go:build linux

package quickcmd_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// Bodies of the client's config in the reload tests: [Interface] lines
// after the key and port, then peers. PEER1 is the server in the other
// namespace (10.0.0.2), which a ping reaches through the tunnel in every
// one; PEER2 and PEER3 have no one behind them.
const (
	rlPeer1     = "[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\n"
	rlSplit     = rlPeer1 + "AllowedIPs = 10.0.0.2/32, 10.77.0.0/16\n"
	rlFull4     = rlPeer1 + "AllowedIPs = 0.0.0.0/0\n"
	rlFull46    = rlPeer1 + "AllowedIPs = 0.0.0.0/0, ::/0\n"
	rlPeer2     = "[Peer]\nPublicKey = PEER2\nAllowedIPs = 10.88.0.0/16\n"
	rlPeer2Edit = "[Peer]\nPublicKey = PEER2\nAllowedIPs = 10.89.0.0/16, 10.90.1.0/24, fd88::/48\n"
	rlPeer3     = "[Peer]\nPublicKey = PEER3\nPresharedKey = PSK\nAllowedIPs = 10.66.0.0/16\n"
	rlAddr4     = "Address = 10.0.0.1/24\n"
	rlAddr46    = "Address = 10.0.0.1/24, fd00::1/64\n"
)

// reloadEdits is the matrix: a config, the edit reload applies.
var reloadEdits = []struct{ name, a, b string }{
	{"add-peer", rlAddr4 + rlSplit, rlAddr4 + rlSplit + rlPeer2},
	{"add-peer-with-psk", rlAddr4 + rlSplit + rlPeer2, rlAddr4 + rlSplit + rlPeer2 + rlPeer3},
	{"remove-peer", rlAddr4 + rlSplit + rlPeer2 + rlPeer3, rlAddr4 + rlSplit + rlPeer3},
	{"change-allowed-ips", rlAddr4 + rlSplit + rlPeer2, rlAddr46 + rlSplit + rlPeer2Edit},
	{"grow-allowed-ips-of-pinged-peer", rlAddr4 + rlSplit, rlAddr4 + rlPeer1 + "AllowedIPs = 10.0.0.2/32, 10.77.0.0/16, 10.78.0.0/16\n"},
	{"add-v4-address", rlAddr4 + rlSplit, "Address = 10.0.0.1/24, 10.1.0.1/16\n" + rlSplit},
	{"remove-v4-address", "Address = 10.0.0.1/24, 10.1.0.1/16, 10.77.3.1/32\n" + rlSplit, rlAddr4 + rlSplit},
	{"add-v6-address", rlAddr4 + rlSplit, rlAddr46 + rlSplit},
	{"remove-v6-address", "Address = 10.0.0.1/24, fd00::1/64, fd01::1/128\n" + rlSplit, "Address = 10.0.0.1/24, fd01::1/128\n" + rlSplit},
	{"mtu", rlAddr4 + rlSplit, rlAddr4 + "MTU = 1380\n" + rlSplit},
	{"mtu-back-to-auto", rlAddr4 + "MTU = 1380\n" + rlSplit, rlAddr4 + rlSplit},
	{"add-dns", rlAddr4 + rlSplit, rlAddr4 + "DNS = 10.0.0.53, vpn.example\n" + rlSplit},
	{"change-dns-servers-and-search", rlAddr4 + "DNS = 10.0.0.53, vpn.example\n" + rlSplit, rlAddr4 + "DNS = 10.0.0.54, fd00::53, corp.example, lan\n" + rlSplit},
	{"remove-dns", rlAddr4 + "DNS = 10.0.0.53, vpn.example\n" + rlSplit, rlAddr4 + rlSplit},
	{"split-to-full", rlAddr46 + rlSplit, rlAddr46 + rlFull46},
	{"full-to-split", rlAddr46 + rlFull46, rlAddr46 + rlSplit},
	{"full-v4-to-dual-stack", rlAddr46 + rlFull4, rlAddr46 + rlFull46},
	{"full-add-lan-prefix", rlAddr4 + rlFull4, rlAddr4 + rlPeer1 + "AllowedIPs = 0.0.0.0/0, 192.168.50.0/24\n"},
	{"full-add-address", rlAddr46 + rlFull46, "Address = 10.0.0.1/24, 10.1.0.1/16, fd00::1/64\n" + rlFull46},
	{"split-table-number", rlAddr4 + rlSplit, rlAddr4 + "Table = 1234\n" + rlSplit},
	{"split-table-off", rlAddr4 + "Table = 1234\n" + rlSplit, rlAddr4 + "Table = off\n" + rlSplit},
}

// reloadRig is a server in namespace 1 (10.0.0.2, fd00::2; Table off)
// and the config file of namespace 0's client.
type reloadRig struct {
	p          *netnstest.Pair
	dev        string // the client's interface
	ours, path string
	resolv     string
	keys       *strings.Replacer
	header     string
}

func newReloadRig(t *testing.T) *reloadRig {
	testenv.Require(t, netnstest.NeedHostState, netnstest.NeedPing)
	p := netnstest.NewPair(t)
	p.Underlay()
	ka, pa := netnstest.Keypair(t)
	kb, pb := netnstest.Keypair(t)
	_, p2 := netnstest.Keypair(t)
	_, p3 := netnstest.Keypair(t)
	psk, _ := netnstest.Keypair(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	// Names of this process's own: UAPI sockets are global, and other test
	// binaries may run at the same time.
	dev := fmt.Sprintf("wgrl%dc", os.Getpid()%1000000)
	r := &reloadRig{p: p, dev: dev, ours: p.OurQuick(), path: filepath.Join(dir, dev+".conf"),
		keys:   strings.NewReplacer("PEER1", pb, "PEER2", p2, "PEER3", p3, "PSK", psk),
		header: "[Interface]\nPrivateKey = " + ka + "\nListenPort = 51820\n"}
	r.resolv = netnsResolvConf(p, 0, "# the namespace's own\nnameserver 192.0.2.53\n")
	server := filepath.Join(dir, strings.TrimSuffix(dev, "c")+"s.conf")
	os.WriteFile(server, []byte("[Interface]\nPrivateKey = "+kb+"\nListenPort = 51821\nAddress = 10.0.0.2/24, fd00::2/64\nTable = off\n"+
		"[Peer]\nPublicKey = "+pa+"\nEndpoint = 192.168.241.1:51820\nAllowedIPs = 0.0.0.0/0, ::/0\n"), 0o600)
	if res := p.Quick(1, r.ours, nil, "up", server); res.Code != 0 {
		t.Fatalf("server up: %+v", res)
	}
	t.Cleanup(func() { p.Quick(1, r.ours, nil, "down", server) })
	return r
}

// write makes body the client's config.
func (r *reloadRig) write(body string) {
	if err := os.WriteFile(r.path, []byte(r.header+r.keys.Replace(body)), 0o600); err != nil {
		r.p.T.Fatal(err)
	}
}

func (r *reloadRig) quick(args ...string) netnstest.Result {
	return r.p.Quick(0, r.ours, nil, append(args, r.path)...)
}

var (
	linkLocalAddr = regexp.MustCompile(`fe80:[0-9a-f:]*[0-9a-f]`)
	pingSummary   = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`)
)

// linkState reports whether the client's interface exists.
func (r *reloadRig) linkState() (string, bool, error) {
	err := exec.Command("ip", "-n", r.p.NS[0], "link", "show", r.dev).Run()
	return r.dev, err == nil, nil
}

// state is the client's host state as TestQuickUpDownCompat compares it,
// with resolv.conf; link-local addresses (random for each new interface)
// masked.
func (r *reloadRig) state() string {
	rc, _ := os.ReadFile(r.resolv)
	return sortTables(linkLocalAddr.ReplaceAllString(r.p.HostState(0, r.dev), "fe80::LL")) + "resolv.conf:\n" + string(rc)
}

// sortTables orders the nftables tables in a state by family: the ruleset
// lists them in the order they were made, which for the two families of a
// full tunnel follows the order of its allowed IPs.
func sortTables(s string) string {
	start := strings.Index(s, "\nnft:\n")
	end := strings.Index(s, "\nsrc_valid_mark=")
	if start < 0 || end < start {
		return s
	}
	tables := strings.SplitAfter(s[start+len("\nnft:\n"):end+1], "\n}\n")
	sort.Strings(tables)
	return s[:start+len("\nnft:\n")] + strings.Join(tables, "") + s[end+1:]
}

// pingDuring pings 10.0.0.2 every 10 ms for 2 s, during running after
// the first 0.5 s, and returns how many were sent and lost (a count, not
// a deadline: ping waits for the last replies).
func (r *reloadRig) pingDuring(during func()) (sent, lost int) {
	r.p.In(0, "ping", "-c", "2", "-i", "0.2", "-W", "2", "10.0.0.2") // the handshake
	cmd := exec.Command("ip", "netns", "exec", r.p.NS[0], "ping", "-n", "-q", "-i", "0.01", "-c", "200", "-W", "2", "10.0.0.2")
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		r.p.T.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	during()
	cmd.Wait()
	m := pingSummary.FindStringSubmatch(out.String())
	if m == nil {
		r.p.T.Fatalf("ping: %s", out.String())
	}
	sent, _ = strconv.Atoi(m[1])
	got, _ := strconv.Atoi(m[2])
	return sent, sent - got
}

// TestQuickReload: for each edit, `reload` leaves the host as a fresh
// `down; up` of the edited config would (links, addresses, routes of all
// tables, rules, nftables, src_valid_mark, wg showconf, resolv.conf), and
// a ping every 10 ms to the peer that stays loses nothing meanwhile.
func TestQuickReload(t *testing.T) {
	r := newReloadRig(t)
	totalSent, totalLost := 0, 0
	for _, tt := range reloadEdits {
		t.Run(tt.name, func(t *testing.T) {
			r.p.T = t
			r.write(tt.a)
			if res := r.quick("up"); res.Code != 0 {
				t.Fatalf("up: %+v", res)
			}
			defer func() {
				if _, exists, _ := r.linkState(); exists {
					r.quick("down")
				}
			}()
			r.write(tt.b)
			var res netnstest.Result
			sent, lost := r.pingDuring(func() { res = r.quick("reload") })
			totalSent, totalLost = totalSent+sent, totalLost+lost
			if res.Code != 0 {
				t.Fatalf("reload: %+v", res)
			}
			if lost != 0 {
				t.Errorf("ping lost %d of %d during the reload\n%s", lost, sent, res.Stderr)
			}
			reloaded := r.state()
			if down := r.quick("down"); down.Code != 0 {
				t.Fatalf("down after reload: %+v", down)
			}
			if up := r.quick("up"); up.Code != 0 {
				t.Fatalf("fresh up: %+v", up)
			}
			fresh := r.state()
			if down := r.quick("down"); down.Code != 0 {
				t.Errorf("down: %+v", down)
			}
			if diff := cmp.Diff(fresh, reloaded); diff != "" {
				t.Errorf("after reload (-fresh up +reload):\n%s\nreload said:\n%s", diff, res.Stderr)
			}
			if l := r.p.Leftovers(r.dev); l != "" {
				t.Errorf("left behind: %s", l)
			}
		})
	}
	t.Logf("pings every 10 ms during the reloads: %d sent, %d lost", totalSent, totalLost)
}

// TestQuickReloadRefused: a config reload cannot apply changes nothing,
// and says why.
func TestQuickReloadRefused(t *testing.T) {
	r := newReloadRig(t)
	dev := "`" + r.dev + "'"
	tests := []struct{ name, a, b, msg string }{
		{"bad-address", rlAddr4 + rlSplit, "Address = 10.0.0.300/24\n" + rlSplit, "is not an IP address"},
		{"unknown-key", rlAddr4 + rlSplit, rlAddr4 + "Adress = 10.1.0.1/24\n" + rlSplit, "Adress"},
		{"table-on-full-tunnel", rlAddr4 + rlFull4, rlAddr4 + "Table = 1234\n" + rlFull4, "cannot change Table from auto to 1234 while a default route goes through " + dev},
		{"fwmark-on-full-tunnel", rlAddr4 + rlFull4, rlAddr4 + "FwMark = 0x1234\n" + rlFull4, "cannot change FwMark to 4660 while a default route goes through " + dev + " (its rules use fwmark 51820)"},
		{"not-up", "", rlAddr4 + rlSplit, dev + " is not up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r.p.T = t
			if tt.a != "" {
				r.write(tt.a)
				if res := r.quick("up"); res.Code != 0 {
					t.Fatalf("up: %+v", res)
				}
				defer r.quick("down")
			}
			before := r.state()
			r.write(tt.b)
			res := r.quick("reload")
			if res.Code != 1 || !strings.Contains(res.Stderr, tt.msg) || strings.Contains(res.Stderr, "[#]") {
				t.Errorf("reload: want exit 1 saying %q and changing nothing, got %+v", tt.msg, res)
			}
			if after := r.state(); after != before {
				t.Errorf("reload changed the host:\n%s", cmp.Diff(before, after))
			}
			if tt.a != "" {
				r.write(tt.a)
			}
		})
	}
}

// TestQuickReloadPostUp: PostUp runs again only with --run-postup, and a
// reload of an unchanged config changes nothing at all.
func TestQuickReloadPostUp(t *testing.T) {
	r := newReloadRig(t)
	r.write(rlAddr4 + "PostUp = echo post-up %i\n" + rlSplit)
	if res := r.quick("up"); res.Code != 0 {
		t.Fatalf("up: %+v", res)
	}
	defer r.quick("down")
	if res := r.quick("reload"); res.Code != 0 || res.Stderr != "" {
		t.Errorf("reload of the same config: want no output, got %+v", res)
	}
	res := r.p.Quick(0, r.ours, nil, "reload", "--run-postup", r.path)
	if res.Code != 0 || !strings.Contains(res.Stdout, "post-up "+r.dev) {
		t.Errorf("reload --run-postup: %+v", res)
	}
}
