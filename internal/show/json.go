package show

import (
	"encoding/json"
	"io"

	"github.com/wgtools/wgtools/internal/config"
)

// The JSON document of `wg show { IFACE | all } json`. Its schema is
// docs/show-json.schema.json; fields are never left out, and null stands
// where wg prints (none) or off.
type jsonDoc struct {
	Interfaces []jsonInterface `json:"interfaces"`
}

type jsonInterface struct {
	Name       string     `json:"name"`
	PrivateKey *string    `json:"privateKey"`
	PublicKey  *string    `json:"publicKey"`
	ListenPort int        `json:"listenPort"`
	FwMark     *uint32    `json:"fwmark"`
	Peers      []jsonPeer `json:"peers"`
}

type jsonPeer struct {
	PublicKey    string   `json:"publicKey"`
	PresharedKey *string  `json:"presharedKey"`
	Endpoint     *string  `json:"endpoint"`
	AllowedIPs   []string `json:"allowedIps"`
	// LatestHandshake is in Unix seconds, null when there was none.
	LatestHandshake     *int64 `json:"latestHandshake"`
	TransferRx          uint64 `json:"transferRx"`
	TransferTx          uint64 `json:"transferTx"`
	PersistentKeepalive *int   `json:"persistentKeepalive"`
}

// JSON writes devices as one JSON document. Private and preshared keys
// read "(hidden)" unless showKeys.
func JSON(w io.Writer, devs []*config.Device, showKeys bool) error {
	doc := jsonDoc{Interfaces: []jsonInterface{}}
	secret := func(k config.Key) *string {
		if config.IsZero(k) {
			return nil
		}
		s := "(hidden)"
		if showKeys {
			s = config.FormatKey(k)
		}
		return &s
	}
	for _, d := range devs {
		ji := jsonInterface{Name: d.Name, ListenPort: d.ListenPort, Peers: []jsonPeer{}}
		if d.HasPrivateKey() {
			ji.PrivateKey = secret(d.PrivateKey)
			pub := config.FormatKey(d.PublicKey)
			ji.PublicKey = &pub
		}
		if d.FwMark != 0 {
			m := d.FwMark
			ji.FwMark = &m
		}
		for i := range d.Peers {
			p := &d.Peers[i]
			jp := jsonPeer{
				PublicKey:    config.FormatKey(p.PublicKey),
				PresharedKey: secret(p.PresharedKey),
				AllowedIPs:   []string{},
				TransferRx:   p.RxBytes,
				TransferTx:   p.TxBytes,
			}
			if p.Endpoint.IsValid() {
				ep := config.FormatEndpoint(p.Endpoint)
				jp.Endpoint = &ep
			}
			for _, a := range p.AllowedIPs {
				jp.AllowedIPs = append(jp.AllowedIPs, string(config.AppendPrefix(nil, a)))
			}
			if p.LastHandshakeSec != 0 {
				hs := p.LastHandshakeSec
				jp.LatestHandshake = &hs
			}
			if p.PersistentKeepalive != 0 {
				ka := p.PersistentKeepalive
				jp.PersistentKeepalive = &ka
			}
			ji.Peers = append(ji.Peers, jp)
		}
		doc.Interfaces = append(doc.Interfaces, ji)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
