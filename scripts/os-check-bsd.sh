#!/bin/sh
# os-check-bsd.sh: os-check.sh's FreeBSD and OpenBSD part, for someone with
# such a machine, as root: brings real tunnels up with this checkout's
# wg-quick (two that handshake with each other over loopback, a full tunnel
# with DNS, and on FreeBSD with a second FIB a Table = 1 tunnel), checks what
# the system then shows (interfaces, descriptions, addresses, MTU, routes,
# the endpoint route, resolv.conf, the route monitor), takes them down, and
# reports anything left behind. Paste the report into an issue.
#
#   scripts/os-check.sh [--yes]    (it runs this on FreeBSD and OpenBSD)
#
# The full-tunnel check routes everything through a tunnel whose peer
# (192.0.2.1, a documentation address) never answers: the machine is
# offline for a few seconds. --yes skips the question.
set -u
cd "$(dirname "$0")/.." || exit 1

os=$(uname -s)
case $os in
FreeBSD | OpenBSD) ;;
*) echo "os-check-bsd: this checks FreeBSD or OpenBSD, not $os" >&2; exit 1 ;;
esac
if [ "$(id -u)" != 0 ]; then
	echo "os-check: run as root" >&2
	exit 1
fi
if [ "${1:-}" != --yes ]; then
	printf 'The full-tunnel check takes this machine offline for a few seconds. Go on? [y/N] '
	read -r answer
	case $answer in y | Y | yes) ;; *) exit 1 ;; esac
fi

. scripts/os-check-common.sh
# real NAME: the interface of config NAME (FreeBSD: NAME; OpenBSD: the wgN
# described as "wg-quick: NAME").
real() {
	if [ "$os" = FreeBSD ]; then echo "$1"; return; fi
	ifconfig | awk -v d="wg-quick: $1" '/^[a-z]+[0-9]+: / { i = $1; sub(/:$/, "", i) } $0 ~ "^\tdescription: " d "$" { print i; exit }'
}
routes_snapshot() { netstat -rn | awk '$1 ~ /^[0-9a-f:.]+|^default/ { print $1, $2, $NF }' | grep -v wgcheck | sort; }
routes_before=$(routes_snapshot)
resolv_before=$(cat /etc/resolv.conf 2>/dev/null)
kernel=yes
if [ "$os" = FreeBSD ] && ! kldstat -q -m if_wg 2>/dev/null && ! kldload -n if_wg 2>/dev/null; then
	kernel="no (the embedded tunnel runs instead)"
fi

write_configs
cat >"$dir/wgcheck3.conf" <<EOF
[Interface]
PrivateKey = $k3
Address = 10.70.0.1/32
Table = 1

[Peer]
PublicKey = $p2
AllowedIPs = 10.71.0.0/16, 0.0.0.0/0
EOF
chmod 600 "$dir"/*.conf

echo "== split tunnels: a handshake over loopback, MTU 1380, Table = off and auto"
"$quick" up "$dir/wgcheck1.conf" >"$dir/up1.log" 2>&1
check "up wgcheck1" grep -q "Backgrounding route monitor" "$dir/up1.log"
"$quick" up "$dir/wgcheck2.conf" >"$dir/up2.log" 2>&1
check "up wgcheck2" grep -q "Backgrounding route monitor" "$dir/up2.log"
if1=$(real wgcheck1)
if2=$(real wgcheck2)
check "interfaces found for wgcheck1 and wgcheck2 ($if1, $if2)" test -n "$if1" -a -n "$if2" -a "$if1" != "$if2"
check "address 10.67.0.1 on $if1" sh -c "ifconfig $if1 | grep -q 'inet 10.67.0.1 '"
check "MTU 1380 on $if1" sh -c "ifconfig $if1 | grep -q 'mtu 1380'"
check "no route through $if1 but its subnet (Table = off)" sh -c "! route -n get 10.1.2.3 | grep -q 'interface: $if1\$'"
check "10.68.5.0/24 and 10.69.0.0/16 through $if2" sh -c "route -n get 10.68.5.9 | grep -q 'interface: $if2' && route -n get 10.69.1.1 | grep -q 'interface: $if2'"
check "wg show $if1 and $if2" sh -c "'$wg' show '$if1' && '$wg' show '$if2'"
check "wg show interfaces lists both" sh -c "'$wg' show interfaces | tr ' ' '\n' | grep -qx '$if1' && '$wg' show interfaces | tr ' ' '\n' | grep -qx '$if2'"
handshake=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	handshake=$("$wg" show "$if1" latest-handshakes 2>/dev/null | awk '{ print $2 }')
	[ "${handshake:-0}" != 0 ] && break
	sleep 1
done
check "a handshake between wgcheck1 and wgcheck2 over loopback" test "${handshake:-0}" != 0
check "wgcheck2 received data" sh -c "'$wg' show '$if2' transfer | awk '\$2 > 0 { ok = 1 } END { exit !ok }'"
check "wg showconf $if2 has the peer" sh -c "'$wg' showconf '$if2' | grep -q '$p2'"
check "wg set $if2 listen-port 51903" sh -c "'$wg' set '$if2' listen-port 51903 && '$wg' show '$if2' listen-port | grep -qx 51903"
"$quick" down "$dir/wgcheck2.conf" >"$dir/down2.log" 2>&1
check "down wgcheck2" test $? = 0
"$quick" down "$dir/wgcheck1.conf" >"$dir/down1.log" 2>&1
check "down wgcheck1" test $? = 0

if [ "$os" = OpenBSD ] || [ "$(sysctl -n net.fibs 2>/dev/null || echo 1)" -gt 1 ]; then
	echo "== Table = 1 (a FIB or rtable): every prefix there, the main table untouched"
	"$quick" up "$dir/wgcheck3.conf" >"$dir/up3.log" 2>&1
	check "up wgcheck3" grep -q "Backgrounding route monitor" "$dir/up3.log"
	if3=$(real wgcheck3)
	if [ "$os" = FreeBSD ]; then get1="setfib 1 route -n get"; else get1="route -T 1 -n get"; fi
	check "10.71.0.0/16 and default through $if3 in table 1" sh -c "$get1 10.71.1.1 | grep -q 'interface: $if3' && $get1 1.1.1.1 | grep -q 'interface: $if3'"
	check "the main table's default route not through $if3" sh -c "! route -n get 1.1.1.1 | grep -q 'interface: $if3'"
	"$quick" down "$dir/wgcheck3.conf" >"$dir/down3.log" 2>&1
	check "down wgcheck3" test $? = 0
else
	report SKIP "Table = 1: net.fibs is 1 (set net.fibs=2 in /boot/loader.conf to check it)"
fi

echo "== full tunnel, IPv4 and IPv6, DNS with a search domain"
"$quick" up "$dir/wgcheck0.conf" >"$dir/up0.log" 2>&1
check "up (full)" grep -q "Backgrounding route monitor" "$dir/up0.log"
if0=$(real wgcheck0)
check "0.0.0.0/1 and 128.0.0.0/1 through $if0" sh -c "route -n get 1.1.1.1 | grep -q 'interface: $if0' && route -n get 200.1.1.1 | grep -q 'interface: $if0'"
check "::/1 and 8000::/1 through $if0" sh -c "route -n get -inet6 2001:db8::1 | grep -q 'interface: $if0'"
check "the endpoint 192.0.2.1 not through $if0" sh -c "! route -n get 192.0.2.1 | grep -q 'interface: $if0'"
if [ "$os" = FreeBSD ]; then
	check "resolv.conf has 10.66.0.53 and check.example (resolvconf)" sh -c "grep -q 'nameserver 10.66.0.53' /etc/resolv.conf && grep -q 'search check.example' /etc/resolv.conf"
elif pgrep -qx resolvd || pgrep -qx unwind; then
	check "resolv.conf searches check.example, backup kept" sh -c "grep -q 'search check.example' /etc/resolv.conf && test -f /etc/resolv.conf.wg-quick-backup.wgcheck0"
else
	report SKIP "DNS: resolvd is not running (wg-quick says so and leaves DNS alone)"
fi
check "the route monitor runs" sh -c "ps ax -o command | grep -q '[_]_route-monitor wgcheck0'"
"$quick" down "$dir/wgcheck0.conf" >"$dir/down0.log" 2>&1
check "down (full)" test $? = 0
sleep 2 # the monitor removes the endpoint route once it sees the interface go

echo "== leftovers"
for n in wgcheck0 wgcheck1 wgcheck2 wgcheck3; do
	check "no interface of $n left" test -z "$(real $n)"
done
[ "$os" = FreeBSD ] && check "no wgcheck interface left" sh -c "! ifconfig -l | tr ' ' '\n' | grep -q '^wgcheck'"
check "no route monitor left" sh -c "! ps ax -o command | grep -q '[_]_route-monitor wgcheck'"
check "no sockets left in /var/run/wireguard" sh -c "! ls /var/run/wireguard/wgcheck* 2>/dev/null | grep -q ."
check "no state left in /var/run/wgtools" sh -c "! ls /var/run/wgtools/wgcheck* 2>/dev/null | grep -q ."
check "resolv.conf as before" test "$resolv_before" = "$(cat /etc/resolv.conf 2>/dev/null)"
routes_after=$(routes_snapshot)
if [ "$routes_before" = "$routes_after" ]; then report PASS "the routing table as before"; else
	report FAIL "the routing table as before"
	printf '%s\n' "$routes_before" >"$dir/routes.before"
	printf '%s\n' "$routes_after" >"$dir/routes.after"
	diff -u "$dir/routes.before" "$dir/routes.after"
fi

echo "== report"
echo "$os $(uname -r) $(uname -m), kernel WireGuard: $kernel, $("$wg" --version)"
echo "$failures failed"
if [ "$failures" != 0 ]; then
	echo "logs in $dir"
	exit 1
fi
rm -rf "$dir"
