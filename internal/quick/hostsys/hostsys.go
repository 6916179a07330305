//go:build unix

// Package hostsys is what the macOS and BSD platforms' native systems ask
// of the host the same way: an interface's existence, MTU and addresses,
// and the detached route monitor process.
package hostsys

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"syscall"
)

// Exists reports whether the interface is there.
func Exists(ifname string) bool {
	_, err := net.InterfaceByName(ifname)
	return err == nil
}

// MTU is the interface's MTU.
func MTU(ifname string) (int, bool) {
	i, err := net.InterfaceByName(ifname)
	if err != nil {
		return 0, false
	}
	return i.MTU, true
}

// Addresses are the interface's addresses, in the system's order.
func Addresses(ifname string) []netip.Prefix {
	i, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil
	}
	addrs, _ := i.Addrs()
	var out []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ip, _ := netip.AddrFromSlice(n.IP)
			ones, _ := n.Mask.Size()
			out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
		}
	}
	return out
}

// StartDetached runs command with arg appended detached, as upstream's
// backgrounded monitor subshell: its own session, no input, no output,
// its errors to stderr (nil: nowhere). It returns the process id.
func StartDetached(command []string, arg string, stderr io.Writer) (int, error) {
	if len(command) == 0 {
		return 0, errors.New("no route monitor command")
	}
	argv := append(command[:len(command):len(command)], arg)
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer devnull.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	if stderr != nil {
		cmd.Stderr = stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	pid := cmd.Process.Pid
	go cmd.Wait()
	return pid, nil
}

// Alive reports whether signal 0 reaches the process.
func Alive(pid int) bool {
	return pid > 0 && syscall.Kill(pid, 0) == nil
}
