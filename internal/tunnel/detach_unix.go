//go:build !windows

package tunnel

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/wgtools/wgtools/internal/wgctl"
)

// StartTimeout is how long Start waits for a detached tunnel to answer.
const StartTimeout = 5 * time.Second

// Start runs a detached tunnel for name. The interface and socket are made
// here, so failures come back to the caller; then this program is run again
// as `wireguard-go NAME` with both handed over, and Start returns once the
// socket answers. It returns the interface's real name.
func Start(name string, mtu, logLevel int, logTo *os.File) (string, error) {
	return StartIn("", name, mtu, logLevel, logTo)
}

// StartIn is Start with the interface made in the network namespace at
// netns (none: this one) and the daemon told to adopt it there; the
// daemon, and with it the tunnel's UDP socket, stays in this namespace.
func StartIn(netns, name string, mtu, logLevel int, logTo *os.File) (string, error) {
	var t *Tunnel
	var err error
	if netns == "" {
		t, err = Open(name, mtu, logLevel)
	} else {
		err = InNetns(netns, func() (err error) {
			t, err = Open(name, mtu, logLevel)
			return err
		})
	}
	if err != nil {
		return "", err
	}
	tunFile, uapi := t.Files()
	exe, err := os.Executable()
	if err != nil {
		t.Close()
		return "", fmt.Errorf("find own executable: %w", err)
	}
	cmd := exec.Command(exe, t.name)
	cmd.Args[0] = "wireguard-go"
	cmd.Env = append(os.Environ(), "WG_TUN_FD=3", "WG_UAPI_FD=4", "WG_PROCESS_FOREGROUND=1")
	if netns != "" {
		cmd.Env = append(cmd.Env, NetnsEnv+"="+netns)
	}
	cmd.ExtraFiles = []*os.File{tunFile, uapi}
	cmd.Stdout, cmd.Stderr = logTo, logTo
	// Its own process group keeps a terminal's ^C away from the daemon.
	// Not its own session: on kernels with scheduler autogroups a new
	// session gets its own CPU share, which cost 15% of the throughput in
	// bench/tunnel against upstream's daemon (which stays in the session).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Close()
		return "", fmt.Errorf("start tunnel daemon: %w", err)
	}
	// The child holds its own copies now.
	t.tun.Close()
	uapi.Close()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(StartTimeout)
	for {
		if Running(t.name) {
			return t.name, nil
		}
		select {
		case err := <-exited:
			os.Remove(wgctl.SocketPath(t.name))
			return "", fmt.Errorf("tunnel daemon for %s exited before it was ready: %v", t.name, err)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			os.Remove(wgctl.SocketPath(t.name))
			return "", fmt.Errorf("tunnel daemon for %s did not answer within %v", t.name, StartTimeout)
		}
	}
}

// Running reports whether a tunnel answers on name's UAPI socket.
func Running(name string) bool {
	c, err := net.DialTimeout("unix", wgctl.SocketPath(name), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("get=1\n\n")); err != nil {
		return false
	}
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		if strings.HasPrefix(line, "errno=") {
			return line == "errno=0\n"
		}
	}
}

// Stop ends the tunnel serving name by removing its UAPI socket: the
// daemon watches the socket file, shuts down and closes the interface. Stop
// waits until the interface is gone.
func Stop(name string) error {
	if err := os.Remove(wgctl.SocketPath(name)); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("no tunnel is running for %s", name)
		}
		return err
	}
	deadline := time.Now().Add(StartTimeout)
	for time.Now().Before(deadline) {
		if _, err := net.InterfaceByName(name); err != nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("tunnel for %s did not stop within %v", name, StartTimeout)
}
