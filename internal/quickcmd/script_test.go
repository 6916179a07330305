package quickcmd_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/wgtools/wgtools/internal/app"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/quickcmd"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(netnstest.Main(m), map[string]func(){
		"wg-quick": func() {
			if dir := os.Getenv("WGTOOLS_TEST_STATE_ROOT"); dir != "" {
				quickcmd.TestOnlyStateRoot(dir)
			}
			if d, err := time.ParseDuration(os.Getenv("WGTOOLS_TEST_STALE_AFTER")); err == nil {
				quickcmd.TestOnlyStaleAfter(d)
			}
			os.Exit(app.Main(os.Args, "wg-quick"))
		},
		"wg": func() { os.Exit(app.Main(os.Args, "wg")) },
		// tunnel.Start re-executes this binary under that name.
		"wireguard-go": func() { os.Exit(app.Main(os.Args, "wireguard-go")) },
	})
}

// TestScript runs the CLI golden tests of wg-quick in testdata/script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("LC_ALL", "C")
			// wg-quick's locks and state in the script's work directory.
			e.Setenv("WGTOOLS_TEST_STATE_ROOT", filepath.Join(e.WorkDir, ".run-wgtools"))
			return nil
		},
	})
}
