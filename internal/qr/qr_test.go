package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeLevels checks the level and version chosen at the edges of each
// level's capacity in version 40, for data that only byte mode can hold
// (lower-case letters).
func TestEncodeLevels(t *testing.T) {
	type result struct {
		Level   string
		Version int
		Size    int // modules per side, quiet zone included
	}
	tests := []struct {
		name  string
		n     int
		level string
	}{
		{name: "one byte", n: 1, level: "H"},
		{name: "version 1 full", n: 7, level: "H"},
		{name: "version 2", n: 8, level: "H"},
		{name: "H full", n: 1273, level: "H"},
		{name: "Q", n: 1274, level: "Q"},
		{name: "Q full", n: 1663, level: "Q"},
		{name: "M", n: 1664, level: "M"},
		{name: "M full", n: 2331, level: "M"},
		{name: "L", n: 2332, level: "L"},
		{name: "L full", n: MaxBytes, level: "L"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Encode(bytes.Repeat([]byte("x"), tt.n))
			if err != nil {
				t.Fatal(err)
			}
			v := minVersion(t, tt.level, tt.n)
			want := result{tt.level, v, 17 + 4*v + 8}
			got := result{c.Level(), c.version, len(c.Modules())}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Encode(%d bytes) (-want +got):\n%s", tt.n, diff)
			}
		})
	}
}

func TestEncodeTooLarge(t *testing.T) {
	config := testConfig(t, 40)
	tests := []struct {
		name string
		data []byte
	}{
		{name: "one byte over", data: bytes.Repeat([]byte("x"), MaxBytes+1)},
		{name: "config with 40 peers", data: config},
		// Beyond 65535 bytes go-qrcode fails with a different message.
		{name: "huge", data: bytes.Repeat([]byte("x"), 70000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Encode(tt.data)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Encode(%d bytes) = %v, %v; want an error wrapping ErrTooLarge", len(tt.data), c, err)
			}
			want := fmt.Sprintf("config is %d bytes; a QR code holds at most 2953 bytes "+
				"(hint: fewer peers, or shorter AllowedIPs)", len(tt.data))
			if diff := cmp.Diff(want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEncodeDenseData shows that MaxBytes is a bound for arbitrary bytes
// only: digits pack into numeric mode at 10 bits for 3.
func TestEncodeDenseData(t *testing.T) {
	c, err := Encode(bytes.Repeat([]byte("1234567890"), 400))
	if err != nil {
		t.Fatalf("Encode(4000 digits): %v", err)
	}
	// Q holds 3993 digits in version 40, M 5596.
	if got, want := c.Level(), "M"; got != want {
		t.Errorf("Level() = %q, want %q", got, want)
	}
}

func TestEncodeEmpty(t *testing.T) {
	for _, data := range [][]byte{nil, {}} {
		if c, err := Encode(data); err == nil || errors.Is(err, ErrTooLarge) {
			t.Errorf("Encode(%q) = %v, %v; want an error other than ErrTooLarge", data, c, err)
		}
	}
}

// TestModules checks the matrix's shape: square, a light quiet zone of 4
// modules, and the three finder patterns.
func TestModules(t *testing.T) {
	c, err := Encode([]byte("[Interface]\nPrivateKey = x\n"))
	if err != nil {
		t.Fatal(err)
	}
	m := c.Modules()
	n := len(m)
	if n != 17+4*c.version+8 {
		t.Fatalf("%d rows for version %d, want %d", n, c.version, 17+4*c.version+8)
	}
	for y, row := range m {
		if len(row) != n {
			t.Fatalf("row %d has %d modules, want %d", y, len(row), n)
		}
		for x, dark := range row {
			quiet := x < 4 || y < 4 || x >= n-4 || y >= n-4
			if quiet && dark {
				t.Fatalf("module (%d,%d) in the quiet zone is dark", x, y)
			}
		}
	}
	finder := []string{
		"#######",
		"#.....#",
		"#.###.#",
		"#.###.#",
		"#.###.#",
		"#.....#",
		"#######",
	}
	for _, corner := range [][2]int{{4, 4}, {n - 11, 4}, {4, n - 11}} {
		var got []string
		for y := range 7 {
			var s strings.Builder
			for x := range 7 {
				if m[corner[1]+y][corner[0]+x] {
					s.WriteByte('#')
				} else {
					s.WriteByte('.')
				}
			}
			got = append(got, s.String())
		}
		if diff := cmp.Diff(finder, got); diff != "" {
			t.Errorf("finder pattern at %v (-want +got):\n%s", corner, diff)
		}
	}

	// The result is the caller's to change.
	m[4][4] = false
	if !c.Modules()[4][4] {
		t.Error("changing the result of Modules changed the Code")
	}
}

func TestWriteTerminal(t *testing.T) {
	// A made-up 3x3 matrix shows the mapping of each combination.
	c := &Code{modules: [][]bool{
		{true, false, true},
		{true, true, false},
		{false, true, false},
	}}
	tests := []struct {
		name   string
		ascii  bool
		invert bool
		want   string
	}{
		{name: "half blocks", want: " ▀▄\n▀ ▀\n"},
		{name: "half blocks inverted", invert: true, want: "█▄▀\n ▀ \n"},
		{name: "ascii", ascii: true, want: "  ##  \n    ##\n##  ##\n"},
		{name: "ascii inverted", ascii: true, invert: true, want: "##  ##\n####  \n  ##  \n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			cc.Invert = tt.invert
			var b strings.Builder
			if err := cc.WriteTerminal(&b, tt.ascii); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("WriteTerminal (-want +got):\n%s", diff)
			}
		})
	}
}

type errWriter struct{}

var errWrite = errors.New("disk full")

func (errWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteTerminalError(t *testing.T) {
	c, err := Encode([]byte("x"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WriteTerminal(errWriter{}, false); !errors.Is(err, errWrite) {
		t.Errorf("WriteTerminal to a failing writer = %v, want it to wrap %v", err, errWrite)
	}
}

func TestPNGSize(t *testing.T) {
	c, err := Encode([]byte("x")) // version 1: 29 modules with the quiet zone
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		size    int
		want    int // pixels per side
		wantErr bool
	}{
		{size: 0, want: 29 * 8},
		{size: 1, want: 29},
		{size: 29, want: 29},
		{size: 200, want: 29 * 7},
		{size: 205, want: 29 * 7},
		{size: 1000, want: 29 * 34},
		{size: -1, wantErr: true},
		{size: 4097, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.size), func(t *testing.T) {
			b, err := c.PNG(tt.size)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("PNG(%d) succeeded, want an error", tt.size)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([2]int{tt.want, tt.want}, [2]int{cfg.Width, cfg.Height}); diff != "" {
				t.Errorf("PNG(%d) size (-want +got):\n%s", tt.size, diff)
			}
		})
	}
}

// TestPNGPixels checks every pixel of a PNG against Modules: black for
// dark, white for light, in squares of equal size.
func TestPNGPixels(t *testing.T) {
	c, err := Encode([]byte("[Peer]\nEndpoint = 192.0.2.1:51820\n"))
	if err != nil {
		t.Fatal(err)
	}
	const scale = 3
	m := c.Modules()
	b, err := c.PNG(len(m) * scale)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	for y := range len(m) * scale {
		for x := range len(m) * scale {
			r, g, bl, _ := img.At(x, y).RGBA()
			dark := m[y/scale][x/scale]
			want := uint32(0xffff)
			if dark {
				want = 0
			}
			if r != want || g != want || bl != want {
				t.Fatalf("pixel (%d,%d) = %x,%x,%x; want %x (dark=%v)", x, y, r, g, bl, want, dark)
			}
		}
	}
}
