package config

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkParse10k parses a file of 10,000 peers, as `wg setconf` and
// `wg syncconf` read it.
func BenchmarkParse10k(b *testing.B) {
	key := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return base64.StdEncoding.EncodeToString(h[:])
	}
	var sb strings.Builder
	sb.WriteString("[Interface]\nPrivateKey = " + key("dev") + "\nListenPort = 51820\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&sb, "\n[Peer]\nPublicKey = %s\nPresharedKey = %s\nAllowedIPs = 10.%d.%d.%d/32, fd00::%x/128\nEndpoint = 192.0.%d.%d:%d\n",
			key(fmt.Sprint("p", i)), key(fmt.Sprint("k", i)), i>>16&255, i>>8&255, i&255, i, i>>8&255, i&255, 1024+i)
	}
	path := filepath.Join(b.TempDir(), "big.conf")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := (&Options{}).Parse(f); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}
