package qr

import (
	"bytes"
	"fmt"
	"image/png"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// checkTerminal draws c for a terminal, parses the text back, compares it
// with Modules, and, if decodeToo, scans a rendering of the text and
// compares the result with want.
func checkTerminal(t *testing.T, c *Code, ascii, invert, decodeToo bool, want decoded) {
	t.Helper()
	cc := *c
	cc.Invert = invert
	var b strings.Builder
	if err := cc.WriteTerminal(&b, ascii); err != nil {
		t.Fatal(err)
	}
	drawn := parseTerminal(t, b.String(), ascii)
	wantDrawn := drawnMatrix(c.Modules(), invert)
	if !ascii && len(wantDrawn)%2 == 1 {
		// The last line's lower half is background.
		wantDrawn = append(wantDrawn, make([]bool, len(wantDrawn[0])))
	}
	if diff := cmp.Diff(matrixString(wantDrawn), matrixString(drawn)); diff != "" {
		t.Fatalf("terminal (ascii=%v invert=%v) differs from Modules (-want +got):\n%s", ascii, invert, diff)
	}
	if !decodeToo {
		return
	}
	// The clean image leaves out the margin and the background half row
	// under half blocks, which gozxing's PURE_BARCODE reader would take
	// for part of the code.
	n := len(c.modules)
	got := scan(t, terminalImage(drawn, invert, 8), terminalImage(drawn[:n], invert, 0))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scanning the terminal (ascii=%v invert=%v) (-want +got):\n%s", ascii, invert, diff)
	}
}

func checkPNG(t *testing.T, c *Code, size int, want decoded) {
	t.Helper()
	b, err := c.PNG(size)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, scan(t, img, img)); diff != "" {
		t.Errorf("scanning PNG(%d) (-want +got):\n%s", size, diff)
	}
}

// TestRoundTripConfigs encodes wg-quick configs with 1 to 20 peers and
// scans them back from the PNG and from every terminal rendering.
func TestRoundTripConfigs(t *testing.T) {
	for peers := 1; peers <= 20; peers++ {
		config := testConfig(t, peers)
		t.Run(fmt.Sprintf("%d peers %d bytes", peers, len(config)), func(t *testing.T) {
			t.Parallel()
			if len(config) > MaxBytes {
				t.Fatalf("test config is %d bytes, more than %d", len(config), MaxBytes)
			}
			c, err := Encode(config)
			if err != nil {
				t.Fatal(err)
			}
			want := decoded{Data: config, Level: c.Level()}
			// PNG(0) makes 8 pixels per module; the larger images take
			// long to scan under the race detector, so most use 2.
			size := 2 * len(c.modules)
			if peers == 1 || peers == 20 {
				size = 0
			}
			checkPNG(t, c, size, want)
			// Inverted output is decoded for a few sizes only, to keep the
			// test fast; its matrix is compared for all.
			decodeInverted := peers == 1 || peers == 10 || peers == 20
			for _, ascii := range []bool{false, true} {
				checkTerminal(t, c, ascii, false, true, want)
				checkTerminal(t, c, ascii, true, decodeInverted, want)
			}
		})
	}
}

// TestRoundTripPhone scans configs as a phone app would, with no hint
// about the character set, and gets the text back. go-qrcode writes no ECI
// header, so UTF-8 beyond ASCII relies on the reader's guess, which
// gozxing (like ZXing) gets right for these.
func TestRoundTripPhone(t *testing.T) {
	tests := []struct {
		name   string
		config []byte
	}{
		{name: "ASCII", config: testConfig(t, 3)},
		{name: "UTF-8 comment", config: append([]byte("# Büro → 東京\n"), testConfig(t, 1)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Encode(tt.config)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.PNG(0)
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			res := scanHints(t, img, img, nil)
			got := decoded{Data: []byte(res.GetText()), Level: level(res)}
			if diff := cmp.Diff(decoded{Data: tt.config, Level: c.Level()}, got); diff != "" {
				t.Errorf("scanning (-want +got):\n%s", diff)
			}
		})
	}
}

// mixedData returns n pseudo-random bytes in runs of digits, of QR
// alphanumeric characters, of config punctuation and lower case, and of any
// byte at all, so that the encoder switches between numeric, alphanumeric
// and byte segments at many places.
func mixedData(n int, seed uint64) []byte {
	classes := []string{
		"0123456789",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:",
		"abcdefghijklmnopqrstuvwxyz=/+\n\r\t[]#,",
	}
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, 0, n+20)
	for len(b) < n {
		class := r.IntN(len(classes) + 1)
		for range 1 + r.IntN(20) {
			if class == len(classes) {
				b = append(b, byte(r.UintN(256)))
			} else {
				b = append(b, classes[class][r.IntN(len(classes[class]))])
			}
		}
	}
	return b[:n]
}

// TestRoundTripLengths encodes mixed data of every 37th length up to the
// maximum (every 111th under the race detector). Every code is checked
// against its terminal renderings; one in eight, and the largest, is also
// scanned back.
func TestRoundTripLengths(t *testing.T) {
	step := 37
	if raceEnabled {
		step *= 3
	}
	var lengths []int
	for n := 1; n < MaxBytes; n += step {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, MaxBytes)
	for i, n := range lengths {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			data := mixedData(n, uint64(n))
			c, err := Encode(data)
			if err != nil {
				t.Fatal(err)
			}
			want := decoded{Data: data, Level: c.Level()}
			scanned := i%8 == 0 || n == MaxBytes
			checkTerminal(t, c, false, false, scanned && i%16 == 0, want)
			checkTerminal(t, c, true, false, scanned && i%16 == 8, want)
			if scanned {
				checkPNG(t, c, 2*len(c.modules), want)
			}
		})
	}
}

// TestRoundTripBytes encodes every byte value, and the characters a config
// is made of, to check the exact bytes come back.
func TestRoundTripBytes(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	tests := []struct {
		name string
		data []byte
	}{
		{name: "every byte", data: all},
		{name: "NUL", data: []byte{0}},
		{name: "newlines", data: []byte("\n\n\r\n")},
		{name: "base64", data: []byte("PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n")},
		{name: "digits then lower case", data: []byte("1234567890123456789012345abc")},
		{name: "upper case then digits", data: []byte("ABCDEFGHIJ0123456789/0123456789")},
		{name: "endpoint", data: []byte("Endpoint = [2001:DB8::1]:51820\n")},
		{name: "UTF-8 comment", data: []byte("# Büro → 東京\n[Interface]\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Encode(tt.data)
			if err != nil {
				t.Fatal(err)
			}
			checkPNG(t, c, 0, decoded{Data: tt.data, Level: c.Level()})
		})
	}
}
