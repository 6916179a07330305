// Package show renders devices as `wg show` does: the pretty, coloured
// listing, single fields, dump, showconf and JSON. It is pure: the clock,
// colour and key hiding are inputs.
package show

import (
	"cmp"
	"io"
	"slices"
	"strconv"
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

// palette is the escape sequences of the pretty listing: upstream's
// terminal.h with colour, none without (upstream prints them and strips
// them on the way out; leaving them out is the same text).
type palette struct{ reset, bold, green, yellow, cyan, red string }

var (
	coloured = palette{reset: "\x1b[0m", bold: "\x1b[1m", green: "\x1b[32m", yellow: "\x1b[33m", cyan: "\x1b[36m", red: "\x1b[31m"}
	plain    palette
)

// Pretty writes one device's pretty block. Peers are sorted by latest
// handshake, newest first, never-seen last, keeping device order on ties.
func Pretty(w io.Writer, d *config.Device, o Options) error {
	c := plain
	if o.Color {
		c = coloured
	}
	b := make([]byte, 0, 64<<10)
	field := func(label string) { b = cat(b, "  ", c.bold, label, c.reset, ": ") }
	b = cat(b, c.reset, c.green, c.bold, "interface", c.reset, ": ", c.green, d.Name, c.reset, "\n")
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
	order := sortedOrder(d.Peers)
	if len(order) > 0 {
		b = append(b, '\n')
	}
	for i, k := range order {
		p := &d.Peers[k]
		b = config.AppendKey(cat(b, c.yellow, c.bold, "peer", c.reset, ": ", c.yellow), p.PublicKey)
		b = cat(b, c.reset, "\n")
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
			b = cat(config.AppendAddr(b, a.Addr()), c.cyan, "/", c.reset)
			b = strconv.AppendInt(b, int64(a.Bits()), 10)
		}
		b = append(b, '\n')
		if p.LastHandshakeSec != 0 {
			field("latest handshake")
			b = append(c.appendAgo(b, p.LastHandshakeSec, o.Now), '\n')
		}
		if p.RxBytes != 0 || p.TxBytes != 0 {
			field("transfer")
			b = append(c.appendBytes(b, p.RxBytes), " received, "...)
			b = append(c.appendBytes(b, p.TxBytes), " sent\n"...)
		}
		if p.PersistentKeepalive != 0 {
			field("persistent keepalive")
			b = append(c.appendDuration(append(b, "every "...), uint64(p.PersistentKeepalive)), '\n')
		}
		if i < len(order)-1 {
			b = append(b, '\n')
		}
		var err error
		if b, err = config.FlushFull(w, b); err != nil {
			return err
		}
	}
	_, err := w.Write(b)
	return err
}

func (o Options) appendSecret(b []byte, k config.Key) []byte {
	if o.ShowKeys {
		return config.AppendKey(b, k)
	}
	return append(b, "(hidden)"...)
}

// sortedOrder is the peers' indices in pretty order: newest handshake
// first, peers that never had one last, device order kept on ties (the
// peers themselves are not copied: a device may have tens of thousands).
func sortedOrder(peers []config.DevicePeer) []int32 {
	order := make([]int32, len(peers))
	for i := range order {
		order[i] = int32(i)
	}
	never := func(p *config.DevicePeer) bool { return p.LastHandshakeSec == 0 && p.LastHandshakeNsec == 0 }
	slices.SortStableFunc(order, func(x, y int32) int {
		a, b := &peers[x], &peers[y]
		switch {
		case never(a) != never(b):
			if never(a) {
				return 1
			}
			return -1
		case a.LastHandshakeSec != b.LastHandshakeSec:
			return cmp.Compare(b.LastHandshakeSec, a.LastHandshakeSec)
		}
		return cmp.Compare(b.LastHandshakeNsec, a.LastHandshakeNsec)
	})
	return order
}

// cat appends the strings to b.
func cat(b []byte, parts ...string) []byte {
	for _, s := range parts {
		b = append(b, s...)
	}
	return b
}

// appendAgo appends a latest handshake: "Now", "N units, … ago", or a
// warning when it lies in the future.
func (c palette) appendAgo(b []byte, sec int64, now time.Time) []byte {
	n := now.Unix()
	switch {
	case n == sec:
		return append(b, "Now"...)
	case n < sec:
		return cat(b, "(", c.red, "System clock wound backward; connection problems may ensue.", c.reset, ")")
	}
	return append(c.appendDuration(b, uint64(n-sec)), " ago"...)
}

// durationUnits are the units of appendDuration: years of 365 days.
var durationUnits = []struct {
	name string
	secs uint64
}{{"year", 365 * 24 * 3600}, {"day", 24 * 3600}, {"hour", 3600}, {"minute", 60}, {"second", 1}}

// appendDuration appends seconds as years, days, hours, minutes and
// seconds, skipping zero parts.
func (c palette) appendDuration(b []byte, left uint64) []byte {
	first := true
	for _, u := range durationUnits {
		n := left / u.secs
		left -= n * u.secs
		if n == 0 {
			continue
		}
		if !first {
			b = append(b, ", "...)
		}
		first = false
		plural := "s"
		if n == 1 {
			plural = ""
		}
		b = cat(strconv.AppendUint(b, n, 10), " ", c.cyan, u.name, plural, c.reset)
	}
	return b
}

// appendBytes appends a transfer count in B, KiB, MiB, GiB or TiB.
func (c palette) appendBytes(b []byte, n uint64) []byte {
	const k = 1024
	unit, div := "TiB", float64(k*k*k*k)
	switch {
	case n < k:
		return cat(strconv.AppendUint(b, n, 10), " ", c.cyan, "B", c.reset)
	case n < k*k:
		unit, div = "KiB", k
	case n < k*k*k:
		unit, div = "MiB", k*k
	case n < k*k*k*k:
		unit, div = "GiB", k*k*k
	}
	b = strconv.AppendFloat(b, float64(n)/div, 'f', 2, 64)
	return cat(b, " ", c.cyan, unit, c.reset)
}
