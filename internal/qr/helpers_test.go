package qr

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// testKey returns a random WireGuard-style key: 32 bytes in base64, 44
// characters ending in '='.
func testKey(t testing.TB) string {
	t.Helper()
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(k[:])
}

// testConfig builds a realistic wg-quick config with the given number of
// peers: every peer has a PublicKey and AllowedIPs; some have a
// PresharedKey, an Endpoint and a PersistentKeepalive.
func testConfig(t testing.TB, peers int) []byte {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "[Interface]\nPrivateKey = %s\nAddress = 10.8.0.2/24, fd86:ea04:1115::2/64\nDNS = 1.1.1.1, 2606:4700:4700::1111\n", testKey(t))
	for i := 1; i <= peers; i++ {
		fmt.Fprintf(&b, "\n[Peer]\nPublicKey = %s\n", testKey(t))
		if i%4 == 1 {
			fmt.Fprintf(&b, "PresharedKey = %s\n", testKey(t))
		}
		if i == 1 {
			b.WriteString("AllowedIPs = 0.0.0.0/0, ::/0\n")
		} else {
			fmt.Fprintf(&b, "AllowedIPs = 10.8.%d.0/24\n", i)
		}
		if i%3 == 1 {
			fmt.Fprintf(&b, "Endpoint = vpn%d.example.com:51820\nPersistentKeepalive = 25\n", i)
		}
	}
	return []byte(b.String())
}

// drawnMatrix is what WriteTerminal should draw as glyphs for m.
func drawnMatrix(m [][]bool, invert bool) [][]bool {
	out := make([][]bool, len(m))
	for y, row := range m {
		out[y] = make([]bool, len(row))
		for x, dark := range row {
			out[y][x] = dark == invert
		}
	}
	return out
}

// matrixString shows a matrix as lines of '#' (true) and '.' (false), for
// comparing quickly and showing differences legibly.
func matrixString(m [][]bool) string {
	var b strings.Builder
	for _, row := range m {
		for _, v := range row {
			if v {
				b.WriteByte('#')
			} else {
				b.WriteByte('.')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// parseTerminal reads WriteTerminal's output back into a matrix of drawn
// cells: one row per line for ASCII, two per line for half blocks (so an
// odd-sized code gains a last row that must be all false).
func parseTerminal(t testing.TB, text string, ascii bool) [][]bool {
	t.Helper()
	if !strings.HasSuffix(text, "\n") {
		t.Fatalf("terminal output does not end in a newline")
	}
	var rows [][]bool
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if ascii {
			if len(line)%2 != 0 {
				t.Fatalf("line %d: odd length %d", i+1, len(line))
			}
			row := make([]bool, 0, len(line)/2)
			for j := 0; j < len(line); j += 2 {
				switch line[j : j+2] {
				case "##":
					row = append(row, true)
				case "  ":
					row = append(row, false)
				default:
					t.Fatalf("line %d: unexpected %q", i+1, line[j:j+2])
				}
			}
			rows = append(rows, row)
			continue
		}
		top := make([]bool, 0, utf8.RuneCountInString(line))
		bottom := make([]bool, 0, cap(top))
		for _, r := range line {
			var tb [2]bool
			switch r {
			case ' ':
			case '▀':
				tb[0] = true
			case '▄':
				tb[1] = true
			case '█':
				tb = [2]bool{true, true}
			default:
				t.Fatalf("line %d: unexpected %q", i+1, r)
			}
			top, bottom = append(top, tb[0]), append(bottom, tb[1])
		}
		rows = append(rows, top, bottom)
	}
	return rows
}

// rasterize paints a matrix of cells, scale pixels each, inside a margin of
// background. dark says which cells are dark; the margin has the colour of
// background, as a terminal would show around the text.
func rasterize(cells [][]bool, dark func(bool) bool, background color.Gray, scale, margin int) image.Image {
	w := len(cells[0])*scale + 2*margin
	h := len(cells)*scale + 2*margin
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = background.Y
	}
	for y, row := range cells {
		for x, c := range row {
			v := uint8(255)
			if dark(c) {
				v = 0
			}
			for py := margin + y*scale; py < margin+(y+1)*scale; py++ {
				for px := margin + x*scale; px < margin+(x+1)*scale; px++ {
					img.Pix[img.PixOffset(px, py)] = v
				}
			}
		}
	}
	return img
}

// terminalImage renders WriteTerminal's drawn cells as a terminal would
// show them: light text on a dark background by default, dark text on a
// light one for Invert; margin pixels of background surround the text.
func terminalImage(drawn [][]bool, invert bool, margin int) image.Image {
	bg := color.Gray{Y: 0}
	if invert {
		bg = color.Gray{Y: 255}
	}
	return rasterize(drawn, func(d bool) bool { return d == invert }, bg, 2, margin)
}

// decoded is what a reader gets from an image.
type decoded struct {
	Data  []byte
	Level string
}

// scan reads a QR code from img with gozxing's ordinary detector, as a
// camera app would. That detector fails on some large symbols that other
// readers (zbar) read fine, depending on the data; then scan falls back to
// gozxing's reader for clean images (PURE_BARCODE) on pure, an image of the
// same code without margin, which still checks every module and the quiet
// zone.
//
// Byte segments are read as ISO-8859-1 so that every byte maps to one rune
// and back, which gives the exact bytes.
func scan(t testing.TB, img, pure image.Image) decoded {
	t.Helper()
	res := scanHints(t, img, pure, map[gozxing.DecodeHintType]any{
		gozxing.DecodeHintType_CHARACTER_SET: "ISO-8859-1",
	})
	var data bytes.Buffer
	for _, r := range res.GetText() {
		if r > 0xff {
			t.Fatalf("decoded rune %U outside ISO-8859-1", r)
		}
		data.WriteByte(byte(r))
	}
	return decoded{Data: data.Bytes(), Level: level(res)}
}

// scanHints is scan with the given hints, returning gozxing's result.
func scanHints(t testing.TB, img, pure image.Image, hints map[gozxing.DecodeHintType]any) *gozxing.Result {
	t.Helper()
	res, err := read(img, hints)
	if err == nil {
		return res
	}
	t.Logf("gozxing's detector failed (%v); reading as a clean image", err)
	pureHints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	for k, v := range hints {
		pureHints[k] = v
	}
	res, err = read(pure, pureHints)
	if err != nil {
		t.Fatalf("decoding QR code: %v", err)
	}
	return res
}

func read(img image.Image, hints map[gozxing.DecodeHintType]any) (*gozxing.Result, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	return zxingqr.NewQRCodeReader().Decode(bmp, hints)
}

func level(res *gozxing.Result) string {
	l, _ := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL].(string)
	return l
}
