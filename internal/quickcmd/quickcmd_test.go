package quickcmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
)

func TestParseArgs(t *testing.T) {
	type res struct {
		Verb, Operand string
		Flags         actionFlags
		OK            bool
	}
	fg, ks, post := actionFlags{Foreground: true}, actionFlags{KillSwitch: true}, actionFlags{RunPostUp: true}
	for _, c := range []struct {
		args []string
		want res
	}{
		{[]string{"up", "wg0"}, res{"up", "wg0", actionFlags{}, true}},
		{[]string{"down", "./wg0.conf"}, res{"down", "./wg0.conf", actionFlags{}, true}},
		{[]string{"save", "wg0"}, res{"save", "wg0", actionFlags{}, true}},
		{[]string{"strip", "wg0"}, res{"strip", "wg0", actionFlags{}, true}},
		{[]string{"up", "--foreground", "wg0"}, res{"up", "wg0", fg, true}},
		{[]string{"up", "wg0", "--foreground"}, res{"up", "wg0", fg, true}},
		{[]string{"up", "--kill-switch", "wg0"}, res{"up", "wg0", ks, true}},
		{[]string{"up", "--kill-switch", "wg0", "--foreground"}, res{"up", "wg0", actionFlags{Foreground: true, KillSwitch: true}, true}},
		{[]string{"up", "--kill-switch", "--kill-switch", "wg0"}, res{}},
		{[]string{"down", "--foreground", "wg0"}, res{}},
		{[]string{"down", "--kill-switch", "wg0"}, res{}},
		{[]string{"reload", "wg0"}, res{"reload", "wg0", actionFlags{}, true}},
		{[]string{"reload", "--run-postup", "wg0"}, res{"reload", "wg0", post, true}},
		{[]string{"reload", "wg0", "--run-postup"}, res{"reload", "wg0", post, true}},
		{[]string{"reload", "--foreground", "wg0"}, res{}},
		{[]string{"up", "--run-postup", "wg0"}, res{}},
		{[]string{"up", "--foreground"}, res{}},
		{[]string{"up", "--netns", "box", "wg0"}, res{"up", "wg0", actionFlags{Netns: "box"}, true}},
		{[]string{"up", "wg0", "--netns-create", "/proc/1/ns/net"}, res{"up", "wg0", actionFlags{Netns: "/proc/1/ns/net", NetnsCreate: true}, true}},
		{[]string{"down", "--netns", "box", "wg0"}, res{"down", "wg0", actionFlags{Netns: "box"}, true}},
		{[]string{"up", "wg0", "--netns"}, res{}},
		{[]string{"up", "--netns", "a", "--netns-create", "b", "wg0"}, res{}},
		{[]string{"reload", "--netns", "box", "wg0"}, res{}},
		{[]string{"up", "a", "b"}, res{}},
		{[]string{"up"}, res{}},
		{[]string{"bounce", "wg0"}, res{}},
		{nil, res{}},
	} {
		v, o, f, ok := parseArgs(c.args)
		if diff := cmp.Diff(c.want, res{v, o, f, ok}); diff != "" {
			t.Errorf("parseArgs(%q) (-want +got):\n%s", c.args, diff)
		}
	}
}

func TestKeyHint(t *testing.T) {
	for conf, want := range map[string]string{
		"[Interface]\nAdress=10.0.0.1/24\n":                     "unknown key Adress; did you mean Address?",
		"[Peer]\nPublicKy=abc\n":                                "unknown key PublicKy; did you mean PublicKey?",
		"[Peer]\nAllowedIP=10.0.0.0/8\n":                        "unknown key AllowedIP; did you mean AllowedIPs?",
		"[Interface]\npersistentkeepalive=x\n":                  "PersistentKeepalive is not valid in this section",
		"[Peer]\nPublicKey=" + testKey + "\nAddress=10.0.0.1\n": "Address belongs in the [Interface] section",
		"[Interface]\nZebra=1\n":                                "unknown key Zebra",
		"[Peers]\n":                                             "",
		"[Interface]\nListenPort5\n":                            "",
		"[Interface]\nPrivateKey=x\n":                           "",
	} {
		_, err := (&config.Options{}).Parse(strings.NewReader(conf))
		var e *config.Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: %v is not a config error", conf, err)
		}
		if got := keyHint(e); got != want {
			t.Errorf("keyHint(%q) = %q, want %q", e.Msg, got, want)
		}
	}
}

const testKey = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="

func TestLookupHints(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile(filepath.Join(dir, "wg7.conf"), []byte("[Interface]\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "averyveryverylongname.conf"), []byte("[Interface]\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "bad name.conf"), []byte("[Interface]\n"), 0o600)
	for operand, want := range map[string]string{
		"wg7.conf":                     "`/etc/wireguard/wg7.conf.conf' does not exist\n  hint: `wg7.conf' was read as an interface name; to use the file in this directory, say ./wg7.conf",
		"averyveryverylongname":        "`averyveryverylongname' does not exist\n  hint: `averyveryverylongname' was read as a path, since interface names have at most 15 characters (it has 21)",
		"./averyveryverylongname.conf": "The config file must be a valid interface name, followed by .conf\n  hint: `averyveryverylongname' has 21 characters; interface names have at most 15",
		"./bad name.conf":              "The config file must be a valid interface name, followed by .conf\n  hint: `bad name' is not an interface name: use 1 to 15 letters, digits and _=+.-",
		"./nosuch/wg0.conf":            "`./nosuch/wg0.conf' does not exist",
	} {
		_, err := Lookup(operand, &strings.Builder{})
		if err == nil || err.Error() != want {
			t.Errorf("Lookup(%q) = %v\nwant %s", operand, err, want)
		}
	}
	src, err := Lookup("./wg7.conf", &strings.Builder{})
	if err != nil || src.Interface != "wg7" || src.Path != filepath.Join(dir, "wg7.conf") {
		t.Errorf("Lookup(./wg7.conf) = %+v, %v", src, err)
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"adress", "address", 1}, {"kitten", "sitting", 3}, {"mtu", "mtu", 0}} {
		if got := distance(c.a, c.b); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestConfigDirs(t *testing.T) {
	for goos, want := range map[string][]string{
		"linux":   {"/etc/wireguard"},
		"darwin":  {"/etc/wireguard", "/usr/local/etc/wireguard", "/opt/homebrew/etc/wireguard"},
		"freebsd": {"/etc/wireguard", "/usr/local/etc/wireguard"},
		"openbsd": {"/etc/wireguard", "/usr/local/etc/wireguard"},
	} {
		if diff := cmp.Diff(want, configDirs(goos)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", goos, diff)
		}
	}
}
