// Package qr turns a wg-quick config into a QR code that a phone can scan,
// and draws it for a terminal or as a PNG image. It is the only package that
// imports a QR encoder (github.com/skip2/go-qrcode), and is not meant for end
// users.
//
// # Terminal colours
//
// A scanner expects dark modules on a light background. A terminal has no
// "dark" or "light" of its own: WriteTerminal prints glyphs (full or half
// blocks, or "##") where the text colour should show, and spaces where the
// background should. By default the glyphs stand for the light modules and
// the quiet zone, and the spaces for the dark modules, so the code has the
// right polarity on a terminal with light text on a dark background, the
// common default. This is the convention of qrencode -t utf8 and of
// go-qrcode's own ToSmallString. On a terminal with dark text on a light
// background, set Code.Invert.
//
// # Content
//
// The encoder splits the data into numeric, alphanumeric and byte segments to
// make the code smaller; it writes no ECI header, so a reader sees byte
// segments in its default character set. Every byte round-trips, but text
// beyond ASCII (a comment in UTF-8, say) is left to the reader to guess.
package qr
