package quickcmd

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/wgtools/wgtools/internal/config"
)

// TestConfigName holds configName to wg-quick's own expression.
func TestConfigName(t *testing.T) {
	re := regexp.MustCompile(fmt.Sprintf(`(^|/)(%s{1,%d})\.conf$`, config.InterfaceNameChars, config.InterfaceNameMax))
	for _, path := range []string{
		"wg0.conf", "/etc/wireguard/wg0.conf", "./wg0.conf", "/x/.conf", ".conf", "/x/a.conf.conf",
		"/x/" + "abcdefghijklmno.conf", "/x/" + "abcdefghijklmnop.conf", "/x/wg 0.conf", "/x/wg0.conf/",
		"/x/wg0.CONF", "/x/wg0.conf.bak", "/a/b/c/d=e+f.g-h_i.conf", "/a/b/wg0.conf\n", "/a/wg\u00e9.conf",
		"/a/b.c/wg0.conf", "/wg0.conf", "//wg0.conf", "a/b", "", "/x/..conf", "/x/....conf",
	} {
		want, wantOK := "", false
		if m := re.FindStringSubmatch(path); m != nil {
			want, wantOK = m[2], true
		}
		got, ok := configName(path)
		if got != want || ok != wantOK {
			t.Errorf("configName(%q) = %q, %v; the expression says %q, %v", path, got, ok, want, wantOK)
		}
	}
}
