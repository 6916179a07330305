//go:build unix

package dns

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/testenv"
)

// fakeResolvconf is a resolvconf that appends its argv and stdin to
// $WGDNS_RECORD and, for -l, prints $WGDNS_LIST (failing if it is absent).
const fakeResolvconf = `#!/bin/sh
{ printf 'argv:'; printf ' [%s]' "$@"; printf '\n'; cat; printf 'end\n'; } >> "$WGDNS_RECORD"
if [ "$1" = -l ]; then cat "$WGDNS_LIST" 2>/dev/null || exit 1; fi
if [ -n "$WGDNS_FAIL" ] && [ "$1" = "$WGDNS_FAIL" ]; then echo "resolvconf: no can do" >&2; exit 3; fi
exit 0
`

// debianOrder is Debian resolvconf's /etc/resolvconf/interface-order.
const debianOrder = "lo.inet6\nlo.inet\nlo.@(dnsmasq|pdnsd)\nlo.!(pdns|pdns-recursor)\nlo\ntun*\ntap*\nhso*\nem+([0-9])?(_+([0-9]))*\n*\n"

// resolvconfHost is a temporary root with a fake resolvconf in PATH.
type resolvconfHost struct {
	root, record string
}

func newResolvconfHost(t *testing.T, order string, symlink bool) *resolvconfHost {
	t.Helper()
	dir := t.TempDir()
	h := &resolvconfHost{root: filepath.Join(dir, "root"), record: filepath.Join(dir, "record")}
	bin, real := filepath.Join(dir, "bin"), filepath.Join(dir, "real")
	must(t, os.MkdirAll(bin, 0o755))
	must(t, os.MkdirAll(real, 0o755))
	must(t, os.MkdirAll(filepath.Join(h.root, "etc/resolvconf/run/interface"), 0o755))
	if symlink {
		must(t, os.WriteFile(filepath.Join(real, "resolvconf"), []byte(fakeResolvconf), 0o755))
		must(t, os.Symlink(filepath.Join(real, "resolvconf"), filepath.Join(bin, "resolvconf")))
	} else {
		must(t, os.WriteFile(filepath.Join(bin, "resolvconf"), []byte(fakeResolvconf), 0o755))
	}
	if order != "" {
		must(t, os.WriteFile(filepath.Join(h.root, interfaceOrder), []byte(order), 0o644))
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("WGDNS_RECORD", h.record)
	t.Setenv("WGDNS_LIST", filepath.Join(dir, "list"))
	return h
}

func (h *resolvconfHost) take(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(h.record)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	must(t, os.RemoveAll(h.record))
	return string(data)
}

var resolvconfCases = []struct {
	name    string
	order   string
	symlink bool
	values  []string
	record  string // what resolvconf gets for Set, then Unset
	log     string
}{
	{
		name:   "no interface-order",
		values: []string{"10.0.0.1", "fd00::53", "example.com", "corp.example"},
		record: "argv: [-a] [wg0] [-m] [0] [-x]\nnameserver 10.0.0.1\nnameserver fd00::53\nsearch example.com corp.example\nend\n" +
			"argv: [-d] [wg0] [-f]\nend\n",
		log: "[#] resolvconf -a wg0 -m 0 -x\n[#] resolvconf -d wg0 -f\n",
	},
	{
		name:   "interface-order gives tun.",
		order:  debianOrder,
		values: []string{"10.0.0.1", "example.com"},
		record: "argv: [-a] [tun.wg0] [-m] [0] [-x]\nnameserver 10.0.0.1\nsearch example.com\nend\n" +
			"argv: [-d] [tun.wg0] [-f]\nend\n",
		log: "[#] resolvconf -a tun.wg0 -m 0 -x\n[#] resolvconf -d tun.wg0 -f\n",
	},
	{
		name:    "symlinked resolvconf gets no prefix",
		order:   debianOrder,
		symlink: true,
		values:  []string{"10.0.0.1", "10.0.0.2"},
		record: "argv: [-a] [wg0] [-m] [0] [-x]\nnameserver 10.0.0.1\nnameserver 10.0.0.2\nend\n" +
			"argv: [-d] [wg0] [-f]\nend\n",
		log: "[#] resolvconf -a wg0 -m 0 -x\n[#] resolvconf -d wg0 -f\n",
	},
	{
		name:   "search domains only: nothing at all",
		values: []string{"example.com"},
	},
}

// TestResolvconfExact checks the argv, stdin and [#] lines of Set and Unset
// against what upstream wg-quick 1.0.20260223 passes (spec §6.2 step 8,
// §6.3 step 5).
func TestResolvconfExact(t *testing.T) {
	for _, tt := range resolvconfCases {
		t.Run(tt.name, func(t *testing.T) {
			h := newResolvconfHost(t, tt.order, tt.symlink)
			var log bytes.Buffer
			b := ByName(&Env{Log: &log, Root: h.root}, NameResolvconf)
			setUnset(t, b, Split(tt.values))
			if diff := cmp.Diff(tt.record, h.take(t)); diff != "" {
				t.Errorf("resolvconf argv and stdin (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.log, log.String()); diff != "" {
				t.Errorf("log (-want +got):\n%s", diff)
			}
		})
	}
}

// TestResolvconfUpstream runs set_dns and unset_dns of the wg-quick script
// installed on this host (if any) against the same fake and compares.
func TestResolvconfUpstream(t *testing.T) {
	// Upstream's wg-quick to compare with; TestResolvconfExact covers the
	// same cases without it.
	const wgQuick = "/usr/bin/wg-quick"
	testenv.Require(t, testenv.Package(wgQuick, "wireguard-tools"))
	script, err := os.ReadFile(wgQuick)
	if err != nil {
		t.Skipf("cannot read %s: %v", wgQuick, err)
	}
	const insertion = "# ~~ function override insertion point ~~"
	head, _, ok := strings.Cut(string(script), insertion)
	if !ok || !strings.Contains(head, "set_dns()") {
		t.Skipf("%s is not the bash wg-quick", wgQuick)
	}
	checksSymlink := strings.Contains(head, "! -L $(type -P resolvconf)")
	for _, tt := range resolvconfCases {
		t.Run(tt.name, func(t *testing.T) {
			if tt.symlink && !checksSymlink {
				t.Skipf("%s predates 1.0.20260223 and prefixes through a symlinked resolvconf", wgQuick)
			}
			h := newResolvconfHost(t, tt.order, tt.symlink)
			c := Split(tt.values)
			text := strings.ReplaceAll(head, interfaceOrder, filepath.Join(h.root, interfaceOrder)) +
				"INTERFACE=wg0\nDNS=( " + strings.Join(c.Servers, " ") + " )\n" +
				"DNS_SEARCH=( " + strings.Join(c.Search, " ") + " )\nset_dns\nunset_dns\n"
			file := filepath.Join(t.TempDir(), "wg-quick-dns")
			must(t, os.WriteFile(file, []byte(text), 0o644))
			var stderr bytes.Buffer
			cmd := exec.Command("bash", file)
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("upstream set_dns/unset_dns: %v\n%s", err, stderr.String())
			}
			upstream := h.take(t)

			var log bytes.Buffer
			b := ByName(&Env{Log: &log, Root: h.root}, NameResolvconf)
			setUnset(t, b, c)
			if diff := cmp.Diff(upstream, h.take(t)); diff != "" {
				t.Errorf("resolvconf argv and stdin (-upstream +ours):\n%s", diff)
			}
			if diff := cmp.Diff(stderr.String(), log.String()); diff != "" {
				t.Errorf("[#] lines (-upstream +ours):\n%s", diff)
			}
		})
	}
}

// setUnset runs Set and, as callers do (upstream's unset_dns too), Unset
// only when there are servers.
func setUnset(t *testing.T, b Backend, c Config) {
	t.Helper()
	must(t, b.Set("wg0", c))
	if len(c.Servers) > 0 {
		must(t, b.Unset("wg0"))
	}
}

func TestResolvconfSetFails(t *testing.T) {
	h := newResolvconfHost(t, "", false)
	t.Setenv("WGDNS_FAIL", "-a")
	var log bytes.Buffer
	err := ByName(&Env{Log: &log, Root: h.root}, NameResolvconf).Set("wg0", Config{Servers: []string{"10.0.0.1"}})
	want := "resolvconf -a wg0 -m 0 -x: exit status 3: resolvconf: no can do"
	if err == nil || err.Error() != want {
		t.Errorf("Set error = %v, want %q", err, want)
	}
	// The interface is removed again, in case it was recorded.
	wantRecord := "argv: [-a] [wg0] [-m] [0] [-x]\nnameserver 10.0.0.1\nend\nargv: [-d] [wg0] [-f]\nend\n"
	if diff := cmp.Diff(wantRecord, h.take(t)); diff != "" {
		t.Errorf("resolvconf calls (-want +got):\n%s", diff)
	}
}

func TestResolvconfServers(t *testing.T) {
	tests := []struct {
		name, order, list, file string
		want                    []string
	}{
		{
			name: "from resolvconf -l",
			list: "# resolv.conf from wg0\nnameserver 10.0.0.1\nnameserver fd00::53\nsearch example.com\n",
			file: "nameserver 192.0.2.99\n",
			want: []string{"10.0.0.1", "fd00::53"},
		},
		{
			name: "from the interface file when -l fails",
			file: "nameserver 10.0.0.9\n  nameserver 10.0.0.8\t\nnameserver\nnameserver a b\n",
			want: []string{"10.0.0.9", "10.0.0.8"},
		},
		{
			name:  "prefixed name",
			order: "tun*\n",
			file:  "nameserver 10.0.0.7\n",
			want:  []string{"10.0.0.7"},
		},
		{name: "nothing anywhere"},
		{name: "last line without newline is skipped", list: "nameserver 10.0.0.1\nnameserver 10.0.0.2", want: []string{"10.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newResolvconfHost(t, tt.order, false)
			if tt.list != "" {
				must(t, os.WriteFile(os.Getenv("WGDNS_LIST"), []byte(tt.list), 0o644))
			}
			if tt.file != "" {
				name := prefixFrom([]byte(tt.order)) + "wg0"
				must(t, os.WriteFile(filepath.Join(h.root, "etc/resolvconf/run/interface", name), []byte(tt.file), 0o644))
			}
			got, err := ByName(&Env{Root: h.root}, NameResolvconf).Servers("wg0")
			must(t, err)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Servers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPickResolvconf(t *testing.T) {
	h := newResolvconfHost(t, debianOrder, true)
	var log bytes.Buffer
	b, reason := Pick(&Env{Log: &log, Root: h.root})
	if b.Name() != NameResolvconf {
		t.Fatalf("Pick chose %s (%s), want resolvconf", b.Name(), reason)
	}
	prog, err := exec.LookPath("resolvconf")
	must(t, err)
	target, err := os.Readlink(prog)
	must(t, err)
	wantReason := "found " + prog + " in PATH, a symlink to " + target
	if reason != wantReason {
		t.Errorf("reason = %q, want %q", reason, wantReason)
	}
	must(t, b.Set("wg0", Config{Servers: []string{"10.0.0.1"}}))
	want := "[#] # DNS: using resolvconf (" + wantReason + ")\n[#] resolvconf -a wg0 -m 0 -x\n"
	if diff := cmp.Diff(want, log.String()); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}
