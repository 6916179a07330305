package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/wgtools/wgtools/internal/app"
	"github.com/wgtools/wgtools/internal/netnstest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/script")

func TestMain(m *testing.M) {
	testscript.Main(netnstest.Main(m), map[string]func(){
		"wg": func() { os.Exit(app.Main(os.Args, "wg")) },
		// tunnel.Start re-executes this binary under that name.
		"wireguard-go": func() { os.Exit(app.Main(os.Args, "wireguard-go")) },
	})
}

// TestScript runs the CLI golden tests in testdata/script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("LC_ALL", "C")
			return nil
		},
	})
}
