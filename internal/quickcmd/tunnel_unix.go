//go:build unix

package quickcmd

import (
	"os"
	"time"

	"github.com/wgtools/wgtools/internal/tunnel"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// tunnels is how a platform runs the embedded tunnel: detached (a daemon of
// this binary), or inside this process for `up --foreground`.
type tunnels struct {
	// start starts a tunnel on a new interface NAME ("utun" on macOS,
	// where the system picks utunN) and returns its real name.
	start func(name string) (string, error)
	// startIn is start with the interface made in the network namespace
	// at netns (Linux); the tunnel's UDP socket stays here.
	startIn func(netns, name string) (string, error)
	// gone waits for it to end after its interface was removed, and
	// removes what it left.
	gone func(name string)
}

// detached runs the embedded tunnel as a detached daemon, as upstream runs
// wireguard-go.
var detached = tunnels{start: func(name string) (string, error) { return startEmbeddedIn("", name) }, startIn: startEmbeddedIn, gone: userspaceGone}

// startEmbeddedIn starts the embedded tunnel as a detached daemon, its
// interface in the network namespace at netns ("": this one).
func startEmbeddedIn(netns, name string) (string, error) {
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return "", err
	}
	defer devnull.Close()
	return tunnel.StartIn(netns, name, 0, tunnel.LogError, devnull)
}

// userspaceGone waits briefly for a userspace tunnel to end once its link
// is gone, and removes a socket it left (as a killed one does).
func userspaceGone(name string) {
	sock := wgctl.SocketPath(name)
	for i := 0; i < 500; i++ {
		if _, err := os.Stat(sock); err != nil {
			return
		}
		if !tunnel.Running(name) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	if !tunnel.Running(name) {
		os.Remove(sock)
	}
}
