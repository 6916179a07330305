package config

import (
	"io"
	"net/netip"
	"strconv"
)

// Write writes c in the layout of `wg showconf`. Zero keys, ports, marks and
// intervals are left out; peers are separated by blank lines.
func Write(w io.Writer, c *Config) error {
	b := appendInterface(make([]byte, 0, 64<<10), valueOf(c.ListenPort), valueOf(c.FwMark), valueOf(c.PrivateKey))
	for i := range c.Peers {
		p := &c.Peers[i]
		b = appendPeerHead(b, i, p.PublicKey, valueOf(p.PresharedKey))
		if len(p.AllowedIPs) > 0 {
			b = append(b, "AllowedIPs = "...)
			for j, a := range p.AllowedIPs {
				b = AppendPrefix(appendComma(b, j), a.Prefix)
			}
			b = append(b, '\n')
		}
		b = appendPeerTail(b, valueOf(p.Endpoint), p.Endpoint != nil, valueOf(p.PersistentKeepalive))
		var err error
		if b, err = FlushFull(w, b); err != nil {
			return err
		}
	}
	_, err := w.Write(b)
	return err
}

// WriteDevice writes d's configuration as Write writes d.AsConfig(),
// without making that copy of every peer.
func WriteDevice(w io.Writer, d *Device) error {
	b := appendInterface(make([]byte, 0, 64<<10), d.ListenPort, d.FwMark, d.PrivateKey)
	for i := range d.Peers {
		p := &d.Peers[i]
		b = appendPeerHead(b, i, p.PublicKey, p.PresharedKey)
		if len(p.AllowedIPs) > 0 {
			b = append(b, "AllowedIPs = "...)
			for j, a := range p.AllowedIPs {
				b = AppendPrefix(appendComma(b, j), a)
			}
			b = append(b, '\n')
		}
		b = appendPeerTail(b, p.Endpoint, p.Endpoint.IsValid(), p.PersistentKeepalive)
		var err error
		if b, err = FlushFull(w, b); err != nil {
			return err
		}
	}
	_, err := w.Write(b)
	return err
}

// valueOf is *p, or the zero value when p is nil.
func valueOf[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

func appendInterface(b []byte, port int, mark uint32, key Key) []byte {
	b = append(b, "[Interface]\n"...)
	if port != 0 {
		b = append(strconv.AppendInt(append(b, "ListenPort = "...), int64(port), 10), '\n')
	}
	if mark != 0 {
		b = append(strconv.AppendUint(append(b, "FwMark = 0x"...), uint64(mark), 16), '\n')
	}
	if !IsZero(key) {
		b = append(AppendKey(append(b, "PrivateKey = "...), key), '\n')
	}
	return append(b, '\n')
}

// appendPeerHead starts the i-th peer: a blank line between peers, the
// section, its key and preshared key (none when zero).
func appendPeerHead(b []byte, i int, pub, psk Key) []byte {
	if i > 0 {
		b = append(b, '\n')
	}
	b = append(AppendKey(append(b, "[Peer]\nPublicKey = "...), pub), '\n')
	if !IsZero(psk) {
		b = append(AppendKey(append(b, "PresharedKey = "...), psk), '\n')
	}
	return b
}

func appendComma(b []byte, j int) []byte {
	if j > 0 {
		return append(b, ", "...)
	}
	return b
}

// appendPeerTail ends a peer: its endpoint, when it has one, and its
// keepalive (none when 0).
func appendPeerTail(b []byte, ep netip.AddrPort, hasEndpoint bool, keepalive int) []byte {
	if hasEndpoint {
		b = append(AppendEndpoint(append(b, "Endpoint = "...), ep), '\n')
	}
	if keepalive != 0 {
		b = append(strconv.AppendInt(append(b, "PersistentKeepalive = "...), int64(keepalive), 10), '\n')
	}
	return b
}

// ChunkSize is how much formatted output the writers hold before writing.
const ChunkSize = 60 << 10

// FlushFull writes b to w once it holds ChunkSize bytes and returns the
// buffer to append to next: large devices are written in chunks, without
// building the whole text in memory.
func FlushFull(w io.Writer, b []byte) ([]byte, error) {
	if len(b) < ChunkSize {
		return b, nil
	}
	_, err := w.Write(b)
	return b[:0], err
}
