package config

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net/netip"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	testPriv = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
	testPub  = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
	testPSK  = "/UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak="
)

func mustKey(s string) *Key {
	k, ok := ParseKey(s)
	if !ok {
		panic(s)
	}
	return &k
}

func ptr[T any](v T) *T { return &v }

var cmpOpts = cmp.Options{
	cmpopts.EquateEmpty(),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
	cmp.Comparer(func(a, b netip.AddrPort) bool { return a == b }),
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Config
		err  *Error
	}{
		{
			name: "spec example",
			in: "[Interface]\nPrivateKey = " + testPriv + "\nListenPort = 51820\nFwMark = 0x1234\n\n[Peer]\nPublicKey = " + testPub +
				"\nPresharedKey = " + testPSK + "\nEndpoint = [2607:5300:60:6b0::c05f:543]:2468\nAllowedIPs = 10.192.122.3/32, 10.192.124.0/24\n",
			want: &Config{
				PrivateKey: mustKey(testPriv), ListenPort: ptr(51820), FwMark: ptr(uint32(0x1234)),
				Peers: []Peer{{
					PublicKey: *mustKey(testPub), HasPublicKey: true, PresharedKey: mustKey(testPSK),
					Endpoint:          ptr(netip.MustParseAddrPort("[2607:5300:60:6b0::c05f:543]:2468")),
					ReplaceAllowedIPs: true,
					AllowedIPs:        []AllowedIP{{Prefix: netip.MustParsePrefix("10.192.122.3/32")}, {Prefix: netip.MustParsePrefix("10.192.124.0/24")}},
					Line:              6,
				}},
			},
		},
		{name: "empty file", in: "", want: &Config{}},
		{name: "comments and blank lines", in: "\n# x\n  \t\n", want: &Config{}},
		{name: "whitespace anywhere, case-insensitive", in: "[ interface ]\nlisten port = 5 # hi\r\n", want: &Config{ListenPort: ptr(5)}},
		{name: "repeated interface section keeps editing", in: "[Interface]\nListenPort=1\n[Peer]\nPublicKey=" + testPub + "\n[Interface]\nListenPort=2\n",
			want: &Config{ListenPort: ptr(2), Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true, ReplaceAllowedIPs: true, Line: 3}}}},
		{name: "allowed ips append across lines", in: "[Peer]\nPublicKey=" + testPub + "\nAllowedIPs=10.0.0.0/8\nAllowedIPs=fd00::/8,+10.9.0.0/16\n",
			want: &Config{Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true, Line: 1, ReplaceAllowedIPs: false,
				AllowedIPs: []AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}, {Prefix: netip.MustParsePrefix("fd00::/8")}, {Prefix: netip.MustParsePrefix("10.9.0.0/16")}}}}}},
		{name: "a plain line turns replace back on", in: "[Peer]\nPublicKey=" + testPub + "\nAllowedIPs=+10.0.0.0/8\nAllowedIPs=fd00::/8\n",
			want: &Config{Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true, Line: 1, ReplaceAllowedIPs: true,
				AllowedIPs: []AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}, {Prefix: netip.MustParsePrefix("fd00::/8")}}}}}},
		{name: "NUL ends the line", in: "[Interface]\nListenPort=5\x00junk\n", want: &Config{ListenPort: ptr(5)}},
		{name: "last line without newline", in: "[Interface]\nListenPort=7", want: &Config{ListenPort: ptr(7)}},
		{name: "keepalive off", in: "[Peer]\nPublicKey=" + testPub + "\nPersistentKeepalive=off\n",
			want: &Config{Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true, ReplaceAllowedIPs: true, PersistentKeepalive: ptr(0), Line: 1}}}},

		{name: "key before any section", in: "ListenPort=1\n", err: &Error{Line: 1, Key: "ListenPort", Unrecognized: true, Msg: "Line unrecognized: `ListenPort=1'"}},
		{name: "empty value", in: "[Interface]\nPrivateKey =\n", err: &Error{Line: 2, Key: "PrivateKey", Unrecognized: true, Msg: "Line unrecognized: `PrivateKey='"}},
		{name: "wg-quick key", in: "[Interface]\nAddress = 10.0.0.1/24\n", err: &Error{Line: 2, Key: "Address", Unrecognized: true, Msg: "Line unrecognized: `Address=10.0.0.1/24'"}},
		{name: "unknown section", in: "[Foo]\n", err: &Error{Line: 1, Unrecognized: true, Msg: "Line unrecognized: `[Foo]'"}},
		{name: "text after section", in: "[Interface]x\n", err: &Error{Line: 1, Unrecognized: true, Msg: "Line unrecognized: `[Interface]x'"}},
		{name: "no equals", in: "[Interface]\nListenPort5\n", err: &Error{Line: 2, Unrecognized: true, Msg: "Line unrecognized: `ListenPort5'"}},
		{name: "double equals goes to the value", in: "[Interface]\nListenPort==5\n", err: &Error{Line: 2, Key: "ListenPort", Msg: "Servname not supported for ai_socktype: `=5'"}},
		{name: "peer key in interface", in: "[Interface]\nPublicKey=" + testPub + "\n", err: &Error{Line: 2, Key: "PublicKey", Unrecognized: true, Msg: "Line unrecognized: `PublicKey=" + testPub + "'"}},
		{name: "private key in peer is hidden", in: "[Peer]\nPrivateKey=" + testPriv + "\n", err: &Error{Line: 2, Key: "PrivateKey", Unrecognized: true, Msg: "Line unrecognized: `PrivateKey=(hidden)'"}},
		{name: "bad private key is hidden", in: "[Interface]\nPrivateKey=abc\n", err: &Error{Line: 2, Key: "PrivateKey", Msg: "Key is not the correct length or format: `(hidden)'"}},
		{name: "bad preshared key is hidden", in: "[Peer]\nPublicKey=" + testPub + "\nPresharedKey=" + testPSK[:43] + "\n", err: &Error{Line: 3, Key: "PresharedKey", Msg: "Key is not the correct length or format: `(hidden)'"}},
		{name: "bad public key is shown", in: "[Peer]\nPublicKey=abc\n", err: &Error{Line: 2, Key: "PublicKey", Msg: "Key is not the correct length or format: `abc'"}},
		{name: "port", in: "[Interface]\nListenPort=abc\n", err: &Error{Line: 2, Key: "ListenPort", Msg: "Servname not supported for ai_socktype: `abc'"}},
		{name: "fwmark", in: "[Interface]\nFwMark=0X10\n", err: &Error{Line: 2, Key: "FwMark", Msg: "Fwmark is neither 0/off nor 0-0xffffffff: `0X10'"}},
		{name: "keepalive", in: "[Peer]\nPublicKey=" + testPub + "\nPersistentKeepalive=70000\n", err: &Error{Line: 3, Key: "PersistentKeepalive", Msg: "Persistent keepalive interval is neither 0/off nor 1-65535: `70000'"}},
		{name: "endpoint", in: "[Peer]\nPublicKey=" + testPub + "\nEndpoint=1.2.3.4\n", err: &Error{Line: 3, Key: "Endpoint", Msg: "Unable to find port of endpoint: `1.2.3.4'"}},
		{name: "peer without key", in: "[Peer]\nAllowedIPs=10.0.0.0/8\n[Peer]\nPublicKey=" + testPub + "\n", err: &Error{Line: 1, Msg: "A peer is missing a public key", Kind: KindInvalid}},
		{name: "empty peer", in: "[Interface]\n[Peer]\n", err: &Error{Line: 2, Msg: "A peer is missing a public key", Kind: KindInvalid}},
		{name: "unicode fold is not ASCII fold", in: "[Interface]\nListenPort=1\nListenPort\u212a=1\n", err: &Error{Line: 3, Key: "ListenPort\u212a", Unrecognized: true, Msg: "Line unrecognized: `ListenPort\u212a=1'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := (&Options{}).Parse(strings.NewReader(tt.in))
			if tt.err != nil {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("error = %v, want %+v", err, tt.err)
				}
				if diff := cmp.Diff(tt.err, e); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	in := "[Interface]\nPrivateKey = " + testPriv + "\nListenPort = 51820\nFwMark = 0x1234\n\n[Peer]\nPublicKey = " + testPub +
		"\nPresharedKey = " + testPSK + "\nEndpoint = [2607:5300:60:6b0::c05f:543]:2468\nAllowedIPs = 10.192.122.3/32, 10.192.124.0/24\nPersistentKeepalive = 25\n" +
		"[Peer]\nPublicKey = " + testPriv + "\nEndpoint = 1.2.3.4:5\n"
	want := "[Interface]\nListenPort = 51820\nFwMark = 0x1234\nPrivateKey = " + testPriv + "\n\n" +
		"[Peer]\nPublicKey = " + testPub + "\nPresharedKey = " + testPSK + "\nAllowedIPs = 10.192.122.3/32, 10.192.124.0/24\nEndpoint = [2607:5300:60:6b0::c05f:543]:2468\nPersistentKeepalive = 25\n" +
		"\n[Peer]\nPublicKey = " + testPriv + "\nEndpoint = 1.2.3.4:5\n"
	cfg, err := (&Options{}).Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	b.Reset()
	Write(&b, &Config{ListenPort: ptr(51820), PrivateKey: &Key{}})
	if got := b.String(); got != "[Interface]\nListenPort = 51820\n\n" {
		t.Errorf("empty device: %q", got)
	}
}

func TestParseQuick(t *testing.T) {
	in := "[Interface]\n  Address = 10.0.0.1/24, fd00::1/64  \nDNS = 1.1.1.1,2606:4700::1111, example.com  corp\nMTU = 1380\nmtu=1400\n" +
		"Table = off\nPrivateKey = " + testPriv + " # the key\nPostUp = echo \"x\" # c\npredown=true\nSaveConfig = TRUE\n" +
		"# comment\n\n[Peer]\nPublicKey = " + testPub + "\nAddress = 1.2.3.4\n[Interface]\nkillswitch = True\nExcludedIPs = 192.168.0.0/16, fd00::/8\nexcludedips=10.1.0.0/16\nAllowLAN = true\n"
	q, err := ParseQuick(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &QuickConfig{
		Addresses: []string{"10.0.0.1/24", "fd00::1/64"}, AddressLines: []int{2, 2},
		DNS:       []string{"1.1.1.1", "2606:4700::1111"},
		DNSSearch: []string{"example.com", "corp"},
		MTU:       "1400", Table: "off", MTULine: 5, TableLine: 6,
		PostUp: []string{`echo "x" # c`}, PreDown: []string{"true"},
		SaveConfig: true, KillSwitch: true, KillSwitchLine: 17,
		ExcludedIPs: []string{"192.168.0.0/16", "fd00::/8", "10.1.0.0/16"}, ExcludedIPsLines: []int{18, 18, 19},
		AllowLAN: true, AllowLANLine: 20,
		WG: []Line{{1, "[Interface]"}, {7, "PrivateKey = " + testPriv + " # the key"}, {11, "# comment"}, {12, ""},
			{13, "[Peer]"}, {14, "PublicKey = " + testPub}, {15, "Address = 1.2.3.4"}, {16, "[Interface]"}},
	}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	wantStrip := "[Interface]\nPrivateKey = " + testPriv + " # the key\n# comment\n\n[Peer]\nPublicKey = " + testPub + "\nAddress = 1.2.3.4\n[Interface]\n\n"
	if diff := cmp.Diff(wantStrip, q.Strip()); diff != "" {
		t.Errorf("strip (-want +got):\n%s", diff)
	}
	// The wg-quick key inside [Peer] reaches the wg parser, which rejects it
	// and names its line in the original file.
	_, err = (&Options{}).ParseLines(q.WG)
	var e *Error
	if !errors.As(err, &e) || e.Line != 15 || e.Msg != "Line unrecognized: `Address=1.2.3.4'" {
		t.Errorf("wg parse of stripped lines: %v", err)
	}
}

// TestParseQuickNUL: NUL bytes are dropped from every line, as bash's read
// drops them in upstream's wg-quick: the wg part, the wg-quick keys and the
// hooks, never cutting a value short.
func TestParseQuickNUL(t *testing.T) {
	in := "[Interface]\nListenPort = 51\x00001\nPrivateKey = " + testPriv[:10] + "\x00" + testPriv[10:] +
		"\nAddress = 10.0.0.1/2\x004\nMTU = 14\x0020\nPostUp = echo a\x00b\n\x00\n"
	q, err := ParseQuick(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"10.0.0.1/24", "1420", "echo ab"}, append(append(q.Addresses, q.MTU), q.PostUp...)); diff != "" {
		t.Errorf("Address, MTU, PostUp (-want +got):\n%s", diff)
	}
	want := "[Interface]\nListenPort = 51001\nPrivateKey = " + testPriv + "\n\n\n"
	if got := q.Strip(); got != want {
		t.Errorf("strip = %q, want %q", got, want)
	}
	c, err := (&Options{}).ParseLines(q.WG)
	if err != nil {
		t.Errorf("wg part: %v", err)
	} else if c.ListenPort == nil || *c.ListenPort != 51001 {
		t.Errorf("wg part: port %v, want 51001", c.ListenPort)
	}
}

func TestParseQuickErrors(t *testing.T) {
	tests := []struct{ in, msg string }{
		{"[Interface]\nSaveConfig = yes\n", "`yes' is neither true nor false"},
		{"[Interface]\nSaveConfig =\n", "`' is neither true nor false"},
		{"[Interface]\nKillSwitch = on\n", "`on' is neither true nor false"},
		{"[Interface]\nAllowLAN = 1\n", "`1' is neither true nor false"},
	}
	for _, tt := range tests {
		_, err := ParseQuick(strings.NewReader(tt.in))
		var e *Error
		if !errors.As(err, &e) || e.Msg != tt.msg || e.Line != 2 {
			t.Errorf("ParseQuick(%q) = %v, want line 2 %q", tt.in, err, tt.msg)
		}
	}
	// [ Interface ] (with spaces) is not wg-quick's section header.
	q, err := ParseQuick(strings.NewReader("[ Interface ]\nAddress = 10.0.0.1/24\n"))
	if err != nil || len(q.Addresses) != 0 || len(q.WG) != 2 {
		t.Errorf("spaced header: %+v, %v", q, err)
	}
}

type memFiles map[string]string

func (m memFiles) open(name string) (io.ReadCloser, error) {
	switch name {
	case "/dir":
		return io.NopCloser(errReader{syscall.EISDIR}), nil
	case "/zero":
		return io.NopCloser(zeroReader{}), nil
	}
	s, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: syscall.ENOENT}
	}
	return io.NopCloser(strings.NewReader(s)), nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestParseSet(t *testing.T) {
	files := memFiles{
		"/k": testPriv + "\n", "/empty": "", "/short": "abc", "/crlf": testPriv + "\r\n\n  \n",
		"/trail": testPriv + "\nx", "/lead": " " + testPriv, "/nul": testPriv + "\x00", "/bad": testPub[:42] + "h=",
	}
	tests := []struct {
		args string
		want *Config
		err  string
	}{
		{"listen-port 51820 fwmark 0x10 private-key /k", &Config{ListenPort: ptr(51820), FwMark: ptr(uint32(16)), PrivateKey: mustKey(testPriv)}, ""},
		{"private-key /empty", &Config{PrivateKey: &Key{}}, ""},
		{"private-key /crlf", &Config{PrivateKey: mustKey(testPriv)}, ""},
		{"listen-port 1 listen-port 2", &Config{ListenPort: ptr(2)}, ""},
		{"peer " + testPub + " remove", &Config{Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true, Remove: true}}}, ""},
		{"peer " + testPub + " allowed-ips 10.0.0.0/8 allowed-ips fd00::/8 persistent-keepalive 25 endpoint 1.2.3.4:5 preshared-key /k",
			&Config{Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true, ReplaceAllowedIPs: true, PersistentKeepalive: ptr(25),
				Endpoint: ptr(netip.MustParseAddrPort("1.2.3.4:5")), PresharedKey: mustKey(testPriv),
				AllowedIPs: []AllowedIP{{Prefix: netip.MustParsePrefix("10.0.0.0/8")}, {Prefix: netip.MustParsePrefix("fd00::/8")}}}}}, ""},
		{"peer " + testPub + " peer " + testPriv + " remove", &Config{Peers: []Peer{{PublicKey: *mustKey(testPub), HasPublicKey: true}, {PublicKey: *mustKey(testPriv), HasPublicKey: true, Remove: true}}}, ""},
		{"", &Config{}, ""},
		{"remove", nil, "Invalid argument: remove"},
		{"peer", nil, "Invalid argument: peer"},
		{"listen-port", nil, "Invalid argument: listen-port"},
		{"bogus 1", nil, "Invalid argument: bogus"},
		{"peer " + testPub + " listen-port 5", nil, "Invalid argument: listen-port"},
		{"peer " + testPub + " fwmark 5", nil, "Invalid argument: fwmark"},
		{"peer " + testPub + " private-key /k", nil, "Invalid argument: private-key"},
		{"endpoint 1.2.3.4:5", nil, "Invalid argument: endpoint"},
		{"peer " + testPub + " endpoint", nil, "Invalid argument: endpoint"},
		{"peer abc", nil, "Key is not the correct length or format: `abc'"},
		{"private-key /nonexistent", nil, "fopen: No such file or directory"},
		{"private-key /short", nil, "Invalid length key in key file"},
		{"private-key /dir", nil, "Invalid length key in key file"},
		{"private-key /trail", nil, "Found trailing character in key file: `x'"},
		{"private-key /lead", nil, "Found trailing character in key file: `='"},
		{"private-key /nul", nil, "Found trailing character in key file: `\x00'"},
		{"private-key /zero", nil, "Found trailing character in key file: `\x00'"},
		{"private-key /bad", nil, "Key is not the correct length or format: `(hidden)'"},
		{"peer " + testPub + " preshared-key /bad", nil, "Key is not the correct length or format: `(hidden)'"},
		{"fwmark 0X10", nil, "Fwmark is neither 0/off nor 0-0xffffffff: `0X10'"},
	}
	for _, tt := range tests {
		o := &Options{OpenFile: files.open}
		got, err := o.ParseSet(strings.Fields(tt.args))
		if diff := cmp.Diff(tt.err, errText(err)); diff != "" {
			t.Errorf("ParseSet(%s) error (-want +got):\n%s", tt.args, diff)
			continue
		}
		if err == nil {
			if diff := cmp.Diff(tt.want, got, cmpOpts); diff != "" {
				t.Errorf("ParseSet(%s) (-want +got):\n%s", tt.args, diff)
			}
		}
	}
	// allowed-ips loses all white space first.
	got, err := (&Options{}).ParseSet([]string{"peer", testPub, "allowed-ips", " 10.1.0.0/16 , fd00::/8 "})
	if err != nil || len(got.Peers[0].AllowedIPs) != 2 {
		t.Errorf("spaced allowed-ips: %+v, %v", got, err)
	}
}

func TestInetAton(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"1.2.3.4", "1.2.3.4"}, {"1", "0.0.0.1"}, {"1.2", "1.0.0.2"}, {"1.2.3", "1.2.0.3"},
		{"0x7f.1", "127.0.0.1"}, {"010.1.1.1", "8.1.1.1"}, {"4294967295", "255.255.255.255"},
		{"1.2.3.4.5", ""}, {"08.1.1.1", ""}, {"256.1.1.1", ""}, {"1.2.3.256", ""}, {"1.65536", "1.1.0.0"}, {"1.16777216", ""},
		{"", ""}, {"1.", ""}, {".1", ""}, {"1.2.3.4 ", ""}, {"a.b.c.d", ""}, {"4294967296", ""},
	}
	for _, tt := range tests {
		a, ok := inetAton(tt.in)
		got := ""
		if ok {
			got = netip.AddrFrom4(a).String()
		}
		if got != tt.want {
			t.Errorf("inetAton(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseServices(t *testing.T) {
	db := "# x\ndomain\t\t53/tcp\ndomain\t\t53/udp\t\t# DNS\ntftp 69/udp tftp-alias\nhttp 80/tcp www\nbad x/udp\n"
	got := ParseServices(strings.NewReader(db), "udp")
	want := map[string]int{"domain": 53, "tftp": 69, "tftp-alias": 69}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestWithoutExtensions(t *testing.T) {
	in := "[Interface]\nPrivateKey = x\nKillSwitch = true\n  excludedips=10.0.0.0/8 # lan\nAllowLAN = true\r\nDNS = 1.1.1.1\n" +
		"# KillSwitch = true\n[Peer]\nKillSwitch = true\nAllowedIPs = 0.0.0.0/0"
	want := "[Interface]\nPrivateKey = x\nDNS = 1.1.1.1\n# KillSwitch = true\n[Peer]\nKillSwitch = true\nAllowedIPs = 0.0.0.0/0"
	if got := string(WithoutExtensions([]byte(in))); got != want {
		t.Errorf("WithoutExtensions = %q, want %q", got, want)
	}
}
