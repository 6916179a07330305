package qr

import (
	"errors"
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// MaxBytes is the most bytes of arbitrary data that one QR code holds
// (version 40, error-correction level L, byte mode). Data made mostly of
// digits and upper-case letters packs tighter and may be longer.
const MaxBytes = 2953

// ErrTooLarge is wrapped by the error Encode returns when the data does not
// fit in a QR code even at the lowest error-correction level.
var ErrTooLarge = errors.New("config too large for a QR code")

// tooLargeError says how large the data was; it unwraps to ErrTooLarge.
type tooLargeError struct {
	size int
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("config is %d bytes; a QR code holds at most %d bytes "+
		"(hint: fewer peers, or shorter AllowedIPs)", e.size, MaxBytes)
}

func (e *tooLargeError) Unwrap() error { return ErrTooLarge }

// levels lists the error-correction levels from the most robust down.
// go-qrcode names them differently: its High is Q and its Highest is H.
var levels = []struct {
	name  string
	level qrcode.RecoveryLevel
}{
	{"H", qrcode.Highest},
	{"Q", qrcode.High},
	{"M", qrcode.Medium},
	{"L", qrcode.Low},
}

// Code is an encoded QR code. It is immutable apart from Invert, and safe
// for concurrent use as long as Invert is not changed meanwhile.
type Code struct {
	// Invert makes WriteTerminal draw the dark modules as glyphs instead
	// of the light ones, for a terminal with dark text on a light
	// background. It does not affect Modules or PNG.
	Invert bool

	modules [][]bool // with the quiet zone; true = dark
	level   string
	version int
}

// Encode encodes data with the highest error-correction level that fits: H,
// then Q, M and L. Data too large even at level L gives an error wrapping
// ErrTooLarge that tells the size.
func Encode(data []byte) (*Code, error) {
	if len(data) == 0 {
		return nil, errors.New("nothing to encode as a QR code: the config is empty")
	}
	var lastErr error
	for _, l := range levels {
		q, err := qrcode.New(string(data), l.level)
		if err != nil {
			lastErr = err // too long at this level; try a lower one
			continue
		}
		modules, err := bitmap(q)
		if err != nil {
			return nil, err
		}
		return &Code{modules: modules, level: l.name, version: q.VersionNumber}, nil
	}
	if len(data) <= MaxBytes {
		// Cannot happen with go-qrcode as it is; keep its reason if it does.
		return nil, fmt.Errorf("encoding %d bytes as a QR code: %w", len(data), lastErr)
	}
	return nil, &tooLargeError{size: len(data)}
}

// bitmap builds the symbol. go-qrcode reports an internal inconsistency
// with log.Panic; turn that into an error rather than crash the command.
func bitmap(q *qrcode.QRCode) (modules [][]bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			modules, err = nil, fmt.Errorf("encoding QR code: encoder failed: %v", r)
		}
	}()
	// Bitmap shares its rows with q; copy them so Code owns its matrix.
	return copyMatrix(q.Bitmap()), nil
}

// Modules returns the module matrix including a 4-module quiet zone on each
// side (true = dark), indexed [y][x]. The caller may modify the result.
func (c *Code) Modules() [][]bool {
	return copyMatrix(c.modules)
}

// Level names the error-correction level used: "L", "M", "Q" or "H".
func (c *Code) Level() string {
	return c.level
}

func copyMatrix(m [][]bool) [][]bool {
	out := make([][]bool, len(m))
	for i, row := range m {
		out[i] = append([]bool(nil), row...)
	}
	return out
}
