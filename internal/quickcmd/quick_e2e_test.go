//go:build linux

package quickcmd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// quickConfigs are the differential configs: [Interface] lines, then the
// peers' lines. PEER1, PEER2 are replaced by public keys.
var quickConfigs = map[string]string{
	"split":         "Address = 10.0.0.1/24\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 10.0.0.2/32, 10.77.0.0/16",
	"dual-stack":    "Address = 10.0.0.1/24, fd00::1/64\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 10.0.0.0/24, fd00::/64, 10.8.0.0/16, fd08::/32, 10.8.1.0/24",
	"full-v4":       "Address = 10.0.0.1/24\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0",
	"full-v4v6":     "Address = 10.0.0.1/24, fd00::1/64\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0, ::/0",
	"full-lan":      "Address = 10.0.0.1/24\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0, 192.168.50.0/24, 10.0.0.0/24",
	"fwmark":        "Address = 10.0.0.1/24\nFwMark = 0x1234\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0, ::/0",
	"ipv6-endpoint": "Address = 10.0.0.1/24, fd00::1/64\n[Peer]\nPublicKey = PEER1\nEndpoint = [fd99::2]:51821\nAllowedIPs = ::/0, 10.9.0.0/16",
	"table-num":     "Address = 10.0.0.1/24\nTable = 1234\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0, 10.9.0.0/16",
	"table-main":    "Address = 10.0.0.1/24\nTable = main\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 10.9.0.0/16, 10.8.0.0/16",
	"table-off":     "Address = 10.0.0.1/24\nTable = off\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 0.0.0.0/0, 10.9.0.0/16",
	"fixed-mtu":     "Address = 10.0.0.1/32\nMTU = 1280\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 10.9.0.0/16",
	"hooks":         "Address = 10.0.0.1/24\nPreUp = echo pre %i\nPostUp = echo post %i # kept\nPreDown = echo predown %i\nPostDown = echo postdown %i\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 10.9.0.0/16",
	"peers-overlap": "Address = 10.0.0.1/24\n[Peer]\nPublicKey = PEER1\nEndpoint = 192.168.241.2:51821\nAllowedIPs = 10.9.0.0/16, 10.0.0.0/25\n[Peer]\nPublicKey = PEER2\nAllowedIPs = 10.9.1.0/24, 10.10.0.0/16, 0.0.0.0/0",
}

// TestQuickUpDownCompat brings configs up and down with our wg-quick and
// with Debian's (using Debian's wireguard-go as its userspace daemon) and
// compares the [#] lines (but for how the link is made) and the host state:
// link, addresses, routes in all tables, rules, nftables, src_valid_mark
// and wg showconf.
func TestQuickUpDownCompat(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState)
	netnstest.NeedQuickReference(t)
	p := netnstest.NewPair(t)
	p.Underlay()
	ka, _ := netnstest.Keypair(t)
	_, pb := netnstest.Keypair(t)
	_, pc := netnstest.Keypair(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	linkLocal := regexp.MustCompile(`(?m)^.*fe80::.*\n`)
	for _, name := range sortedKeys(quickConfigs) {
		body := strings.NewReplacer("PEER1", pb, "PEER2", pc).Replace(quickConfigs[name])
		text := "[Interface]\nPrivateKey = " + ka + "\nListenPort = 51820\n" + body + "\n"
		path := filepath.Join(dir, "wgqc0.conf")
		os.WriteFile(path, []byte(text), 0o600)
		var got [2]string
		for i, w := range quickTools(p) {
			// Neither puts src_valid_mark back; start each run from 0.
			p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0")
			before := p.HostState(0, "wgqc0")
			up := p.Quick(0, w.bin, w.env, "up", path)
			upState := p.HostState(0, "wgqc0")
			down := p.Quick(0, w.bin, w.env, "down", path)
			p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0")
			after := p.HostState(0, "wgqc0")
			if before != after {
				t.Errorf("%s: %s down left state:\n%s\nwas:\n%s", name, w.bin, after, before)
			}
			up.Stderr = comparableUp(up.Stderr, "wgqc0", w.debian)
			if !w.debian {
				// 1.0.20260223 keeps a hook's # text; Debian's cut it.
				up.Stderr = strings.Replace(up.Stderr, " # kept", "", 1)
			}
			upState = linkLocal.ReplaceAllString(upState, "")
			got[i] = fmt.Sprintf("up %+v\nstate:\n%s\ndown %+v", up, upState, down)
		}
		if diff := cmp.Diff(got[0], got[1]); diff != "" {
			t.Errorf("%s (-Debian +ours):\n%s", name, diff)
		}
	}
}

// quickTool is a wg-quick to compare: Debian's, on Debian's userspace
// daemon, or ours.
type quickTool struct {
	bin    string
	env    []string
	debian bool
}

func quickTools(p *netnstest.Pair) []quickTool {
	return []quickTool{
		{"wg-quick", []string{"WG_QUICK_USERSPACE_IMPLEMENTATION=" + netnstest.ReferenceDaemon()}, true},
		{p.OurQuick(), nil, false},
	}
}

var (
	// How the link is made may differ (the acceptance allows it): Debian's
	// ip says `ip link add IF` (1.0.20250521 added `dev`) and prints its
	// error, and Debian's daemon prints a banner.
	linkMade = regexp.MustCompile(`(?s)\[#\] ip link add .*?\[#\] \S+ (\S+)\n(┌.*?┘\n)?`)
	// Debian's 1.0.20210914 adds a default route before its rules;
	// 1.0.20250521 after them.
	routeFirst = regexp.MustCompile(`(\[#\] ip -[46] route add \S+/0 dev \S+ table \d+\n)(\[#\] ip -[46] rule add not fwmark \d+ table \d+\n\[#\] ip -[46] rule add table main suppress_prefixlength 0\n)`)
)

// comparableUp rewrites the log of an up of dev where Debian's 1.0.20210914
// and ours (1.0.20260223) may differ: how the link is made, PreUp running
// before it, setconf for addconf, a default route before its rules.
var oneFamilyWarning = regexp.MustCompile(`(?m)^\[!\] Warning: IPv[46] goes through .*\n`)

func comparableUp(log, dev string, debian bool) string {
	log = linkMade.ReplaceAllString(log, "[#] LINK\n")
	// Ours warns when a full tunnel leaves the other family out (upstream
	// says nothing).
	log = oneFamilyWarning.ReplaceAllString(log, "")
	if debian {
		// The [#] lines right before the link are Debian's PreUp hooks.
		if i := strings.Index(log, "[#] LINK\n"); i > 0 {
			j := i
			for j > 0 {
				k := strings.LastIndex(log[:j-1], "\n") + 1
				if !strings.HasPrefix(log[k:], "[#] ") {
					break
				}
				j = k
			}
			log = log[:j] + "[#] LINK\n" + log[j:i] + log[i+len("[#] LINK\n"):]
		}
		log = routeFirst.ReplaceAllString(log, "$2$1")
		log = strings.Replace(log, "[#] wg setconf "+dev+" ", "[#] wg addconf "+dev+" ", 1)
	}
	return log
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestQuickBadInput: configs that cannot work fail before any change, with
// the file and line where there is one.
func TestQuickBadInput(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState)
	p := netnstest.NewPair(t)
	ka, _ := netnstest.Keypair(t)
	_, pb := netnstest.Keypair(t)
	dir := t.TempDir()
	for name, c := range map[string]struct{ extra, want string }{
		"badline":  {"Bogus = 1\nAllowedIPs = 10.9.0.0/16", ":4: Line unrecognized: `Bogus=1'\n  hint: unknown key Bogus"},
		"typo":     {"Adress = 10.0.0.2/24\nAllowedIPs = 10.9.0.0/16", ":4: Line unrecognized: `Adress=10.0.0.2/24'\n  hint: unknown key Adress; did you mean Address?\n"},
		"table":    {"Table = nosuch\nAllowedIPs = 10.9.0.0/16", ":4: table `nosuch': no such routing table"},
		"mtu":      {"MTU = big\nAllowedIPs = 10.9.0.0/16", ":4: MTU `big' is not a number from 68 to 65535\n"},
		"mtu-huge": {"MTU = 99999999999\nAllowedIPs = 10.9.0.0/16", ":4: MTU `99999999999' is not a number from 68 to 65535\n"},
		"mtu-tiny": {"MTU = 67\nAllowedIPs = 10.9.0.0/16", ":4: MTU `67' is not a number from 68 to 65535\n"},
		"address":  {"Address = 10.0.0.300/24\nAllowedIPs = 10.9.0.0/16", ":4: address `10.0.0.300/24' is not an IP address"},
		"address-long": {"Address = 10.0.0.2/24, " + strings.Repeat("1", 300000) + "\nAllowedIPs = 10.9.0.0/16",
			":4: address `" + strings.Repeat("1", 48) + "... (300000 bytes)' is not an IP address"},
	} {
		iface, rest, _ := strings.Cut(c.extra, "AllowedIPs")
		path := filepath.Join(dir, "wgqr0.conf")
		os.WriteFile(path, []byte("[Interface]\nPrivateKey = "+ka+"\nAddress = 10.0.0.1/24\n"+iface+"[Peer]\nPublicKey = "+pb+"\nAllowedIPs"+rest+"\n"), 0o600)
		before := p.HostState(0, "wgqr0")
		r := p.Quick(0, p.OurQuick(), nil, "up", path)
		if r.Code != 1 || !strings.HasPrefix(r.Stderr, "wg-quick: "+path) || !strings.Contains(r.Stderr, c.want) || len(r.Stderr) > 1000 {
			t.Errorf("%s: %+v, want %q", name, r, c.want)
		}
		if strings.Contains(r.Stderr, "[#]") {
			t.Errorf("%s: refused only after changing something:\n%s", name, r.Stderr)
		}
		if after := p.HostState(0, "wgqr0"); after != before {
			t.Errorf("%s changed the host:\n%s", name, after)
		}
	}
}
