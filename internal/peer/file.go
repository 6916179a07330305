// Package peer manages the peers of a wg-quick server config as text: it
// finds the interface's networks and the peers (named by `# Name = NAME`
// comments), allocates client addresses, and adds or removes [Peer]
// blocks while leaving every other byte of the file as it was. It is pure:
// the command reads and writes the files and the live interface.
package peer

import (
	"bytes"
	"fmt"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
)

// File is a wg-quick config file and what peer management needs of it.
type File struct {
	Text []byte
	// Addresses are the [Interface] Address entries (the networks to
	// allocate client addresses from, and the server's own addresses).
	Addresses []netip.Prefix
	// DNS are the [Interface] DNS entries, as written.
	DNS []string
	// PrivateKey is the [Interface] PrivateKey text ("" when absent).
	PrivateKey string
	// ListenPort is the [Interface] ListenPort text ("" when absent).
	ListenPort string
	// Endpoint is the remembered `# ClientEndpoint = HOST:PORT`.
	Endpoint string
	// endpointLine is the byte range of that line; iface the end of the
	// [Interface] header line.
	endpointLine [2]int
	ifaceHeader  int
	Peers        []Entry
}

// Entry is one [Peer] block.
type Entry struct {
	Name       string
	PublicKey  string
	AllowedIPs []netip.Prefix
	// Start and End delimit the block's bytes: its own leading comments
	// and one blank line before them, up to where the next block starts.
	Start, End int
}

// EndpointComment is how the endpoint clients use is remembered.
const EndpointComment = "# ClientEndpoint = "

type line struct {
	start, end int // end excludes the newline
	text       string
}

func lines(text []byte) []line {
	var out []line
	for start := 0; start < len(text); {
		end := bytes.IndexByte(text[start:], '\n')
		next := len(text)
		if end < 0 {
			end = len(text)
		} else {
			end += start
			next = end + 1
		}
		out = append(out, line{start, end, strings.TrimSpace(strings.TrimSuffix(string(text[start:end]), "\r"))})
		start = next
	}
	return out
}

// keyValue splits `Key = value # comment` as wg does: the part before '#',
// the key case-folded.
func keyValue(s string) (key, value string, ok bool) {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	k, v, ok := strings.Cut(s, "=")
	return strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(v), ok
}

func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
}

// Parse reads a server config. It does not validate what wg(8) checks;
// the caller parses the file with the config package for that.
func Parse(text []byte) (*File, error) {
	f := &File{Text: text, ifaceHeader: -1}
	ls := lines(text)
	section := ""
	var cur *Entry
	for i, l := range ls {
		if strings.HasPrefix(l.text, "[") {
			section = strings.ToLower(l.text)
			if cur != nil {
				cur.End = blockStart(ls, i)
			}
			cur = nil
			switch section {
			case "[interface]":
				if f.ifaceHeader < 0 {
					f.ifaceHeader = l.end
				}
			case "[peer]":
				f.Peers = append(f.Peers, Entry{Start: blockStart(ls, i), End: len(text)})
				cur = &f.Peers[len(f.Peers)-1]
			}
			continue
		}
		if rest, ok := strings.CutPrefix(l.text, EndpointComment); ok && section == "[interface]" {
			f.Endpoint = strings.TrimSpace(rest)
			f.endpointLine = [2]int{l.start, l.end}
			continue
		}
		if rest, ok := strings.CutPrefix(l.text, "# Name = "); ok && cur != nil && cur.Name == "" {
			cur.Name = strings.TrimSpace(rest)
			continue
		}
		k, v, ok := keyValue(l.text)
		if !ok {
			continue
		}
		switch {
		case section == "[interface]" && k == "address":
			for _, a := range splitList(v) {
				p, err := config.ParseAddress(a)
				if err != nil {
					return nil, fmt.Errorf("line %d: Address %s: %w", i+1, a, err)
				}
				f.Addresses = append(f.Addresses, p)
			}
		case section == "[interface]" && k == "dns":
			f.DNS = append(f.DNS, splitList(v)...)
		case section == "[interface]" && k == "privatekey":
			f.PrivateKey = v
		case section == "[interface]" && k == "listenport":
			f.ListenPort = v
		case cur != nil && k == "publickey":
			cur.PublicKey = v
		case cur != nil && k == "allowedips":
			for _, a := range splitList(v) {
				p, err := netip.ParsePrefix(strings.TrimLeft(a, "+"))
				if err != nil {
					return nil, fmt.Errorf("line %d: AllowedIPs %s: %w", i+1, a, err)
				}
				cur.AllowedIPs = append(cur.AllowedIPs, p)
			}
		}
	}
	return f, nil
}

// blockStart is where the block whose header is line i begins: the
// comment lines right above it, and one blank line before those.
func blockStart(ls []line, i int) int {
	j := i
	for j > 0 && strings.HasPrefix(ls[j-1].text, "#") {
		j--
	}
	if j > 0 && ls[j-1].text == "" {
		j--
	}
	return ls[j].start
}

// Find returns the peer with that name or public key.
func (f *File) Find(nameOrKey string) (*Entry, bool) {
	for i := range f.Peers {
		if f.Peers[i].Name == nameOrKey || f.Peers[i].PublicKey == nameOrKey {
			return &f.Peers[i], true
		}
	}
	return nil, false
}
