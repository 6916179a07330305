package wgctl

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"
	"unsafe"

	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/nvlist"
	"golang.org/x/sys/unix"
)

// kernelClient reaches if_wg devices with the ioctls wg's ipc-freebsd.h
// makes, on a local datagram socket as wg opens since 1.0.20250521 (it
// needs no IPv4 in the jail). The nvlists are our own codec: no cgo.
type kernelClient struct {
	fd int
}

// retries bounds the size-then-fetch rounds when the answer keeps growing
// between the two calls.
const retries = 8

func openKernel() (*kernelClient, error) {
	fd, err := unix.Socket(unix.AF_LOCAL, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, errnoOf(err)
	}
	return &kernelClient{fd: fd}, nil
}

func (k *kernelClient) close() error { return unix.Close(k.fd) }

func (k *kernelClient) ioctl(req uint, arg unsafe.Pointer) error {
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(k.fd), uintptr(req), uintptr(arg)); e != 0 {
		return e
	}
	return nil
}

// list returns the members of the interface group "wg", which if_wg's
// cloner puts every device in, as wg lists them: one ioctl for the size,
// one for the names. This costs two calls however many interfaces there
// are, where asking each interface with SIOCGWG would make the kernel pack
// every device's whole configuration. A device taken out of the group
// (ifconfig wg0 -group wg) is not listed, as with wg.
func (k *kernelClient) list() ([]string, error) {
	for range retries {
		req := ifGroupReq{Name: ifName("wg")}
		if err := k.ioctl(siocGIFGMEMB, unsafe.Pointer(&req)); err != nil {
			if errors.Is(err, unix.ENOENT) { // no such group: no devices
				return nil, nil
			}
			return nil, err
		}
		if req.Len == 0 {
			return nil, nil
		}
		members := make([]ifgReq, req.Len/uint32(unsafe.Sizeof(ifgReq{})))
		if len(members) == 0 {
			return nil, nil
		}
		var pin runtime.Pinner
		pin.Pin(&members[0])
		req.Groups = &members[0]
		err := k.ioctl(siocGIFGMEMB, unsafe.Pointer(&req))
		pin.Unpin()
		switch {
		case errors.Is(err, unix.EINVAL): // the group grew: ask again
		case err != nil:
			return nil, err
		default:
			return groupMembers(members), nil
		}
	}
	return nil, unix.EINVAL
}

func (k *kernelClient) get(name string) (*config.Device, error) {
	b, err := k.getRaw(name)
	if err != nil {
		return nil, err
	}
	l, err := nvlist.Decode(b)
	if err != nil {
		return nil, syscall.EINVAL // what nvlist_unpack leaves in errno for wg
	}
	d, err := parseDevice(name, l)
	if err != nil {
		return nil, err
	}
	for i := range d.Peers {
		d.Peers[i].Endpoint = withZoneName(d.Peers[i].Endpoint)
	}
	return d, nil
}

// getRaw asks for the packed size, then for the nvlist; the kernel answers
// ENOSPC when the device grew in between, and the round starts over.
func (k *kernelClient) getRaw(name string) ([]byte, error) {
	for range retries {
		wgd := wgDataIO{Name: ifName(name)}
		if err := k.ioctl(siocGWG, unsafe.Pointer(&wgd)); err != nil {
			return nil, err
		}
		if wgd.Size == 0 {
			return nil, syscall.EINVAL
		}
		buf := make([]byte, wgd.Size)
		var pin runtime.Pinner
		pin.Pin(&buf[0])
		wgd.Data = &buf[0]
		err := k.ioctl(siocGWG, unsafe.Pointer(&wgd))
		pin.Unpin()
		switch {
		case errors.Is(err, unix.ENOSPC):
		case err != nil:
			return nil, err
		case wgd.Size > uintptr(len(buf)):
			return nil, syscall.EINVAL
		default:
			return buf[:wgd.Size], nil
		}
	}
	return nil, unix.ENOSPC
}

// set sends cfg in one SIOCSWG. Single allowed IPs are removed by their
// "flags" (WGALLOWEDIP_REMOVE_ME), as wg does since 025f004.
func (k *kernelClient) set(name string, cfg *config.Config) error {
	b, err := nvlist.Encode(setRequest(cfg, zoneIndex))
	if err != nil {
		return err
	}
	var pin runtime.Pinner
	pin.Pin(&b[0])
	defer pin.Unpin()
	wgd := wgDataIO{Name: ifName(name), Data: &b[0], Size: uintptr(len(b))}
	if err := k.ioctl(siocSWG, unsafe.Pointer(&wgd)); err != nil || !cfg.HasRemovals() {
		return err
	}
	dev, err := k.get(name)
	if err != nil {
		return err
	}
	if left := ignoredRemovals(cfg, dev); len(left) > 0 {
		return fmt.Errorf("this kernel's if_wg cannot remove single allowed IPs: it added %v instead; remove them with `wg set %s peer KEY allowed-ips LIST`", left, name)
	}
	return nil
}
