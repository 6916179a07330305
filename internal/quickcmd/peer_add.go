package quickcmd

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/peer"
	"github.com/wgtools/wgtools/internal/qr"
	"github.com/wgtools/wgtools/internal/quick"
	"github.com/wgtools/wgtools/internal/wgctl"
)

type addFlags struct {
	address, allowed, dns listFlag
	endpoint, out         string
	keepalive             int
	noPSK, qr             bool
}

func peerAdd(env *cli.Env, args []string) error {
	fs := flag.NewFlagSet("peer add", flag.ContinueOnError)
	var o addFlags
	fs.Var(&o.address, "address", "")
	fs.Var(&o.allowed, "allowed-ips", "")
	fs.Var(&o.dns, "dns", "")
	fs.StringVar(&o.endpoint, "endpoint", "", "")
	fs.StringVar(&o.out, "out", "", "")
	fs.IntVar(&o.keepalive, "keepalive", 0, "")
	fs.BoolVar(&o.noPSK, "no-psk", false, "")
	fs.BoolVar(&o.qr, "qr", false, "")
	pos, err := parseFlags(env, fs, peerHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("peer add needs INTERFACE and NAME (see wg-quick peer --help)")
	}
	if o.keepalive < 0 || o.keepalive > 65535 {
		return fmt.Errorf("--keepalive %d: want 0 to 65535 seconds", o.keepalive)
	}
	s, unlock, err := lockServer(env, pos[0])
	if err != nil {
		return err
	}
	defer unlock()
	endpoint := o.endpoint
	if endpoint == "" {
		endpoint = s.file.Endpoint
	}
	if endpoint == "" {
		return fmt.Errorf("no endpoint for clients: pass --endpoint HOST:PORT (it is remembered in %s for later peers)", s.path)
	}
	if err := peer.CheckEndpoint(endpoint); err != nil {
		return err
	}
	serverKey, err := serverPublicKey(s)
	if err != nil {
		return err
	}
	var addrs []netip.Prefix
	if len(o.address) > 0 {
		var as []netip.Addr
		for _, a := range o.address {
			ip, err := netip.ParseAddr(strings.SplitN(a, "/", 2)[0])
			if err != nil {
				return fmt.Errorf("--address %s: not an IP address", a)
			}
			as = append(as, ip)
		}
		addrs, err = s.file.Claim(as)
	} else {
		addrs, err = s.file.Allocate()
	}
	if err != nil {
		return err
	}
	priv, pub, psk, err := newKeys(env, !o.noPSK)
	if err != nil {
		return err
	}
	n := &peer.New{Name: pos[1], PublicKey: pub, PresharedKey: psk}
	for _, a := range addrs {
		n.AllowedIPs = append(n.AllowedIPs, netip.PrefixFrom(a.Addr(), a.Addr().BitLen()))
	}
	text, err := s.file.Add(n)
	if err != nil {
		return err
	}
	text = s.file.WithEndpoint(text, endpoint)
	client := &peer.Client{PrivateKey: priv, Addresses: addrs, DNS: o.dns, ServerKey: serverKey, PresharedKey: psk,
		Endpoint: endpoint, AllowedIPs: o.allowed, Keepalive: o.keepalive}
	if len(client.DNS) == 0 {
		client.DNS = s.file.DNS
	}
	if len(client.AllowedIPs) == 0 {
		client.AllowedIPs = []string{"0.0.0.0/0", "::/0"}
	}
	return commitAdd(env, s, n, text, client, &o)
}

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

// commitAdd makes the change so that a failure leaves nothing half done:
// what can fail without changing anything comes first (the client config
// made into a QR code, then written to --out in full), then the server file
// and the running interface; a failure of a later step, printing the
// client's config included, undoes the earlier ones, so a retry starts
// from where the user was.
func commitAdd(env *cli.Env, s *server, n *peer.New, text []byte, client *peer.Client, o *addFlags) (err error) {
	for _, a := range client.AllowedIPs {
		if _, err := netip.ParsePrefix(a); err != nil {
			return fmt.Errorf("--allowed-ips %s: not an IP network (such as 0.0.0.0/0 or 10.8.0.0/24)", a)
		}
	}
	conf := client.Text()
	var code *qr.Code
	if o.qr {
		if code, err = qr.Encode([]byte(conf)); err != nil {
			return fmt.Errorf("peer %s not added: %w", n.Name, err)
		}
	}
	var undo []func()
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				undo[i]()
			}
		}
	}()
	if o.out != "" {
		if err := writeNew(o.out, conf); err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s already exists (hint: remove it, or choose another --out)", o.out)
			}
			return fmt.Errorf("peer %s not added: %w", n.Name, err)
		}
		undo = append(undo, func() { os.Remove(o.out) })
	}
	if err := quick.WriteAtomic(s.path, text); err != nil {
		return err
	}
	undo = append(undo, func() { quick.WriteAtomic(s.path, s.file.Text) })
	c, _ := wgctl.Open()
	defer c.Close()
	if dev := live(c, s.iface); dev != nil {
		if err := c.Configure(s.iface, livePeer(n)); err != nil {
			return fmt.Errorf("add the peer to the running %s: %w (the config file is unchanged)", s.iface, err)
		}
		undo = append(undo, func() { c.Configure(s.iface, removePeer(n)) })
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
		fmt.Fprintf(env.Stderr, "Warning: this QR code holds the private key of peer %s; anyone who sees it can use the tunnel.\n", n.Name)
		if err := code.WriteTerminal(env.Stdout, !utf8Locale(env)); err != nil {
			return fmt.Errorf("show the QR code: %w (so peer %s was taken out again)", err, n.Name)
		}
	case o.out == "":
		if _, err := io.WriteString(env.Stdout, conf); err != nil {
			return fmt.Errorf("print the client config: %w (so peer %s was taken out again)", err, n.Name)
		}
	}
	return nil
}

// writeNew writes a client config to a file that must not exist yet (mode
// 0600, never through a symlink: os.ErrExist), in full and synced; on
// failure the file is removed.
func writeNew(path, conf string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, conf)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// removePeer is the change that takes the new peer off the running
// interface again.
func removePeer(n *peer.New) *config.Config {
	k, _ := config.PublicKey(n.PublicKey)
	return &config.Config{Peers: []config.Peer{{PublicKey: k, HasPublicKey: true, Remove: true}}}
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
