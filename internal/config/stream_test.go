package config

import (
	"fmt"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// TestParseStreamed: Parse, which reads line by line through a buffer,
// gives what ParseLines gives for the whole text read at once, also for a
// line longer than the buffer, a last line without a newline, NULs,
// comments, errors (with their line numbers), one byte per read, and a
// read error (which ends the input, as getline's does).
func TestParseStreamed(t *testing.T) {
	k := "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="
	var many strings.Builder
	for i := range 9000 {
		if i > 0 {
			many.WriteString(", ")
		}
		fmt.Fprintf(&many, "10.%d.%d.0/24", i>>8, i&255)
	}
	inputs := []string{
		"",
		"[Interface]\nPrivateKey = " + k + "\nListenPort = 51820",
		"[Interface]\r\nListenPort = 1\n",
		"[Peer]\nPublicKey = " + k + "\nAllowedIPs = " + many.String() + "\nEndpoint = 192.0.2.1:1\n",
		"[Peer]\nPublicKey = " + k + " # comment\nAllowed IPs = 10.0.0.0/8\x00garbage\n",
		"[Peer]\nPublicKey = " + k + "\nAllowedIPs = 10.0.0.1/33\n",
		"[Peer]\nAllowedIPs = 10.0.0.0/8\n",
		"[Interface]\nBogus = 1\n",
		strings.Repeat("\n", 70000) + "[Interface]\nListenPort = x\n",
	}
	// text is a config as showconf writes it, with each peer's line.
	text := func(c *Config) string {
		if c == nil {
			return "<nil>"
		}
		var b strings.Builder
		Write(&b, c)
		for _, p := range c.Peers {
			fmt.Fprintf(&b, "line %d replace %v\n", p.Line, p.ReplaceAllowedIPs)
		}
		return b.String()
	}
	for i, in := range inputs {
		want, wantErr := (&Options{}).ParseLines(SplitLines(in))
		for _, r := range []struct {
			name string
			got  func() (*Config, error)
		}{
			{"whole", func() (*Config, error) { return (&Options{}).Parse(strings.NewReader(in)) }},
			{"byte by byte", func() (*Config, error) { return (&Options{}).Parse(iotest.OneByteReader(strings.NewReader(in))) }},
		} {
			got, err := r.got()
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Errorf("input %d, %s: error %v, want %v", i, r.name, err, wantErr)
				continue
			}
			if diff := cmp.Diff(text(want), text(got)); diff != "" {
				t.Errorf("input %d, %s: (-ParseLines +Parse):\n%s", i, r.name, diff)
			}
		}
	}
	// A read error after the first lines ends the input there.
	in := "[Interface]\nListenPort = 7\n"
	got, err := (&Options{}).Parse(iotest.DataErrReader(iotest.TimeoutReader(iotest.HalfReader(strings.NewReader(in + "[Peer]\nPublicKey = " + k + "\n")))))
	if err != nil || got.ListenPort == nil || *got.ListenPort != 7 {
		t.Errorf("after a read error: %+v, %v", got, err)
	}
}
