// Package wgctl reaches WireGuard devices: kernel ones over generic netlink
// and userspace ones over their UAPI sockets. It is the only importer of
// wgctrl, and it reports failures as the errno values wg's messages name.
package wgctl
