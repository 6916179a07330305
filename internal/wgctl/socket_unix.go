//go:build !windows

package wgctl

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
)

// socketDir is SocketDir; tests point it at a directory of their own.
var socketDir = SocketDir

// SocketPath is where the UAPI socket of the userspace interface NAME
// lives: wireguard-go's, ours, boringtun's.
func SocketPath(name string) string { return socketDir + name + ".sock" }

// uapiPath is the socket of a device named NAME: its own, or on macOS,
// where wg-quick's tunnels are utunN, that of the utun NAME's name file
// names (so that `wg show wg0` finds wg-quick's wg0).
func uapiPath(name string) string {
	path := SocketPath(name)
	if runtime.GOOS != "darwin" {
		return path
	}
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if data, err := os.ReadFile(NameFile(name)); err == nil {
		if real := strings.TrimSpace(string(data)); real != "" && !strings.Contains(real, "/") {
			return SocketPath(real)
		}
	}
	return path
}

// dialUAPI connects to the device's socket as wg does: names with '/' never
// match, the file must be a socket, and a socket nobody listens on any more
// (connection refused) is removed.
func dialUAPI(name string) (*net.UnixConn, error) {
	if strings.Contains(name, "/") {
		return nil, syscall.EINVAL
	}
	path := uapiPath(name)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, errnoOf(err)
	}
	if fi.Mode()&fs.ModeSocket == 0 {
		return nil, syscall.EBADF
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			os.Remove(path)
		}
		return nil, errnoOf(err)
	}
	return c, nil
}

// hasUAPI tells whether name is a userspace device: an existing socket
// that does not refuse connections (one that denies permission counts).
func hasUAPI(name string) bool {
	if strings.Contains(name, "/") {
		return false
	}
	path := uapiPath(name)
	if fi, err := os.Stat(path); err != nil || fi.Mode()&fs.ModeSocket == 0 {
		return false
	}
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		if errors.Is(err, syscall.ECONNREFUSED) {
			os.Remove(path)
			return false
		}
		return true
	}
	c.Close()
	return true
}

// listUAPI returns the userspace devices in directory order, as readdir(3)
// gives them (wg does not sort them).
func listUAPI() ([]string, error) {
	d, err := os.Open(socketDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, errnoOf(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, errnoOf(err)
	}
	var out []string
	for _, n := range names {
		base, ok := strings.CutSuffix(n, ".sock")
		if !ok || base == "" || !hasUAPI(base) {
			continue
		}
		out = append(out, base)
	}
	return out, nil
}

func getUAPI(name string) (*config.Device, error) {
	c, err := dialUAPI(name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if _, err := c.Write([]byte("get=1\n\n")); err != nil {
		return nil, errnoOf(err)
	}
	d, err := parseGet(bufio.NewReaderSize(c, 64<<10), name)
	if err != nil {
		return nil, err
	}
	for i := range d.Peers {
		d.Peers[i].Endpoint = withZoneName(d.Peers[i].Endpoint)
	}
	return d, nil
}

func setUAPI(name string, cfg *config.Config) error {
	if cfg.HasRemovals() {
		if err := probeRemoval(name); err != nil {
			return err
		}
	}
	c, err := dialUAPI(name)
	if err != nil {
		return err
	}
	defer c.Close()
	w := bufio.NewWriterSize(c, 64<<10)
	writeSet(w, cfg, func(b []byte, ep netip.AddrPort) []byte { return config.AppendEndpoint(b, withZoneName(ep)) })
	if err := w.Flush(); err != nil {
		return errnoOf(err)
	}
	return readSetReply(bufio.NewReader(c))
}

// probeRemoval asks the daemon whether it understands `allowed_ip=-…`
// without changing anything: the peer is absent and update_only keeps it so.
// Daemons older than May 2025 answer EINVAL, and would otherwise apply the
// lines before the removal and stop there, leaving a partial update.
func probeRemoval(name string) error {
	var k config.Key
	if _, err := rand.Read(k[:]); err != nil {
		return err
	}
	c, err := dialUAPI(name)
	if err != nil {
		return err
	}
	defer c.Close()
	w := bufio.NewWriter(c)
	w.WriteString("set=1\npublic_key=" + hex.EncodeToString(k[:]) + "\nupdate_only=true\nallowed_ip=-0.0.0.0/32\n\n")
	if err := w.Flush(); err != nil {
		return errnoOf(err)
	}
	return readSetReply(bufio.NewReader(c))
}
