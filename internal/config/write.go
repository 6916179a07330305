package config

import (
	"io"
	"strconv"
)

// Write writes c in the layout of `wg showconf`. Zero keys, ports, marks and
// intervals are left out; peers are separated by blank lines.
func Write(w io.Writer, c *Config) error {
	b := make([]byte, 0, 64<<10)
	b = append(b, "[Interface]\n"...)
	if c.ListenPort != nil && *c.ListenPort != 0 {
		b = append(strconv.AppendInt(append(b, "ListenPort = "...), int64(*c.ListenPort), 10), '\n')
	}
	if c.FwMark != nil && *c.FwMark != 0 {
		b = append(strconv.AppendUint(append(b, "FwMark = 0x"...), uint64(*c.FwMark), 16), '\n')
	}
	if c.PrivateKey != nil && !IsZero(*c.PrivateKey) {
		b = append(AppendKey(append(b, "PrivateKey = "...), *c.PrivateKey), '\n')
	}
	b = append(b, '\n')
	for i := range c.Peers {
		p := &c.Peers[i]
		if i > 0 {
			b = append(b, '\n')
		}
		b = append(AppendKey(append(b, "[Peer]\nPublicKey = "...), p.PublicKey), '\n')
		if p.PresharedKey != nil && !IsZero(*p.PresharedKey) {
			b = append(AppendKey(append(b, "PresharedKey = "...), *p.PresharedKey), '\n')
		}
		if len(p.AllowedIPs) > 0 {
			b = append(b, "AllowedIPs = "...)
			for j, a := range p.AllowedIPs {
				if j > 0 {
					b = append(b, ", "...)
				}
				b = AppendPrefix(b, a.Prefix)
			}
			b = append(b, '\n')
		}
		if p.Endpoint != nil {
			b = append(AppendEndpoint(append(b, "Endpoint = "...), *p.Endpoint), '\n')
		}
		if p.PersistentKeepalive != nil && *p.PersistentKeepalive != 0 {
			b = append(strconv.AppendInt(append(b, "PersistentKeepalive = "...), int64(*p.PersistentKeepalive), 10), '\n')
		}
		var err error
		if b, err = FlushFull(w, b); err != nil {
			return err
		}
	}
	_, err := w.Write(b)
	return err
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
