// Command udpecho is the exchange `make demo` sends through its tunnel, so
// that the demo needs no ping or netcat on the machine.
//
//	udpecho serve [-for 60s] ADDR:PORT
//	udpecho ping [-count 10] [-size 1000] [-timeout 10s] ADDR:PORT
//
// serve echoes every datagram back to its sender until -for has passed.
// ping sends -count numbered datagrams of -size random bytes, one at a
// time, each sent again every second until its echo comes back intact (the
// first waits for the tunnel's handshake), then prints the round-trip times
// and exits 0; it exits 1 when -timeout passes first.
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "udpecho:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return errors.New("usage: udpecho { serve | ping } [flags] ADDR:PORT")
	}
	fs := flag.NewFlagSet("udpecho "+args[0], flag.ContinueOnError)
	lifetime := fs.Duration("for", time.Minute, "serve: how long to serve")
	count := fs.Int("count", 10, "ping: datagrams to exchange")
	size := fs.Int("size", 1000, "ping: bytes in each datagram (at least 8)")
	timeout := fs.Duration("timeout", 10*time.Second, "ping: time allowed for the whole exchange")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("udpecho %s needs one ADDR:PORT", args[0])
	}
	switch args[0] {
	case "serve":
		return serve(fs.Arg(0), *lifetime)
	case "ping":
		if *size < 8 || *size > 65000 || *count < 1 {
			return errors.New("-size must be 8 to 65000 and -count at least 1")
		}
		return ping(fs.Arg(0), *count, *size, *timeout)
	}
	return fmt.Errorf("unknown mode %q (serve or ping)", args[0])
}

func serve(addr string, lifetime time.Duration) error {
	c, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(lifetime))
	buf := make([]byte, 65536)
	for {
		n, from, err := c.ReadFrom(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := c.WriteTo(buf[:n], from); err != nil {
			return err
		}
	}
}

func ping(addr string, count, size int, timeout time.Duration) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	deadline := time.Now().Add(timeout)
	msg := make([]byte, size)
	reply := make([]byte, size+1)
	var rtts []time.Duration
	for seq := uint64(0); seq < uint64(count); seq++ {
		rand.Read(msg)
		binary.BigEndian.PutUint64(msg, seq)
		rtt, err := exchange(c, msg, reply, deadline)
		if err != nil {
			return fmt.Errorf("datagram %d of %d to %s: %w", seq+1, count, addr, err)
		}
		rtts = append(rtts, rtt)
	}
	slices.Sort(rtts)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
	fmt.Printf("%d/%d echoes of %d bytes came back intact; round trip min/median/max %s/%s/%s ms\n",
		count, count, size, ms(rtts[0]), ms(rtts[len(rtts)/2]), ms(rtts[len(rtts)-1]))
	return nil
}

// exchange sends msg every second until the same bytes come back, and
// returns the time from the last send to the echo.
func exchange(c net.Conn, msg, reply []byte, deadline time.Time) (time.Duration, error) {
	for {
		sent := time.Now()
		if sent.After(deadline) {
			return 0, errors.New("no echo before the timeout")
		}
		if _, err := c.Write(msg); err != nil {
			// ECONNREFUSED from an earlier datagram: the server is not
			// listening yet. Try again.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		wait := sent.Add(time.Second)
		if wait.After(deadline) {
			wait = deadline
		}
		c.SetReadDeadline(wait)
		for {
			n, err := c.Read(reply)
			if err != nil {
				break // timeout or refused: send again
			}
			if bytes.Equal(reply[:n], msg) {
				return time.Since(sent), nil
			}
			// An echo of an earlier copy: keep reading.
		}
	}
}
