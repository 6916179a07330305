package quickcmd

import (
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/wgtools/wgtools/internal/complete"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/peer"
)

// completions are the completion sources of wg-quick: the system's, plus
// the config names in /etc/wireguard and the peers of a config, found by
// the same rules as the commands use.
func completions() complete.Sources {
	s := complete.System()
	s.Configs = func() []string {
		var out []string
		for _, dir := range configDirs(runtime.GOOS) {
			m, _ := filepath.Glob(filepath.Join(dir, "*.conf"))
			for _, p := range m {
				if n := strings.TrimSuffix(filepath.Base(p), ".conf"); config.ValidInterfaceName(n) && !slices.Contains(out, n) {
					out = append(out, n)
				}
			}
		}
		return out
	}
	s.PeerNames = func(operand string) []string {
		src, err := Lookup(operand, io.Discard)
		if err != nil {
			return nil
		}
		text, err := os.ReadFile(src.Path)
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
	return s
}
