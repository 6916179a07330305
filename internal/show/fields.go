package show

import (
	"encoding/base64"
	"errors"
	"io"
	"strconv"

	"github.com/wgtools/wgtools/internal/config"
)

// ErrField is returned for a field name that `wg show` does not know.
var ErrField = errors.New("invalid field")

// Fields lists the field names `wg show IFACE FIELD` accepts, in usage order.
var Fields = []string{"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive", "dump"}

// Field writes one script-friendly field of a device. With withName every
// line starts with the interface name and a tab (`wg show all FIELD`).
// Script output is never coloured and never hides keys; peers come in
// device order.
func Field(w io.Writer, d *config.Device, field string, withName bool) error {
	switch field {
	case "public-key", "private-key", "listen-port", "fwmark", "dump", "peers", "preshared-keys",
		"endpoints", "allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive":
	default:
		return ErrField
	}
	b := make([]byte, 0, 64<<10)
	start := func() {
		if withName {
			b = append(b, d.Name...)
			b = append(b, '\t')
		}
	}
	tab := func() { b = append(b, '\t') }
	switch field {
	case "public-key":
		start()
		b = appendMaybeKey(b, d.PublicKey, d.HasPrivateKey())
		b = append(b, '\n')
	case "private-key":
		start()
		b = appendMaybeKey(b, d.PrivateKey, d.HasPrivateKey())
		b = append(b, '\n')
	case "listen-port":
		start()
		b = strconv.AppendInt(b, int64(d.ListenPort), 10)
		b = append(b, '\n')
	case "fwmark":
		start()
		b = appendFwmark(b, d.FwMark)
		b = append(b, '\n')
	case "dump":
		start()
		b = appendMaybeKey(b, d.PrivateKey, d.HasPrivateKey())
		tab()
		b = appendMaybeKey(b, d.PublicKey, d.HasPrivateKey())
		tab()
		b = strconv.AppendInt(b, int64(d.ListenPort), 10)
		tab()
		b = appendFwmark(b, d.FwMark)
		b = append(b, '\n')
	}
	for i := range d.Peers {
		p := &d.Peers[i]
		switch field {
		case "public-key", "private-key", "listen-port", "fwmark":
			continue
		}
		start()
		b = base64.StdEncoding.AppendEncode(b, p.PublicKey[:])
		switch field {
		case "preshared-keys":
			tab()
			b = appendMaybeKey(b, p.PresharedKey, !config.IsZero(p.PresharedKey))
		case "endpoints":
			tab()
			b = appendEndpoint(b, p)
		case "allowed-ips":
			tab()
			b = appendAllowedIPs(b, p, ' ')
		case "latest-handshakes":
			tab()
			b = strconv.AppendInt(b, p.LastHandshakeSec, 10)
		case "transfer":
			tab()
			b = strconv.AppendUint(b, p.RxBytes, 10)
			tab()
			b = strconv.AppendUint(b, p.TxBytes, 10)
		case "persistent-keepalive":
			tab()
			b = appendKeepalive(b, p.PersistentKeepalive)
		case "dump":
			tab()
			b = appendMaybeKey(b, p.PresharedKey, !config.IsZero(p.PresharedKey))
			tab()
			b = appendEndpoint(b, p)
			tab()
			b = appendAllowedIPs(b, p, ',')
			tab()
			b = strconv.AppendInt(b, p.LastHandshakeSec, 10)
			tab()
			b = strconv.AppendUint(b, p.RxBytes, 10)
			tab()
			b = strconv.AppendUint(b, p.TxBytes, 10)
			tab()
			b = appendKeepalive(b, p.PersistentKeepalive)
		}
		b = append(b, '\n')
		var err error
		if b, err = config.FlushFull(w, b); err != nil {
			return err
		}
	}
	_, err := w.Write(b)
	return err
}

func appendMaybeKey(b []byte, k config.Key, ok bool) []byte {
	if !ok {
		return append(b, "(none)"...)
	}
	return base64.StdEncoding.AppendEncode(b, k[:])
}

func appendFwmark(b []byte, m uint32) []byte {
	if m == 0 {
		return append(b, "off"...)
	}
	return strconv.AppendUint(append(b, "0x"...), uint64(m), 16)
}

func appendKeepalive(b []byte, n int) []byte {
	if n == 0 {
		return append(b, "off"...)
	}
	return strconv.AppendInt(b, int64(n), 10)
}

func appendEndpoint(b []byte, p *config.DevicePeer) []byte {
	if !p.Endpoint.IsValid() {
		return append(b, "(none)"...)
	}
	return config.AppendEndpoint(b, p.Endpoint)
}

func appendAllowedIPs(b []byte, p *config.DevicePeer, sep byte) []byte {
	if len(p.AllowedIPs) == 0 {
		return append(b, "(none)"...)
	}
	for i, a := range p.AllowedIPs {
		if i > 0 {
			b = append(b, sep)
		}
		b = config.AppendPrefix(b, a)
	}
	return b
}

// ShowConf writes the device as `wg showconf` does.
func ShowConf(w io.Writer, d *config.Device) error { return config.WriteDevice(w, d) }
