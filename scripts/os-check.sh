#!/bin/sh
# os-check.sh: for someone with a Mac, FreeBSD or OpenBSD (the BSDs run
# os-check-bsd.sh), as
# root: brings real tunnels up with this checkout's wg-quick (two that
# handshake with each other over loopback, and a full tunnel), checks what
# the system then shows (utuns, addresses, MTU, routes, endpoint route, DNS
# of every network service, the route monitor), takes them down, and
# reports anything left behind. Nothing here exists on the machines this
# project is built on, so this is how macOS is run-tested; paste the report
# into an issue.
#
#   sudo scripts/os-check.sh [--yes]
#
# The full-tunnel check routes everything through a tunnel whose peer
# (192.0.2.1, a documentation address) never answers: the Mac is offline
# for a few seconds. --yes skips the question.
set -u
cd "$(dirname "$0")/.." || exit 1

if [ "$(id -u)" != 0 ]; then
	echo "os-check: run as root: sudo $0" >&2
	exit 1
fi
case "$(uname -s)" in
Darwin) ;;
FreeBSD | OpenBSD) exec scripts/os-check-bsd.sh "$@" ;;
*) echo "os-check: this checks macOS, FreeBSD and OpenBSD; on $(uname -s) there is nothing to check" >&2; exit 1 ;;
esac
if [ "${1:-}" != --yes ]; then
	printf 'The full-tunnel check takes this Mac offline for a few seconds. Go on? [y/N] '
	read -r answer
	case $answer in y | Y | yes) ;; *) exit 1 ;; esac
fi

. scripts/os-check-common.sh

# What the machine looks like before: every service's DNS, the routes.
services() { networksetup -listallnetworkservices | tail -n +2 | sed 's/^\*//'; }
dns_snapshot() {
	services | while IFS= read -r s; do
		printf '%s|%s|%s\n' "$s" "$(networksetup -getdnsservers "$s" | tr '\n' ' ')" "$(networksetup -getsearchdomains "$s" | tr '\n' ' ')"
	done
}
routes_snapshot() { netstat -rn | awk 'NR > 4 { print $1, $2, $NF }' | grep -v utun | sort; }
dns_before=$(dns_snapshot)
routes_before=$(routes_snapshot)

write_configs

echo "== split tunnels: a handshake over loopback, MTU 1380, Table = off and auto"
"$quick" up "$dir/wgcheck1.conf" >"$dir/up1.log" 2>&1
check "up wgcheck1" grep -q "Backgrounding route monitor" "$dir/up1.log"
"$quick" up "$dir/wgcheck2.conf" >"$dir/up2.log" 2>&1
check "up wgcheck2" grep -q "Backgrounding route monitor" "$dir/up2.log"
utun1=$(cat /var/run/wireguard/wgcheck1.name 2>/dev/null)
utun2=$(cat /var/run/wireguard/wgcheck2.name 2>/dev/null)
check "utuns named in /var/run/wireguard/wgcheck[12].name" test -n "$utun1" -a -n "$utun2" -a "$utun1" != "$utun2"
check "address 10.67.0.1 on $utun1" sh -c "ifconfig $utun1 | grep -q 'inet 10.67.0.1 '"
check "MTU 1380 on $utun1" sh -c "ifconfig $utun1 | grep -q 'mtu 1380'"
check "no route through $utun1 (Table = off)" sh -c "! netstat -rn | grep -q ' $utun1\$'"
check "10.68.5.0/24 and 10.69.0.0/16 through $utun2" sh -c "route -n get 10.68.5.9 | grep -q 'interface: $utun2' && route -n get 10.69.1.1 | grep -q 'interface: $utun2'"
check "wg show wgcheck1 (by config name)" "$wg" show wgcheck1
check "wg show $utun2 (by utun)" "$wg" show "$utun2"
handshake=0
for _ in 1 2 3 4 5 6 7 8 9 10; do
	handshake=$("$wg" show wgcheck1 latest-handshakes 2>/dev/null | awk '{ print $2 }')
	[ "${handshake:-0}" != 0 ] && break
	sleep 1
done
check "a handshake between wgcheck1 and wgcheck2 over loopback" test "${handshake:-0}" != 0
check "wgcheck2 received data" sh -c "'$wg' show wgcheck2 transfer | awk '\$2 > 0 { ok = 1 } END { exit !ok }'"
"$quick" down "$dir/wgcheck2.conf" >"$dir/down2.log" 2>&1
check "down wgcheck2" test $? = 0
"$quick" down "$dir/wgcheck1.conf" >"$dir/down1.log" 2>&1
check "down wgcheck1" test $? = 0

echo "== full tunnel, IPv4 and IPv6, DNS with a search domain"
"$quick" up "$dir/wgcheck0.conf" >"$dir/up0.log" 2>&1
check "up (full)" grep -q "Backgrounding route monitor" "$dir/up0.log"
utun0=$(cat /var/run/wireguard/wgcheck0.name 2>/dev/null)
check "0.0.0.0/1 and 128.0.0.0/1 through $utun0" sh -c "route -n get 1.1.1.1 | grep -q 'interface: $utun0' && route -n get 200.1.1.1 | grep -q 'interface: $utun0'"
check "::/1 and 8000::/1 through $utun0" sh -c "route -n get -inet6 2001:db8::1 | grep -q 'interface: $utun0'"
check "the endpoint 192.0.2.1 not through $utun0" sh -c "! route -n get 192.0.2.1 | grep -q 'interface: $utun0'"
def=$(route -n get default 2>/dev/null | awk '/interface:/ { print $2 }')
mtu=$(ifconfig "$def" 2>/dev/null | awk '/mtu/ { print $NF; exit }')
[ -n "$mtu" ] && check "automatic MTU ($mtu - 80) on $utun0" sh -c "ifconfig $utun0 | grep -q 'mtu $((mtu - 80))'"
services >"$dir/services"
while IFS= read -r s; do # not in a pipe: failures must count
	check "DNS 10.66.0.53 on \"$s\"" sh -c 'networksetup -getdnsservers "$1" | grep -qx 10.66.0.53' - "$s"
	check "search domain on \"$s\"" sh -c 'networksetup -getsearchdomains "$1" | grep -qx check.example' - "$s"
done <"$dir/services"
check "the route monitor runs" sh -c "ps ax -o command | grep -q '[_]_route-monitor wgcheck0'"
"$quick" down "$dir/wgcheck0.conf" >"$dir/down0.log" 2>&1
check "down (full)" test $? = 0
sleep 2 # the monitor restores DNS once it sees the utun go

echo "== leftovers"
check "no wgcheck utun left" sh -c "! ifconfig '$utun0' && ! ifconfig '$utun1' && ! ifconfig '$utun2'"
check "no route monitor left" sh -c "! ps ax -o command | grep -q '[_]_route-monitor wgcheck'"
check "no files left in /var/run/wireguard" sh -c "! ls /var/run/wireguard/wgcheck* /var/run/wireguard/$utun0.sock /var/run/wireguard/$utun1.sock /var/run/wireguard/$utun2.sock"
check "no state left in /var/run/wgtools" sh -c "! ls /var/run/wgtools/wgcheck*"
dns_after=$(dns_snapshot)
if [ "$dns_before" = "$dns_after" ]; then report PASS "every service's DNS as before"; else
	report FAIL "every service's DNS as before"
	printf 'before:\n%s\nafter:\n%s\n' "$dns_before" "$dns_after"
fi
routes_after=$(routes_snapshot)
if [ "$routes_before" = "$routes_after" ]; then report PASS "the routing table as before"; else
	report FAIL "the routing table as before"
	printf '%s\n' "$routes_before" >"$dir/routes.before"
	printf '%s\n' "$routes_after" >"$dir/routes.after"
	diff -u "$dir/routes.before" "$dir/routes.after"
fi

echo "== report"
echo "macOS $(sw_vers -productVersion 2>/dev/null) $(uname -m), $("$wg" --version)"
echo "$failures failed"
if [ "$failures" != 0 ]; then
	echo "logs in $dir"
	exit 1
fi
rm -rf "$dir"
