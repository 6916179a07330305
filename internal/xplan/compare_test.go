package xplan

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestComparable(t *testing.T) {
	tests := []struct {
		name, transcript string
		want             []string
	}{{
		name: "queries are left out, changes kept",
		transcript: `CALL ["netstat","-nr","-f","inet"]
LOG [#] ifconfig utun0 up
CALL ["ifconfig","utun0","up"]
CALL ["ifconfig","utun0"]
EXIT up 0
`,
		want: []string{"LOG [#] ifconfig utun0 up", `CALL ["ifconfig","utun0","up"]`, "EXIT up 0"},
	}, {
		name: "a state is one line per fact, up and down only",
		transcript: `STATE initial {"routes":["default 192.168.1.1 UGScg en0"]}
STATE up {"files":{"/b":"<socket>","/a":"x\n"},"interfaces":{"utun0":{"up":true,"mtu":1420,"addresses":["10.9.0.2/32"]}},"network_services":[{"dns":["10.9.0.1"],"enabled":true,"name":"Wi-Fi","search":[]}],"routes":["default 192.168.1.1 UGScg en0","0.0.0.0/1 utun0 USc utun0"],"wg":{"utun0":[{"allowed_ips":["0.0.0.0/0"],"endpoint":null,"public_key":"K="}]},"resolvconf":{"wg0":"nameserver 10.9.0.1\n"}}
STATE changes 7
`,
		want: []string{
			`STATE up file /a "x\n"`,
			`STATE up file /b "<socket>"`,
			`STATE up interface utun0 addresses ["10.9.0.2/32"]`,
			`STATE up interface utun0 mtu 1420`,
			`STATE up interface utun0 up true`,
			`STATE up service "Wi-Fi" dns ["10.9.0.1"] search [] enabled true`,
			`STATE up resolvconf {"wg0":"nameserver 10.9.0.1\n"}`,
			`STATE up route default 192.168.1.1 UGScg en0`,
			`STATE up route 0.0.0.0/1 utun0 USc utun0`,
			`STATE up wg utun0 peer "K=" endpoint null allowed ["0.0.0.0/0"]`,
		},
	}, {
		name:       "Python's escapes and Go's are the same value",
		transcript: `STATE down {"files":{"/etc/wireguard/wg0.conf":"\u00e9<"}}` + "\n",
		want:       []string{`STATE down file /etc/wireguard/wg0.conf "é<"`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := Parse(tt.transcript)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, Comparable(recs)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	got := Diff([]string{"a", "b", "c", "d"}, []string{"a", "x", "c", "d", "e"})
	want := []string{"+ x", "- b", "+ e"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
