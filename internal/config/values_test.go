package config

import (
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeResolver answers from tables; temporary failures count down.
type fakeResolver struct {
	services map[string]int
	hosts    map[string][]netip.Addr
	ifaces   map[string]int
	// tempFails makes the next n host lookups fail temporarily.
	tempFails int
	lookups   int
}

func (f *fakeResolver) LookupPort(s string) (int, bool) { p, ok := f.services[s]; return p, ok }
func (f *fakeResolver) InterfaceIndex(s string) (int, bool) {
	i, ok := f.ifaces[s]
	return i, ok
}
func (f *fakeResolver) LookupHost(h string) ([]netip.Addr, error) {
	f.lookups++
	if f.tempFails > 0 {
		f.tempFails--
		return nil, &LookupError{Msg: MsgAgain}
	}
	if a, ok := f.hosts[h]; ok {
		return a, nil
	}
	return nil, &LookupError{Msg: MsgNoName, Permanent: true}
}

func newFake() *fakeResolver {
	return &fakeResolver{
		services: map[string]int{"domain": 53, "tftp": 69},
		hosts: map[string][]netip.Addr{
			"localhost": {netip.MustParseAddr("::1"), netip.MustParseAddr("127.0.0.1")},
			"v4mapped":  {netip.MustParseAddr("::ffff:10.1.2.3")},
		},
		ifaces: map[string]int{"lo": 1, "eth0": 2},
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestPort(t *testing.T) {
	o := &Options{Resolver: newFake()}
	tests := []struct {
		in   string
		want int
		err  string
	}{
		{"0", 0, ""},
		{"51820", 51820, ""},
		{"65535", 65535, ""},
		{"65536", 0, ""},
		{"65537", 1, ""},
		{"99999", 34463, ""},
		{"4294967296", 0, ""},
		{"4294967297", 1, ""},
		{"2147483647", 65535, ""},
		{"-0", 0, ""},
		{"-4294967295", 1, ""},
		{"+80", 80, ""},
		{" 80", 80, ""},
		{" +7", 7, ""},
		{"0000080", 80, ""},
		{"010", 10, ""},
		{"domain", 53, ""},
		{"tftp", 69, ""},
		{"", 0, "Unable to parse empty port"},
		{"-1", 0, "Servname not supported for ai_socktype: `-1'"},
		{"-5", 0, "Servname not supported for ai_socktype: `-5'"},
		{"2147483648", 0, "Servname not supported for ai_socktype: `2147483648'"},
		{"4294967295", 0, "Servname not supported for ai_socktype: `4294967295'"},
		{"18446744073709551614", 0, "Servname not supported for ai_socktype: `18446744073709551614'"},
		{"18446744073709551616", 0, "Servname not supported for ai_socktype: `18446744073709551616'"},
		{"0x10", 0, "Servname not supported for ai_socktype: `0x10'"},
		{"80 ", 0, "Servname not supported for ai_socktype: `80 '"},
		{"1e3", 0, "Servname not supported for ai_socktype: `1e3'"},
		{"DOMAIN", 0, "Servname not supported for ai_socktype: `DOMAIN'"},
		{"http", 0, "Servname not supported for ai_socktype: `http'"},
		{"+", 0, "Servname not supported for ai_socktype: `+'"},
	}
	for _, tt := range tests {
		got, err := o.Port(tt.in)
		if diff := cmp.Diff(tt.err, errText(err)); diff != "" {
			t.Errorf("Port(%q) error (-want +got):\n%s", tt.in, diff)
		}
		if err == nil && got != tt.want {
			t.Errorf("Port(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// numCase is one input of a numeric parser and its expected value.
type numCase[T comparable] struct {
	in   string
	want T
	ok   bool
}

// checkNumeric runs a numeric value parser over its table; failures must
// carry upstream's message, which quotes the input after msg.
func checkNumeric[T comparable](t *testing.T, name string, parse func(string) (T, error), msg string, tests []numCase[T]) {
	t.Helper()
	for _, tt := range tests {
		got, err := parse(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s(%q) = %v, %v; want %v, ok=%v", name, tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil {
			if want := msg + ": `" + tt.in + "'"; err.Error() != want {
				t.Errorf("%s(%q) error %q, want %q", name, tt.in, err, want)
			}
		}
	}
}

func TestFwMark(t *testing.T) {
	checkNumeric(t, "FwMark", FwMark, "Fwmark is neither 0/off nor 0-0xffffffff", []numCase[uint32]{
		{"off", 0, true}, {"OFF", 0, true}, {"Off", 0, true},
		{"0", 0, true}, {"00", 0, true}, {"0x0", 0, true},
		{"010", 10, true}, {"1234", 1234, true},
		{"0x1234", 0x1234, true}, {"0xFF", 0xff, true}, {"0xffffffff", 0xffffffff, true},
		{"4294967295", 0xffffffff, true},
		{"0x", 0, false}, {"0X10", 0, false}, {"0x100000000", 0, false}, {"4294967296", 0, false},
		{"-1", 0, false}, {" 5", 0, false}, {"5 ", 0, false}, {"0xg", 0, false}, {"1x", 0, false},
		{"5abc", 0, false}, {"", 0, false}, {"0x-5", 0, false}, {"0x 5", 0, false},
		{"99999999999999999999999", 0, false},
	})
}

func TestKeepalive(t *testing.T) {
	checkNumeric(t, "Keepalive", Keepalive, "Persistent keepalive interval is neither 0/off nor 1-65535", []numCase[int]{
		{"off", 0, true}, {"OFF", 0, true}, {"0", 0, true}, {"1", 1, true}, {"25", 25, true},
		{"65535", 65535, true}, {"0025", 25, true},
		{"65536", 0, false}, {"-1", 0, false}, {" 1", 0, false}, {"1x", 0, false},
		{"0x10", 0, false}, {"", 0, false}, {"+1", 0, false},
	})
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=", true},
		{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", true},
		{"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=", false}, // non-canonical last char
		{"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh=", false},
		{"yAnz5TF-lXXJte14tji3zlMNq_hd2rYUIgJBgB3fBmk=", false}, // URL alphabet
		{"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk", false},
		{"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk==", false},
		{"yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmkA", false},
		{" Anz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=", false},
		{"", false},
	}
	for _, tt := range tests {
		if _, ok := ParseKey(tt.in); ok != tt.ok {
			t.Errorf("ParseKey(%q) ok = %v, want %v", tt.in, ok, tt.ok)
		}
	}
}

func TestAllowedIPs(t *testing.T) {
	pfx := netip.MustParsePrefix
	tests := []struct {
		in        string
		want      []AllowedIP
		replace   bool
		err, warn string
	}{
		{"", nil, true, "", ""},
		{"10.0.0.0/8", []AllowedIP{{Prefix: pfx("10.0.0.0/8")}}, true, "", ""},
		{"10.0.0.1", []AllowedIP{{Prefix: pfx("10.0.0.1/32")}}, true, "", ""},
		{"fd00::1", []AllowedIP{{Prefix: pfx("fd00::1/128")}}, true, "", ""},
		{"10.1.0.0/16,fd00::/8", []AllowedIP{{Prefix: pfx("10.1.0.0/16")}, {Prefix: pfx("fd00::/8")}}, true, "", ""},
		{"10.0.0.0/08", []AllowedIP{{Prefix: pfx("10.0.0.0/8")}}, true, "", ""},
		{"::ffff:1.2.3.4/128", []AllowedIP{{Prefix: pfx("::ffff:1.2.3.4/128")}}, true, "", ""},
		{"10.0.0.1/24", []AllowedIP{{Prefix: netip.PrefixFrom(netip.MustParseAddr("10.0.0.1"), 24)}}, true, "", "Warning: AllowedIP has nonzero host part: 10.0.0.1/24"},
		{"10.0.0.1/024", []AllowedIP{{Prefix: netip.PrefixFrom(netip.MustParseAddr("10.0.0.1"), 24)}}, true, "", "Warning: AllowedIP has nonzero host part: 10.0.0.1/024"},
		{"FD00:0::1/64", []AllowedIP{{Prefix: netip.PrefixFrom(netip.MustParseAddr("fd00::1"), 64)}}, true, "", "Warning: AllowedIP has nonzero host part: FD00:0::1/64"},
		{"+10.0.0.0/8", []AllowedIP{{Prefix: pfx("10.0.0.0/8")}}, false, "", ""},
		{"-10.0.0.0/8", []AllowedIP{{Prefix: pfx("10.0.0.0/8"), Remove: true}}, false, "", ""},
		{"10.1.0.0/16,-10.2.0.0/16", []AllowedIP{{Prefix: pfx("10.1.0.0/16")}, {Prefix: pfx("10.2.0.0/16"), Remove: true}}, false, "", ""},
		{"10.0.0.1/33", nil, true, "AllowedIP is not in the correct format: `10.0.0.1/33'", ""},
		{"::/129", nil, true, "AllowedIP is not in the correct format: `::/129'", ""},
		{"-10.0.0.0/+8", nil, false, "AllowedIP is not in the correct format: `10.0.0.0/+8'", ""},
		{"10.0.0.0/", nil, true, "AllowedIP is not in the correct format: `10.0.0.0/'", ""},
		{"10.0.0.0/8x", nil, true, "AllowedIP is not in the correct format: `10.0.0.0/8x'", ""},
		{"10.0.0.0/4294967304", nil, true, "AllowedIP is not in the correct format: `10.0.0.0/4294967304'", ""},
		{"10.0.0.256/8", nil, true, "Unable to parse IP address: `10.0.0.256'", ""},
		{"010.0.0.0/8", nil, true, "Unable to parse IP address: `010.0.0.0'", ""},
		{"10.0.0.0/8,", nil, true, "Unable to parse IP address: `'", ""},
		{",10.0.0.0/8", nil, true, "Unable to parse IP address: `'", ""},
		{"+", nil, false, "Unable to parse IP address: `'", ""},
		{"+-10.0.0.0/8", nil, false, "Unable to parse IP address: `-10.0.0.0'", ""},
		{"fe80::1%eth0/64", nil, true, "Unable to parse IP address: `fe80::1%eth0'", ""},
		{"1.2.3", nil, true, "Unable to parse IP address: `1.2.3'", ""},
		{"abc", nil, true, "Unable to parse IP address: `abc'", ""},
		{"1:2:3:4:5:6:7:8:9/64", nil, true, "Unable to parse IP address: `1:2:3:4:5:6:7:8:9'", ""},
	}
	for _, tt := range tests {
		var warns []string
		o := &Options{Warn: func(s string) { warns = append(warns, s) }}
		var p Peer
		err := o.AllowedIPs(&p, tt.in)
		if diff := cmp.Diff(tt.err, errText(err)); diff != "" {
			t.Errorf("AllowedIPs(%q) error (-want +got):\n%s", tt.in, diff)
			continue
		}
		if diff := cmp.Diff(tt.warn, strings.Join(warns, "\n")); diff != "" {
			t.Errorf("AllowedIPs(%q) warnings (-want +got):\n%s", tt.in, diff)
		}
		if err != nil {
			continue
		}
		if diff := cmp.Diff(tt.want, p.AllowedIPs, cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); diff != "" {
			t.Errorf("AllowedIPs(%q) (-want +got):\n%s", tt.in, diff)
		}
		if p.ReplaceAllowedIPs != tt.replace {
			t.Errorf("AllowedIPs(%q) replace = %v, want %v", tt.in, p.ReplaceAllowedIPs, tt.replace)
		}
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		in, env string
		hasEnv  bool
		want    string
		err     string
	}{
		{in: "1.2.3.4:51820", want: "1.2.3.4:51820"},
		{in: "1.2.3.4:99999", want: "1.2.3.4:34463"},
		{in: "1.2.3.4:domain", want: "1.2.3.4:53"},
		{in: "[::1]:80", want: "[::1]:80"},
		{in: "::1:80", want: "[::1]:80"},
		{in: "[1.2.3.4]:5", want: "1.2.3.4:5"},
		{in: "1.2.3:5", want: "1.2.0.3:5"},
		{in: "0x7f.1:5", want: "127.0.0.1:5"},
		{in: "010.1.1.1:5", want: "8.1.1.1:5"},
		{in: "[fe80::1%eth0]:51820", want: "[fe80::1%eth0]:51820"},
		{in: "[fe80::1%7]:5", want: "[fe80::1%7]:5"},
		{in: "[fd00::1%7]:5", want: "[fd00::1%7]:5"},
		{in: "[2607:5300:60:6b0::c05f:543]:2468", want: "[2607:5300:60:6b0::c05f:543]:2468"},
		{in: "localhost:5", want: "[::1]:5"},
		{in: "v4mapped:5", want: "10.1.2.3:5"},
		{in: "", err: "Unable to parse empty endpoint"},
		{in: "1.2.3.4", err: "Unable to find port of endpoint: `1.2.3.4'"},
		{in: "1.2.3.4:", err: "Unable to find port of endpoint: `1.2.3.4:'"},
		{in: "[::1]", err: "Unable to find port of endpoint: `[::1]'"},
		{in: "[::1]x:80", err: "Unable to find port of endpoint: `[::1]x:80'"},
		{in: "[::1]:", err: "Unable to find port of endpoint: `[::1]:'"},
		{in: "[::1", err: "Unable to find matching brace of endpoint: `[::1'"},
		{in: ":80", err: "Name or service not known: `:80'"},
		{in: "[]:5", err: "Name or service not known: `[]:5'"},
		{in: "1.2.3.4.5:5", err: "Name or service not known: `1.2.3.4.5:5'"},
		{in: "[fe80::1%nosuch]:5", err: "Name or service not known: `[fe80::1%nosuch]:5'"},
		{in: "[fd00::1%lo]:5", err: "Name or service not known: `[fd00::1%lo]:5'"},
		{in: "nosuchhost.invalid:80", err: "Name or service not known: `nosuchhost.invalid:80'"},
		{in: "1.2.3.4:http", env: "0", hasEnv: true, err: "Servname not supported for ai_socktype: `1.2.3.4:http'"},
		{in: "1.2.3.4:5", env: "x", hasEnv: true, err: "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `x'"},
		{in: "", env: "x", hasEnv: true, err: "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `x'"},
		{in: "1.2.3.4:5", env: "-1", hasEnv: true, err: "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `-1'"},
		{in: "1.2.3.4:5", env: "2147483648", hasEnv: true, err: "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `2147483648'"},
		{in: "1.2.3.4:5", env: " ", hasEnv: true, err: "Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: ` '"},
		{in: "1.2.3.4:5", env: "", hasEnv: true, want: "1.2.3.4:5"},
		{in: "1.2.3.4:5", env: " 3", hasEnv: true, want: "1.2.3.4:5"},
		{in: "1.2.3.4:5", env: "infinity", hasEnv: true, want: "1.2.3.4:5"},
	}
	for _, tt := range tests {
		o := &Options{
			Resolver:  newFake(),
			LookupEnv: func(string) (string, bool) { return tt.env, tt.hasEnv },
			Sleep:     func(time.Duration) {},
		}
		got, err := o.Endpoint(tt.in)
		if diff := cmp.Diff(tt.err, errText(err)); diff != "" {
			t.Errorf("Endpoint(%q) error (-want +got):\n%s", tt.in, diff)
			continue
		}
		if err == nil {
			if s := FormatEndpoint(got); s != tt.want {
				t.Errorf("Endpoint(%q) = %s, want %s", tt.in, s, tt.want)
			}
		}
	}
}

// TestEndpointRetries checks the retry count, the messages and the backoff:
// 1 s growing by 1.2 per try, capped at 20 s.
func TestEndpointRetries(t *testing.T) {
	tests := []struct {
		name      string
		env       string
		hasEnv    bool
		tempFails int
		wantOK    bool
		sleeps    int
	}{
		{"default 15 retries then fail", "", false, 100, false, 15},
		{"success after 3 temporary failures", "", false, 3, true, 3},
		{"zero retries", "0", true, 100, false, 0},
		{"infinity keeps going", "infinity", true, 40, true, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFake()
			r.tempFails = tt.tempFails
			r.hosts["flaky"] = []netip.Addr{netip.MustParseAddr("192.0.2.1")}
			var warns []string
			var sleeps []time.Duration
			o := &Options{
				Resolver:  r,
				Warn:      func(s string) { warns = append(warns, s) },
				LookupEnv: func(string) (string, bool) { return tt.env, tt.hasEnv },
				Sleep:     func(d time.Duration) { sleeps = append(sleeps, d) },
			}
			_, err := o.Endpoint("flaky:5")
			if (err == nil) != tt.wantOK {
				t.Fatalf("err = %v, want ok=%v", err, tt.wantOK)
			}
			if !tt.wantOK && err.Error() != "Temporary failure in name resolution: `flaky:5'" {
				t.Errorf("final error %q", err)
			}
			if len(sleeps) != tt.sleeps || len(warns) != tt.sleeps {
				t.Fatalf("%d sleeps and %d warnings, want %d", len(sleeps), len(warns), tt.sleeps)
			}
			want := time.Second
			for i, d := range sleeps {
				if d != want {
					t.Errorf("sleep %d = %v, want %v", i, d, want)
				}
				if w := "Temporary failure in name resolution: `flaky:5'. Trying again in " + strings.TrimSpace(fmtSeconds(want)) + " seconds..."; warns[i] != w {
					t.Errorf("warning %d = %q, want %q", i, warns[i], w)
				}
				want = min(want*6/5, 20*time.Second)
			}
		})
	}
	// The texts upstream prints for its first retries, as seen from Debian's wg.
	want := []string{"1.00", "1.20", "1.44", "1.73", "2.07", "2.49", "2.99", "3.58", "4.30", "5.16", "6.19", "7.43", "8.92", "10.70", "12.84"}
	d := time.Second
	for i, w := range want {
		if got := fmtSeconds(d); got != w {
			t.Errorf("delay %d prints %s, want %s", i, got, w)
		}
		d = min(d*6/5, 20*time.Second)
	}
}

func TestValidInterfaceName(t *testing.T) {
	re := regexp.MustCompile(`^` + InterfaceNameChars + `{1,15}$`)
	for _, s := range []string{"wg0", "a", "=+.-_", "123456789012345", "1234567890123456", "", "wg 0", "wg/0", "wgé", "wg\x00", "WG_0.x"} {
		if got, want := ValidInterfaceName(s), re.MatchString(s); got != want {
			t.Errorf("ValidInterfaceName(%q) = %v, the pattern says %v", s, got, want)
		}
	}
}
