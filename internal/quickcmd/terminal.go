package quickcmd

import (
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
)

// utf8Locale reports whether the locale (LC_ALL, else LC_CTYPE, else LANG)
// is UTF-8.
func utf8Locale(env *cli.Env) bool {
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := env.Getenv(k); v != "" {
			v = strings.ToLower(v)
			return strings.Contains(v, "utf-8") || strings.Contains(v, "utf8")
		}
	}
	return false
}
