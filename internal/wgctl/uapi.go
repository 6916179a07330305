package wgctl

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
	"golang.org/x/crypto/curve25519"
)

// This file is the UAPI text protocol (wireguard-go's configuration
// protocol), independent of how the socket is reached.

var errProto = syscall.EPROTO

// parseGet reads a `get=1` reply up to its empty line, as wg does: unknown
// keys are ignored, malformed lines are a protocol error, errno=N ends it.
// Lines are parsed in place: a device may have tens of thousands of peers.
func parseGet(r *bufio.Reader, name string) (*config.Device, error) {
	d := &config.Device{Name: name}
	var peers peerChunks
	var allowed config.Slab[netip.Prefix] // the peers' allowed IPs, in shared arrays
	var peer *config.DevicePeer
	for {
		line, err := r.ReadSlice('\n')
		if err != nil || len(line) < 2 {
			return nil, errProto // a reply ends with errno=N and a blank line
		}
		line = line[:len(line)-1]
		eq := bytes.IndexByte(line, '=')
		if eq < 0 {
			return nil, errProto
		}
		key, value := line[:eq], line[eq+1:]
		switch {
		case string(key) == "errno":
			n, err := strconv.ParseInt(string(value), 10, 32)
			if err != nil {
				return nil, errProto
			}
			if n != 0 {
				return nil, syscall.Errno(abs(n))
			}
			if rest, err := r.ReadSlice('\n'); err != nil || len(rest) != 1 {
				return nil, errProto
			}
			d.Peers = peers.all()
			return d, nil
		case string(key) == "public_key":
			peer = peers.next()
			err = hexKey(&peer.PublicKey, value)
		case peer == nil:
			err = deviceValue(d, key, value)
		case string(key) == "allowed_ip":
			var pfx netip.Prefix
			if pfx, err = netip.ParsePrefix(config.View(value)); err == nil {
				peer.AllowedIPs = allowed.Append(peer.AllowedIPs, pfx)
			}
		default:
			err = peerValue(peer, key, value)
		}
		if err != nil {
			return nil, errProto
		}
	}
}

// peerChunks collects the peers of a reply, whose number is not known
// until its end: first in one config.Reserved array, so that a device of
// up to that many peers is read with no copy and no page more than it
// fills; past it, in chunks copied into one slice at the end. In a
// process that runs for milliseconds every new page is a fault.
type peerChunks struct {
	full [][]config.DevicePeer
	cur  []config.DevicePeer
	n    int
}

// next is a new zero peer, whose address stays valid.
func (c *peerChunks) next() *config.DevicePeer {
	if len(c.cur) == cap(c.cur) {
		if c.cur == nil {
			c.cur = config.Reserved[config.DevicePeer]()
		} else {
			c.full = append(c.full, c.cur)
			c.cur = make([]config.DevicePeer, 0, 4096)
		}
	}
	c.cur = append(c.cur, config.DevicePeer{})
	c.n++
	return &c.cur[len(c.cur)-1]
}

// all are the peers, in order, in one slice (the first chunk itself when
// it is the only one).
func (c *peerChunks) all() []config.DevicePeer {
	if len(c.full) == 0 {
		return c.cur
	}
	out := make([]config.DevicePeer, 0, c.n)
	for _, ch := range c.full {
		out = append(out, ch...)
	}
	return append(out, c.cur...)
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

func deviceValue(d *config.Device, key, value []byte) error {
	switch string(key) {
	case "private_key":
		if err := hexKey(&d.PrivateKey, value); err != nil {
			return err
		}
		if d.HasPrivateKey() {
			pub, err := curve25519.X25519(d.PrivateKey[:], curve25519.Basepoint)
			if err != nil {
				return err
			}
			copy(d.PublicKey[:], pub)
		}
	case "listen_port":
		n, err := num(value, 0xffff)
		d.ListenPort = int(n)
		return err
	case "fwmark":
		n, err := num(value, 0xffffffff)
		d.FwMark = uint32(n)
		return err
	}
	return nil
}

func peerValue(p *config.DevicePeer, key, value []byte) error {
	var err error
	var n uint64
	switch string(key) {
	case "preshared_key":
		err = hexKey(&p.PresharedKey, value)
	case "endpoint":
		p.Endpoint, err = netip.ParseAddrPort(config.View(value))
	case "persistent_keepalive_interval":
		n, err = num(value, 0xffff)
		p.PersistentKeepalive = int(n)
	case "last_handshake_time_sec":
		n, err = num(value, 1<<63-1)
		p.LastHandshakeSec = int64(n)
	case "last_handshake_time_nsec":
		n, err = num(value, 1<<63-1)
		p.LastHandshakeNsec = int64(n)
	case "rx_bytes":
		p.RxBytes, err = num(value, 1<<64-1)
	case "tx_bytes":
		p.TxBytes, err = num(value, 1<<64-1)
	}
	return err
}

// num parses a decimal of at most max, as wg's NUM does.
func num(s []byte, max uint64) (uint64, error) {
	if len(s) == 0 || len(s) > 20 {
		return 0, errProto
	}
	var n uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errProto
		}
		d := uint64(c - '0')
		if n > (1<<64-1-d)/10 {
			return 0, errProto
		}
		n = n*10 + d
	}
	if n > max {
		return 0, errProto
	}
	return n, nil
}

func hexKey(k *config.Key, s []byte) error {
	if len(s) != 64 {
		return errProto
	}
	if _, err := hex.Decode(k[:], s); err != nil {
		return errProto
	}
	return nil
}

// EncodeSet writes cfg as a UAPI `set=1` request, in wg's order of keys,
// and flushes it.
func EncodeSet(w io.Writer, cfg *config.Config) error {
	bw := bufio.NewWriter(w)
	writeSet(bw, cfg, config.AppendEndpoint)
	return bw.Flush()
}

// DecodeGet reads the reply to a UAPI `get=1` request.
func DecodeGet(r io.Reader, name string) (*config.Device, error) {
	return parseGet(bufio.NewReaderSize(r, 64<<10), name)
}

// ReadSetReply reads the `errno=N` reply to a set request.
func ReadSetReply(r io.Reader) error { return readSetReply(bufio.NewReader(r)) }

// writeSet writes a `set=1` request in wg's order of keys.
func writeSet(w *bufio.Writer, c *config.Config, endpoint func([]byte, netip.AddrPort) []byte) {
	var scratch [128]byte
	key := func(name string, k *config.Key) {
		w.WriteString(name)
		w.Write(hex.AppendEncode(scratch[:0], k[:]))
		w.WriteByte('\n')
	}
	num := func(name string, n uint64) {
		w.WriteString(name)
		w.Write(strconv.AppendUint(scratch[:0], n, 10))
		w.WriteByte('\n')
	}
	w.WriteString("set=1\n")
	if c.PrivateKey != nil {
		key("private_key=", c.PrivateKey)
	}
	if c.ListenPort != nil {
		num("listen_port=", uint64(*c.ListenPort))
	}
	if c.FwMark != nil {
		num("fwmark=", uint64(*c.FwMark))
	}
	if c.ReplacePeers {
		w.WriteString("replace_peers=true\n")
	}
	for i := range c.Peers {
		p := &c.Peers[i]
		key("public_key=", &p.PublicKey)
		if p.Remove {
			w.WriteString("remove=true\n")
			continue
		}
		if p.PresharedKey != nil {
			key("preshared_key=", p.PresharedKey)
		}
		if p.Endpoint != nil {
			w.WriteString("endpoint=")
			w.Write(endpoint(scratch[:0], *p.Endpoint))
			w.WriteByte('\n')
		}
		if p.PersistentKeepalive != nil {
			num("persistent_keepalive_interval=", uint64(*p.PersistentKeepalive))
		}
		if p.ReplaceAllowedIPs {
			w.WriteString("replace_allowed_ips=true\n")
		}
		for _, a := range p.AllowedIPs {
			w.WriteString("allowed_ip=")
			if a.Remove {
				w.WriteByte('-')
			}
			w.Write(config.AppendPrefix(scratch[:0], a.Prefix))
			w.WriteByte('\n')
		}
	}
	w.WriteString("\n")
}

// readSetReply reads the `errno=N` reply to a set request.
func readSetReply(r *bufio.Reader) error {
	line, err := r.ReadString('\n')
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errProto
		}
		return err
	}
	v, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "errno=")
	if !ok {
		return errProto
	}
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		return errProto
	}
	if n != 0 {
		return syscall.Errno(abs(n))
	}
	return nil
}
