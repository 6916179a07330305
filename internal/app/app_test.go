package app

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/cli"
)

func TestExit(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		code   int
		stderr string
	}{
		{"success", nil, 0, ""},
		{"message", cli.Fail("Unable to modify interface: No such device"), 1, "Unable to modify interface: No such device\n"},
		{"code", &cli.Error{Msg: "x", Code: 3}, 3, "x\n"},
		{"silent", &cli.Silent{}, 1, ""},
		{"other", errors.New("boom"), 1, "wg: boom\n"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		env := &cli.Env{Prog: "/usr/bin/wg", Stderr: &stderr}
		if got := Exit(env, tt.err); got != tt.code {
			t.Errorf("%s: code %d, want %d", tt.name, got, tt.code)
		}
		if diff := cmp.Diff(tt.stderr, stderr.String()); diff != "" {
			t.Errorf("%s: stderr (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestPersonality(t *testing.T) {
	for _, name := range []string{"wg", "wg-quick", "wireguard-go"} {
		if _, ok := lookup(name); !ok {
			t.Errorf("no personality %s", name)
		}
	}
	if _, ok := lookup("wgtools"); ok {
		t.Error("unknown name has a personality")
	}
	for _, c := range []struct{ prog, def, want string }{
		{"/usr/bin/wg-quick", "wg", "wg-quick"},
		{`wg-quick.exe`, "wg", "wg-quick"},
		{"./wireguard-go", "wg", "wireguard-go"},
		{"/usr/local/bin/wgtools", "wg", "wg"},
		{"wg-quick-custom", "wg-quick", "wg-quick"},
		{"wg.exe", "wg-quick", "wg"},
	} {
		if got := programName(c.prog, c.def); got != c.want {
			t.Errorf("programName(%q, %q) = %q, want %q", c.prog, c.def, got, c.want)
		}
	}
}
