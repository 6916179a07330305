//go:build !freebsd

package wgctl

import (
	"errors"
	"net/netip"
	"os"
	"syscall"

	"github.com/wgtools/wgtools/internal/config"
	"golang.zx2c4.com/wireguard/wgctrl"
	"golang.zx2c4.com/wireguard/wgctrl/wgtypes"
)

// kernelClient reaches kernel devices through wgctrl.
type kernelClient struct {
	c *wgctrl.Client
}

func openKernel() (*kernelClient, error) {
	c, err := wgctrl.New()
	if err != nil {
		return nil, errnoOf(err)
	}
	return &kernelClient{c: c}, nil
}

func (k *kernelClient) close() error { return k.c.Close() }

func (k *kernelClient) list() ([]string, error) {
	devs, err := k.c.Devices()
	if err != nil {
		return nil, errnoOf(err)
	}
	var names []string
	for _, d := range devs {
		if d.Type != wgtypes.Userspace {
			names = append(names, d.Name)
		}
	}
	return names, nil
}

func (k *kernelClient) get(name string) (*config.Device, error) {
	d, err := k.c.Device(name)
	if err != nil {
		return nil, notFound(err)
	}
	return fromWGTypes(d), nil
}

func (k *kernelClient) set(name string, cfg *config.Config) error {
	if cfg.HasRemovals() {
		return setWithRemovals(name, cfg)
	}
	wc, err := cfg.WGTypes()
	if err != nil {
		return err
	}
	return notFound(k.c.ConfigureDevice(name, wc))
}

// notFound maps wgctrl's "no such device" to the kernel's errno.
func notFound(err error) error {
	if err != nil && errors.Is(err, os.ErrNotExist) {
		return syscall.ENODEV
	}
	return errnoOf(err)
}

func fromWGTypes(d *wgtypes.Device) *config.Device {
	out := &config.Device{Name: d.Name, PrivateKey: d.PrivateKey, ListenPort: d.ListenPort, FwMark: uint32(d.FirewallMark)}
	if out.HasPrivateKey() {
		out.PublicKey = d.PublicKey
	}
	for _, p := range d.Peers {
		dp := config.DevicePeer{
			PublicKey:           p.PublicKey,
			PresharedKey:        p.PresharedKey,
			RxBytes:             uint64(p.ReceiveBytes),
			TxBytes:             uint64(p.TransmitBytes),
			PersistentKeepalive: int(p.PersistentKeepaliveInterval.Seconds()),
		}
		if !p.LastHandshakeTime.IsZero() {
			dp.LastHandshakeSec = p.LastHandshakeTime.Unix()
			dp.LastHandshakeNsec = int64(p.LastHandshakeTime.Nanosecond())
		}
		if p.Endpoint != nil {
			if a, ok := netip.AddrFromSlice(p.Endpoint.IP); ok {
				dp.Endpoint = withZoneName(netip.AddrPortFrom(a.WithZone(p.Endpoint.Zone), uint16(p.Endpoint.Port)))
			}
		}
		for _, n := range p.AllowedIPs {
			a, _ := netip.AddrFromSlice(n.IP)
			if _, bits := n.Mask.Size(); bits == 32 {
				a = a.Unmap()
			}
			ones, _ := n.Mask.Size()
			dp.AllowedIPs = append(dp.AllowedIPs, netip.PrefixFrom(a, ones))
		}
		out.Peers = append(out.Peers, dp)
	}
	return out
}
