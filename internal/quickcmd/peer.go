package quickcmd

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/wgtools/wgtools/internal/atomicfile"
	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/peer"
	"github.com/wgtools/wgtools/internal/wgctl"
)

const peerHelp = `Usage: wg-quick peer add INTERFACE NAME [options]
       wg-quick peer list INTERFACE [--json]
       wg-quick peer remove INTERFACE { NAME | PUBLIC_KEY }

Manages the clients of a WireGuard server whose config is INTERFACE's
(/etc/wireguard/INTERFACE.conf, or a path ending in INTERFACE.conf).

peer add INTERFACE NAME
  Makes keys for a new client NAME and a preshared key, takes the next
  free address in each network of the server's Address lines (IPv4 and
  IPv6), appends a [Peer] section named by a "# Name = NAME" comment to the
  server's config (written atomically, mode 0600; every other byte stays as
  it was), adds only that peer to the running interface if it is up (other
  peers' sessions go on), and writes the client's config.
    --address A        the client's address instead of the next free one;
                       repeat or separate with commas for several
    --allowed-ips LIST what the client routes through the tunnel
                       (default 0.0.0.0/0, ::/0)
    --dns LIST         the client's DNS servers (default: the server
                       config's DNS, if any)
    --endpoint H:P     where clients reach the server; remembered in the
                       server config ("# ClientEndpoint = H:P") for the
                       next peer add
    --keepalive N      PersistentKeepalive for the client, in seconds
    --no-psk           no preshared key
    --out FILE         write the client config to FILE (mode 0600; it must
                       not exist); without --out it goes to standard output
    --qr               show the client config as a QR code for a phone
                       (instead of printing it, when there is no --out)

peer list INTERFACE [--json]
  Lists the peers of the config and of the running interface: name, public
  key, allowed IPs, endpoint, latest handshake and transfer.

peer remove INTERFACE { NAME | PUBLIC_KEY }    (or peer rm)
  Removes the peer from the config (its section, and the comments just
  above it) and from the running interface.

Bad input changes nothing and says why. Exit status: 0 on success, 1 on
any error.

Example:
  # wg-quick peer add wg0 phone --endpoint vpn.example.com:51820 --qr
  # wg-quick peer add wg0 laptop --out laptop.conf
  # wg-quick peer list wg0
  # wg-quick peer remove wg0 phone
`

// peerCmd is `wg-quick peer`.
func peerCmd(env *cli.Env, prog string, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, peerHelp)
		return &cli.Silent{}
	}
	var err error
	switch args[0] {
	case "add":
		err = peerAdd(env, prog, args[1:])
	case "list":
		err = peerList(env, prog, args[1:])
	case "remove", "rm":
		err = peerRemove(env, prog, args[1:])
	case "-h", "--help", "help":
		_, err = fmt.Fprint(env.Stdout, peerHelp)
		return err
	default:
		fmt.Fprintf(env.Stderr, "%s: unknown peer command `%s'\n\n%s", prog, args[0], peerHelp)
		return &cli.Silent{}
	}
	if errors.Is(err, os.ErrPermission) && os.Geteuid() != 0 {
		return autoSu(env, prog, append([]string{"peer"}, args...)...)
	}
	if err != nil && !errors.Is(err, errHelp) {
		var silent *cli.Silent
		if errors.As(err, &silent) {
			return err
		}
		return cli.Fail(prog + ": " + err.Error())
	}
	return nil
}

// server is a server config read for peer management.
type server struct {
	path, iface string
	file        *peer.File
}

func readServer(env *cli.Env, operand string) (*server, error) {
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return nil, err
	}
	return parseServer(env, src)
}

// lockServer takes the interface's lock, then reads its config, so that
// two changes cannot both start from the same old file.
func lockServer(env *cli.Env, operand string) (*server, func(), error) {
	src, err := Lookup(operand, env.Stderr)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := lock(src.Interface, env.Stderr)
	if err != nil {
		return nil, nil, err
	}
	atomicfile.RemoveTemps(src.Path) // of an edit that was killed half way
	s, err := parseServer(env, src)
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return s, unlock, nil
}

func parseServer(env *cli.Env, src *Source) (*server, error) {
	text, err := os.ReadFile(src.Path)
	if err != nil {
		return nil, err
	}
	if _, _, err := validate(env, src.Path, text); err != nil {
		return nil, err
	}
	f, err := peer.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Path, err)
	}
	return &server{path: src.Path, iface: src.Interface, file: f}, nil
}

// live is the running interface, or nil when it is not up.
func live(c *wgctl.Client, iface string) *config.Device {
	d, err := c.Device(iface)
	if err != nil {
		return nil
	}
	return d
}

type addFlags struct {
	address, allowed, dns listFlag
	endpoint, out         string
	keepalive             int
	noPSK, qr             bool
}

func peerAdd(env *cli.Env, prog string, args []string) error {
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
	return commitAdd(env, prog, s, n, text, client, &o)
}
