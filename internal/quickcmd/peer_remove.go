package quickcmd

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
)

func peerRemove(env *cli.Env, args []string) error {
	pos, err := parseFlags(env, newFlagSet("peer remove"), peerHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("peer remove needs INTERFACE and a peer's NAME or PUBLIC_KEY (see wg-quick peer --help)")
	}
	s, unlock, err := lockServer(env, pos[0])
	if err != nil {
		return err
	}
	defer unlock()
	c, _ := wgctl.Open()
	defer c.Close()
	dev := live(c, s.iface)
	e, inFile := s.file.Find(pos[1])
	key := pos[1]
	if inFile {
		key = e.PublicKey
	}
	k, kerr := config.PublicKey(key)
	onLine := kerr == nil && dev != nil && hasPeer(dev, k)
	if !inFile && !onLine {
		return fmt.Errorf("no peer %s in %s or on the running %s", pos[1], s.path, s.iface)
	}
	if inFile {
		if err := quick.WriteAtomic(s.path, s.file.Remove(e)); err != nil {
			return err
		}
	}
	if onLine {
		if err := c.Configure(s.iface, &config.Config{Peers: []config.Peer{{PublicKey: k, HasPublicKey: true, Remove: true}}}); err != nil {
			if inFile {
				quick.WriteAtomic(s.path, s.file.Text)
			}
			return fmt.Errorf("remove the peer from the running %s: %w (the config file is unchanged)", s.iface, err)
		}
	}
	fmt.Fprintf(env.Stderr, "[+] Removed peer %s from %s\n", pos[1], strings.Join(where(inFile, onLine, s), " and "))
	return nil
}

func where(inFile, onLine bool, s *server) []string {
	var w []string
	if inFile {
		w = append(w, filepath.Clean(s.path))
	}
	if onLine {
		w = append(w, "the running "+s.iface)
	}
	return w
}

func hasPeer(d *config.Device, k config.Key) bool {
	for _, p := range d.Peers {
		if p.PublicKey == k {
			return true
		}
	}
	return false
}
