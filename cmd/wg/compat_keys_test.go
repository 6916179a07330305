package main

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wgtools/wgtools/internal/netnstest"
)

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// pubkeyInputs makes valid and malformed stdin contents for `wg pubkey`,
// from a fixed seed so failures reproduce.
func pubkeyInputs() [][]byte {
	r := rand.New(rand.NewPCG(2026, 11))
	randKey := func() string {
		var k [32]byte
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		return base64.StdEncoding.EncodeToString(k[:])
	}
	var in [][]byte
	add := func(s string) { in = append(in, []byte(s)) }
	suffixes := []string{"", "\n", "\r\n", "\n\x00", "\x00", " \t\n\v\f\r", "\nx", "x", " \n", "\n\n\n",
		"\x00\x00\x00x", strings.Repeat(" ", 600) + "x", strings.Repeat("\n", 600), "\n" + randKey() + "\n", "=\n", "\x80"}
	for i := 0; i < 240; i++ {
		add(randKey() + suffixes[i%len(suffixes)])
	}
	key := randKey()
	for n := 0; n <= 45; n++ {
		add(key[:min(n, 44)] + "\n")
		add(key[:min(n, 44)])
	}
	for _, c := range b64Alphabet + "-_=.!" {
		add(key[:42] + string(c) + "=\n") // canonical last characters only
		add(key[:43] + string(c) + "\n")  // the padding position
		add(string(c) + key[1:] + "\n")
	}
	add(" " + key + "\n")
	add("\t" + key)
	add(strings.NewReplacer("+", "-", "/", "_").Replace(key) + "\n")
	add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
	add("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\n")
	add("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBml=\n")
	for i := 0; i < 300; i++ { // random bytes of random length
		b := make([]byte, r.IntN(100))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		in = append(in, b)
	}
	for i := 0; i < 200; i++ { // 43 alphabet characters and '=': mostly non-canonical
		b := make([]byte, 44)
		for j := 0; j < 43; j++ {
			b[j] = b64Alphabet[r.IntN(64)]
		}
		b[43] = '='
		in = append(in, append(b, "\n"[:r.IntN(2)]...))
	}
	for i := 0; i < 100; i++ { // a valid key with one byte flipped somewhere
		b := []byte(randKey() + "\n")
		b[r.IntN(len(b))] = byte(r.Uint32())
		in = append(in, b)
	}
	return in
}

func TestCompatPubkey(t *testing.T) {
	inputs := pubkeyInputs()
	if len(inputs) < 1000 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	names := make([]string, len(inputs))
	ins := make([]invocation, len(inputs))
	for i, in := range inputs {
		names[i] = fmt.Sprintf("pubkey input %d %q", i, in)
		ins[i] = invocation{args: []string{"pubkey"}, stdin: in}
	}
	compareAll(t, names, ins, nil)
	t.Logf("compared %d pubkey inputs", len(inputs))
}

// TestCompatGenkey feeds our generated keys to the reference `wg pubkey`.
func TestCompatGenkey(t *testing.T) {
	ours, ref := netnstest.Binary(t), referenceWG(t)
	for _, sub := range []string{"genkey", "genpsk"} {
		for i := 0; i < 50; i++ {
			g := invocation{args: []string{sub}}.run(t, ours)
			if g.Code != 0 || g.Stderr != "" || len(g.Stdout) != 45 {
				t.Fatalf("%s: %+v", sub, g)
			}
			raw, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSuffix(g.Stdout, "\n"))
			if err != nil || len(raw) != 32 {
				t.Fatalf("%s output %q: %v", sub, g.Stdout, err)
			}
			clamped := raw[0]&7 == 0 && raw[31]&0xc0 == 0x40
			if sub == "genkey" && !clamped {
				t.Errorf("genkey key not clamped: %x", raw)
			}
			refPub := invocation{args: []string{"pubkey"}, stdin: []byte(g.Stdout)}.run(t, ref)
			ourPub := invocation{args: []string{"pubkey"}, stdin: []byte(g.Stdout)}.run(t, ours)
			if refPub.Code != 0 || refPub != ourPub {
				t.Errorf("%s key %q: reference pubkey %+v, ours %+v", sub, g.Stdout, refPub, ourPub)
			}
		}
	}
}

// TestCompatWorldAccessible compares the warning for key output written to
// files of various modes, and to a pipe.
func TestCompatWorldAccessible(t *testing.T) {
	ours, ref := netnstest.Binary(t), referenceWG(t)
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o600, 0o640, 0o644, 0o604, 0o602, 0o601, 0o666} {
		for _, sub := range []string{"genkey", "genpsk"} {
			var res [2]netnstest.Result
			for i, bin := range []string{ours, ref} {
				name := filepath.Join(dir, fmt.Sprintf("%s-%o-%d", sub, mode, i))
				f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
				if err != nil {
					t.Fatal(err)
				}
				os.Chmod(name, mode) // not subject to the umask
				res[i] = invocation{args: []string{sub}, stdout: f}.run(t, bin)
				f.Close()
				if b, _ := os.ReadFile(name); len(b) != 45 {
					t.Errorf("%s to mode %o wrote %d bytes", sub, mode, len(b))
				}
			}
			if res[0] != res[1] {
				t.Errorf("%s to a file of mode %o: ours %+v, reference %+v", sub, mode, res[0], res[1])
			}
			warned := strings.Contains(res[0].Stderr, "world accessible")
			if warned != (mode&0o007 != 0) {
				t.Errorf("%s to mode %o: warned=%v", sub, mode, warned)
			}
		}
	}
}
