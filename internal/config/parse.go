package config

import (
	"bufio"
	"io"
	"io/fs"
	"strings"
)

// Line is one line of configuration text and its 1-based number in its file.
type Line struct {
	Num  int
	Text string
}

// ReadLines splits r into lines as getline(3) does: '\n' ends a line, and a
// last line without one still counts. As with getline, a read error (such as
// reading a directory) ends the input like end of file does. The lines share
// one string.
func ReadLines(r io.Reader) []Line {
	var buf strings.Builder
	if st, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
			buf.Grow(int(fi.Size()) + 1)
		}
	}
	io.Copy(&buf, r)
	return SplitLines(buf.String())
}

// SplitLines is ReadLines of text already read; the lines share its
// memory.
func SplitLines(all string) []Line {
	lines := make([]Line, 0, strings.Count(all, "\n")+1)
	for n := 1; all != ""; n++ {
		line, rest, _ := strings.Cut(all, "\n")
		lines = append(lines, Line{Num: n, Text: line})
		all = rest
	}
	return lines
}

// Parse reads a wg(8) configuration file, as `wg setconf` does, line by
// line through a 64 KiB buffer: a file of tens of thousands of peers is
// never held whole. The parse keeps no part of a line (values are decoded
// or copied), so the lines are views of the buffer.
func (o *Options) Parse(r io.Reader) (*Config, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	p := o.newParser(-1)
	var long []byte
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer
			long = append(long[:0], line...)
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) == 0 {
			break // the end, or a read error, which ends the input as getline's does
		}
		text := line
		if text[len(text)-1] == '\n' {
			text = text[:len(text)-1]
		}
		if perr := p.line(n, View(text)); perr != nil {
			return nil, perr
		}
		if err != nil {
			break
		}
	}
	return p.finish()
}

type section int

const (
	sectionNone section = iota
	sectionInterface
	sectionPeer
)

// ParseLines parses wg(8) configuration lines. Each line loses its comment
// and then every white-space character; sections and keys match without
// regard to case; a value must not be empty.
func (o *Options) ParseLines(lines []Line) (*Config, error) {
	sections := 0
	for _, l := range lines {
		if strings.IndexByte(l.Text, '[') >= 0 {
			sections++
		}
	}
	p := o.newParser(sections)
	for _, l := range lines {
		if err := p.line(l.Num, l.Text); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

// parser is one parse: the config so far, the section it is in, and the
// options with the parse's slabs.
type parser struct {
	o   *Options
	cfg *Config
	sec section
}

// newParser starts a parse of sections sections at most (-1: unknown,
// room Reserved).
func (o *Options) newParser(sections int) *parser {
	peers := Reserved[Peer]()
	if sections >= 0 {
		peers = make([]Peer, 0, sections)
	}
	return &parser{o: o.withMem(), cfg: &Config{Peers: peers}}
}

// line parses one line, numbered num; it keeps no part of text.
func (p *parser) line(num int, text string) error {
	o, cfg := p.o, p.cfg
	raw := visible(text)
	var key, value string
	ok := false
	if k, v, hasEq := strings.Cut(raw, "="); hasEq {
		k = deleteSpace(k)
		if p.sec == sectionPeer && equalFold(k, "AllowedIPs") {
			v = o.mem.squeeze(v) // parsed, never kept: no copy of its own
		} else {
			v = deleteSpace(v)
		}
		key, value, ok = matchKey(k, v, p.sec)
	} else {
		text := deleteSpace(raw)
		switch {
		case text == "":
			return nil
		case equalFold(text, "[Interface]"):
			p.sec = sectionInterface
			return nil
		case equalFold(text, "[Peer]"):
			cfg.Peers = append(cfg.Peers, Peer{ReplaceAllowedIPs: true, Line: num})
			p.sec = sectionPeer
			return nil
		}
	}
	var err error
	switch {
	case !ok:
		err = &valueError{msg: quote("Line unrecognized", redactLine(deleteSpace(raw)))}
	case p.sec == sectionInterface:
		err = o.interfaceValue(cfg, key, value)
	default:
		err = o.peerValue(&cfg.Peers[len(cfg.Peers)-1], key, value)
	}
	if err == nil {
		return nil
	}
	err = lineError(err, num, key)
	if e, isErr := err.(*Error); isErr && !ok {
		e.Unrecognized = true
		if k, _, hasEq := strings.Cut(raw, "="); hasEq {
			e.Key = strings.Clone(deleteSpace(k))
		}
	}
	return err
}

// finish checks the whole: every peer has a public key.
func (p *parser) finish() (*Config, error) {
	for _, peer := range p.cfg.Peers {
		if !peer.HasPublicKey {
			return nil, &Error{Line: peer.Line, Msg: "A peer is missing a public key", Kind: KindInvalid}
		}
	}
	return p.cfg, nil
}

func lineError(err error, line int, key string) error {
	ve, ok := err.(*valueError)
	if !ok {
		return err
	}
	msg := ve.msg
	if key != "" && key != "PublicKey" {
		msg = redactKeys(msg)
	}
	e := &Error{Line: line, Key: key, Msg: msg, Kind: KindLine}
	if ve.fatal {
		e.Kind = KindFatal
	}
	return e
}

// visible cuts what C would not see: everything from a NUL on, and the
// comment.
func visible(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	return s
}

// deleteSpace removes every white-space character, as wg does to each line.
// It allocates only when white space stands inside the text.
func deleteSpace(s string) string {
	start, end := 0, len(s)
	for start < end && spaceTable[s[start]] {
		start++
	}
	for end > start && spaceTable[s[end-1]] {
		end--
	}
	s = s[start:end]
	inner := false
	for i := 0; i < len(s); i++ {
		if spaceTable[s[i]] {
			inner = true
			break
		}
	}
	if !inner {
		return s
	}
	return string(appendNoSpace(make([]byte, 0, len(s)), s))
}

// appendNoSpace appends s without its white-space characters.
func appendNoSpace(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !spaceTable[s[i]] {
			b = append(b, s[i])
		}
	}
	return b
}

// spaceTable marks C's isspace characters.
var spaceTable = [256]bool{' ': true, '\t': true, '\n': true, '\v': true, '\f': true, '\r': true}

// The keys of wg(8)'s sections, as its documentation spells them.
var (
	InterfaceKeys = []string{"PrivateKey", "ListenPort", "FwMark"}
	PeerKeys      = []string{"PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"}
)

// matchKey matches a key (white space already removed) against the keys of
// the section, ignoring case; the value must not be empty.
func matchKey(key, value string, sec section) (string, string, bool) {
	keys := InterfaceKeys
	switch sec {
	case sectionNone:
		return "", "", false
	case sectionPeer:
		keys = PeerKeys
	}
	if value == "" {
		return "", "", false
	}
	for _, k := range keys {
		if equalFold(key, k) {
			return k, value, true
		}
	}
	return "", "", false
}

func (o *Options) interfaceValue(cfg *Config, key, value string) error {
	switch key {
	case "PrivateKey":
		k, err := SecretKey(value)
		if err != nil {
			return err
		}
		cfg.PrivateKey = &k
	case "ListenPort":
		p, err := o.Port(value)
		if err != nil {
			return err
		}
		cfg.ListenPort = &p
	case "FwMark":
		m, err := FwMark(value)
		if err != nil {
			return err
		}
		cfg.FwMark = &m
	}
	return nil
}

func (o *Options) peerValue(p *Peer, key, value string) error {
	switch key {
	case "PublicKey":
		k, err := PublicKey(value)
		if err != nil {
			return err
		}
		p.PublicKey, p.HasPublicKey = k, true
	case "PresharedKey":
		k, err := SecretKey(value)
		if err != nil {
			return err
		}
		p.PresharedKey = o.mem.keys.New(k)
	case "AllowedIPs":
		return o.AllowedIPs(p, value)
	case "Endpoint":
		ep, err := o.Endpoint(value)
		if err != nil {
			return err
		}
		p.Endpoint = o.mem.addrs.New(ep)
	case "PersistentKeepalive":
		n, err := Keepalive(value)
		if err != nil {
			return err
		}
		p.PersistentKeepalive = o.mem.ints.New(n)
	}
	return nil
}

// redactLine hides key material in a line that is about to be quoted in an
// error, unless the line sets a public key.
func redactLine(text string) string {
	name, _, _ := strings.Cut(text, "=")
	if equalFold(name, "PublicKey") {
		return text
	}
	return redactKeys(text)
}

// redactKeys replaces every 44-character run that decodes as a key.
func redactKeys(text string) string {
	if len(text) < KeyLen {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); {
		if i+KeyLen <= len(text) {
			if _, ok := ParseKey(text[i : i+KeyLen]); ok {
				b.WriteString(HiddenValue)
				i += KeyLen
				continue
			}
		}
		b.WriteByte(text[i])
		i++
	}
	return b.String()
}
