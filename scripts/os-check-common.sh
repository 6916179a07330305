# os-check-common.sh: what os-check.sh (macOS) and os-check-bsd.sh share,
# sourced by both from the checkout's root: the binaries, a private work
# directory, PASS/FAIL reporting, and the configs of the tunnels checked
# (wgcheck0: a full tunnel with DNS; wgcheck1 and wgcheck2: two ends of
# one tunnel over loopback).

bin=$(pwd)/bin
if [ ! -x "$bin/wg-quick" ]; then
	command -v go >/dev/null || { echo "os-check: build first (make build) or install Go" >&2; exit 1; }
	make build >/dev/null || exit 1
fi
wg=$bin/wg
quick=$bin/wg-quick
dir=$(mktemp -d /tmp/wgtools-os-check.XXXXXX)
chmod 700 "$dir"
failures=0
report() { # STATUS WHAT
	printf '%-5s %s\n' "$1" "$2"
	[ "$1" = FAIL ] && failures=$((failures + 1))
	return 0
}
check() { # WHAT COMMAND...: PASS when the command succeeds
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then report PASS "$what"; else report FAIL "$what"; fi
}

# write_configs: keys and the configs wgcheck0, wgcheck1 and wgcheck2 in
# $dir. wgcheck1 and wgcheck2 are two ends of one real tunnel over
# loopback: the keepalive makes wgcheck1 start a handshake that wgcheck2
# answers.
write_configs() {
	k1=$("$wg" genkey)
	k2=$("$wg" genkey)
	k3=$("$wg" genkey)
	p2=$(echo "$k2" | "$wg" pubkey)
	p3=$(echo "$k3" | "$wg" pubkey)
	cat >"$dir/wgcheck0.conf" <<EOF
[Interface]
PrivateKey = $k1
Address = 10.66.0.1/32, fd66::1/128
DNS = 10.66.0.53, check.example

[Peer]
PublicKey = $p2
Endpoint = 192.0.2.1:51820
AllowedIPs = 0.0.0.0/0, ::/0
EOF
	cat >"$dir/wgcheck1.conf" <<EOF
[Interface]
PrivateKey = $k2
ListenPort = 51901
Address = 10.67.0.1/24
MTU = 1380
Table = off

[Peer]
PublicKey = $p3
Endpoint = 127.0.0.1:51902
AllowedIPs = 10.67.0.0/24
PersistentKeepalive = 1
EOF
	cat >"$dir/wgcheck2.conf" <<EOF
[Interface]
PrivateKey = $k3
ListenPort = 51902
Address = 10.68.0.1/32

[Peer]
PublicKey = $p2
AllowedIPs = 10.68.5.0/24, 10.69.0.0/16
EOF
	chmod 600 "$dir"/*.conf
}
