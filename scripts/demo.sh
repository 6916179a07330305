#!/usr/bin/env bash
# The main job end to end on the embedded tunnel: two throwaway network
# namespaces joined by a veth pair, `wg-quick up` in each, an exchange of
# datagrams through the tunnel (bin/demo/udpecho, so no ping is needed), the
# counters of `wg show`, then everything torn down (also on failure) and a
# summary. It needs root, iproute2's ip and /dev/net/tun, and checks for
# them before it changes anything.
set -euo pipefail
bin=$(cd "$(dirname "$0")/../bin" && pwd)

fail() {
	printf 'demo: %s\n' "$@" >&2
	exit 1
}
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null; then
		echo "demo: it creates network namespaces, so it runs as root: sudo $0"
		exec sudo "$0" "$@"
	fi
	fail "it creates network namespaces, so it needs root, and sudo is not installed:" \
		"run it as root (su -c 'make demo'), or install sudo (apt-get install sudo)"
fi
missing=()
command -v ip >/dev/null || missing+=("iproute2's ip: apt-get install --no-install-recommends iproute2")
[ -c /dev/net/tun ] || missing+=("/dev/net/tun: modprobe tun, or give the container the device (docker run --device /dev/net/tun --cap-add NET_ADMIN)")
for f in wg wg-quick demo/udpecho; do
	[ -x "$bin/$f" ] || missing+=("bin/$f: make demo builds it (make build)")
done
if ((${#missing[@]})); then
	fail "nothing was changed; first get what is missing:" "${missing[@]/#/  }"
fi

a=wgdemo-a-$$ b=wgdemo-b-$$
dir=$(mktemp -d)
chmod 700 "$dir"
server=
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	ip netns exec "$a" "$bin/wg-quick" down "$dir/wgdemoa.conf" >/dev/null 2>&1 || true
	ip netns exec "$b" "$bin/wg-quick" down "$dir/wgdemob.conf" >/dev/null 2>&1 || true
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

echo "== two network namespaces joined by a veth pair"
ip netns add "$a" || fail "ip netns add failed: this machine (or container) cannot make network namespaces;" \
	"run the demo where it can (a container needs --privileged or CAP_SYS_ADMIN)"
ip netns add "$b"
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b" ||
	fail "ip link add type veth failed: the kernel lacks veth (modprobe veth)"
ip -n "$a" addr add 192.168.241.1/24 dev veth-a
ip -n "$b" addr add 192.168.241.2/24 dev veth-b
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; done
ip -n "$a" link set veth-a up
ip -n "$b" link set veth-b up

ka=$("$bin/wg" genkey); kb=$("$bin/wg" genkey)
pa=$(echo "$ka" | "$bin/wg" pubkey); pb=$(echo "$kb" | "$bin/wg" pubkey)
# conf NAME PRIVATE-KEY PORT ADDRESS PEER-KEY PEER-ADDRESS PEER-ENDPOINT
conf() {
	cat >"$dir/$1.conf" <<CONF
[Interface]
PrivateKey = $2
ListenPort = $3
Address = $4

[Peer]
PublicKey = $5
AllowedIPs = $6
Endpoint = $7
CONF
}
conf wgdemoa "$ka" 51820 10.77.0.1/24 "$pb" 10.77.0.2/32 192.168.241.2:51821
conf wgdemob "$kb" 51821 10.77.0.2/24 "$pa" 10.77.0.1/32 192.168.241.1:51820
chmod 600 "$dir"/*.conf

echo "== wg-quick up in each namespace (embedded userspace tunnel, no kernel module needed)"
ip netns exec "$a" "$bin/wg-quick" up "$dir/wgdemoa.conf"
ip netns exec "$b" "$bin/wg-quick" up "$dir/wgdemob.conf"

# transfer NS IF prints "RX TX" of the interface's one peer.
transfer() { ip netns exec "$1" "$bin/wg" show "$2" transfer | cut -f2,3 | tr '\t' ' '; }
read -r rx0 tx0 <<<"$(transfer "$a" wgdemoa)"
echo "== wg show wgdemoa transfer before the exchange: received $rx0 B, sent $tx0 B"

echo "== 20 datagrams of 1000 bytes from 10.77.0.1 to an echo server on 10.77.0.2, through the tunnel"
ip netns exec "$b" "$bin/demo/udpecho" serve -for 60s 10.77.0.2:7777 &
server=$!
exchange=$(ip netns exec "$a" "$bin/demo/udpecho" ping -count 20 -size 1000 -timeout 20s 10.77.0.2:7777)
echo "$exchange"

read -r rx1 tx1 <<<"$(transfer "$a" wgdemoa)"
handshake=$(ip netns exec "$a" "$bin/wg" show wgdemoa latest-handshakes | cut -f2)
age=$(($(date +%s) - handshake))
echo "== wg show wgdemoa"
ip netns exec "$a" "$bin/wg" show wgdemoa
[ "$handshake" -gt 0 ] || fail "wg show reports no handshake although the exchange came back"
((rx1 > rx0 + 20000 && tx1 > tx0 + 20000)) || fail "the transfer counters did not rise by the 20 kB exchanged: received $rx0 -> $rx1 B, sent $tx0 -> $tx1 B"

echo "== wg-quick down"
kill "$server" 2>/dev/null || true
server=
ip netns exec "$a" "$bin/wg-quick" down "$dir/wgdemoa.conf"
ip netns exec "$b" "$bin/wg-quick" down "$dir/wgdemob.conf"
for link in "$a wgdemoa" "$b wgdemob"; do
	set -- $link
	if ip -n "$1" link show "$2" >/dev/null 2>&1; then
		fail "$2 still exists after wg-quick down"
	fi
done

cat <<SUMMARY

== summary
handshake:   done, ${age} s before the exchange ended (wgdemoa <-> wgdemob)
exchange:    ${exchange}
wgdemoa:     sent $((tx1 - tx0)) bytes and received $((rx1 - rx0)) bytes through the tunnel (wg show transfer)
teardown:    wg-quick down removed both tunnels; the namespaces go now
SUMMARY
