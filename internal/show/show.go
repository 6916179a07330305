// Package show renders devices as `wg show` does: the pretty, coloured
// listing, single fields, dump, showconf and JSON. It is pure: the clock,
// colour and key hiding are inputs.
package show

import (
	"fmt"
	"io"
	"sort"
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
	var b strings.Builder
	b.WriteString(reset)
	fmt.Fprintf(&b, green+bold+"interface"+reset+": "+green+"%s"+reset+"\n", d.Name)
	if d.HasPrivateKey() {
		fmt.Fprintf(&b, "  "+bold+"public key"+reset+": %s\n", config.FormatKey(d.PublicKey))
		fmt.Fprintf(&b, "  "+bold+"private key"+reset+": %s\n", o.secret(d.PrivateKey))
	}
	if d.ListenPort != 0 {
		fmt.Fprintf(&b, "  "+bold+"listening port"+reset+": %d\n", d.ListenPort)
	}
	if d.FwMark != 0 {
		fmt.Fprintf(&b, "  "+bold+"fwmark"+reset+": 0x%x\n", d.FwMark)
	}
	peers := SortedPeers(d.Peers)
	if len(peers) > 0 {
		b.WriteString("\n")
	}
	for i, p := range peers {
		fmt.Fprintf(&b, yellow+bold+"peer"+reset+": "+yellow+"%s"+reset+"\n", config.FormatKey(p.PublicKey))
		if !config.IsZero(p.PresharedKey) {
			fmt.Fprintf(&b, "  "+bold+"preshared key"+reset+": %s\n", o.secret(p.PresharedKey))
		}
		if p.Endpoint.IsValid() {
			fmt.Fprintf(&b, "  "+bold+"endpoint"+reset+": %s\n", config.FormatEndpoint(p.Endpoint))
		}
		b.WriteString("  " + bold + "allowed ips" + reset + ": ")
		if len(p.AllowedIPs) == 0 {
			b.WriteString("(none)\n")
		}
		for j, a := range p.AllowedIPs {
			fmt.Fprintf(&b, "%s"+cyan+"/"+reset+"%d", config.AppendAddr(nil, a.Addr()), a.Bits())
			if j < len(p.AllowedIPs)-1 {
				b.WriteString(", ")
			} else {
				b.WriteString("\n")
			}
		}
		if p.LastHandshakeSec != 0 {
			fmt.Fprintf(&b, "  "+bold+"latest handshake"+reset+": %s\n", ago(p.LastHandshakeSec, o.Now))
		}
		if p.RxBytes != 0 || p.TxBytes != 0 {
			fmt.Fprintf(&b, "  "+bold+"transfer"+reset+": %s received, %s sent\n", bytesText(p.RxBytes), bytesText(p.TxBytes))
		}
		if p.PersistentKeepalive != 0 {
			fmt.Fprintf(&b, "  "+bold+"persistent keepalive"+reset+": every %s\n", duration(uint64(p.PersistentKeepalive)))
		}
		if i < len(peers)-1 {
			b.WriteString("\n")
		}
	}
	s := b.String()
	if !o.Color {
		s = StripEscapes(s)
	}
	_, err := io.WriteString(w, s)
	return err
}

func (o Options) secret(k config.Key) string {
	if o.ShowKeys {
		return config.FormatKey(k)
	}
	return "(hidden)"
}

// SortedPeers returns the peers in pretty order: newest handshake first,
// peers that never had one last, device order kept on ties.
func SortedPeers(peers []config.DevicePeer) []config.DevicePeer {
	out := append([]config.DevicePeer(nil), peers...)
	never := func(p *config.DevicePeer) bool { return p.LastHandshakeSec == 0 && p.LastHandshakeNsec == 0 }
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if never(a) != never(b) {
			return never(b)
		}
		if a.LastHandshakeSec != b.LastHandshakeSec {
			return a.LastHandshakeSec > b.LastHandshakeSec
		}
		return a.LastHandshakeNsec > b.LastHandshakeNsec
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

// StripEscapes removes every ESC[…letter sequence, as upstream does when
// colour is off.
func StripEscapes(s string) string {
	if !strings.Contains(s, "\x1b[") {
		return s
	}
	var b strings.Builder
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
		b.WriteByte(s[i])
	}
	return b.String()
}
