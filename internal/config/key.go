package config

import (
	"crypto/subtle"
	"encoding/base64"
	"io"
)

// KeyLen is the length of a base64-encoded key, padding included.
const KeyLen = 44

// ParseKey decodes a key strictly, as wireguard-tools does: exactly 44
// characters of standard base64 ending in '=', with a canonical last
// character. The boolean reports success; no error text is made here so that
// callers decide whether the input may be echoed.
func ParseKey(s string) (Key, bool) {
	var k Key
	if len(s) != KeyLen || s[KeyLen-1] != '=' {
		return k, false
	}
	n, err := base64.StdEncoding.Strict().Decode(k[:], []byte(s))
	if err != nil || n != len(k) {
		return Key{}, false
	}
	return k, true
}

// IsZero reports whether k is all zeros, in constant time. A zero key means
// "no key" on the wire: it removes a private or preshared key.
func IsZero(k Key) bool {
	var zero Key
	return subtle.ConstantTimeCompare(k[:], zero[:]) == 1
}

// FormatKey returns the base64 form of k.
func FormatKey(k Key) string { return base64.StdEncoding.EncodeToString(k[:]) }

// NewKey reads a random key from r: a preshared key (`wg genpsk`).
func NewKey(r io.Reader) (Key, error) {
	var k Key
	_, err := io.ReadFull(r, k[:])
	return k, err
}

// NewPrivateKey reads a random key from r and clamps it as a Curve25519
// private key, as `wg genkey` does; k.PublicKey() is its public key.
func NewPrivateKey(r io.Reader) (Key, error) {
	k, err := NewKey(r)
	k[0] &= 248
	k[31] = (k[31] & 127) | 64
	return k, err
}
