package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/wgtools/wgtools/internal/netnstest"
	"github.com/wgtools/wgtools/internal/schematest"
)

// testKey derives a deterministic key from a label.
func testKey(label string) string {
	h := sha256.Sum256([]byte(label))
	return base64.StdEncoding.EncodeToString(h[:])
}

// deviceConfigs are the configs the device tests apply: the good files of
// the parse corpus (except +/- prefixes, which Debian's tools predate) and
// generated ones.
func deviceConfigs(t *testing.T) map[string]string {
	t.Helper()
	cfgs := map[string]string{}
	files, _ := filepath.Glob("testdata/compat/setconf/good-*.conf")
	for _, f := range files {
		if strings.Contains(f, "prefix") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		cfgs[filepath.Base(f)] = string(b)
	}
	peers := func(n int, extra func(i int) string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "[Peer]\nPublicKey = %s\n%s\n", testKey(fmt.Sprint("peer", i)), extra(i))
		}
		return b.String()
	}
	iface := "[Interface]\nPrivateKey = " + testKey("dev") + "\nListenPort = 51000\n"
	cfgs["gen-0-peers"] = iface
	cfgs["gen-no-key"] = "[Interface]\nListenPort = 51001\n" + peers(2, func(int) string { return "AllowedIPs = 10.1.0.0/16" })
	cfgs["gen-300-peers"] = iface + peers(300, func(i int) string {
		return fmt.Sprintf("AllowedIPs = 10.%d.%d.0/24, fd00::%x/128\nEndpoint = 192.0.2.%d:%d", i/250, i%250, i, i%250+1, 1000+i)
	})
	cfgs["gen-v6-endpoints"] = iface + peers(5, func(i int) string {
		return fmt.Sprintf("Endpoint = [2001:db8::%x]:%d\nAllowedIPs = fd%02x::/16", i+1, 51820+i, i)
	})
	cfgs["gen-psk-keepalive"] = iface + "FwMark = 0xca6c\n" + peers(4, func(i int) string {
		return fmt.Sprintf("PresharedKey = %s\nPersistentKeepalive = %d\nAllowedIPs = 10.%d.0.0/16", testKey(fmt.Sprint("psk", i)), []int{1, 25, 3725, 65535}[i], i)
	})
	cfgs["gen-repeated-peer"] = iface + "[Peer]\nPublicKey = " + testKey("r") + "\nAllowedIPs = 10.0.0.0/8\nEndpoint = 192.0.2.1:1\n" +
		"[Peer]\nPublicKey = " + testKey("r") + "\nAllowedIPs = 10.1.0.0/16\nPersistentKeepalive = 5\n"
	cfgs["gen-overlapping"] = iface + peers(3, func(i int) string {
		return []string{"AllowedIPs = 0.0.0.0/0, ::/0", "AllowedIPs = 10.0.0.0/8", "AllowedIPs = 10.0.0.0/8, 10.1.0.0/16"}[i]
	})
	cfgs["gen-fwmark-only"] = "[Interface]\nFwMark = 4294967295\nListenPort = 51002\n"
	cfgs["gen-own-key-as-peer"] = iface + "[Peer]\nPublicKey = " + ownPub(t, testKey("dev")) + "\nAllowedIPs = 10.0.0.1/32\n"
	return cfgs
}

// ownPub asks our wg for the public key of priv.
func ownPub(t *testing.T, priv string) string {
	r := invocation{args: []string{"pubkey"}, stdin: []byte(priv + "\n")}.run(t, netnstest.Binary(t))
	return strings.TrimSpace(r.Stdout)
}

func writeConf(t *testing.T, name, text string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func showForms() [][]string {
	forms := [][]string{{"show"}, {"show", "all"}, {"show", "interfaces"}, {"show", "wgt0"}, {"showconf", "wgt0"},
		{"show", "all", "dump"}, {"show", "all", "allowed-ips"}, {"show", "all", "transfer"}, {"show", "wgt0", "bogus"},
		{"show", "all", "bogus"}, {"show", "nosuch0"}, {"showconf", "nosuch0"}, {"show", "interfaces", "x"}}
	for _, f := range []string{"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
		"endpoints", "allowed-ips", "latest-handshakes", "transfer", "persistent-keepalive", "dump"} {
		forms = append(forms, []string{"show", "wgt0", f})
	}
	return forms
}

// normalize makes outputs comparable despite wireguard-go's random peer
// order.
func normalize(args []string, r netnstest.Result) netnstest.Result {
	pretty := len(args) <= 2 && (args[0] == "showconf" || len(args) < 2 || args[1] != "interfaces")
	if pretty {
		r.Stdout = normBlocks(r.Stdout)
	} else if args[len(args)-1] == "dump" {
		r.Stdout = normLines(r.Stdout, 1)
	} else {
		r.Stdout = normLines(r.Stdout, 0)
	}
	return r
}

// TestNetnsShow configures a device with the reference wg and reads it with
// both, in every form of show and showconf.
func TestNetnsShow(t *testing.T) {
	r := newRig(t)
	cfgs := deviceConfigs(t)
	if len(cfgs) < 30 {
		t.Fatalf("only %d configs", len(cfgs))
	}
	compared := 0
	for name, text := range cfgs {
		r.startDevice("wgt0")
		if res := r.wg("ref", invocation{args: []string{"setconf", "wgt0", writeConf(t, "c.conf", text)}}); res.Code != 0 {
			t.Fatalf("%s: reference setconf failed: %+v", name, res)
		}
		for _, args := range showForms() {
			envs := [][]string{nil}
			if len(args) == 2 && args[0] == "show" && args[1] == "wgt0" {
				envs = append(envs, []string{"WG_HIDE_KEYS=never"}, []string{"WG_COLOR_MODE=always"})
			}
			for _, env := range envs {
				in := invocation{args: args, env: env}
				ref, ours := normalize(args, r.wg("ref", in)), normalize(args, r.wg("ours", in))
				if diff := cmp.Diff(ref, ours); diff != "" {
					t.Errorf("%s: wg %s %v (-ref +ours):\n%s", name, strings.Join(args, " "), env, diff)
				}
				compared++
			}
		}
		// Since 1.0.20250521 `show all endpoints` prefixes every line (Debian's
		// 1.0.20210914 prefixed only the first).
		single := r.wg("ref", invocation{args: []string{"show", "wgt0", "endpoints"}})
		want := ""
		for _, l := range strings.SplitAfter(single.Stdout, "\n") {
			if l != "" {
				want += "wgt0\t" + l
			}
		}
		got := r.wg("ours", invocation{args: []string{"show", "all", "endpoints"}})
		if normLines(got.Stdout, 0) != normLines(want, 0) || got.Code != 0 || got.Stderr != "" {
			t.Errorf("%s: show all endpoints = %+v, want %q", name, got, want)
		}
		checkJSON(t, name, r.wg("ours", invocation{args: []string{"show", "all", "json"}}), single.Stdout)
		r.delDevice("wgt0")
	}
	t.Logf("compared %d show invocations over %d configs", compared, len(cfgs))
}

// TestNetnsConf applies each config with setconf, addconf and syncconf,
// once with each tool, and compares the results and the device state the
// reference reads back.
func TestNetnsConf(t *testing.T) {
	r := newRig(t)
	base := "[Interface]\nPrivateKey = " + testKey("base") + "\nListenPort = 52000\n" +
		"[Peer]\nPublicKey = " + testKey("b1") + "\nAllowedIPs = 172.16.0.0/12\nEndpoint = 192.0.2.9:9\n" +
		"[Peer]\nPublicKey = " + testKey("b2") + "\nAllowedIPs = 192.168.0.0/16\n"
	basePath := writeConf(t, "base.conf", base)
	for name, text := range deviceConfigs(t) {
		path := writeConf(t, "c.conf", text)
		mask := !strings.Contains(strings.ToLower(text), "listenport")
		for _, sub := range []string{"setconf", "addconf", "syncconf"} {
			var got [2]string
			for i, which := range []string{"ref", "ours"} {
				r.startDevice("wgt0")
				if sub != "setconf" {
					r.wg("ref", invocation{args: []string{"setconf", "wgt0", basePath}})
				}
				res := r.wg(which, invocation{args: []string{sub, "wgt0", path}})
				got[i] = fmt.Sprintf("%+v\n%s", res, r.state("wgt0", mask && sub != "addconf"))
				r.delDevice("wgt0")
			}
			if diff := cmp.Diff(got[0], got[1]); diff != "" {
				t.Errorf("%s %s (-ref +ours):\n%s", sub, name, diff)
			}
		}
	}
}

// checkJSON validates `wg show all json` from a real device against the
// documented schema and checks it has the device's peers.
func checkJSON(t *testing.T, name string, res netnstest.Result, endpoints string) {
	t.Helper()
	schema := schematest.Load(t, "../../docs/show-json.schema.json")
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(res.Stdout))
	if err != nil || res.Code != 0 {
		t.Fatalf("%s: show all json: %+v: %v", name, res, err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("%s: %v", name, err)
	}
	var parsed struct {
		Interfaces []struct {
			Peers []json.RawMessage `json:"peers"`
		} `json:"interfaces"`
	}
	json.Unmarshal([]byte(res.Stdout), &parsed)
	if len(parsed.Interfaces) != 1 || len(parsed.Interfaces[0].Peers) != strings.Count(endpoints, "\n") {
		t.Errorf("%s: JSON has %+v, want one interface with %d peers", name, parsed, strings.Count(endpoints, "\n"))
	}
}
