package complete

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var fake = Sources{
	Interfaces: func() []string { return []string{"wg0", "wg1"} },
	Peers:      func(iface string) []string { return []string{"KEY1=", "KEY2="} },
	Configs:    func() []string { return []string{"office", "home"} },
	Files: func(prefix, suffix string) []string {
		if suffix == ".conf" {
			return []string{"./a.conf"}
		}
		return []string{"./key", "./dir/"}
	},
	PeerNames: func(string) []string { return []string{"phone", "KEY1="} },
}

func TestComplete(t *testing.T) {
	for _, c := range []struct {
		quick bool
		line  string // words; the last is being completed
		want  string // candidates, then the directive
	}{
		{false, "", "help show showconf set setconf addconf syncconf genkey genpsk pubkey :36"},
		{false, "show ", "wg0 wg1 all interfaces :4"},
		{false, "show interfaces ", ":4"},
		{false, "show wg0 ", strings.Join(ShowFields, " ") + " :36"},
		{false, "showconf ", "wg0 wg1 :4"},
		{false, "showconf wg0 ", ":4"},
		{false, "setconf wg0 ", "./key ./dir/ :6"},
		{false, "syncconf wg0 f ", ":4"},
		{false, "set wg0 ", "listen-port fwmark private-key peer :36"},
		{false, "set wg0 fwmark 1 listen-port 2 ", "private-key peer :36"},
		{false, "set wg0 fwmark ", ":4"},
		{false, "set wg0 private-key ", "./key ./dir/ :6"},
		{false, "set wg0 peer ", "KEY1= KEY2= :4"},
		{false, "set wg0 peer KEY1= preshared-key ", "./key ./dir/ :6"},
		{false, "set wg0 peer KEY1= allowed-ips 10.0.0.0/8 ", "preshared-key endpoint persistent-keepalive remove peer :36"},
		{false, "set wg0 peer KEY1= remove ", "peer :4"},
		{false, "set wg0 peer KEY1= remove peer KEY2= ", "preshared-key endpoint allowed-ips persistent-keepalive remove peer :36"},
		{false, "genkey ", ":4"},
		{true, "", "up down save strip qr peer status reresolve reload doctor :36"},
		{true, "up ", "home office ./a.conf :4"},
		{true, "up --foreground ", "home office ./a.conf :4"},
		{true, "up office ", ":4"},
		{true, "up -", "--foreground --kill-switch --netns --netns-create :4"},
		{true, "up --netns box ", "home office ./a.conf :4"},
		{true, "up --kill-switch --foreground ", "home office ./a.conf :4"},
		{true, "down ", "wg0 wg1 :4"},
		{true, "save ", "wg0 wg1 :4"},
		{true, "strip ", "home office ./a.conf :4"},
		{true, "qr --png ", "./key ./dir/ :6"},
		{true, "qr --size ", ":4"},
		{true, "qr --ascii ", "home office ./a.conf :4"},
		{true, "peer ", "add list remove :36"},
		{true, "peer add ", "home office ./a.conf :4"},
		{true, "peer add wg0 phone ", ":4"},
		{true, "peer add wg0 phone --qr -", "--address --allowed-ips --dns --endpoint --keepalive --no-psk --out :4"},
		{true, "peer add wg0 phone --out ", "./key ./dir/ :6"},
		{true, "peer list wg0 -", "--json :4"},
		{true, "status ", "wg0 wg1 :4"},
		{true, "status wg0 -", "--json :4"},
		{true, "status wg0 ", ":4"},
		{true, "reresolve ", "wg0 wg1 all :4"},
		{true, "reresolve all ", ":4"},
		{true, "reload ", "home office ./a.conf :4"},
		{true, "reload -", "--run-postup :4"},
		{true, "reload --run-postup ", "home office ./a.conf :4"},
		{true, "reload office ", ":4"},
		{true, "peer remove wg0 ", "phone KEY1= :4"},
	} {
		words := strings.Split(c.line, " ")
		cur := words[len(words)-1]
		words = words[:len(words)-1]
		if c.line == "" {
			words = nil
		}
		f := WG
		if c.quick {
			f = Quick
		}
		cands, d := f(words, cur, fake)
		var b bytes.Buffer
		Write(&b, cands, cur, d)
		got := strings.ReplaceAll(strings.TrimSpace(b.String()), "\n", " ")
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("quick=%v %q (-want +got):\n%s", c.quick, c.line, diff)
		}
	}
}
