package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
)

// Half blocks for two module rows per text line, indexed by
// top<<1 | bottom, where 1 means "drawn as a glyph".
var halfBlocks = [4]string{" ", "▄", "▀", "█"}

// WriteTerminal draws the code, quiet zone included, for a terminal; each
// line ends in "\n". By default the light modules are the glyphs, which
// scans on a terminal with light text on a dark background (see the package
// documentation); set c.Invert for a light background.
//
// With ascii false it uses UTF-8 half blocks ("▀", "▄", "█" and " "), two
// module rows per line. With ascii true it uses "##" for a glyph module and
// two spaces for the other, one line per module row, for terminals that
// cannot show UTF-8.
func (c *Code) WriteTerminal(w io.Writer, ascii bool) error {
	var b bytes.Buffer
	drawn := func(y, x int) bool {
		return y < len(c.modules) && c.modules[y][x] == c.Invert
	}
	if ascii {
		for y, row := range c.modules {
			for x := range row {
				if drawn(y, x) {
					b.WriteString("##")
				} else {
					b.WriteString("  ")
				}
			}
			b.WriteByte('\n')
		}
	} else {
		// The symbol has an odd number of rows; the last line's lower
		// half is left to the background.
		for y := 0; y < len(c.modules); y += 2 {
			for x := range c.modules[y] {
				i := 0
				if drawn(y, x) {
					i |= 2
				}
				if drawn(y+1, x) {
					i |= 1
				}
				b.WriteString(halfBlocks[i])
			}
			b.WriteByte('\n')
		}
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		return fmt.Errorf("writing QR code: %w", err)
	}
	return nil
}

const (
	// defaultScale is the pixels per module of PNG(0).
	defaultScale = 8
	// maxPNGSize bounds PNG's size argument (a 4096-pixel square is 16 MiB
	// in memory).
	maxPNGSize = 4096
)

// PNG renders the code, quiet zone included, as a black-on-white PNG image
// about size pixels wide and high: every module is a square of the same
// whole number of pixels, the one that comes closest to size, and at least
// one. Size 0 means 8 pixels per module.
func (c *Code) PNG(size int) ([]byte, error) {
	if size < 0 || size > maxPNGSize {
		return nil, fmt.Errorf("QR code image size %d is out of range 0 to %d", size, maxPNGSize)
	}
	n := len(c.modules)
	scale := defaultScale
	if size > 0 {
		scale = max(1, (size+n/2)/n)
	}
	img := image.NewPaletted(image.Rect(0, 0, n*scale, n*scale),
		color.Palette{color.White, color.Black})
	for y, row := range c.modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			for py := y * scale; py < (y+1)*scale; py++ {
				off := img.PixOffset(x*scale, py)
				for i := range scale {
					img.Pix[off+i] = 1
				}
			}
		}
	}
	// The default compression makes smaller files of these images than
	// png.BestCompression, in a fifth of the time.
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, fmt.Errorf("rendering QR code as PNG: %w", err)
	}
	return b.Bytes(), nil
}
