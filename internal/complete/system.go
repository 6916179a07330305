package complete

import (
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// Run answers a `__complete` request: args are the words after the
// program name, the last one being completed.
func Run(w io.Writer, f func([]string, string, Sources) ([]string, Directive), args []string, s Sources) error {
	cur := ""
	if len(args) > 0 {
		cur, args = args[len(args)-1], args[:len(args)-1]
	}
	cands, d := f(args, cur, s)
	Write(w, cands, cur, d)
	return nil
}

// System is Sources on this host: its WireGuard interfaces and files.
// wg-quick adds its config names and peers (Configs, PeerNames), found as
// it finds configs.
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
		Files: listFiles,
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
