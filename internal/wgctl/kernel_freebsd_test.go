package wgctl

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestFreeBSDLayout checks our structures against FreeBSD's as x/sys/unix
// (generated from the system headers) knows them.
func TestFreeBSDLayout(t *testing.T) {
	ptr := unsafe.Sizeof(uintptr(0))
	checks := []struct {
		name      string
		got, want uintptr
	}{
		{"IFNAMSIZ", ifNameSize, unix.IFNAMSIZ},
		{"SIOCGIFGMEMB", uintptr(siocGIFGMEMB), uintptr(unix.SIOCGIFGMEMB)},
		{"sizeof(struct wg_data_io)", unsafe.Sizeof(wgDataIO{}), ifNameSize + 2*ptr},
		{"sizeof(struct ifgroupreq)", unsafe.Sizeof(ifGroupReq{}), uintptr(unix.SIOCGIFGMEMB>>16) & 0x1fff},
		{"offsetof(wgd_data)", unsafe.Offsetof(wgDataIO{}.Data), ifNameSize},
		{"offsetof(wgd_size)", unsafe.Offsetof(wgDataIO{}.Size), ifNameSize + ptr},
		{"offsetof(ifgr_len)", unsafe.Offsetof(ifGroupReq{}.Len), ifNameSize},
		{"sizeof(struct ifg_req)", unsafe.Sizeof(ifgReq{}), ifNameSize},
		{"AF_INET", bsdAFInet, unix.AF_INET},
		{"AF_INET6", bsdAFInet6, unix.AF_INET6},
		{"sizeof(struct sockaddr_in)", sizeofSockaddrIn, unix.SizeofSockaddrInet4},
		{"sizeof(struct sockaddr_in6)", sizeofSockaddrIn6, unix.SizeofSockaddrInet6},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
}
