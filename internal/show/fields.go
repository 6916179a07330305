package show

import (
	"errors"
	"io"
	"strconv"
	"strings"

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
	var b strings.Builder
	prefix := ""
	if withName {
		prefix = d.Name + "\t"
	}
	line := func(parts ...string) {
		b.WriteString(prefix)
		b.WriteString(strings.Join(parts, "\t"))
		b.WriteByte('\n')
	}
	pub := func(p *config.DevicePeer) string { return config.FormatKey(p.PublicKey) }
	switch field {
	case "public-key":
		line(maybeKey(d.PublicKey, d.HasPrivateKey()))
	case "private-key":
		line(maybeKey(d.PrivateKey, d.HasPrivateKey()))
	case "listen-port":
		line(strconv.Itoa(d.ListenPort))
	case "fwmark":
		line(fwmark(d.FwMark))
	case "dump":
		line(maybeKey(d.PrivateKey, d.HasPrivateKey()), maybeKey(d.PublicKey, d.HasPrivateKey()), strconv.Itoa(d.ListenPort), fwmark(d.FwMark))
	case "peers", "preshared-keys", "endpoints", "allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive":
	default:
		return ErrField
	}
	for i := range d.Peers {
		p := &d.Peers[i]
		switch field {
		case "peers":
			line(pub(p))
		case "preshared-keys":
			line(pub(p), maybeKey(p.PresharedKey, !config.IsZero(p.PresharedKey)))
		case "endpoints":
			line(pub(p), endpoint(p))
		case "allowed-ips":
			line(pub(p), allowedIPs(p, " "))
		case "latest-handshakes":
			line(pub(p), strconv.FormatInt(p.LastHandshakeSec, 10))
		case "transfer":
			line(pub(p), strconv.FormatUint(p.RxBytes, 10), strconv.FormatUint(p.TxBytes, 10))
		case "persistent-keepalive":
			line(pub(p), keepalive(p.PersistentKeepalive))
		case "dump":
			line(pub(p), maybeKey(p.PresharedKey, !config.IsZero(p.PresharedKey)), endpoint(p), allowedIPs(p, ","),
				strconv.FormatInt(p.LastHandshakeSec, 10), strconv.FormatUint(p.RxBytes, 10), strconv.FormatUint(p.TxBytes, 10),
				keepalive(p.PersistentKeepalive))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func maybeKey(k config.Key, ok bool) string {
	if !ok {
		return "(none)"
	}
	return config.FormatKey(k)
}

func fwmark(m uint32) string {
	if m == 0 {
		return "off"
	}
	return "0x" + strconv.FormatUint(uint64(m), 16)
}

func keepalive(n int) string {
	if n == 0 {
		return "off"
	}
	return strconv.Itoa(n)
}

func endpoint(p *config.DevicePeer) string {
	if !p.Endpoint.IsValid() {
		return "(none)"
	}
	return config.FormatEndpoint(p.Endpoint)
}

func allowedIPs(p *config.DevicePeer, sep string) string {
	if len(p.AllowedIPs) == 0 {
		return "(none)"
	}
	parts := make([]string, len(p.AllowedIPs))
	for i, a := range p.AllowedIPs {
		parts[i] = a.Addr().String() + "/" + strconv.Itoa(a.Bits())
	}
	return strings.Join(parts, sep)
}

// ShowConf writes the device as `wg showconf` does.
func ShowConf(w io.Writer, d *config.Device) error { return config.Write(w, d.AsConfig()) }
