package config

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func fuzzOptions() *Options {
	r := newFake()
	return &Options{
		Resolver:  r,
		LookupEnv: func(string) (string, bool) { return "0", true },
		Sleep:     func(time.Duration) {},
		OpenFile:  memFiles{"/k": testPriv, "/empty": ""}.open,
	}
}

// FuzzConfig checks that parsing never panics, that errors are *Error with a
// line, that the showconf writer and the parser agree (write, parse, write
// again gives the same text), and that wg-quick's strip is stable.
func FuzzConfig(f *testing.F) {
	f.Add([]byte("[Interface]\nPrivateKey = " + testPriv + "\nListenPort = 51820\nFwMark = 0x1234\n[Peer]\nPublicKey = " + testPub +
		"\nPresharedKey = " + testPSK + "\nEndpoint = [2607:5300:60:6b0::c05f:543]:2468\nAllowedIPs = 10.192.122.3/32, 10.192.124.0/24\nPersistentKeepalive = 25\n"))
	f.Add([]byte("[Interface]\nAddress = 10.0.0.1/24\nDNS = 1.1.1.1, example.com\nPostUp = echo %i # x\nSaveConfig = true\n[Peer]\nPublicKey = " + testPub + "\nAllowedIPs = +10.0.0.0/8,-10.1.0.0/16\nEndpoint = [fe80::1%eth0]:5\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o := fuzzOptions()
		cfg, err := o.Parse(bytes.NewReader(data))
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Line < 1 {
				t.Fatalf("error without a line: %#v", err)
			}
			// Public key values are echoed on purpose, as upstream does.
			public := e.Key == "PublicKey" || strings.HasPrefix(strings.ToLower(e.Msg), "line unrecognized: `publickey=")
			if !public && (strings.Contains(e.Msg, testPriv) || strings.Contains(e.Msg, testPSK)) {
				t.Fatalf("secret key in error: %q", e.Msg)
			}
		} else {
			var w1, w2 bytes.Buffer
			if err := Write(&w1, cfg); err != nil {
				t.Fatal(err)
			}
			cfg2, err := o.Parse(bytes.NewReader(w1.Bytes()))
			if err != nil {
				t.Fatalf("written config does not parse: %v\n%s", err, w1.String())
			}
			Write(&w2, cfg2)
			if w1.String() != w2.String() {
				t.Fatalf("write/parse/write differs:\n%s\n---\n%s", w1.String(), w2.String())
			}
		}
		q, err := ParseQuick(bytes.NewReader(data))
		if err != nil {
			return
		}
		q2, err := ParseQuick(strings.NewReader(q.Strip()))
		if err != nil {
			t.Fatalf("stripped config fails: %v", err)
		}
		if strings.TrimSuffix(q2.Strip(), "\n") != strings.TrimSuffix(q.Strip(), "\n") &&
			q2.Strip() != q.Strip()+"\n" {
			t.Fatalf("strip not stable:\n%q\n%q", q.Strip(), q2.Strip())
		}
	})
}

// FuzzSetArgs checks the `wg set` grammar: no panics, every error is an
// argument error, every peer has its key, and device keys never follow a
// peer.
func FuzzSetArgs(f *testing.F) {
	f.Add("listen-port\x0051820\x00fwmark\x000x10\x00private-key\x00/k\x00peer\x00" + testPub + "\x00allowed-ips\x0010.0.0.0/8,-fd00::/8\x00endpoint\x00[::1]:5\x00persistent-keepalive\x0025")
	f.Add("peer\x00" + testPub + "\x00remove\x00peer\x00" + testPriv + "\x00preshared-key\x00/empty")
	f.Fuzz(func(t *testing.T, s string) {
		args := strings.Split(s, "\x00")
		cfg, err := fuzzOptions().ParseSet(args)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || (e.Kind != KindArg && e.Kind != KindFatal) {
				t.Fatalf("unexpected error %#v", err)
			}
			if !strings.HasPrefix(e.Msg, "Key is not the correct length or format: `") &&
				(strings.Contains(e.Msg, testPriv) || strings.Contains(e.Msg, testPSK)) {
				t.Fatalf("secret key in error: %q", e.Msg)
			}
			return
		}
		for _, p := range cfg.Peers {
			if !p.HasPublicKey {
				t.Fatal("peer without a key")
			}
		}
		if cfg.ListenPort != nil && (*cfg.ListenPort < 0 || *cfg.ListenPort > 65535) {
			t.Fatalf("port %d", *cfg.ListenPort)
		}
	})
}

// FuzzKey compares strict key decoding with an independent rule: 44
// characters that decode to 32 bytes and encode back to the same text.
func FuzzKey(f *testing.F) {
	f.Add(testPriv)
	f.Add(testPriv[:43] + "l")
	f.Add("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=")
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := ParseKey(s)
		raw, err := base64.StdEncoding.DecodeString(s)
		want := err == nil && len(s) == 44 && len(raw) == 32 && base64.StdEncoding.EncodeToString(raw) == s
		if ok != want {
			t.Fatalf("ParseKey(%q) ok=%v, want %v", s, ok, want)
		}
		if ok && FormatKey(k) != s {
			t.Fatalf("round trip %q -> %q", s, FormatKey(k))
		}
	})
}
