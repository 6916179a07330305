package wgctl

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"strconv"
	"syscall"
	"unsafe"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/nvlist"
)

// This file is FreeBSD's if_wg interface as pure functions, so that it is
// tested on every system: the structures of the ioctls, and the nvlists
// that SIOCSWG takes and SIOCGWG returns (sys/dev/wg/if_wg.c wgc_set,
// wgc_get), built and read as wg's ipc-freebsd.h does. kernel_freebsd.go
// makes the calls.

// FreeBSD's constants (sys/sys/socket.h, netinet/in.h, net/if.h).
const (
	bsdAFInet         = 2
	bsdAFInet6        = 28
	sizeofSockaddrIn  = 16 // sin_len, sin_family, sin_port, sin_addr, sin_zero[8]
	sizeofSockaddrIn6 = 28 // sin6_len, sin6_family, sin6_port, sin6_flowinfo, sin6_addr, sin6_scope_id
	ifNameSize        = 16 // IFNAMSIZ
	// wgAllowedIPRemove is WGALLOWEDIP_REMOVE_ME, sent as an allowed IP's
	// "flags" (wireguard-tools 025f004, ipc-freebsd.h kernel_set_device).
	wgAllowedIPRemove = 1
)

// wgDataIO is struct wg_data_io (sys/dev/wg/if_wg.h), the argument of
// SIOCSWG and SIOCGWG: wgd_name at offset 0, wgd_data at 16, wgd_size at
// 16 plus the size of a pointer.
type wgDataIO struct {
	Name [ifNameSize]byte
	Data *byte
	Size uintptr
}

// ifgReq is struct ifg_req (net/if.h): one member's name.
type ifgReq [ifNameSize]byte

// ifGroupReq is struct ifgroupreq (net/if.h) with its union read as
// ifgru_groups: ifgr_name at 0, ifgr_len at 16, the union at 24 (20 on
// 32-bit systems), 16 bytes long.
type ifGroupReq struct {
	Name   [ifNameSize]byte
	Len    uint32
	Groups *ifgReq
	_      [ifNameSize - unsafe.Sizeof(uintptr(0))]byte
}

// iowr is _IOWR(group, num, size) (sys/sys/ioccom.h): IOC_INOUT, the
// parameter length in bits 16..28, the group and the number.
func iowr(group byte, num uint8, size uintptr) uint {
	const iocInOut, iocParmMask = 0xc0000000, 0x1fff
	return iocInOut | uint(size&iocParmMask)<<16 | uint(group)<<8 | uint(num)
}

// The ioctls: SIOCSWG and SIOCGWG (if_wg.h), SIOCGIFGMEMB (sys/sockio.h).
var (
	siocSWG      = iowr('i', 210, unsafe.Sizeof(wgDataIO{}))
	siocGWG      = iowr('i', 211, unsafe.Sizeof(wgDataIO{}))
	siocGIFGMEMB = iowr('i', 138, unsafe.Sizeof(ifGroupReq{}))
)

// ifName is NAME as struct ifreq carries it: at most IFNAMSIZ-1 bytes and
// a NUL, as strlcpy(3) leaves it.
func ifName(name string) (b [ifNameSize]byte) {
	copy(b[:ifNameSize-1], name)
	return b
}

// groupMembers reads the names SIOCGIFGMEMB wrote; entries it left zero
// (the group shrank between the two calls) are skipped.
func groupMembers(members []ifgReq) []string {
	var names []string
	for _, m := range members {
		n := 0
		for n < len(m) && m[n] != 0 {
			n++
		}
		if n > 0 {
			names = append(names, string(m[:n]))
		}
	}
	return names
}

// setRequest is the nvlist wg's kernel_set_device sends for cfg, in its
// order of keys. scope maps an IPv6 zone to an interface index.
func setRequest(cfg *config.Config, scope func(string) uint32) nvlist.List {
	var l nvlist.List
	if cfg.PrivateKey != nil {
		l = append(l, nvlist.Pair{Name: "private-key", Value: nvlist.Binary(cfg.PrivateKey[:])})
	}
	if cfg.ListenPort != nil {
		l = append(l, nvlist.Pair{Name: "listen-port", Value: nvlist.Number(*cfg.ListenPort)})
	}
	if cfg.FwMark != nil {
		l = append(l, nvlist.Pair{Name: "user-cookie", Value: nvlist.Number(*cfg.FwMark)})
	}
	if cfg.ReplacePeers {
		l = append(l, nvlist.Pair{Name: "replace-peers", Value: nvlist.Bool(true)})
	}
	var peers nvlist.ListArray
	for i := range cfg.Peers {
		peers = append(peers, peerRequest(&cfg.Peers[i], scope))
	}
	if len(peers) > 0 {
		l = append(l, nvlist.Pair{Name: "peers", Value: peers})
	}
	return l
}

// peerRequest is one peer of setRequest. A removed peer carries only its
// key and "remove", as on the UAPI: the kernel reads nothing else then.
func peerRequest(p *config.Peer, scope func(string) uint32) nvlist.List {
	l := nvlist.List{{Name: "public-key", Value: nvlist.Binary(p.PublicKey[:])}}
	if p.Remove {
		return append(l, nvlist.Pair{Name: "remove", Value: nvlist.Bool(true)})
	}
	if p.PresharedKey != nil {
		l = append(l, nvlist.Pair{Name: "preshared-key", Value: nvlist.Binary(p.PresharedKey[:])})
	}
	if p.PersistentKeepalive != nil {
		l = append(l, nvlist.Pair{Name: "persistent-keepalive-interval", Value: nvlist.Number(*p.PersistentKeepalive)})
	}
	if p.Endpoint != nil {
		l = append(l, nvlist.Pair{Name: "endpoint", Value: nvlist.Binary(bsdSockaddr(*p.Endpoint, scope))})
	}
	if p.ReplaceAllowedIPs {
		l = append(l, nvlist.Pair{Name: "replace-allowedips", Value: nvlist.Bool(true)})
	}
	var aips nvlist.ListArray
	for _, a := range p.AllowedIPs {
		var e nvlist.List
		if a.Remove {
			e = append(e, nvlist.Pair{Name: "flags", Value: nvlist.Number(wgAllowedIPRemove)})
		}
		e = append(e, nvlist.Pair{Name: "cidr", Value: nvlist.Number(a.Prefix.Bits())})
		if addr := a.Prefix.Addr(); addr.Is4() {
			b := addr.As4()
			e = append(e, nvlist.Pair{Name: "ipv4", Value: nvlist.Binary(b[:])})
		} else {
			b := addr.As16()
			e = append(e, nvlist.Pair{Name: "ipv6", Value: nvlist.Binary(b[:])})
		}
		aips = append(aips, e)
	}
	if len(aips) > 0 {
		l = append(l, nvlist.Pair{Name: "allowed-ips", Value: aips})
	}
	return l
}

// bsdSockaddr is ep as a FreeBSD struct sockaddr_in or sockaddr_in6, sa_len
// bytes long: the port in network order, sin6_scope_id in host order.
func bsdSockaddr(ep netip.AddrPort, scope func(string) uint32) []byte {
	if a := ep.Addr(); a.Is4() {
		b := make([]byte, sizeofSockaddrIn)
		b[0], b[1] = sizeofSockaddrIn, bsdAFInet
		binary.BigEndian.PutUint16(b[2:], ep.Port())
		ip := a.As4()
		copy(b[4:], ip[:])
		return b
	}
	b := make([]byte, sizeofSockaddrIn6)
	b[0], b[1] = sizeofSockaddrIn6, bsdAFInet6
	binary.BigEndian.PutUint16(b[2:], ep.Port())
	ip := ep.Addr().As16()
	copy(b[8:], ip[:])
	if z := ep.Addr().Zone(); z != "" {
		binary.NativeEndian.PutUint32(b[24:], scope(z))
	}
	return b
}

// parseBSDSockaddr reads an endpoint as wg's kernel_get_device accepts it: an
// AF_INET or AF_INET6 address of sizeof(struct sockaddr) bytes or more. An
// IPv6 scope comes back as a number.
func parseBSDSockaddr(b []byte) (netip.AddrPort, bool) {
	if len(b) < sizeofSockaddrIn || len(b) > sizeofSockaddrIn6 {
		return netip.AddrPort{}, false
	}
	port := binary.BigEndian.Uint16(b[2:])
	switch {
	case b[1] == bsdAFInet:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port), true
	case b[1] == bsdAFInet6 && len(b) == sizeofSockaddrIn6:
		a := netip.AddrFrom16([16]byte(b[8:24]))
		if id := binary.NativeEndian.Uint32(b[24:]); id != 0 {
			a = a.WithZone(strconv.FormatUint(uint64(id), 10))
		}
		return netip.AddrPortFrom(a, port), true
	}
	return netip.AddrPort{}, false
}

// parseDevice reads what SIOCGWG returns as wg's kernel_get_device does:
// a key of the wrong type or size, or a number out of range, is ignored; an
// allowed IP with a bad prefix length or address is EINVAL.
func parseDevice(name string, l nvlist.List) (*config.Device, error) {
	d := &config.Device{Name: name}
	if n, ok := l.Number("listen-port"); ok && n <= 0xffff {
		d.ListenPort = int(n)
	}
	if n, ok := l.Number("user-cookie"); ok && n <= 0xffffffff {
		d.FwMark = uint32(n)
	}
	key(l, "public-key", &d.PublicKey)
	key(l, "private-key", &d.PrivateKey)
	peers, _ := l.Lists("peers")
	for _, pl := range peers {
		var p config.DevicePeer
		key(pl, "public-key", &p.PublicKey)
		key(pl, "preshared-key", &p.PresharedKey)
		if n, ok := pl.Number("persistent-keepalive-interval"); ok && n <= 0xffff {
			p.PersistentKeepalive = int(n)
		}
		if b, ok := pl.Binary("endpoint"); ok {
			p.Endpoint, _ = parseBSDSockaddr(b)
		}
		p.RxBytes, _ = pl.Number("rx-bytes")
		p.TxBytes, _ = pl.Number("tx-bytes")
		if b, ok := pl.Binary("last-handshake-time"); ok && len(b) == 16 {
			p.LastHandshakeSec = int64(binary.NativeEndian.Uint64(b))
			p.LastHandshakeNsec = int64(binary.NativeEndian.Uint64(b[8:]))
		}
		aips, _ := pl.Lists("allowed-ips")
		for _, al := range aips {
			pfx, ok, err := parseAllowedIP(al)
			if err != nil {
				return nil, err
			}
			if ok {
				p.AllowedIPs = append(p.AllowedIPs, pfx)
			}
		}
		d.Peers = append(d.Peers, p)
	}
	return d, nil
}

func key(l nvlist.List, name string, k *config.Key) {
	if b, ok := l.Binary(name); ok && len(b) == len(k) {
		copy(k[:], b)
	}
}

// parseAllowedIP reads one allowed IP; ok is false for an entry wg skips
// (no "cidr", or neither "ipv4" nor "ipv6").
func parseAllowedIP(l nvlist.List) (p netip.Prefix, ok bool, err error) {
	cidr, ok := l.Number("cidr")
	if !ok {
		return p, false, nil
	}
	if b, ok := l.Binary("ipv4"); ok {
		if len(b) != 4 || cidr > 32 {
			return p, false, syscall.EINVAL
		}
		return netip.PrefixFrom(netip.AddrFrom4([4]byte(b)), int(cidr)), true, nil
	}
	if b, ok := l.Binary("ipv6"); ok {
		if len(b) != 16 || cidr > 128 {
			return p, false, syscall.EINVAL
		}
		return netip.PrefixFrom(netip.AddrFrom16([16]byte(b)), int(cidr)), true, nil
	}
	return p, false, nil
}

// ignoredRemovals are the `-ip` entries of cfg that dev, read after the
// change, still has: a FreeBSD kernel older than allowed-IP removal
// ignores the entry's flag and adds the prefix instead (upstream's wg
// then reports success).
func ignoredRemovals(cfg *config.Config, dev *config.Device) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range cfg.Peers {
		if p.Remove {
			continue
		}
		for _, dp := range dev.Peers {
			if dp.PublicKey != p.PublicKey {
				continue
			}
			for _, a := range p.AllowedIPs {
				if a.Remove && slices.Contains(dp.AllowedIPs, a.Prefix.Masked()) {
					out = append(out, a.Prefix.Masked())
				}
			}
		}
	}
	return out
}
