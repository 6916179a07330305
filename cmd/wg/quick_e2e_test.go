package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// quickUp runs a wg-quick (ours or Debian's) in namespace i of the pair.
func (p *pair) quick(i int, bin string, env []string, args ...string) result {
	p.t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", p.ns[i], bin}, args...)...)
	cmd.Env = append([]string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}, env...)
	return runResult(p.t, cmd)
}

// hostState is what `up` changes, as ip(8) reports it.
func (p *pair) hostState(i int, dev string) string {
	out, _ := exec.Command("ip", "netns", "exec", p.ns[i], "sh", "-c",
		"ip -o link show dev "+dev+" 2>&1 | sed 's/^[0-9]*: //; s/ qdisc.*//'; ip -o addr show dev "+dev+" 2>&1 | sed 's/^[0-9]*: //; s/valid_lft.*//'; "+
			"ip -4 route show table all 2>&1 | grep -v 'dev va\\|dev lo\\|^local\\|^broadcast\\|^multicast'; ip -6 route show table all 2>&1 | grep "+dev+"; ip rule; ip -6 rule").CombinedOutput()
	return string(out)
}

// TestQuickUpDownCompat brings configs up and down with our wg-quick and
// with Debian's (using Debian's wireguard-go as its userspace daemon) and
// compares the [#] lines (but for how the link is made) and the host state.
func TestQuickUpDownCompat(t *testing.T) {
	if _, err := exec.LookPath("wg-quick"); err != nil {
		t.Skip("wg-quick not installed")
	}
	p := newPair(t)
	ka, _ := keypair(t)
	_, pb := keypair(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	ours := p.ourQuick()
	peer := "\n[Peer]\nPublicKey = " + pb + "\nEndpoint = 192.168.241.2:51821\n"
	configs := map[string]string{
		"split":      "Address = 10.0.0.1/24\nAllowedIPs = 10.0.0.2/32, 10.77.0.0/16",
		"dual-stack": "Address = 10.0.0.1/24, fd00::1/64\nAllowedIPs = 10.0.0.0/24, fd00::/64, 10.8.0.0/16, fd08::/32, 10.8.1.0/24",
		"table-num":  "Address = 10.0.0.1/24\nTable = 1234\nAllowedIPs = 0.0.0.0/0, 10.9.0.0/16",
		"table-off":  "Address = 10.0.0.1/24\nTable = off\nAllowedIPs = 10.9.0.0/16",
		"fixed-mtu":  "Address = 10.0.0.1/32\nMTU = 1280\nAllowedIPs = 10.9.0.0/16",
		"hooks":      "Address = 10.0.0.1/24\nPreUp = echo pre %i\nPostUp = echo post %i # kept\nPreDown = echo predown %i\nPostDown = echo postdown %i\nAllowedIPs = 10.9.0.0/16",
		"overlap":    "Address = 10.0.0.1/24\nAllowedIPs = 10.9.0.0/16, 10.9.1.0/24, 10.0.0.0/25",
	}
	// How the link is made may differ (the acceptance allows it): Debian's ip
	// says `ip link add IF` (1.0.20250521 added `dev`) and prints its error,
	// and Debian's daemon prints a banner.
	linkMade := regexp.MustCompile(`(?s)\[#\] ip link add .*?\[#\] \S+ wgqc0\n(┌.*?┘\n)?`)
	linkLocal := regexp.MustCompile(`(?m)^.*fe80::.*\n`)
	for name, body := range configs {
		iface, rest, _ := strings.Cut(body, "\nAllowedIPs")
		text := "[Interface]\nPrivateKey = " + ka + "\nListenPort = 51820\n" + iface + "\n" + strings.Replace(peer, "\n[Peer]", "[Peer]", 1) + "AllowedIPs" + rest + "\n"
		path := filepath.Join(dir, "wgqc0.conf")
		os.WriteFile(path, []byte(text), 0o600)
		var got [2]string
		for i, w := range []struct {
			bin string
			env []string
		}{{"wg-quick", []string{"WG_QUICK_USERSPACE_IMPLEMENTATION=" + referenceDaemon()}}, {ours, nil}} {
			before := p.hostState(0, "wgqc0")
			up := p.quick(0, w.bin, w.env, "up", path)
			upState := p.hostState(0, "wgqc0")
			down := p.quick(0, w.bin, w.env, "down", path)
			after := p.hostState(0, "wgqc0")
			if before != after {
				t.Errorf("%s: %s down left state:\n%s\nwas:\n%s", name, w.bin, after, before)
			}
			up.Stderr = linkMade.ReplaceAllString(up.Stderr, "[#] LINK\n")
			if i == 0 {
				// 1.0.20250521 runs PreUp after the link exists; Debian's before.
				up.Stderr = strings.Replace(up.Stderr, "[#] echo pre wgqc0\n[#] LINK\n", "[#] LINK\n[#] echo pre wgqc0\n", 1)
			} else {
				// 1.0.20260223 keeps a hook's # text; Debian's cut it.
				up.Stderr = strings.Replace(up.Stderr, " # kept", "", 1)
			}
			// 1.0.20260223 configures with addconf; Debian's 1.0.20210914 with setconf.
			up.Stderr = strings.Replace(up.Stderr, "[#] wg setconf wgqc0", "[#] wg addconf wgqc0", 1)
			upState = linkLocal.ReplaceAllString(upState, "")
			got[i] = fmt.Sprintf("up %+v\nstate:\n%s\ndown %+v", up, upState, down)
		}
		if diff := cmp.Diff(got[0], got[1]); diff != "" {
			t.Errorf("%s (-Debian +ours):\n%s", name, diff)
		}
	}
}

// TestQuickRefusesWhatIsNotBuilt: configs needing unbuilt parts fail before
// any change.
func TestQuickRefusesWhatIsNotBuilt(t *testing.T) {
	p := newPair(t)
	ka, _ := keypair(t)
	_, pb := keypair(t)
	dir := t.TempDir()
	for name, extra := range map[string]string{
		"dns":     "DNS = 1.1.1.1\nAllowedIPs = 10.9.0.0/16",
		"default": "AllowedIPs = 0.0.0.0/0",
		"save":    "SaveConfig = true\nAllowedIPs = 10.9.0.0/16",
		"badline": "Bogus = 1\nAllowedIPs = 10.9.0.0/16",
	} {
		iface, rest, _ := strings.Cut(extra, "AllowedIPs")
		path := filepath.Join(dir, "wgqr0.conf")
		os.WriteFile(path, []byte("[Interface]\nPrivateKey = "+ka+"\nAddress = 10.0.0.1/24\n"+iface+"[Peer]\nPublicKey = "+pb+"\nAllowedIPs"+rest+"\n"), 0o600)
		before := p.hostState(0, "wgqr0")
		r := p.quick(0, p.ourQuick(), nil, "up", path)
		if r.Code != 1 || !strings.HasPrefix(r.Stderr, "wg-quick: ") {
			t.Errorf("%s: %+v", name, r)
		}
		if name == "badline" && !strings.Contains(r.Stderr, path+":4: Line unrecognized: `Bogus=1'") {
			t.Errorf("badline message: %q", r.Stderr)
		}
		if after := p.hostState(0, "wgqr0"); after != before {
			t.Errorf("%s changed the host:\n%s", name, after)
		}
	}
}

// ourQuick is our binary linked as wg-quick.
func (p *pair) ourQuick() string {
	path := filepath.Join(filepath.Dir(p.daemon), "wg-quick")
	if _, err := os.Lstat(path); err != nil {
		os.Symlink(ourWG(p.t), path)
	}
	return path
}
