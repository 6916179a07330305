package config

import "math"

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return 99
}

// strtoul mimics C's strtoul on a 64-bit system: leading white space, an
// optional sign, an optional 0x prefix for base 16, saturation at the maximum
// on overflow, and negation for a leading '-'. It returns the value and how
// many bytes were consumed (0 when no digits were found).
func strtoul(s string, base int) (uint64, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if base == 16 && i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') &&
		i+2 < len(s) && digitVal(s[i+2]) < 16 {
		i += 2
	}
	start := i
	var v uint64
	overflow := false
	for i < len(s) && digitVal(s[i]) < base {
		d := uint64(digitVal(s[i]))
		if v > (math.MaxUint64-d)/uint64(base) {
			overflow = true
		}
		v = v*uint64(base) + d
		i++
	}
	if i == start {
		return 0, 0
	}
	if overflow {
		return math.MaxUint64, i
	}
	if neg {
		v = -v
	}
	return v, i
}

// inetAton parses an IPv4 address as glibc's inet_aton does (the form
// getaddrinfo accepts for numeric hosts): one to four parts, each decimal,
// octal (leading 0) or hexadecimal (leading 0x), the last part filling the
// remaining bytes, with nothing after it.
func inetAton(s string) ([4]byte, bool) {
	var parts []uint64
	i := 0
	for {
		if i >= len(s) || !isDigit(s[i]) {
			return [4]byte{}, false
		}
		base := 10
		if s[i] == '0' {
			base = 8
			i++
			if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
				base = 16
				i++
			}
		}
		var v uint64
		for i < len(s) && digitVal(s[i]) < base {
			v = v*uint64(base) + uint64(digitVal(s[i]))
			if v > math.MaxUint32 {
				return [4]byte{}, false
			}
			i++
		}
		parts = append(parts, v)
		if i == len(s) {
			break
		}
		if s[i] != '.' || len(parts) == 4 {
			return [4]byte{}, false
		}
		i++
	}
	max := []uint64{math.MaxUint32, 0xffffff, 0xffff, 0xff}[len(parts)-1]
	last := parts[len(parts)-1]
	if last > max {
		return [4]byte{}, false
	}
	for _, p := range parts[:len(parts)-1] {
		if p > 0xff {
			return [4]byte{}, false
		}
	}
	var a [4]byte
	for j, p := range parts[:len(parts)-1] {
		a[j] = byte(p)
	}
	for j := 3; j >= len(parts)-1; j-- {
		a[j] = byte(last)
		last >>= 8
	}
	return a, true
}

// equalFold is C's strcasecmp(a, b) == 0: ASCII letters only.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
