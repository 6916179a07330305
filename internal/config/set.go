package config

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"net/netip"
	"strings"

	"github.com/wgtools/wgtools/internal/errno"
)

// ParseSet parses the arguments of `wg set IFACE ...` (those after the
// interface name). Device keys come before the first `peer`; `peer KEY`
// opens a scope for the peer keys and `remove`.
func (o *Options) ParseSet(args []string) (*Config, error) {
	cfg := &Config{}
	var peer *Peer
	for len(args) > 0 {
		tok := args[0]
		hasValue := len(args) >= 2
		var err error
		switch {
		case tok == "listen-port" && hasValue && peer == nil:
			var p int
			if p, err = o.Port(args[1]); err == nil {
				cfg.ListenPort = &p
			}
		case tok == "fwmark" && hasValue && peer == nil:
			var m uint32
			if m, err = FwMark(args[1]); err == nil {
				cfg.FwMark = &m
			}
		case tok == "private-key" && hasValue && peer == nil:
			var k Key
			if k, err = o.keyFile(args[1]); err == nil {
				cfg.PrivateKey = &k
			}
		case tok == "peer" && hasValue:
			var k Key
			if k, err = PublicKey(args[1]); err == nil {
				cfg.Peers = append(cfg.Peers, Peer{PublicKey: k, HasPublicKey: true})
				peer = &cfg.Peers[len(cfg.Peers)-1]
			}
		case tok == "remove" && peer != nil:
			peer.Remove = true
			args = args[1:]
			continue
		case tok == "endpoint" && hasValue && peer != nil:
			var ep netip.AddrPort
			if ep, err = o.Endpoint(args[1]); err == nil {
				peer.Endpoint = &ep
			}
		case tok == "allowed-ips" && hasValue && peer != nil:
			err = o.AllowedIPs(peer, deleteSpace(args[1]))
		case tok == "persistent-keepalive" && hasValue && peer != nil:
			var n int
			if n, err = Keepalive(args[1]); err == nil {
				peer.PersistentKeepalive = &n
			}
		case tok == "preshared-key" && hasValue && peer != nil:
			var k Key
			if k, err = o.keyFile(args[1]); err == nil {
				peer.PresharedKey = &k
			}
		default:
			return nil, &Error{Msg: "Invalid argument: " + redactKeys(tok), Kind: KindArg}
		}
		if err != nil {
			return nil, argError(err, tok)
		}
		// peer may point into a slice that grew; refresh it.
		if peer != nil {
			peer = &cfg.Peers[len(cfg.Peers)-1]
		}
		args = args[2:]
	}
	return cfg, nil
}

func argError(err error, tok string) error {
	if ve, ok := err.(*valueError); ok {
		msg := ve.msg
		if tok != "peer" {
			msg = redactKeys(msg)
		}
		e := &Error{Msg: msg, Kind: KindArg}
		if ve.fatal {
			e.Kind = KindFatal
		}
		return e
	}
	return err
}

// keyFile reads a key from a file as `wg set` does: an empty file (such as
// /dev/null) gives the zero key, which removes the key; otherwise exactly 44
// characters, then only white space.
func (o *Options) keyFile(name string) (Key, error) {
	if o.OpenFile == nil {
		return Key{}, &valueError{msg: "fopen: " + errno.Text(fs.ErrPermission)}
	}
	f, err := o.OpenFile(name)
	if err != nil {
		return Key{}, &valueError{msg: "fopen: " + errno.Text(err)}
	}
	defer f.Close()
	br := bufio.NewReader(f)
	buf := make([]byte, KeyLen)
	n, err := io.ReadFull(br, buf)
	if n == 0 && errors.Is(err, io.EOF) {
		return Key{}, nil
	}
	if err != nil {
		return Key{}, &valueError{msg: "Invalid length key in key file"}
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Key{}, &valueError{msg: "getc: " + errno.Text(err)}
		}
		if !isSpace(c) {
			return Key{}, &valueError{msg: "Found trailing character in key file: `" + string([]byte{c}) + "'"}
		}
	}
	text := string(buf)
	if i := strings.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	return SecretKey(text)
}
