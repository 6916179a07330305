//go:build !windows

package wgctl

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/wgtools/wgtools/internal/config"
)

// fakeKernel is a kernel side that answers from fields, or fails the test
// when it must not be reached.
type fakeKernel struct {
	t       *testing.T
	names   []string
	listErr error
	forbid  bool
}

func (f *fakeKernel) close() error { return nil }

func (f *fakeKernel) list() ([]string, error) {
	if f.forbid {
		f.t.Error("kernel list called")
	}
	return f.names, f.listErr
}

func (f *fakeKernel) get(string) (*config.Device, error) {
	f.t.Error("kernel get called")
	return nil, syscall.ENODEV
}

func (f *fakeKernel) set(string, *config.Config) error {
	f.t.Error("kernel set called")
	return syscall.ENODEV
}

// testSocketDir points the UAPI directory at a new temporary directory.
func testSocketDir(t *testing.T) string {
	dir := t.TempDir() + "/"
	old := socketDir
	socketDir = dir
	t.Cleanup(func() { socketDir = old })
	return dir
}

// fakeUAPI serves NAME.sock in dir: a get answers reply, a set is recorded
// and answered errno=0.
type fakeUAPI struct {
	mu   sync.Mutex
	sets []string
}

func serveUAPI(t *testing.T, dir, name, reply string) *fakeUAPI {
	ln, err := net.Listen("unix", filepath.Join(dir, name+".sock"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &fakeUAPI{}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c, reply)
		}
	}()
	return f
}

func (f *fakeUAPI) serve(c net.Conn, reply string) {
	defer c.Close()
	r := bufio.NewReader(c)
	var req strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return // hasUAPI only connects
		}
		req.WriteString(line)
		if line == "\n" {
			break
		}
	}
	if strings.HasPrefix(req.String(), "get=1\n") {
		c.Write([]byte(reply))
		return
	}
	f.mu.Lock()
	f.sets = append(f.sets, req.String())
	f.mu.Unlock()
	c.Write([]byte("errno=0\n\n"))
}

func TestInterfaces(t *testing.T) {
	dir := testSocketDir(t)
	serveUAPI(t, dir, "wguser0", "errno=0\n\n")
	on := func() bool { return true }
	tests := []struct {
		name string
		c    *Client
		want []string
	}{
		{"kernel and userspace", &Client{hasKernel: on, openKernel: func() (kernel, error) { return &fakeKernel{t: t, names: []string{"wg0"}}, nil }}, []string{"wg0", "wguser0"}},
		{"no kernel support", &Client{hasKernel: func() bool { return false }, openKernel: func() (kernel, error) { t.Error("kernel opened"); return nil, syscall.EIO }}, []string{"wguser0"}},
		{"kernel does not open", &Client{hasKernel: on, openKernel: func() (kernel, error) { return nil, syscall.EPROTONOSUPPORT }}, []string{"wguser0"}},
		{"kernel list fails", &Client{hasKernel: on, openKernel: func() (kernel, error) { return &fakeKernel{t: t, listErr: syscall.ENXIO}, nil }}, []string{"wguser0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.c.Interfaces()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestUserspaceNeverReachesKernel: a name with a UAPI socket is read and
// configured there; the kernel side is neither opened nor called.
func TestUserspaceNeverReachesKernel(t *testing.T) {
	dir := testSocketDir(t)
	u := serveUAPI(t, dir, "wguser0", "listen_port=51820\nerrno=0\n\n")
	c := &Client{
		hasKernel:  func() bool { return true },
		openKernel: func() (kernel, error) { t.Error("kernel opened"); return &fakeKernel{t: t, forbid: true}, nil },
	}
	d, err := c.Device("wguser0")
	if err != nil {
		t.Fatal(err)
	}
	if d.ListenPort != 51820 {
		t.Errorf("ListenPort = %d", d.ListenPort)
	}
	port := 1
	cfg := &config.Config{ListenPort: &port}
	if err := c.Configure("wguser0", cfg); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := EncodeSet(&want, cfg); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{want.String()}, u.sets); diff != "" {
		t.Errorf("set requests (-want +got):\n%s", diff)
	}
	if c.kernel != nil {
		t.Error("kernel side opened")
	}
}

func TestErrRemoveUnsupported(t *testing.T) {
	if !errors.Is(errRemoveUnsupported, config.ErrIncrementalRemove) || !errors.Is(errRemoveUnsupported, syscall.EOPNOTSUPP) {
		t.Errorf("%v is not both ErrIncrementalRemove and EOPNOTSUPP", errRemoveUnsupported)
	}
	if e := errnoOf(errRemoveUnsupported); e != syscall.EOPNOTSUPP {
		t.Errorf("errnoOf = %v, want EOPNOTSUPP (wg: Operation not supported)", e)
	}
}
