package doctor

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/schematest"
)

// fakeProbe is a system as the checks see it; the zero value is a healthy
// Linux host with the module, IPv4 and IPv6 default routes through eth0.
type fakeProbe struct {
	noModule, noTUN, noCap, v6Off, roSysctl, validMark bool
	dns, dnsWhy                                        string
	noNft                                              bool
	legacy                                             int
	routes                                             []Route
	wg                                                 map[string][]netip.Prefix
	unresolvable                                       map[string]bool
	pmtu                                               int
	portUser                                           string
	mode                                               fs.FileMode
}

func (f *fakeProbe) KernelModule() bool { return !f.noModule }
func (f *fakeProbe) TUN() error {
	if f.noTUN {
		return errors.New("open /dev/net/tun: no such file or directory")
	}
	return nil
}
func (f *fakeProbe) CapNetAdmin() bool    { return !f.noCap }
func (f *fakeProbe) IPv6Disabled() bool   { return f.v6Off }
func (f *fakeProbe) SysctlWritable() bool { return !f.roSysctl }
func (f *fakeProbe) SrcValidMark() bool   { return f.validMark }
func (f *fakeProbe) DNSBackend() (string, string) {
	if f.dns == "" {
		return "resolvconf", "found /usr/sbin/resolvconf in PATH"
	}
	return f.dns, f.dnsWhy
}
func (f *fakeProbe) Firewall() (bool, int) { return !f.noNft, f.legacy }
func (f *fakeProbe) Routes() ([]Route, error) {
	if f.routes == nil {
		return []Route{{netip.MustParsePrefix("0.0.0.0/0"), "eth0"}, {netip.MustParsePrefix("::/0"), "eth0"}, {netip.MustParsePrefix("192.168.1.0/24"), "eth0"}}, nil
	}
	return f.routes, nil
}
func (f *fakeProbe) WireGuardAllowed() (map[string][]netip.Prefix, error) { return f.wg, nil }
func (f *fakeProbe) Resolve(host string) ([]netip.Addr, error) {
	if f.unresolvable[host] {
		return nil, errors.New("Name or service not known")
	}
	return []netip.Addr{netip.MustParseAddr("203.0.113.9")}, nil
}
func (f *fakeProbe) PathMTU(netip.AddrPort, int) (int, error) {
	if f.pmtu == 0 {
		return 1500, nil
	}
	return f.pmtu, nil
}
func (f *fakeProbe) UDPPortUser(uint16) string { return f.portUser }
func (f *fakeProbe) FileMode(string) (fs.FileMode, error) {
	if f.mode == 0 {
		return 0o600, nil
	}
	return f.mode, nil
}

// env is a config and a probe: conf is the file's text.
func env(t *testing.T, name, conf string, p *fakeProbe) *Env {
	t.Helper()
	e, err := Load(name, "/etc/wireguard/"+name+".conf", strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	e.Probe = p
	return e
}

const base = "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\nAddress = 10.9.0.2/32\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nEndpoint = 203.0.113.1:51820\n"

// TestChecks: every check, on a fixture that triggers it and on one that
// does not.
func TestChecks(t *testing.T) {
	full4 := base + "AllowedIPs = 0.0.0.0/0\n"
	dual := base + "AllowedIPs = 0.0.0.0/0, ::/0\n"
	split := base + "AllowedIPs = 10.9.0.0/24\n"
	for _, tt := range []struct {
		check, name, conf string
		probe             fakeProbe
		want              Severity
		says              string
	}{
		{"interface-name", "wg0", split, fakeProbe{}, OK, "valid"},
		{"interface-name", "a-very-long-name-x", split, fakeProbe{}, Error, "has 18 characters"},
		{"interface-name", "wg 0", split, fakeProbe{}, Error, "is not an interface name"},
		{"config-file", "wg0", split, fakeProbe{}, OK, "owner only"},
		{"config-file", "wg0", split, fakeProbe{mode: 0o644}, Warning, "mode 0644"},
		{"tunnel", "wg0", split, fakeProbe{}, OK, "the kernel has WireGuard"},
		{"tunnel", "wg0", split, fakeProbe{noModule: true}, OK, "embedded tunnel"},
		{"tunnel", "wg0", split, fakeProbe{noModule: true, noTUN: true}, Error, "no TUN device"},
		{"privileges", "wg0", split, fakeProbe{}, OK, "allowed to change the network"},
		{"privileges", "wg0", split, fakeProbe{noCap: true}, Error, "no CAP_NET_ADMIN"},
		{"ipv6", "wg0", split, fakeProbe{v6Off: true}, OK, "no IPv6"},
		{"ipv6", "wg0", dual, fakeProbe{v6Off: true}, Error, "IPv6 is disabled"},
		{"ipv6", "wg0", dual, fakeProbe{}, OK, "enabled"},
		{"sysctl", "wg0", split, fakeProbe{roSysctl: true}, OK, "no sysctl"},
		{"sysctl", "wg0", full4, fakeProbe{roSysctl: true}, Error, "read-only"},
		{"sysctl", "wg0", full4, fakeProbe{roSysctl: true, validMark: true}, OK, "already 1"},
		{"dns", "wg0", split, fakeProbe{}, OK, "no DNS"},
		{"dns", "wg0", strings.Replace(split, "Address", "DNS = 10.9.0.1\nAddress", 1), fakeProbe{}, OK, "through resolvconf"},
		{"dns", "wg0", strings.Replace(split, "Address", "DNS = 10.9.0.1\nAddress", 1), fakeProbe{dns: "unsupported", dnsWhy: "no DNS here"}, Error, "no DNS here"},
		{"firewall", "wg0", split, fakeProbe{}, OK, "no iptables-legacy"},
		{"firewall", "wg0", split, fakeProbe{legacy: 3}, Warning, "3 iptables-legacy rules"},
		{"firewall", "wg0", split, fakeProbe{noNft: true}, OK, "iptables-restore"},
		{"leak", "wg0", dual, fakeProbe{}, OK, "no family out"},
		{"leak", "wg0", full4, fakeProbe{}, Warning, "IPv6 still leaves through eth0"},
		{"leak", "wg0", full4, fakeProbe{routes: []Route{{netip.MustParsePrefix("0.0.0.0/0"), "eth0"}}}, OK, "no IPv6 default route"},
		{"overlap", "wg0", split, fakeProbe{}, OK, "no allowed IP overlaps"},
		{"overlap", "wg0", base + "AllowedIPs = 192.168.0.0/16\n", fakeProbe{}, Warning, "192.168.0.0/16 with the route to 192.168.1.0/24 on eth0"},
		{"overlap", "wg0", split, fakeProbe{wg: map[string][]netip.Prefix{"wg1": {netip.MustParsePrefix("10.9.0.128/25")}}}, Warning, "10.9.0.0/24 with wg1's 10.9.0.128/25"},
		{"endpoints", "wg0", strings.Replace(split, "203.0.113.1", "vpn.example.net", 1), fakeProbe{}, OK, "its name resolves"},
		{"endpoints", "wg0", strings.Replace(split, "203.0.113.1", "vpn.example.net", 1), fakeProbe{unresolvable: map[string]bool{"vpn.example.net": true}}, Error, "vpn.example.net (Name or service not known)"},
		{"mtu", "wg0", strings.Replace(split, "Address", "MTU = 1420\nAddress", 1), fakeProbe{}, OK, "fits"},
		{"mtu", "wg0", strings.Replace(split, "Address", "MTU = 1420\nAddress", 1), fakeProbe{pmtu: 1400}, Warning, "203.0.113.1: 1400, needs 1480"},
		{"listen-port", "wg0", split, fakeProbe{portUser: "x"}, OK, "no fixed"},
		{"listen-port", "wg0", strings.Replace(split, "Address", "ListenPort = 51820\nAddress", 1), fakeProbe{}, OK, "51820 is free"},
		{"listen-port", "wg0", strings.Replace(split, "Address", "ListenPort = 51820\nAddress", 1), fakeProbe{portUser: "nc (pid 42)"}, Error, "taken by nc (pid 42)"},
		{"listen-port", "wg0", strings.Replace(split, "Address", "ListenPort = 51820\nAddress", 1), fakeProbe{portUser: "wireguard-go (pid 9)", wg: map[string][]netip.Prefix{"wg0": nil}}, OK, "wg0 is up: UDP port 51820 is its own"},
	} {
		t.Run(tt.check+"/"+tt.says, func(t *testing.T) {
			p := tt.probe
			var c Check
			for _, x := range Checks {
				if x.Name == tt.check {
					c = x
				}
			}
			f := Run(env(t, tt.name, tt.conf, &p), []Check{c})[0]
			if f.Severity != tt.want || !strings.Contains(f.Message, tt.says) || f.Check != tt.check {
				t.Errorf("%+v, want %s saying %q", f, tt.want, tt.says)
			}
			if (f.Fix == nil) != (f.Severity == OK) {
				t.Errorf("fix %v with severity %s", f.Fix, f.Severity)
			}
		})
	}
}

// TestHealthy: every check passes on a healthy host and config; doctor
// prints one line per check and exits 0.
func TestHealthy(t *testing.T) {
	e := env(t, "wg0", base+"AllowedIPs = 0.0.0.0/0, ::/0\n", &fakeProbe{})
	fs := Run(e, Checks)
	var b strings.Builder
	Write(&b, fs)
	if ExitCode(fs) != 0 || strings.Count(b.String(), "\n") != len(Checks) {
		t.Errorf("exit %d:\n%s", ExitCode(fs), b.String())
	}
}

func TestExitCode(t *testing.T) {
	for _, tt := range []struct {
		sev  []Severity
		code int
	}{{nil, 0}, {[]Severity{OK, OK}, 0}, {[]Severity{OK, Warning}, 2}, {[]Severity{Warning, Error, OK}, 1}} {
		var fs []Finding
		for _, s := range tt.sev {
			fs = append(fs, Finding{Severity: s})
		}
		if got := ExitCode(fs); got != tt.code {
			t.Errorf("%v: %d, want %d", tt.sev, got, tt.code)
		}
	}
	if diff := cmp.Diff([]string{"interface-name", "config-file"}, names(Checks[:2])); diff != "" {
		t.Error(diff)
	}
}

func names(cs []Check) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// TestLoadEndpoints: each peer's endpoint keeps its own name, and an
// address stays an address.
func TestLoadEndpoints(t *testing.T) {
	conf := base + "AllowedIPs = 10.0.0.1/32\n\n[Peer]\nPublicKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\nAllowedIPs = 10.0.0.2/32\n\n" +
		"[Peer]\nPublicKey = AAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\nEndpoint = b.example:1\nAllowedIPs = 10.0.0.3/32\n\n" +
		"[Peer]\nPublicKey = BAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\nEndpoint = a.example:2\nAllowedIPs = 10.0.0.4/32\n"
	e := env(t, "wg0", conf, &fakeProbe{})
	want := []Endpoint{{Host: "203.0.113.1", Port: 51820, Addr: netip.MustParseAddr("203.0.113.1")}, {Host: "b.example", Port: 1}, {Host: "a.example", Port: 2}}
	if diff := cmp.Diff(want, e.Endpoints, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Error(diff)
	}
}

// TestChecksForOtherSystems: macOS and the BSDs run the checks about the
// config, privileges, endpoints and the listen port (on the fake probe
// here, as on their own System there).
func TestChecksForOtherSystems(t *testing.T) {
	for _, goos := range []string{"darwin", "freebsd", "openbsd"} {
		cs := ChecksFor(goos)
		if diff := cmp.Diff([]string{"interface-name", "config-file", "privileges", "endpoints", "listen-port"}, names(cs)); diff != "" {
			t.Errorf("%s: %s", goos, diff)
		}
		e := env(t, "a-very-long-name-x", strings.Replace(base, "203.0.113.1", "gone.example", 1)+"AllowedIPs = 0.0.0.0/0\n",
			&fakeProbe{unresolvable: map[string]bool{"gone.example": true}, mode: 0o644, noCap: true})
		fs := Run(e, cs)
		var got []Severity
		for _, f := range fs {
			got = append(got, f.Severity)
		}
		if diff := cmp.Diff([]Severity{Error, Warning, Error, Error, OK}, got); diff != "" {
			t.Errorf("%s: %s", goos, diff)
		}
	}
	if len(ChecksFor("linux")) != len(Checks) {
		t.Error("Linux runs every check")
	}
}

// TestJSONSchema: the --json document of a run with every severity, and
// of a run without a config, is what docs/wg-quick-doctor.schema.json
// describes; the schema names every check.
func TestJSONSchema(t *testing.T) {
	schema := schematest.Load(t, "../../docs/wg-quick-doctor.schema.json")
	e := env(t, "wg0", strings.Replace(base, "Address", "ListenPort = 51820\nAddress", 1)+"AllowedIPs = 0.0.0.0/0\n", &fakeProbe{mode: 0o644, portUser: "nc (pid 1)"})
	var b bytes.Buffer
	if err := WriteJSON(&b, e, Run(e, Checks)); err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, schema, b.Bytes())
	var doc Doc
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil || doc.Result != Error || len(doc.Findings) != len(Checks) {
		t.Errorf("%v: %+v", err, doc)
	}
	b.Reset()
	host := &Env{Quick: &config.QuickConfig{}, WG: &config.Config{}, Probe: &fakeProbe{}}
	WriteJSON(&b, host, Run(host, HostChecks(Checks)))
	schematest.Validate(t, schema, b.Bytes())
	data, _ := os.ReadFile("../../docs/wg-quick-doctor.schema.json")
	for _, c := range Checks {
		if !strings.Contains(string(data), `"`+c.Name+`"`) {
			t.Errorf("the schema lacks the check %s", c.Name)
		}
	}
}
