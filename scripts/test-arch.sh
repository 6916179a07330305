#!/usr/bin/env bash
# make test-arch: the other Linux architectures we release, under qemu-user.
# For each of linux/arm64, linux/arm (GOARM=7), linux/386 and linux/riscv64:
#  1. go test of every package whose tests need neither root nor network
#     namespaces (the rest run natively in make test), the test binaries
#     run by qemu-ARCH;
#  2. wg and wg-quick built for the architecture give byte for byte the
#     output (stdout, stderr, exit status) of the amd64 build: wg pubkey of
#     fixed inputs (good, bad and odd keys), wg genkey | wg pubkey both ways,
#     and wg-quick strip of every test config.
# It fetches Debian 13's qemu-user once (below); QEMU_DIR=/usr/bin uses
# Debian's qemu-user-static instead.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
export CGO_ENABLED=0

# Packages whose tests need root or network namespaces: make test runs them.
native_only='/cmd/wg$|/internal/quickcmd$|/internal/netnstest$|/internal/dns$|/internal/firewall$|/internal/netcfg$'

# GOARCH[/GOARM] and the qemu that runs it.
targets=("arm64 aarch64" "arm/7 arm" "386 i386" "riscv64 riscv64")
# Arguments pick some of them by GOARCH (make test-arch ARCHES="386 arm").
if (($#)); then
	picked=()
	for t in "${targets[@]}"; do
		for a in "$@"; do [ "${t%%[/ ]*}" = "$a" ] && picked+=("$t"); done
	done
	targets=("${picked[@]}")
fi

# qemu-user 10 from Debian 13, statically linked, fetched once from Debian's
# registry into a cache: Debian 12's qemu-i386 (7.2) delivers signals to Go
# threads whose TLS it has not set up ("fatal: bad g in signal handler",
# "morestack on g0" as soon as a test starts a process), and 10 does not.
# QEMU_DIR=/usr/bin uses the system's instead.
qemu_dir=${QEMU_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/wgtools/qemu-user-trixie}
if [ ! -x "$qemu_dir/qemu-aarch64" ] && [ -z "${QEMU_DIR:-}" ]; then
	echo "test-arch: fetching Debian 13's qemu-user into $qemu_dir"
	apt=$(mktemp -d)
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$qemu_dir"
	echo "deb ${DEBIAN_MIRROR:-http://deb.debian.org/debian} trixie main" >"$apt/sources.list"
	aptopts=(-qq -o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o Dir::State::Lists="$apt/lists" -o Dir::Cache="$apt/cache" -o APT::Sandbox::User="$(id -un)")
	(cd "$apt" && apt-get "${aptopts[@]}" update && apt-get "${aptopts[@]}" download qemu-user) ||
		{ echo "test-arch: could not fetch qemu-user from Debian 13" >&2; exit 1; }
	dpkg -x "$apt"/qemu-user_*.deb "$apt/root"
	for q in aarch64 arm i386 riscv64; do cp "$apt/root/usr/bin/qemu-$q" "$qemu_dir/"; done
	rm -rf "$apt"
fi
for t in "${targets[@]}"; do
	set -- $t
	q=$qemu_dir/qemu-$2
	[ -x "$q" ] || q=$qemu_dir/qemu-$2-static
	[ -x "$q" ] || { echo "test-arch: no qemu-$2 in $qemu_dir" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkgs=$($GO list ./... | grep -Ev "$native_only")

# The inputs of the comparison, run through each build in turn.
inputs=$work/inputs
mkdir -p "$inputs/conf"
cat >"$inputs/keys" <<'KEYS'
yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=
xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
//////////////////////////////////////////8=
gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=
xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dh=
xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg
xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg==
not a key
KEYS
for f in cmd/wg/testdata/compat/setconf/*.conf internal/config/testdata/*.conf; do
	[ -e "$f" ] || continue
	cp "$f" "$inputs/conf/"
done
chmod 600 "$inputs/conf/"*
# A wg-quick config with every wg-quick key.
cat >"$inputs/conf/wgfull0.conf" <<'CONF'
[Interface]
Address = 10.0.0.1/24, fd00::1/64
DNS = 10.0.0.53, vpn.example
MTU = 1420
Table = off
PreUp = echo %i
PostUp = true
PreDown = true
PostDown = true
SaveConfig = false
PrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=

[Peer]
PublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=
AllowedIPs = 0.0.0.0/0, ::/0
Endpoint = 192.0.2.1:51820
CONF
chmod 600 "$inputs/conf/wgfull0.conf"

# transcript RUN: every comparison run through RUN (a command prefix that
# runs a wg binary, taking the personality's name as $1).
transcript() {
	local run=$1 k f
	while IFS= read -r k; do
		printf '== pubkey %s\n' "$k"
		printf '%s\n' "$k" | $run wg pubkey 2>&1 || echo "exit $?"
	done <"$inputs/keys"
	printf '== pubkey of 100 bytes of zeros\n'
	head -c 100 /dev/zero | $run wg pubkey 2>&1 || echo "exit $?"
	for f in "$inputs/conf/"*.conf; do
		printf '== strip %s\n' "${f##*/}"
		(cd "$inputs/conf" && $run wg-quick strip "./${f##*/}" 2>&1) || echo "exit $?"
	done
}

bin=$work/bin
mkdir -p "$bin/amd64"
GOARCH=amd64 $GO build -trimpath -o "$bin/amd64/wg" ./cmd/wg
ln -s wg "$bin/amd64/wg-quick"
# Both run the binary as argv[0] "wg" or "wg-quick", as messages name it.
native() { (exec -a "$1" "$bin/amd64/$1" "${@:2}"); }
transcript native >"$work/amd64.txt"

total=$SECONDS
for t in "${targets[@]}"; do
	set -- $t
	arch=${1%/*} qemu=$qemu_dir/qemu-$2 goarm=
	[ -x "$qemu" ] || qemu=$qemu_dir/qemu-$2-static
	[ "$arch" = "$1" ] || goarm=${1#*/}
	start=$SECONDS
	printf '\n==> linux/%s%s under %s: go test\n' "$arch" "${goarm:+ (GOARM=$goarm)}" "$qemu"
	# shellcheck disable=SC2086
	GOARCH=$arch GOARM=$goarm $GO test -count=1 -exec "$qemu" $pkgs
	printf '==> linux/%s: wg and wg-quick against the amd64 build\n' "$arch"
	mkdir -p "$bin/$arch"
	GOARCH=$arch GOARM=$goarm $GO build -trimpath -o "$bin/$arch/wg" ./cmd/wg
	ln -sf wg "$bin/$arch/wg-quick"
	emulated() { "$qemu" -0 "$1" "$bin/$arch/$1" "${@:2}"; }
	transcript emulated >"$work/$arch.txt"
	if ! diff -u "$work/amd64.txt" "$work/$arch.txt"; then
		echo "test-arch: linux/$arch's wg or wg-quick differs from amd64's (above)" >&2
		exit 1
	fi
	# Keys made on one architecture, read on the other.
	for n in 1 2 3 4 5; do
		k=$(emulated wg genkey)
		[ "$(printf '%s\n' "$k" | emulated wg pubkey)" = "$(printf '%s\n' "$k" | native wg pubkey)" ] || {
			echo "test-arch: linux/$arch: wg genkey | wg pubkey differs from amd64's pubkey of the same key" >&2
			exit 1
		}
		k=$(native wg genkey)
		[ "$(printf '%s\n' "$k" | emulated wg pubkey)" = "$(printf '%s\n' "$k" | native wg pubkey)" ] || {
			echo "test-arch: linux/$arch: wg pubkey of an amd64 key differs" >&2
			exit 1
		}
	done
	printf '==> linux/%s: identical (%d lines compared, 10 keys both ways) in %d s\n' "$arch" \
		"$(wc -l <"$work/amd64.txt")" $((SECONDS - start))
done
printf '\ntest-arch: passed on %d architectures in %d s\n' "${#targets[@]}" $((SECONDS - total))
