package show

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/schematest"
)

func key(s string) config.Key {
	k, ok := config.ParseKey(s)
	if !ok {
		panic(s)
	}
	return k
}

// specDevice is the device of the spec's examples.
func specDevice() *config.Device {
	return &config.Device{
		Name:       "wgt0",
		PrivateKey: key("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="),
		PublicKey:  key("HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="),
		ListenPort: 51820, FwMark: 0x1234,
		Peers: []config.DevicePeer{{
			PublicKey:        key("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="),
			PresharedKey:     key("/UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak="),
			Endpoint:         netip.MustParseAddrPort("[2607:5300:60:6b0::c05f:543]:2468"),
			AllowedIPs:       []netip.Prefix{netip.MustParsePrefix("10.192.122.3/32"), netip.MustParsePrefix("10.192.124.0/24")},
			LastHandshakeSec: 1000,
			RxBytes:          1023, TxBytes: 1024,
			PersistentKeepalive: 3725,
		}},
	}
}

func TestPretty(t *testing.T) {
	now := time.Unix(1064, 0)
	want := "interface: wgt0\n  public key: HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\n  private key: (hidden)\n  listening port: 51820\n  fwmark: 0x1234\n\n" +
		"peer: xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n  preshared key: (hidden)\n  endpoint: [2607:5300:60:6b0::c05f:543]:2468\n" +
		"  allowed ips: 10.192.122.3/32, 10.192.124.0/24\n  latest handshake: 1 minute, 4 seconds ago\n  transfer: 1023 B received, 1.00 KiB sent\n" +
		"  persistent keepalive: every 1 hour, 2 minutes, 5 seconds\n"
	var b bytes.Buffer
	Pretty(&b, specDevice(), Options{Now: now})
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	b.Reset()
	Pretty(&b, specDevice(), Options{Now: now, Color: true})
	for _, s := range []string{"\x1b[0m\x1b[32m\x1b[1minterface\x1b[0m: \x1b[32mwgt0\x1b[0m\n", "10.192.122.3\x1b[36m/\x1b[0m32",
		"1 \x1b[36mminute\x1b[0m, 4 \x1b[36mseconds\x1b[0m ago", "\x1b[33m\x1b[1mpeer\x1b[0m: \x1b[33mxTIB"} {
		if !bytes.Contains(b.Bytes(), []byte(s)) {
			t.Errorf("coloured output lacks %q", s)
		}
	}
	if got := stripped(b.String()); got != want {
		t.Errorf("coloured output without escapes differs:\n%s", cmp.Diff(want, got))
	}
	b.Reset()
	Pretty(&b, specDevice(), Options{Now: now, ShowKeys: true})
	if !bytes.Contains(b.Bytes(), []byte("private key: yAnz5TF+")) || !bytes.Contains(b.Bytes(), []byte("preshared key: /UwcSPg")) {
		t.Errorf("keys not shown:\n%s", b.String())
	}
}

func TestTimesAndUnits(t *testing.T) {
	c := func(b []byte) string { return stripped(string(b)) }
	tests := []struct{ got, want string }{
		{Ago(1000, time.Unix(1000, 0)), "Now"},
		{Ago(1001, time.Unix(1000, 0)), "(System clock wound backward; connection problems may ensue.)"},
		{c(coloured.appendAgo(nil, 1001, time.Unix(1000, 0))), "(System clock wound backward; connection problems may ensue.)"},
		{Ago(0, time.Unix(365*86400+86400+3600+60+2, 0)), "1 year, 1 day, 1 hour, 1 minute, 2 seconds ago"},
		{c(coloured.appendAgo(nil, 0, time.Unix(365*86400+86400+3600+60+2, 0))), "1 year, 1 day, 1 hour, 1 minute, 2 seconds ago"},
		{Every(1), "every 1 second"},
		{Every(120), "every 2 minutes"},
		{Every(2 * 365 * 86400), "every 2 years"},
		{Bytes(0), "0 B"},
		{Bytes(1023), "1023 B"},
		{Bytes(1024), "1.00 KiB"},
		{Bytes(1288490188), "1.20 GiB"},
		{Bytes(1 << 40), "1.00 TiB"},
		{Bytes(5 << 20), "5.00 MiB"},
		{c(coloured.appendBytes(nil, 5<<20)), "5.00 MiB"},
		{string(coloured.appendBytes(nil, 5)), "5 \x1b[36mB\x1b[0m"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%d: %q, want %q", i, tt.got, tt.want)
		}
	}
}

func TestSortedPeers(t *testing.T) {
	p := func(id byte, sec, nsec int64) config.DevicePeer {
		return config.DevicePeer{PublicKey: config.Key{id}, LastHandshakeSec: sec, LastHandshakeNsec: nsec}
	}
	in := []config.DevicePeer{p(1, 0, 0), p(2, 10, 0), p(3, 0, 0), p(4, 10, 5), p(5, 20, 0), p(6, 0, 1), p(7, 10, 0)}
	var got []byte
	for _, i := range sortedOrder(in) {
		got = append(got, in[i].PublicKey[0])
	}
	// newest first; nsec breaks ties; equal times keep device order; never last
	if want := []byte{5, 4, 2, 7, 6, 1, 3}; !bytes.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestFieldsAndDump(t *testing.T) {
	d := specDevice()
	var b bytes.Buffer
	Field(&b, d, "dump", false)
	want := "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\tHIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=\t51820\t0x1234\n" +
		"xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t/UwcSPg38hW/D9Y3tcS1FOV0K1wuURMbS0sesJEP5ak=\t[2607:5300:60:6b0::c05f:543]:2468\t10.192.122.3/32,10.192.124.0/24\t1000\t1023\t1024\t3725\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("dump (-want +got):\n%s", diff)
	}
	b.Reset()
	Field(&b, d, "allowed-ips", true)
	if got := b.String(); got != "wgt0\txTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\t10.192.122.3/32 10.192.124.0/24\n" {
		t.Errorf("all allowed-ips: %q", got)
	}
	if err := Field(&b, d, "bogus", false); err != ErrField {
		t.Errorf("bogus field: %v", err)
	}
	empty := &config.Device{Name: "e"}
	b.Reset()
	Field(&b, empty, "dump", false)
	if got := b.String(); got != "(none)\t(none)\t0\toff\n" {
		t.Errorf("empty dump: %q", got)
	}
}

// TestJSONSchema validates the JSON output against docs/show-json.schema.json.
func TestJSONSchema(t *testing.T) {
	schema := schematest.Load(t, "../../docs/show-json.schema.json")
	scoped := specDevice()
	scoped.Peers = append(scoped.Peers, config.DevicePeer{PublicKey: key("HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="),
		Endpoint: netip.MustParseAddrPort("[fe80::1%eth0]:5")}, config.DevicePeer{PublicKey: key("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk="),
		Endpoint: netip.MustParseAddrPort("1.2.3.4:5"), AllowedIPs: []netip.Prefix{netip.MustParsePrefix("::/0")}})
	for _, tt := range []struct {
		name     string
		devs     []*config.Device
		showKeys bool
	}{
		{"spec device", []*config.Device{specDevice()}, false},
		{"keys shown", []*config.Device{specDevice()}, true},
		{"empty device", []*config.Device{{Name: "e"}}, false},
		{"no devices", nil, false},
		{"several", []*config.Device{specDevice(), scoped, {Name: "x", ListenPort: 1}}, true},
	} {
		var b bytes.Buffer
		if err := JSON(&b, tt.devs, tt.showKeys); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(&b)
		if err != nil {
			t.Fatalf("%s: not JSON: %v", tt.name, err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Errorf("%s: %v\n%s", tt.name, err, b.String())
		}
	}
	// The schema must reject what it promises to: a missing field, a bad key.
	for _, bad := range []string{`{"interfaces":[{"name":"x"}]}`, `{"interfaces":[{"name":"x","privateKey":"nope","publicKey":null,"listenPort":0,"fwmark":null,"peers":[]}]}`, `{}`} {
		var v any
		json.Unmarshal([]byte(bad), &v)
		if schema.Validate(v) == nil {
			t.Errorf("schema accepts %s", bad)
		}
	}
}

// stripped is s without its ESC[…letter sequences, as upstream prints
// when colour is off.
func stripped(s string) string {
	var out []byte
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
	return string(out)
}
