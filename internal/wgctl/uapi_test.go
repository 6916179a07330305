package wgctl

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
)

func bigReply(n int) string {
	var b strings.Builder
	k := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	b.WriteString("private_key=" + k("dev") + "\nlisten_port=51820\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "public_key=%s\npreshared_key=%s\nprotocol_version=1\nendpoint=192.0.%d.%d:%d\nlast_handshake_time_sec=0\nlast_handshake_time_nsec=0\ntx_bytes=0\nrx_bytes=0\npersistent_keepalive_interval=25\nallowed_ip=10.%d.%d.%d/32\nallowed_ip=fd00::%x/128\n",
			k(fmt.Sprint("p", i)), k(fmt.Sprint("k", i)), i>>8&255, i&255, 1024+i, i>>16&255, i>>8&255, i&255, i)
	}
	b.WriteString("errno=0\n\n")
	return b.String()
}

func BenchmarkParseGet10k(b *testing.B) {
	reply := bigReply(10000)
	b.ReportAllocs()
	b.SetBytes(int64(len(reply)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := parseGet(bufio.NewReaderSize(strings.NewReader(reply), 64<<10), "wg0"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseGet(t *testing.T) {
	ok := "private_key=" + strings.Repeat("00", 32) + "\nlisten_port=51820\nfwmark=0\n"
	tests := []struct {
		name, reply string
		err         error
		peers       int
	}{
		{"minimal", "errno=0\n\n", nil, 0},
		{"device", ok + "errno=0\n\n", nil, 0},
		{"unknown keys ignored", "protocol_version=1\nfuture=x\nerrno=0\n\n", nil, 0},
		{"peers", bigReply(3), nil, 3},
		{"peers in many chunks", bigReply(1500), nil, 1500},
		{"negative errno", "errno=-22\n\n", syscall.EINVAL, 0},
		{"positive errno", "errno=13\n\n", syscall.EACCES, 0},
		{"no errno", ok + "\n", syscall.EPROTO, 0},
		{"truncated", ok, syscall.EPROTO, 0},
		{"no equals", "garbage\nerrno=0\n\n", syscall.EPROTO, 0},
		{"bad number", "listen_port=x\nerrno=0\n\n", syscall.EPROTO, 0},
		{"port too large", "listen_port=65536\nerrno=0\n\n", syscall.EPROTO, 0},
		{"short key", "private_key=00\nerrno=0\n\n", syscall.EPROTO, 0},
		{"bad endpoint", "public_key=" + strings.Repeat("11", 32) + "\nendpoint=nope\nerrno=0\n\n", syscall.EPROTO, 0},
	}
	for _, tt := range tests {
		d, err := parseGet(bufio.NewReader(strings.NewReader(tt.reply)), "wg0")
		if diff := cmp.Diff(tt.err, err, cmp.Comparer(func(a, b error) bool { return a == b })); diff != "" {
			t.Errorf("%s: error (-want +got):\n%s", tt.name, diff)
			continue
		}
		if err != nil {
			continue
		}
		if len(d.Peers) != tt.peers {
			t.Errorf("%s: %d peers, want %d", tt.name, len(d.Peers), tt.peers)
		}
		for i, p := range d.Peers { // in the reply's order
			if port := p.Endpoint.Port(); port != uint16(1024+i) {
				t.Errorf("%s: peer %d has port %d, want %d", tt.name, i, port, 1024+i)
				break
			}
		}
	}
}

// FuzzParseGet: any reply parses or fails with an errno, never panics.
func FuzzParseGet(f *testing.F) {
	f.Add(bigReply(2))
	f.Add("errno=-22\n\n")
	f.Add("public_key=" + strings.Repeat("ab", 32) + "\nallowed_ip=::/0\nendpoint=[fe80::1%eth0]:5\nerrno=0\n\n")
	f.Fuzz(func(t *testing.T, reply string) {
		d, err := parseGet(bufio.NewReader(strings.NewReader(reply)), "wg0")
		if err == nil && d == nil {
			t.Fatal("no device and no error")
		}
		if _, ok := err.(syscall.Errno); err != nil && !ok {
			t.Fatalf("error %T %v is not an errno", err, err)
		}
	})
}

// BenchmarkShow10k: a 10,000-peer reply read and written as showconf,
// the pretty listing and dump would (the memory a `wg` command takes).
func BenchmarkShow10k(b *testing.B) {
	reply := bigReply(10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := parseGet(bufio.NewReaderSize(strings.NewReader(reply), 64<<10), "wg0")
		if err != nil {
			b.Fatal(err)
		}
		if err := config.WriteDevice(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
}
