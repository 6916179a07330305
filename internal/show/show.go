// Package show renders devices as `wg show` does: the pretty, coloured
// listing, single fields, dump, showconf and JSON. It is pure: the clock,
// colour and key hiding are inputs.
package show

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wgtools/wgtools/internal/config"
)

// Options are the inputs of pretty printing.
type Options struct {
	// Now is the current time, for "… ago".
	Now time.Time
	// Color turns on terminal colours.
	Color bool
	// ShowKeys shows private and preshared keys instead of "(hidden)"
	// (WG_HIDE_KEYS=never).
	ShowKeys bool
}

// Escape sequences, as upstream's terminal.h.
const (
	reset  = "\x1b[0m"
	bold   = "\x1b[1m"
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	cyan   = "\x1b[36m"
	red    = "\x1b[31m"
)

// Pretty writes one device's pretty block. Peers are sorted by latest
// handshake, newest first, never-seen last, keeping device order on ties.
func Pretty(w io.Writer, d *config.Device, o Options) error {
	out := w
	if !o.Color {
		out = plainWriter{w}
	}
	b := make([]byte, 0, 64<<10)
	field := func(label string) { b = append(append(append(b, "  "+bold...), label...), reset+": "...) }
	b = append(b, reset+green+bold+"interface"+reset+": "+green...)
	b = append(append(b, d.Name...), reset+"\n"...)
	if d.HasPrivateKey() {
		field("public key")
		b = append(config.AppendKey(b, d.PublicKey), '\n')
		field("private key")
		b = append(o.appendSecret(b, d.PrivateKey), '\n')
	}
	if d.ListenPort != 0 {
		field("listening port")
		b = append(strconv.AppendInt(b, int64(d.ListenPort), 10), '\n')
	}
	if d.FwMark != 0 {
		field("fwmark")
		b = append(strconv.AppendUint(append(b, "0x"...), uint64(d.FwMark), 16), '\n')
	}
	peers := SortedPeers(d.Peers)
	if len(peers) > 0 {
		b = append(b, '\n')
	}
	for i := range peers {
		p := &peers[i]
		b = append(b, yellow+bold+"peer"+reset+": "+yellow...)
		b = append(config.AppendKey(b, p.PublicKey), reset+"\n"...)
		if !config.IsZero(p.PresharedKey) {
			field("preshared key")
			b = append(o.appendSecret(b, p.PresharedKey), '\n')
		}
		if p.Endpoint.IsValid() {
			field("endpoint")
			b = append(config.AppendEndpoint(b, p.Endpoint), '\n')
		}
		field("allowed ips")
		if len(p.AllowedIPs) == 0 {
			b = append(b, "(none)"...)
		}
		for j, a := range p.AllowedIPs {
			if j > 0 {
				b = append(b, ", "...)
			}
			b = append(config.AppendAddr(b, a.Addr()), cyan+"/"+reset...)
			b = strconv.AppendInt(b, int64(a.Bits()), 10)
		}
		b = append(b, '\n')
		if p.LastHandshakeSec != 0 {
			field("latest handshake")
			b = append(append(b, ago(p.LastHandshakeSec, o.Now)...), '\n')
		}
		if p.RxBytes != 0 || p.TxBytes != 0 {
			field("transfer")
			b = append(append(b, bytesText(p.RxBytes)...), " received, "...)
			b = append(append(b, bytesText(p.TxBytes)...), " sent\n"...)
		}
		if p.PersistentKeepalive != 0 {
			field("persistent keepalive")
			b = append(append(append(b, "every "...), duration(uint64(p.PersistentKeepalive))...), '\n')
		}
		if i < len(peers)-1 {
			b = append(b, '\n')
		}
		var err error
		if b, err = config.FlushFull(out, b); err != nil {
			return err
		}
	}
	_, err := out.Write(b)
	return err
}

// plainWriter drops escape sequences on the way to w. Chunks always end at a
// line end, so no sequence is split between writes.
type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(stripEscapes(b)); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (o Options) appendSecret(b []byte, k config.Key) []byte {
	if o.ShowKeys {
		return config.AppendKey(b, k)
	}
	return append(b, "(hidden)"...)
}

// SortedPeers returns the peers in pretty order: newest handshake first,
// peers that never had one last, device order kept on ties.
func SortedPeers(peers []config.DevicePeer) []config.DevicePeer {
	out := append([]config.DevicePeer(nil), peers...)
	never := func(p *config.DevicePeer) bool { return p.LastHandshakeSec == 0 && p.LastHandshakeNsec == 0 }
	slices.SortStableFunc(out, func(a, b config.DevicePeer) int {
		switch {
		case never(&a) != never(&b):
			if never(&a) {
				return 1
			}
			return -1
		case a.LastHandshakeSec != b.LastHandshakeSec:
			return cmp.Compare(b.LastHandshakeSec, a.LastHandshakeSec)
		}
		return cmp.Compare(b.LastHandshakeNsec, a.LastHandshakeNsec)
	})
	return out
}

func ago(sec int64, now time.Time) string {
	n := now.Unix()
	switch {
	case n == sec:
		return "Now"
	case n < sec:
		return "(" + red + "System clock wound backward; connection problems may ensue." + reset + ")"
	}
	return duration(uint64(n-sec)) + " ago"
}

// duration writes seconds as years (of 365 days), days, hours, minutes and
// seconds, skipping zero parts.
func duration(left uint64) string {
	units := []struct {
		name string
		secs uint64
	}{{"year", 365 * 24 * 3600}, {"day", 24 * 3600}, {"hour", 3600}, {"minute", 60}, {"second", 1}}
	var parts []string
	for _, u := range units {
		n := left / u.secs
		left -= n * u.secs
		if n == 0 {
			continue
		}
		name := u.name
		if n != 1 {
			name += "s"
		}
		parts = append(parts, fmt.Sprintf("%d "+cyan+"%s"+reset, n, name))
	}
	return strings.Join(parts, ", ")
}

func bytesText(b uint64) string {
	const k = 1024
	switch {
	case b < k:
		return fmt.Sprintf("%d "+cyan+"B"+reset, b)
	case b < k*k:
		return fmt.Sprintf("%.2f "+cyan+"KiB"+reset, float64(b)/k)
	case b < k*k*k:
		return fmt.Sprintf("%.2f "+cyan+"MiB"+reset, float64(b)/(k*k))
	case b < k*k*k*k:
		return fmt.Sprintf("%.2f "+cyan+"GiB"+reset, float64(b)/(k*k*k))
	}
	return fmt.Sprintf("%.2f "+cyan+"TiB"+reset, float64(b)/(k*k*k*k))
}

// stripEscapes removes every ESC[…letter sequence, as upstream does when
// colour is off.
func stripEscapes(s []byte) []byte {
	out := s[:0:0]
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b && i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && !(s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z') {
				j++
			}
			if j < len(s) {
				i = j
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}
