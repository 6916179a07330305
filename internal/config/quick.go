package config

import (
	"bytes"
	"errors"
	"io"
	"net/netip"
	"slices"
	"strings"
)

// QuickConfig is a wg-quick(8) file: the wg-quick keys of its [Interface]
// section, and every other line, which is handed on to the wg parser.
type QuickConfig struct {
	Addresses []string
	// AddressLines holds the line each entry of Addresses comes from.
	AddressLines []int
	DNS          []string
	DNSSearch    []string
	// MTU and Table are raw strings, the last one given; "" when absent.
	MTU, Table string
	// MTULine and TableLine are their lines (0 when absent).
	MTULine, TableLine               int
	PreUp, PostUp, PreDown, PostDown []string
	SaveConfig                       bool
	// KillSwitch (our extension, `KillSwitch = true`): while the tunnel
	// is up nothing leaves the host but through it. KillSwitchLine is its
	// line (0 when absent).
	KillSwitch     bool
	KillSwitchLine int
	// ExcludedIPs (ours) are prefixes kept out of the tunnel, with the line
	// of each; AllowLAN (ours) keeps out the networks of the host's other
	// interfaces at up.
	ExcludedIPs      []string
	ExcludedIPsLines []int
	AllowLAN         bool
	AllowLANLine     int
	// WG holds the lines wg-quick passes to wg, trimmed, with their numbers.
	WG []Line
}

// isDNSServer matches wg-quick's (^[0-9.]+$)|(^.*:.*$): digits and dots
// only, or anything with a colon. Other DNS entries are search domains.
func isDNSServer(s string) bool {
	if strings.Contains(s, ":") {
		return true
	}
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// trimBlanks removes what `read -r` removes with the default IFS: leading
// and trailing spaces and tabs.
func trimBlanks(s string) string { return strings.Trim(s, " \t") }

// trimSpace removes [[:space:]] from both ends.
func trimSpace(s string) string { return strings.Trim(s, " \t\n\v\f\r") }

// words splits like an unquoted bash expansion of ${value//,/ }: commas
// become spaces, then the text splits on spaces, tabs and newlines.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// SplitDNS splits a DNS value as wg-quick does: into words at commas and
// blanks, the name servers (digits and dots only, or anything with a colon)
// and the search domains (the rest).
func SplitDNS(value string) (servers, search []string) {
	for _, v := range words(value) {
		if isDNSServer(v) {
			servers = append(servers, v)
		} else {
			search = append(search, v)
		}
	}
	return servers, search
}

// QuickKeys are the keys wg-quick(8) adds to the [Interface] section.
// KillSwitch, ExcludedIPs and AllowLAN are ours; `wg-quick strip` leaves
// them out as it does the others.
var QuickKeys = []string{"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig", "KillSwitch", "ExcludedIPs", "AllowLAN"}

// ParseQuick reads a wg-quick(8) file the way wg-quick's parse_options does.
// Only the wg-quick keys of the [Interface] section are taken out; keys match
// without regard to case; hooks keep everything after the first '=',
// comments included. NUL bytes are dropped, as bash's read drops them
// (`ListenPort = 51<NUL>001' is 51001, for `up' and in `strip').
func ParseQuick(r io.Reader) (*QuickConfig, error) { return ParseQuickLines(ReadLines(r)) }

// ParseQuickLines is ParseQuick of lines already read; the wg lines it
// keeps (q.WG) take the place of lines in their memory.
func ParseQuickLines(lines []Line) (*QuickConfig, error) {
	q := &QuickConfig{WG: lines[:0]}
	inInterface := false
	for _, l := range lines {
		line := trimBlanks(strings.ReplaceAll(l.Text, "\x00", ""))
		stripped, _, _ := strings.Cut(line, "#")
		key, value, _ := strings.Cut(stripped, "=")
		if !strings.Contains(stripped, "=") {
			value = stripped
		}
		key, value = trimSpace(key), trimSpace(value)
		if strings.HasPrefix(key, "[") {
			inInterface = false
		}
		if equalFold(key, "[Interface]") {
			inInterface = true
		}
		if inInterface {
			hook := trimSpace(line)
			if _, v, ok := strings.Cut(line, "="); ok {
				hook = trimSpace(v)
			}
			consumed := true
			switch {
			case equalFold(key, "Address"):
				for _, w := range words(value) {
					q.Addresses = append(q.Addresses, w)
					q.AddressLines = append(q.AddressLines, l.Num)
				}
			case equalFold(key, "MTU"):
				q.MTU, q.MTULine = value, l.Num
			case equalFold(key, "DNS"):
				servers, search := SplitDNS(value)
				q.DNS = append(q.DNS, servers...)
				q.DNSSearch = append(q.DNSSearch, search...)
			case equalFold(key, "Table"):
				q.Table, q.TableLine = value, l.Num
			case equalFold(key, "PreUp"):
				q.PreUp = append(q.PreUp, hook)
			case equalFold(key, "PostUp"):
				q.PostUp = append(q.PostUp, hook)
			case equalFold(key, "PreDown"):
				q.PreDown = append(q.PreDown, hook)
			case equalFold(key, "PostDown"):
				q.PostDown = append(q.PostDown, hook)
			case equalFold(key, "SaveConfig"):
				v, err := quickBool(l.Num, "SaveConfig", value)
				if err != nil {
					return nil, err
				}
				q.SaveConfig = v
			case equalFold(key, "KillSwitch"):
				v, err := quickBool(l.Num, "KillSwitch", value)
				if err != nil {
					return nil, err
				}
				q.KillSwitch, q.KillSwitchLine = v, l.Num
			case equalFold(key, "ExcludedIPs"):
				for _, w := range words(value) {
					q.ExcludedIPs = append(q.ExcludedIPs, w)
					q.ExcludedIPsLines = append(q.ExcludedIPsLines, l.Num)
				}
			case equalFold(key, "AllowLAN"):
				v, err := quickBool(l.Num, "AllowLAN", value)
				if err != nil {
					return nil, err
				}
				q.AllowLAN, q.AllowLANLine = v, l.Num
			default:
				consumed = false
			}
			if consumed {
				continue
			}
		}
		q.WG = append(q.WG, Line{Num: l.Num, Text: line})
	}
	return q, nil
}

// quickBool reads a true/false value as wg-quick reads SaveConfig.
func quickBool(line int, key, value string) (bool, error) {
	switch {
	case equalFold(value, "true"):
		return true, nil
	case equalFold(value, "false"):
		return false, nil
	}
	return false, &Error{Line: line, Key: key, Msg: "`" + value + "' is neither true nor false", Kind: KindLine}
}

// Strip returns the text `wg-quick strip` prints: the lines for wg, each
// ending in a newline, then one more newline.
func (q *QuickConfig) Strip() string {
	var b strings.Builder
	for _, l := range q.WG {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	return b.String()
}

// ExtensionKeys are the [Interface] keys only this wg-quick knows; the
// WireGuard apps that read a config from a QR code refuse them.
var ExtensionKeys = []string{"KillSwitch", "ExcludedIPs", "AllowLAN"}

// WithoutExtensions is text without the lines of its [Interface] sections
// that set one of ExtensionKeys; every other line stays as it is.
func WithoutExtensions(text []byte) []byte {
	var out []byte
	inInterface := false
	for rest := text; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i+1], rest[i+1:]
		} else {
			rest = nil
		}
		stripped, _, _ := strings.Cut(trimBlanks(strings.TrimRight(string(line), "\r\n")), "#")
		key, _, _ := strings.Cut(stripped, "=")
		key = trimSpace(key)
		if strings.HasPrefix(key, "[") {
			inInterface = equalFold(key, "[Interface]")
		}
		if inInterface && strings.Contains(stripped, "=") && slices.ContainsFunc(ExtensionKeys, func(k string) bool { return equalFold(key, k) }) {
			continue
		}
		out = append(out, line...)
	}
	return out
}

// ParseAddress reads an Address (or ExcludedIPs) entry as ip(8) does:
// ip/cidr, or a bare ip for one host.
func ParseAddress(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p, nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, errors.New("address `" + Excerpt(s) + "' is not an IP address with an optional /prefix")
}
