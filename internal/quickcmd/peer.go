package quickcmd

import (
	"fmt"
	"os"

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
		err = peerAdd(env, args[1:])
	case "list":
		err = peerList(env, args[1:])
	case "remove", "rm":
		err = peerRemove(env, args[1:])
	case "-h", "--help", "help":
		_, err = fmt.Fprint(env.Stdout, peerHelp)
		return err
	default:
		fmt.Fprintf(env.Stderr, "%s: unknown peer command `%s'\n\n%s", prog, args[0], peerHelp)
		return &cli.Silent{}
	}
	return err
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
