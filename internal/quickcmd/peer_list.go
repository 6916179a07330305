package quickcmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/wgtools/wgtools/internal/cli"
	"github.com/wgtools/wgtools/internal/config"
	"github.com/wgtools/wgtools/internal/wgctl"
)

// listed is one peer of `wg-quick peer list`, from the file, the running
// interface or both.
type listed struct {
	// Member names follow `wg show … json`.
	Name            string   `json:"name,omitempty"`
	PublicKey       string   `json:"publicKey"`
	AllowedIPs      []string `json:"allowedIps"`
	Endpoint        string   `json:"endpoint,omitempty"`
	LatestHandshake *int64   `json:"latestHandshake"` // null: none
	RxBytes         uint64   `json:"transferRx"`
	TxBytes         uint64   `json:"transferTx"`
	InFile          bool     `json:"inFile"`
	Running         bool     `json:"running"`
}

func peerList(env *cli.Env, args []string) error {
	fs := newFlagSet("peer list")
	asJSON := fs.Bool("json", false, "")
	pos, err := parseFlags(env, fs, peerHelp, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("peer list needs INTERFACE (see wg-quick peer --help)")
	}
	s, err := readServer(env, pos[0])
	if err != nil {
		return err
	}
	c, _ := wgctl.Open()
	defer c.Close()
	var peers []*listed
	byKey := map[string]*listed{}
	for _, e := range s.file.Peers {
		l := &listed{Name: e.Name, PublicKey: e.PublicKey, AllowedIPs: texts(e.AllowedIPs), InFile: true}
		peers = append(peers, l)
		byKey[e.PublicKey] = l
	}
	if dev := live(c, s.iface); dev != nil {
		for _, p := range dev.Peers {
			key := config.FormatKey(p.PublicKey)
			l := byKey[key]
			if l == nil {
				l = &listed{PublicKey: key, AllowedIPs: texts(p.AllowedIPs)}
				peers = append(peers, l)
			}
			l.Running = true
			if p.Endpoint.IsValid() {
				l.Endpoint = config.FormatEndpoint(p.Endpoint)
			}
			if p.LastHandshakeSec > 0 {
				hs := p.LastHandshakeSec
				l.LatestHandshake = &hs
			}
			l.RxBytes, l.TxBytes = p.RxBytes, p.TxBytes
		}
	}
	if *asJSON {
		if peers == nil {
			peers = []*listed{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(peers)
	}
	return table(env.Stdout, peers, time.Now())
}

func texts(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func table(w io.Writer, peers []*listed, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPUBLIC KEY\tALLOWED IPS\tENDPOINT\tLATEST HANDSHAKE\tTRANSFER (RX / TX)")
	for _, p := range peers {
		name := p.Name
		switch {
		case name == "" && !p.InFile:
			name = "(not in file)"
		case name == "":
			name = "-"
		}
		endpoint, hs, transfer := "-", "-", "-"
		if p.Endpoint != "" {
			endpoint = p.Endpoint
		}
		if p.Running {
			hs, transfer = "never", humanBytes(p.RxBytes)+" / "+humanBytes(p.TxBytes)
			if p.LatestHandshake != nil {
				hs = since(now.Sub(time.Unix(*p.LatestHandshake, 0))) + " ago"
			}
		} else if p.InFile {
			hs = "(not running)"
		}
		ips := "-"
		if len(p.AllowedIPs) > 0 {
			ips = strings.Join(p.AllowedIPs, ", ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, p.PublicKey, ips, endpoint, hs, transfer)
	}
	return tw.Flush()
}

// since is a short duration: 42s, 5m 3s, 2h 10m, 3d 4h.
func since(d time.Duration) string {
	s := int64(d / time.Second)
	switch {
	case s < 0:
		return "0s"
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm %ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh %dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd %dh", s/86400, s%86400/3600)
}

func humanBytes(b uint64) string {
	const k = 1024
	switch {
	case b < k:
		return fmt.Sprintf("%d B", b)
	case b < k*k:
		return fmt.Sprintf("%.1f KiB", float64(b)/k)
	case b < k*k*k:
		return fmt.Sprintf("%.1f MiB", float64(b)/(k*k))
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/(k*k*k))
}
