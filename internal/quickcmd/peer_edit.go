package quickcmd

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/peer"
	"github.com/wgtools/wgtools/internal/qr"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// serverPublicKey is the public key of the server config's private key.
func serverPublicKey(s *server) (string, error) {
	if s.file.PrivateKey == "" {
		return "", fmt.Errorf("%s has no PrivateKey, so its public key for clients is unknown", s.path)
	}
	k, err := config.SecretKey(s.file.PrivateKey)
	if err != nil {
		return "", fmt.Errorf("%s: PrivateKey: %w", s.path, err)
	}
	return config.FormatKey(k.PublicKey()), nil
}

// newKeys makes a client's private and public key and, when asked, a
// preshared key.
func newKeys(env *cli.Env, withPSK bool) (priv, pub, psk string, err error) {
	k, err := config.NewPrivateKey(env.Rand)
	if err != nil {
		return "", "", "", fmt.Errorf("random key: %w", err)
	}
	if withPSK {
		p, err := config.NewKey(env.Rand)
		if err != nil {
			return "", "", "", fmt.Errorf("random key: %w", err)
		}
		psk = config.FormatKey(p)
	}
	return config.FormatKey(k), config.FormatKey(k.PublicKey()), psk, nil
}

// commitAdd makes the change: the client file (created, never replaced),
// the server file, then the running interface; if a later step fails the
// earlier ones are undone.
func commitAdd(env *cli.Env, prog string, s *server, n *peer.New, text []byte, client *peer.Client, o *addFlags) (err error) {
	for _, a := range client.AllowedIPs {
		if _, err := netip.ParsePrefix(a); err != nil {
			return fmt.Errorf("--allowed-ips %s: not an IP network (such as 0.0.0.0/0 or 10.8.0.0/24)", a)
		}
	}
	var out *os.File
	if o.out != "" {
		if out, err = os.OpenFile(o.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists (hint: remove it, or choose another --out)", o.out)
			}
			return err
		}
		defer func() {
			out.Close()
			if err != nil {
				os.Remove(o.out)
			}
		}()
	}
	if err := quick.WriteAtomic(s.path, text); err != nil {
		return err
	}
	c, _ := wgctl.Open()
	defer c.Close()
	if dev := live(c, s.iface); dev != nil {
		if err := c.Configure(s.iface, livePeer(n)); err != nil {
			quick.WriteAtomic(s.path, s.file.Text)
			return fmt.Errorf("add the peer to the running %s: %w (the config file is unchanged)", s.iface, err)
		}
	}
	conf := client.Text()
	if out != nil {
		if _, err := io.WriteString(out, conf); err != nil {
			return err
		}
	}
	addrs := make([]string, len(client.Addresses))
	for i, a := range client.Addresses {
		addrs[i] = a.Addr().String()
	}
	fmt.Fprintf(env.Stderr, "[+] Added peer %s (%s) to %s", n.Name, strings.Join(addrs, ", "), s.path)
	if o.out != "" {
		fmt.Fprintf(env.Stderr, "; its config is in %s", o.out)
	}
	fmt.Fprintln(env.Stderr)
	switch {
	case o.qr:
		code, err := qr.Encode([]byte(conf))
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "Warning: this QR code holds the private key of peer %s; anyone who sees it can use the tunnel.\n", n.Name)
		return code.WriteTerminal(env.Stdout, !utf8Locale(env))
	case o.out == "":
		_, err := io.WriteString(env.Stdout, conf)
		return err
	}
	return nil
}

// livePeer is the new peer as a change to the running interface.
func livePeer(n *peer.New) *config.Config {
	k, _ := config.PublicKey(n.PublicKey)
	p := config.Peer{PublicKey: k, HasPublicKey: true, ReplaceAllowedIPs: true}
	if n.PresharedKey != "" {
		psk, _ := config.SecretKey(n.PresharedKey)
		p.PresharedKey = &psk
	}
	for _, a := range n.AllowedIPs {
		p.AllowedIPs = append(p.AllowedIPs, config.AllowedIP{Prefix: a})
	}
	return &config.Config{Peers: []config.Peer{p}}
}

func peerRemove(env *cli.Env, prog string, args []string) error {
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
