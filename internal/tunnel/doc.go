// Package tunnel is the embedded userspace WireGuard device: a TUN
// interface, UDP sockets with the kernel's offloads, and the UAPI socket at
// /var/run/wireguard/NAME.sock through which wg (ours or upstream's)
// configures it. It is the only importer of golang.zx2c4.com/wireguard.
//
// A tunnel runs in the foreground ([Tunnel.Run]) or detached: [Start]
// creates the interface and socket, hands both to a copy of this program
// run as `wireguard-go NAME`, and returns once the socket answers.
package tunnel
