//go:build !windows

package tunnel

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/wgctl"
	"golang.zx2c4.com/wireguard/conn/bindtest"
	"golang.zx2c4.com/wireguard/device"
	"golang.zx2c4.com/wireguard/tun/tuntest"
)

// goroutineLeakCheck fails the test if goroutines outlive it.
func goroutineLeakCheck(t *testing.T) {
	start := runtime.NumGoroutine()
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		for i := 0; i < 5000; i++ {
			if runtime.NumGoroutine() <= start {
				return
			}
			time.Sleep(time.Millisecond)
		}
		var b bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&b, 1)
		t.Fatalf("%d goroutines at start, %d at end:\n%s", start, runtime.NumGoroutine(), b.String())
	})
}

// uapi sends one request to a UAPI socket.
func uapi(t *testing.T, path string, req func(c net.Conn) error) {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := req(c); err != nil {
		t.Fatal(err)
	}
}

// TestServeConfigureAndPing runs two devices on channel TUNs and binds,
// configures them over their UAPI sockets with our encoder, pings through
// them, reads the state back with our decoder, and stops them.
func TestServeConfigureAndPing(t *testing.T) {
	goroutineLeakCheck(t)
	binds := bindtest.NewChannelBinds()
	tuns := [2]*tuntest.ChannelTUN{tuntest.NewChannelTUN(), tuntest.NewChannelTUN()}
	keys := [2]config.Key{{0, 1}, {0, 2}} // distinct after clamping
	psk := config.Key{9, 9, 9}
	var pubs [2]config.Key
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	var socks [2]string
	var logs lockedBuffer
	for i := range tuns {
		logger := device.NewLogger(device.LogLevelSilent, "")
		if i == 0 { // the verbose log of device 0 must not show keys
			logger = &device.Logger{Verbosef: logs.printf, Errorf: logs.printf}
		}
		dev := device.NewDevice(tuns[i].TUN(), binds[i], logger)
		socks[i] = filepath.Join(dir, []string{"a.sock", "b.sock"}[i])
		l, err := net.Listen("unix", socks[i])
		if err != nil {
			t.Fatal(err)
		}
		go func() { serve(ctx, dev, l, device.NewLogger(device.LogLevelSilent, "")); done <- struct{}{} }()
		pubs[i] = pub(t, &config.Device{PrivateKey: keys[i]})
	}
	ip := [2]netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")}
	set := func(i int, cfg *config.Config) {
		uapi(t, socks[i], func(c net.Conn) error {
			if err := wgctl.EncodeSet(c, cfg); err != nil {
				return err
			}
			return wgctl.ReadSetReply(c)
		})
	}
	get := func(i int) (d *config.Device) {
		uapi(t, socks[i], func(c net.Conn) (err error) {
			c.Write([]byte("get=1\n\n"))
			d, err = wgctl.DecodeGet(c, "t")
			return err
		})
		return d
	}
	for i := range tuns {
		j := 1 - i
		set(i, &config.Config{PrivateKey: &keys[i], ReplacePeers: true, Peers: []config.Peer{{
			PublicKey: pubs[j], HasPublicKey: true, ReplaceAllowedIPs: true, PresharedKey: &psk,
			AllowedIPs: []config.AllowedIP{{Prefix: netip.PrefixFrom(ip[j], 32)}}}}})
	}
	// A channel bind reports its peer's channel as its port; that is the
	// endpoint the other device must use.
	var ports [2]int
	for i := range tuns {
		ports[i] = get(i).ListenPort
	}
	for i := range tuns {
		j := 1 - i
		ep := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ports[j]))
		set(i, &config.Config{Peers: []config.Peer{{PublicKey: pubs[j], HasPublicKey: true, Endpoint: &ep}}})
	}
	// A device comes up when its TUN's up event has been handled, in a
	// goroutine of its own; a packet read before that is dropped, as on a
	// real interface. So the ping is sent again until it arrives. A
	// handshake initiation that the other device dropped so is sent again
	// only after REKEY_TIMEOUT (5 s, plus up to a third of a second of
	// jitter): the wait must outlast that (at 5 s the test failed about
	// once in a few hundred runs).
	for i := range tuns {
		j := 1 - i
		if !pingArrives(tuns[i], tuns[j], tuntest.Ping(ip[j], ip[i]), 12*time.Second) {
			t.Fatalf("ping from %d to %d did not arrive", i, j)
		}
	}
	for i := range socks {
		d := get(i)
		if len(d.Peers) != 1 || d.Peers[0].PublicKey != pubs[1-i] || d.Peers[0].LastHandshakeSec == 0 || d.Peers[0].RxBytes == 0 {
			t.Errorf("device %d state: %+v", i, d)
		}
	}
	cancel()
	<-done
	<-done
	if logs.Len() == 0 {
		t.Fatal("no verbose log captured")
	}
	for _, k := range []config.Key{keys[0], psk} {
		if strings.Contains(logs.String(), config.FormatKey(k)) || strings.Contains(logs.String(), hex.EncodeToString(k[:])) {
			t.Errorf("log shows key material:\n%s", logs.String())
		}
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) printf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(&l.b, format+"\n", args...)
}

func (l *lockedBuffer) Len() int       { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Len() }
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// pub derives the public key of a device's private key through our decoder
// (the device reports the public key it computes).
func pub(t *testing.T, d *config.Device) config.Key {
	t.Helper()
	reply := "private_key=" + hex.EncodeToString(d.PrivateKey[:]) + "\nerrno=0\n\n"
	dd, err := wgctl.DecodeGet(strings.NewReader(reply), "k")
	if err != nil {
		t.Fatal(err)
	}
	return dd.PublicKey
}

// pingArrives sends packet into from's TUN every 100 ms until to's TUN
// delivers the same bytes, and reports whether that happened in time.
func pingArrives(from, to *tuntest.ChannelTUN, packet []byte, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		select {
		case from.Outbound <- packet:
		case <-deadline:
			return false
		}
		retry := time.After(100 * time.Millisecond)
		for waiting := true; waiting; {
			select {
			case got := <-to.Inbound:
				if bytes.Equal(got, packet) {
					return true
				}
			case <-retry:
				waiting = false
			case <-deadline:
				return false
			}
		}
	}
}
