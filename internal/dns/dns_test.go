package dns

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   Config
	}{
		{name: "empty"},
		{
			name:   "v4 and v6 servers, then domains",
			values: []string{"10.0.0.1", "fd00::53", "example.com", "corp.example"},
			want:   Config{Servers: []string{"10.0.0.1", "fd00::53"}, Search: []string{"example.com", "corp.example"}},
		},
		{
			name:   "raw values with commas and blanks",
			values: []string{"1.1.1.1,  example.com ,8.8.8.8", "\tlan\n"},
			want:   Config{Servers: []string{"1.1.1.1", "8.8.8.8"}, Search: []string{"example.com", "lan"}},
		},
		{
			name:   "anything with a colon is a server",
			values: []string{"1.2.3.4:53", "fe80::1%wg0", "a:b"},
			want:   Config{Servers: []string{"1.2.3.4:53", "fe80::1%wg0", "a:b"}},
		},
		{
			name:   "digits and dots only, however silly",
			values: []string{"1", "1.2.3.4.5", "...", "1.2.3.4a", "one.one"},
			want:   Config{Servers: []string{"1", "1.2.3.4.5", "..."}, Search: []string{"1.2.3.4a", "one.one"}},
		},
		{
			name:   "order is kept and nothing is deduplicated",
			values: []string{"b.example", "9.9.9.9", "a.example", "9.9.9.9"},
			want:   Config{Servers: []string{"9.9.9.9", "9.9.9.9"}, Search: []string{"b.example", "a.example"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.values)
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Split(%q) (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

func TestPrefixFrom(t *testing.T) {
	tests := []struct {
		name, order, want string
	}{
		{name: "empty"},
		{
			name:  "debian default order",
			order: "# interface-order(5)\nlo.inet6\nlo.inet\nlo.@(dnsmasq|pdnsd)\nlo.!(pdns|pdns-recursor)\nlo\ntun*\ntap*\nhso*\nem+([0-9])?(_+([0-9]))*\n*\n",
			want:  "tun.",
		},
		{name: "first match wins", order: "vpn*\ntun*\n", want: "vpn."},
		{name: "hyphens and digits", order: "wg-2*\n", want: "wg-2."},
		{name: "blanks around are trimmed, as read does", order: "  tun*\t\n", want: "tun."},
		{name: "dots are not allowed", order: "lo.inet*\n", want: ""},
		{name: "star must end the line", order: "tun*x\ntun* x\n", want: ""},
		{name: "a bare star does not count", order: "*\ntap*\n", want: "tap."},
		{name: "last line without newline is skipped, as read does", order: "lo\ntun*", want: ""},
		{name: "CRLF lines do not match", order: "tun*\r\n", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := prefixFrom([]byte(tt.order)); got != tt.want {
				t.Errorf("prefixFrom(%q) = %q, want %q", tt.order, got, tt.want)
			}
		})
	}
}

func TestIfacePrefix(t *testing.T) {
	dir := t.TempDir()
	order := filepath.Join(dir, "interface-order")
	must(t, os.WriteFile(order, []byte("lo\ntun*\n"), 0o644))
	orderLink := filepath.Join(dir, "order-link")
	must(t, os.Symlink(order, orderLink))
	orderDir := filepath.Join(dir, "order-dir")
	must(t, os.Mkdir(orderDir, 0o755))
	prog := filepath.Join(dir, "resolvconf")
	must(t, os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755))
	progLink := filepath.Join(dir, "resolvconf-link")
	must(t, os.Symlink(prog, progLink))

	tests := []struct {
		name, order, prog, want string
	}{
		{name: "file and plain program", order: order, prog: prog, want: "tun."},
		{name: "order file reached through a symlink", order: orderLink, prog: prog, want: "tun."},
		{name: "no order file", order: filepath.Join(dir, "none"), prog: prog, want: ""},
		{name: "order is a directory", order: orderDir, prog: prog, want: ""},
		{name: "resolvconf is a symlink", order: order, prog: progLink, want: ""},
		{name: "resolvconf not found", order: order, prog: "", want: "tun."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ifacePrefix(tt.order, tt.prog); got != tt.want {
				t.Errorf("ifacePrefix(%q, %q) = %q, want %q", tt.order, tt.prog, got, tt.want)
			}
		})
	}
}

func TestByName(t *testing.T) {
	e := &Env{}
	for _, name := range []string{NameResolvconf, NameResolved, NameDirect} {
		if got := ByName(e, name).Name(); got != name {
			t.Errorf("ByName(%q).Name() = %q", name, got)
		}
	}
	b := ByName(e, "bogus")
	if err := b.Unset("wg0"); !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), `unknown DNS backend "bogus"`) {
		t.Errorf("ByName(bogus).Unset = %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []Config{
		{Servers: []string{""}},
		{Servers: []string{"10.0.0.1\nnameserver 6.6.6.6"}},
		{Servers: []string{"10.0.0.1"}, Search: []string{"a b"}},
	} {
		if err := validate(c); err == nil {
			t.Errorf("validate(%q) = nil, want an error", c)
		}
	}
	if err := validate(Config{Servers: []string{"fe80::1%wg0"}, Search: []string{"example.com"}}); err != nil {
		t.Errorf("validate: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
