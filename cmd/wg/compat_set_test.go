package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
)

// TestCompatSet runs `wg set nosuchdev ...` argument lists through both
// binaries: every value parser and the token grammar, before any device is
// touched.
func TestCompatSet(t *testing.T) {
	const (
		k    = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
		priv = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
	)
	dir := t.TempDir()
	keyFiles := map[string]string{
		"good": priv + "\n", "crlf": priv + "\r\n\n \n", "empty": "", "short": "abc", "trail": priv + "\nx",
		"lead": " " + priv, "nul": priv + "\x00", "noncanon": priv[:42] + "l=", "nul-inside": "abc\x00" + priv[4:],
	}
	for name, content := range keyFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "adir"), 0o700)
	peer := "peer " + k + " "
	cases := []string{
		"listen-port 51820", "listen-port 0", "listen-port 65537", "listen-port 99999", "listen-port -1", "listen-port -5",
		"listen-port +80", "listen-port 0x10", "listen-port 010", "listen-port domain", "listen-port http", "listen-port DOMAIN",
		"listen-port 4294967295", "listen-port 4294967296", "listen-port 2147483648", "listen-port -4294967295",
		"listen-port 18446744073709551616", "listen-port 1e3", "listen-port tftp",
		"fwmark 0", "fwmark off", "fwmark OFF", "fwmark 0x", "fwmark 0X10", "fwmark 0xFF", "fwmark 0xffffffff",
		"fwmark 0x100000000", "fwmark 4294967296", "fwmark -1", "fwmark 1x", "fwmark 010",
		"private-key good", "private-key crlf", "private-key empty", "private-key /dev/null", "private-key short",
		"private-key trail", "private-key lead", "private-key nul", "private-key adir", "private-key /nonexistent",
		"private-key /dev/zero",
		peer + "persistent-keepalive 0", peer + "persistent-keepalive off", peer + "persistent-keepalive 65535",
		peer + "persistent-keepalive 65536", peer + "persistent-keepalive -1", peer + "persistent-keepalive 1x",
		peer + "persistent-keepalive 0x10",
		peer + "allowed-ips 10.0.0.1/33", peer + "allowed-ips 10.0.0.256/8", peer + "allowed-ips 10.0.0.0/8,",
		peer + "allowed-ips 10.0.0.1/24", peer + "allowed-ips 010.0.0.0/8", peer + "allowed-ips 10.0.0.0/",
		peer + "allowed-ips 10.0.0.0/08", peer + "allowed-ips ::/129", peer + "allowed-ips fe80::1%eth0/64",
		peer + "allowed-ips 1:2:3:4:5:6:7:8:9/64", peer + "allowed-ips 10.0.0.1/024", peer + "allowed-ips FD00:0::1/64",
		peer + "allowed-ips ::ffff:1.2.3.4/128", peer + "allowed-ips ,10.0.0.0/8", peer + "allowed-ips 1.2.3",
		peer + "endpoint 1.2.3.4", peer + "endpoint [::1", peer + "endpoint [::1]:80", peer + "endpoint ::1:80",
		peer + "endpoint [::1]x:80", peer + "endpoint 1.2.3.4:", peer + "endpoint :80", peer + "endpoint 1.2.3.4:99999",
		peer + "endpoint 127.1:5", peer + "endpoint []:5", peer + "endpoint localhost:5",
		peer + "endpoint [fe80::1%lo]:5", peer + "endpoint [fe80::1%nosuchif0]:5", peer + "endpoint [fd00::1%7]:5",
		peer + "preshared-key good", peer + "preshared-key /dev/null", peer + "preshared-key short",
		peer + "remove", peer + "remove peer " + priv + " remove", peer + "listen-port 5", peer + "fwmark 5",
		peer + "private-key good", "remove", "peer", "listen-port", "bogus", "endpoint 1.2.3.4:5", "peer abc",
		"peer " + k[:43] + "h=", "peer " + k + "x", peer + "allowed-ips 10.0.0.0/8 allowed-ips fd00::/8",
		peer + "endpoint", peer + "persistent-keepalive",
	}
	names := make([]string, 0, len(cases)+8)
	ins := make([]invocation, 0, len(cases)+8)
	add := func(name string, in invocation) {
		names = append(names, name)
		in.dir = dir
		ins = append(ins, in)
	}
	for _, c := range cases {
		add("set "+c, invocation{args: append([]string{"set", "nosuchdev"}, strings.Fields(c)...)})
	}
	add("spaced allowed-ips", invocation{args: []string{"set", "nosuchdev", "peer", k, "allowed-ips", " 10.1.0.0/16 , fd00::/8 "}})
	add("empty allowed-ips", invocation{args: []string{"set", "nosuchdev", "peer", k, "allowed-ips", ""}})
	add("empty endpoint", invocation{args: []string{"set", "nosuchdev", "peer", k, "endpoint", ""}})
	add("empty port", invocation{args: []string{"set", "nosuchdev", "listen-port", ""}})
	add("spaced port", invocation{args: []string{"set", "nosuchdev", "listen-port", " 80"}})
	add("port with trailing space", invocation{args: []string{"set", "nosuchdev", "listen-port", "80 "}})
	for _, env := range []string{"x", "", " 3", "-1", "infinity"} {
		add("retries "+env, invocation{args: []string{"set", "nosuchdev", "peer", k, "endpoint", "1.2.3.4:5"},
			env: []string{"WG_ENDPOINT_RESOLUTION_RETRIES=" + env}})
	}
	add("retries on a bad service", invocation{args: []string{"set", "nosuchdev", "peer", k, "endpoint", "1.2.3.4:http"},
		env: []string{"WG_ENDPOINT_RESOLUTION_RETRIES=2"}})

	hidden := "Key is not the correct length or format: `(hidden)'\n"
	want := map[int]netnstest.Result{}
	for i, n := range names {
		switch {
		case strings.HasSuffix(n, "-key noncanon"), strings.HasSuffix(n, "-key nul-inside"):
			want[i] = netnstest.Result{Stderr: hidden, Code: 1}
		}
	}
	for _, c := range []string{"noncanon", "nul-inside"} {
		add("private-key "+c, invocation{args: []string{"set", "nosuchdev", "private-key", c}})
		want[len(ins)-1] = netnstest.Result{Stderr: hidden, Code: 1}
		add("preshared-key "+c, invocation{args: []string{"set", "nosuchdev", "peer", k, "preshared-key", c}})
		want[len(ins)-1] = netnstest.Result{Stderr: hidden, Code: 1}
	}
	compareAll(t, names, ins, want)
	t.Logf("compared %d wg set cases", len(ins))
}
