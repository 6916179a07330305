//go:build linux

package quickcmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/dns/dnstest"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

// netnsResolvConf gives namespace i its own /etc/resolv.conf (ip netns exec
// maps /etc/netns/NS/resolv.conf over it) and returns its path.
func netnsResolvConf(p *netnstest.Pair, i int, text string) string {
	p.T.Helper()
	dir := filepath.Join("/etc/netns", p.NS[i])
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.T.Fatal(err)
	}
	p.T.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "resolv.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		p.T.Fatal(err)
	}
	return path
}

// TestQuickDNS: with no resolvconf and no systemd-resolved, DNS goes into
// the namespace's resolv.conf on up and is restored byte for byte on down,
// also when the tunnel died in between; a failing resolvconf rolls
// everything back.
func TestQuickDNS(t *testing.T) {
	testenv.Require(t, netnstest.NeedHostState)
	p := netnstest.NewPair(t)
	p.Underlay()
	orig := "# the namespace's own\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n"
	rc := netnsResolvConf(p, 0, orig)
	ka, _ := netnstest.Keypair(t)
	_, pb := netnstest.Keypair(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "wgqd0.conf")
	os.WriteFile(path, []byte("[Interface]\nPrivateKey = "+ka+"\nAddress = 10.0.0.1/24\nDNS = 10.0.0.53, fd00::53, vpn.example, lan\n[Peer]\nPublicKey = "+pb+"\nAllowedIPs = 0.0.0.0/0\n"), 0o600)
	ours := p.OurQuick()
	before := p.HostState(0, "wgqd0")
	for _, kill := range []bool{false, true} {
		r := p.Quick(0, ours, nil, "up", path)
		if r.Code != 0 || !strings.Contains(r.Stderr, "[#] # DNS: writing /etc/resolv.conf directly") {
			t.Fatalf("up: %+v", r)
		}
		got, _ := os.ReadFile(rc)
		if !strings.Contains(string(got), "nameserver 10.0.0.53\nnameserver fd00::53\nsearch vpn.example lan\n") {
			t.Errorf("resolv.conf while up:\n%s", got)
		}
		if kill {
			if err := netnstest.KillDaemons("wgqd0"); err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 100 && exec.Command("ip", "-n", p.NS[0], "link", "show", "wgqd0").Run() == nil; i++ {
				time.Sleep(20 * time.Millisecond)
			}
			// An up after the death first undoes what the dead one left, so
			// the backup stays the namespace's own file.
			if r := p.Quick(0, ours, nil, "up", path); r.Code != 0 || !strings.Contains(r.Stderr, "removing what the last `up' left behind") {
				t.Errorf("up after kill: %+v", r)
			}
		}
		if r := p.Quick(0, ours, nil, "down", path); r.Code != 0 {
			t.Errorf("down (after kill %v): %+v", kill, r)
		}
		if got, _ := os.ReadFile(rc); string(got) != orig {
			t.Errorf("resolv.conf after down (after kill %v):\n%s", kill, got)
		}
		p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0")
		if after := p.HostState(0, "wgqd0"); after != before {
			t.Errorf("host after down:\n%s", after)
		}
	}

	// A resolvconf that fails: the whole up is undone.
	bin := filepath.Join(dir, "bin")
	os.Mkdir(bin, 0o755)
	os.WriteFile(filepath.Join(bin, "resolvconf"), []byte("#!/bin/sh\necho 'resolvconf: broken' >&2\nexit 1\n"), 0o755)
	cmd := exec.Command("ip", "netns", "exec", p.NS[0], ours, "up", path)
	cmd.Env = []string{"PATH=" + bin + ":/usr/sbin:/usr/bin:/sbin:/bin"}
	r := netnstest.Run(t, cmd)
	if r.Code == 0 || !strings.Contains(r.Stderr, "resolvconf: broken") {
		t.Errorf("up with a failing resolvconf: %+v", r)
	}
	if after := p.HostState(0, "wgqd0"); after != before {
		t.Errorf("host after failed DNS:\n%s", after)
	}
	if got, _ := os.ReadFile(rc); string(got) != orig {
		t.Errorf("resolv.conf after failed DNS:\n%s", got)
	}
	if l := p.Leftovers("wgqd0"); l != "" {
		t.Errorf("left behind: %s", l)
	}
}

var linkLocal = regexp.MustCompile(`fe80::[0-9a-f:]+`)

// TestQuickSave: `wg-quick save` and SaveConfig write what Debian's
// wg-quick writes for the same interface state, atomically and 0600.
func TestQuickSave(t *testing.T) {
	netnstest.NeedQuickReference(t)
	p := netnstest.NewPair(t)
	p.Underlay()
	ka, _ := netnstest.Keypair(t)
	_, pb := netnstest.Keypair(t)
	_, pc := netnstest.Keypair(t)
	dir := t.TempDir()
	text := "[Interface]\n# a comment that save loses\nPrivateKey = " + ka + "\nListenPort = 51820\nAddress = 10.0.0.1/24, fd00::1/64\nMTU = 1400\nTable = 1234\nSaveConfig = true\nPostUp = echo up %i\nPreDown = echo down %i\n\n[Peer]\nPublicKey = " + pb + "\nAllowedIPs = 10.9.0.0/16\nEndpoint = 192.168.241.2:51821\n"
	var got [2]string
	for i, w := range quickTools(p) {
		path := filepath.Join(dir, "wgqs0.conf")
		os.Remove(path)
		os.WriteFile(path, []byte(text), 0o644)
		if r := p.Quick(0, w.bin, w.env, "up", path); r.Code != 0 {
			t.Fatalf("%s up: %+v", w.bin, r)
		}
		p.In(0, "/usr/bin/wg", "set", "wgqs0", "peer", pc, "allowed-ips", "10.10.0.0/16")
		save := p.Quick(0, w.bin, w.env, "save", path)
		saved, _ := os.ReadFile(path)
		p.In(0, "/usr/bin/wg", "set", "wgqs0", "peer", pc, "remove")
		down := p.Quick(0, w.bin, w.env, "down", path)
		final, _ := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if _, err := os.Stat(path + ".tmp"); err == nil {
			t.Errorf("%s left %s.tmp", w.bin, path)
		}
		got[i] = linkLocal.ReplaceAllString("save "+save.Stderr+"\n"+netnstest.SortPeers(string(saved))+"down "+down.Stderr+"\n"+string(final), "fe80::LL") + fi.Mode().String()
	}
	// Debian's 1.0.20210914 drops a hook's # text; ours keeps it (none here).
	if diff := cmp.Diff(got[0], got[1]); diff != "" {
		t.Errorf("save (-Debian +ours):\n%s", diff)
	}
}

// TestQuickDNSResolvconfCompat: with Debian's real openresolv in PATH (in a
// namespace whose resolv.conf is its own), our wg-quick and Debian's set
// the same resolv.conf on up, log the same [#] lines (ours adds the line
// naming the backend), and restore it byte for byte on down.
func TestQuickDNSResolvconfCompat(t *testing.T) {
	netnstest.NeedQuickReference(t)
	p := netnstest.NewPair(t)
	p.Underlay()
	orig := "# the namespace's own\nnameserver 192.0.2.53\n"
	rc := netnsResolvConf(p, 0, orig)
	resolvconf := dnstest.Openresolv(t, "/etc/resolv.conf")
	path := p.QuickConf("wgqo0", "Address = 10.0.0.1/24\nDNS = 10.0.0.53, fd00::53, vpn.example, lan.example\n", "AllowedIPs = 0.0.0.0/0\n")
	backendLine := regexp.MustCompile(`(?m)^\[#\] # DNS: using resolvconf \(found ` + regexp.QuoteMeta(resolvconf) + `/resolvconf in PATH\)\n`)
	var got [2]string
	for i, w := range quickTools(p) {
		bin := w.bin
		cmd := func(action string) netnstest.Result {
			return p.Quick(0, w.bin, append(w.env, "PATH="+resolvconf+":/usr/sbin:/usr/bin:/sbin:/bin"), action, path)
		}
		p.Sysctl(0, "net.ipv4.conf.all.src_valid_mark", "0")
		up := cmd("up")
		during, _ := os.ReadFile(rc)
		down := cmd("down")
		after, _ := os.ReadFile(rc)
		if string(after) != orig {
			t.Errorf("%s: resolv.conf after down:\n%s", bin, after)
		}
		if up.Code != 0 || down.Code != 0 {
			t.Fatalf("%s: up %+v down %+v", bin, up, down)
		}
		log := comparableUp(up.Stderr, "wgqo0", w.debian)
		if !w.debian && !backendLine.MatchString(log) {
			t.Errorf("ours does not name the backend:\n%s", log)
		}
		log = backendLine.ReplaceAllString(log, "")
		got[i] = "up:\n" + log + "resolv.conf:\n" + string(during) + "down:\n" + down.Stderr
	}
	if diff := cmp.Diff(got[0], got[1]); diff != "" {
		t.Errorf("(-Debian +ours):\n%s", diff)
	}
	if !strings.Contains(got[1], "nameserver 10.0.0.53\nnameserver fd00::53\n") || !strings.Contains(got[1], "search vpn.example lan.example\n") {
		t.Errorf("resolv.conf while up:\n%s", got[1])
	}
}
