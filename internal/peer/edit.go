package peer

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// NameRe is what a peer name may be.
var NameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$`) })

// New is a peer to add to the server's file.
type New struct {
	Name         string
	PublicKey    string
	PresharedKey string // "" for none
	// AllowedIPs are the client's addresses as hosts (/32, /128).
	AllowedIPs []netip.Prefix
}

// Block is the text Add appends: a blank line, then the [Peer] section.
func (n *New) Block() string {
	var b strings.Builder
	b.WriteString("\n[Peer]\n# Name = " + n.Name + "\nPublicKey = " + n.PublicKey + "\n")
	if n.PresharedKey != "" {
		b.WriteString("PresharedKey = " + n.PresharedKey + "\n")
	}
	ips := make([]string, len(n.AllowedIPs))
	for i, p := range n.AllowedIPs {
		ips[i] = p.String()
	}
	b.WriteString("AllowedIPs = " + strings.Join(ips, ", ") + "\n")
	return b.String()
}

// Add returns the file's text with the peer appended; the rest is
// unchanged (a missing final newline is added).
func (f *File) Add(n *New) ([]byte, error) {
	if !NameRe().MatchString(n.Name) {
		return nil, fmt.Errorf("peer name %q: use 1 to 64 letters, digits and _.@+- (starting with a letter or digit)", n.Name)
	}
	for _, p := range f.Peers {
		if p.Name == n.Name {
			return nil, fmt.Errorf("a peer named %s already exists", n.Name)
		}
		if p.PublicKey == n.PublicKey {
			return nil, fmt.Errorf("a peer with public key %s already exists", n.PublicKey)
		}
	}
	out := append([]byte{}, f.Text...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, n.Block()...), nil
}

// Remove returns the file's text without the peer's block.
func (f *File) Remove(e *Entry) []byte {
	out := append([]byte{}, f.Text[:e.Start]...)
	return append(out, f.Text[e.End:]...)
}

// WithEndpoint returns the text remembering endpoint as the one clients
// use: the existing `# ClientEndpoint = ` line replaced, or one added
// right after the [Interface] header.
func (f *File) WithEndpoint(text []byte, endpoint string) []byte {
	if f.Endpoint == endpoint {
		return text
	}
	line := EndpointComment + endpoint
	var at, end int
	switch {
	case f.Endpoint != "":
		at, end = f.endpointLine[0], f.endpointLine[1]
	case f.ifaceHeader >= 0:
		at, end = f.ifaceHeader, f.ifaceHeader
		line = "\n" + line
	default:
		return text
	}
	out := append([]byte{}, text[:at]...)
	out = append(out, line...)
	return append(out, text[end:]...)
}

// CheckEndpoint accepts HOST:PORT, with IPv6 hosts in brackets.
func CheckEndpoint(s string) error {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return fmt.Errorf("endpoint %q has no port (want HOST:PORT, e.g. vpn.example.com:51820 or [2001:db8::1]:51820)", s)
	}
	host, port := s[:i], s[i+1:]
	if strings.Contains(host, ":") && !(strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]")) {
		return fmt.Errorf("endpoint %q: put an IPv6 address in brackets, as [2001:db8::1]:51820", s)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("endpoint %q: port %q is not a number from 1 to 65535", s, port)
	}
	return nil
}

// Client is the config a new peer brings itself up with.
type Client struct {
	PrivateKey   string
	Addresses    []netip.Prefix
	DNS          []string
	ServerKey    string
	PresharedKey string
	Endpoint     string
	AllowedIPs   []string
	Keepalive    int
}

// Text is the client's wg-quick config.
func (c *Client) Text() string {
	var b strings.Builder
	addrs := make([]string, len(c.Addresses))
	for i, a := range c.Addresses {
		addrs[i] = a.String()
	}
	b.WriteString("[Interface]\nPrivateKey = " + c.PrivateKey + "\nAddress = " + strings.Join(addrs, ", ") + "\n")
	if len(c.DNS) > 0 {
		b.WriteString("DNS = " + strings.Join(c.DNS, ", ") + "\n")
	}
	b.WriteString("\n[Peer]\nPublicKey = " + c.ServerKey + "\n")
	if c.PresharedKey != "" {
		b.WriteString("PresharedKey = " + c.PresharedKey + "\n")
	}
	b.WriteString("Endpoint = " + c.Endpoint + "\nAllowedIPs = " + strings.Join(c.AllowedIPs, ", ") + "\n")
	if c.Keepalive > 0 {
		fmt.Fprintf(&b, "PersistentKeepalive = %d\n", c.Keepalive)
	}
	return b.String()
}
