package qr

import (
	"bytes"
	"testing"

	"github.com/makiuchi-d/gozxing/qrcode/decoder"
	qrcode "github.com/skip2/go-qrcode"
)

// byteCapacity is how many bytes a single byte-mode segment can hold in a
// version at a level, from gozxing's copy of the standard's tables, which
// are independent of go-qrcode's.
func byteCapacity(t testing.TB, level string, version int) int {
	t.Helper()
	v, err := decoder.Version_GetVersionForNumber(version)
	if err != nil {
		t.Fatal(err)
	}
	l, err := decoder.ErrorCorrectionLevel_ValueOf(level)
	if err != nil {
		t.Fatal(err)
	}
	data := v.GetTotalCodewords() - v.GetECBlocksForLevel(l).GetTotalECCodewords()
	header := 4 + decoder.Mode_BYTE.GetCharacterCountBits(v)
	return (data*8 - header) / 8
}

// minVersion is the smallest version that holds n bytes at level, or 0.
func minVersion(t testing.TB, level string, n int) int {
	t.Helper()
	for v := 1; v <= 40; v++ {
		if byteCapacity(t, level, v) >= n {
			return v
		}
	}
	return 0
}

// TestVersionChoice checks go-qrcode's version tables against gozxing's at
// every capacity boundary: for each level and version, the largest input
// that fits and one byte more. An off-by-one there would give a code that
// cannot be read, or a needlessly large one. Only the choice is checked
// (no symbol is built), which keeps it fast.
func TestVersionChoice(t *testing.T) {
	for _, l := range levels {
		for v := 1; v <= 40; v++ {
			limit := byteCapacity(t, l.name, v)
			for _, n := range []int{limit, limit + 1} {
				want := minVersion(t, l.name, n)
				q, err := qrcode.New(string(bytes.Repeat([]byte("x"), n)), l.level)
				got := 0
				if err == nil {
					got = q.VersionNumber
				}
				if got != want {
					t.Errorf("level %s, %d bytes: go-qrcode chose version %d (err %v), want %d", l.name, n, got, err, want)
				}
			}
		}
	}
	if got := byteCapacity(t, "L", 40); got != MaxBytes {
		t.Errorf("capacity of version 40-L = %d, MaxBytes = %d", got, MaxBytes)
	}
}
