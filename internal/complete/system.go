package complete

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/peer"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// Run answers a `__complete` request: args are the words after the
// program name, the last one being completed.
func Run(w io.Writer, f func([]string, string, Sources) ([]string, Directive), args []string) error {
	cur := ""
	if len(args) > 0 {
		cur, args = args[len(args)-1], args[:len(args)-1]
	}
	cands, d := f(args, cur, System())
	Write(w, cands, cur, d)
	return nil
}

var nameRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9_=+.-]{1,15}$`) })

// ConfigDirs are where wg-quick looks for NAME.conf.
func ConfigDirs() []string {
	if runtime.GOOS == "freebsd" || runtime.GOOS == "darwin" {
		return []string{"/etc/wireguard", "/usr/local/etc/wireguard"}
	}
	return []string{"/etc/wireguard"}
}

// System is Sources on this host.
func System() Sources {
	return Sources{
		Interfaces: func() []string {
			c, err := wgctl.Open()
			if err != nil {
				return nil
			}
			defer c.Close()
			names, _ := c.Interfaces()
			return names
		},
		Peers: func(iface string) []string {
			c, err := wgctl.Open()
			if err != nil {
				return nil
			}
			defer c.Close()
			d, err := c.Device(iface)
			if err != nil {
				return nil
			}
			var out []string
			for _, p := range d.Peers {
				out = append(out, config.FormatKey(p.PublicKey))
			}
			return out
		},
		Configs: func() []string {
			var out []string
			for _, dir := range ConfigDirs() {
				m, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
				for _, p := range m {
					if n := strings.TrimSuffix(filepath.Base(p), ".conf"); nameRe().MatchString(n) {
						out = append(out, n)
					}
				}
			}
			return out
		},
		Files:     listFiles,
		PeerNames: peerNames,
	}
}

// listFiles lists the entries of prefix's directory that start with its
// last element: directories (with a slash) and files ending in suffix.
func listFiles(prefix, suffix string) []string {
	dir, base := filepath.Split(prefix)
	read := dir
	if read == "" {
		read = "."
	}
	entries, err := os.ReadDir(read)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&os.ModeSymlink != 0 {
			if fi, err := os.Stat(filepath.Join(read, name)); err == nil {
				isDir = fi.IsDir()
			}
		}
		switch {
		case isDir:
			out = append(out, dir+name+"/")
		case strings.HasSuffix(name, suffix):
			out = append(out, dir+name)
		}
	}
	return out
}

// peerNames lists the names and public keys of a config's peers.
func peerNames(operand string) []string {
	path := operand
	if nameRe().MatchString(path) {
		path = filepath.Join("/etc/wireguard", path+".conf")
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f, err := peer.Parse(text)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range f.Peers {
		if e.Name != "" {
			out = append(out, e.Name)
		}
	}
	for _, e := range f.Peers {
		out = append(out, e.PublicKey)
	}
	return out
}
