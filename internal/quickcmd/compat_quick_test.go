package quickcmd_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/testenv"
)

var hintLine = regexp.MustCompile(`(?m)^  hint: .*\n`)

// quickRun runs a wg-quick (ours, or the reference bash script) in dir.
func quickRun(t *testing.T, bin, dir string, args ...string) netnstest.Result {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Args = append([]string{"wg-quick"}, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C"}
	return netnstest.Run(t, cmd)
}

// TestCompatQuickStrip compares `wg-quick strip`, config lookup and the
// argument grammar with Debian's wg-quick.
func TestCompatQuickStrip(t *testing.T) {
	ref := "/usr/bin/wg-quick"
	// Not root, wg-quick re-runs itself with sudo.
	testenv.Require(t, testenv.Root(), testenv.Package(ref, "wireguard-tools"))
	ours := netnstest.Binary(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	k := "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
	files := map[string]string{
		"full":      "[Interface]\nAddress = 10.0.0.1/24, fd00::1/64\nDNS = 1.1.1.1, example.com\nMTU = 1420\nTable = off\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk= # key\nPreUp = echo %i # c\nPostUp = true\nPreDown = x\nPostDown = y\nSaveConfig = false\n\n# comment\n[Peer]\nPublicKey = " + k + "\nAllowedIPs = 0.0.0.0/0\n",
		"crlf":      "[Interface]\r\nAddress = 10.0.0.1/24\r\nListenPort = 51820\r\n",
		"case":      "[interface]\naddress=10.0.0.1/24\nSAVECONFIG = TRUE\n  ListenPort = 1  \n\t[Peer]\t\nPublicKey=" + k + "\n",
		"spaced":    "[ Interface ]\nAddress = 10.0.0.1/24\n",
		"bare-key":  "[Interface]\nAddress\nDNS\nListenPort = 2\n",
		"peer-keys": "[Interface]\nListenPort = 3\n[Peer]\nPublicKey = " + k + "\nAddress = 10.9.9.9\nDNS = 9.9.9.9\n",
		"nonl":      "[Interface]\nListenPort = 4",
		"save-yes":  "[Interface]\nSaveConfig = yes\n",
		"save-none": "[Interface]\nSaveConfig =\n",
		"comments":  "# top\n[Interface] # x\n# Address = 1.2.3.4/32\nAddress = 10.0.0.1/32 # trailing\n",
		"empty":     "",
		"equals":    "[Interface]\nPostUp = a=b # c=d\nAddress = =10.0.0.1/32\n",
		"nul":       "[Interface]\nListenPort = 51\x00001\nPrivateKey = xTIBA5rboUvnH4htod\x00jb6e697QjLERt1NAB4mZqp8Dg=\nAddress = 10.0.0.1/2\x004\n\x00\n",
	}
	var cases [][]string
	for name, text := range files {
		sub := filepath.Join(dir, name)
		os.Mkdir(sub, 0o700)
		os.WriteFile(filepath.Join(sub, "wgq0.conf"), []byte(text), 0o600)
		cases = append(cases, []string{"strip", "./" + name + "/wgq0.conf"}, []string{"strip", filepath.Join(sub, "wgq0.conf")})
	}
	// Permission combinations of the world-accessible warning.
	for _, m := range []struct {
		name      string
		dir, file os.FileMode
	}{{"p1", 0o755, 0o600}, {"p2", 0o755, 0o644}, {"p3", 0o700, 0o644}, {"p4", 0o701, 0o604}, {"p5", 0o707, 0o601}} {
		sub := filepath.Join(dir, m.name)
		os.Mkdir(sub, m.dir)
		os.Chmod(sub, m.dir)
		os.WriteFile(filepath.Join(sub, "wgq1.conf"), []byte("[Interface]\nListenPort = 5\n"), m.file)
		os.Chmod(filepath.Join(sub, "wgq1.conf"), m.file)
		cases = append(cases, []string{"strip", "./" + m.name + "/wgq1.conf"})
	}
	os.Symlink(filepath.Join(dir, "p2", "wgq1.conf"), filepath.Join(dir, "link0.conf"))
	os.WriteFile(filepath.Join(dir, "bad.name"), []byte("[Interface]\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "toolongname12345.conf"), []byte("[Interface]\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "wg0.conf"), []byte("[Interface]\n"), 0o600)
	cases = append(cases,
		[]string{"strip", "./link0.conf"}, []string{"strip", "./bad.name"}, []string{"strip", "./toolongname12345.conf"},
		[]string{"strip", "wg0.conf"}, []string{"strip", "nosuchname0"}, []string{"strip", "./nosuch/wgq0.conf"},
		[]string{"strip", "bad name"}, []string{"strip", "myverylongtunnel0"}, []string{}, []string{"help"}, []string{"-h"}, []string{"--help"},
		[]string{"help", "x"}, []string{"strip"}, []string{"strip", "a", "b"}, []string{"foo", "x"}, []string{"--help", "x"})
	hints := map[string]string{}
	for _, args := range cases {
		r, o := quickRun(t, ref, dir, args...), quickRun(t, ours, dir, args...)
		// Our hints are an added line after upstream's message.
		if h := hintLine.FindString(o.Stderr); h != "" {
			hints[strings.Join(args, " ")] = h
			o.Stderr = hintLine.ReplaceAllString(o.Stderr, "")
		}
		if diff := cmp.Diff(r, o); diff != "" {
			t.Errorf("wg-quick %s (-ref +ours):\n%s", strings.Join(args, " "), diff)
		}
	}
	t.Logf("compared %d wg-quick invocations", len(cases))
	want := map[string]string{
		"strip wg0.conf":                "  hint: `wg0.conf' was read as an interface name; to use the file in this directory, say ./wg0.conf\n",
		"strip ./toolongname12345.conf": "  hint: `toolongname12345' has 16 characters; interface names have at most 15\n",
		"strip myverylongtunnel0":       "  hint: `myverylongtunnel0' was read as a path, since interface names have at most 15 characters (it has 17)\n",
		"strip ./bad.name":              "  hint: the file name must be the interface name followed by .conf, as in wg0.conf (not `bad.name')\n",
	}
	for args, h := range want {
		if hints[args] != h {
			t.Errorf("wg-quick %s: hint %q, want %q", args, hints[args], h)
		}
	}
}
