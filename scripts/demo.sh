#!/usr/bin/env bash
# The main job end to end on the embedded tunnel: two throwaway network
# namespaces joined by a veth pair, `wg-quick up` in each, a ping across the
# tunnel, `wg show`, then everything torn down (also on failure).
set -euo pipefail
bin=$(cd "$(dirname "$0")/../bin" && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "demo: run as root (it creates network namespaces): sudo $0" >&2
	exit 1
fi
a=wgdemo-a-$$ b=wgdemo-b-$$
dir=$(mktemp -d)
chmod 700 "$dir"
cleanup() {
	ip netns exec "$a" "$bin/wg-quick" down "$dir/wgdemoa.conf" >/dev/null 2>&1 || true
	ip netns exec "$b" "$bin/wg-quick" down "$dir/wgdemob.conf" >/dev/null 2>&1 || true
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

ip netns add "$a"
ip netns add "$b"
ip link add veth-a netns "$a" type veth peer name veth-b netns "$b"
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

echo "== wg-quick up in two namespaces (embedded userspace tunnel, no kernel module needed)"
ip netns exec "$a" "$bin/wg-quick" up "$dir/wgdemoa.conf"
ip netns exec "$b" "$bin/wg-quick" up "$dir/wgdemob.conf"
echo "== ping across the tunnel"
ip netns exec "$a" ping -c 3 -i 0.2 -W 2 10.77.0.2
echo "== wg show"
ip netns exec "$a" "$bin/wg" show wgdemoa
echo "== wg-quick down"
ip netns exec "$a" "$bin/wg-quick" down "$dir/wgdemoa.conf"
ip netns exec "$b" "$bin/wg-quick" down "$dir/wgdemob.conf"
echo "== demo done: everything torn down"
