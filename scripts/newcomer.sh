#!/usr/bin/env bash
# A newcomer's machine, built and used as the README tells: a minimal Debian 12
# root (debootstrap --variant=minbase) with only Go, make, git, iproute2,
# ca-certificates, systemd and sudo added, and a clone of this repository in it.
# There it runs `make demo` and `make test` as root, then `make test` as an
# ordinary user. Everything happens in a private mount namespace, so the mounts
# go away with it; the root itself is removed at the end unless NEWCOMER_KEEP=1.
#
#   sudo scripts/newcomer.sh            # what CI runs
#   NEWCOMER_DIR=/tmp/nc NEWCOMER_KEEP=1 sudo scripts/newcomer.sh test-user   # reuse a root, one step
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
goroot=$(go env GOROOT)

if [ "$(id -u)" != 0 ]; then
	echo "newcomer: needs root (debootstrap, chroot, mounts): sudo $0" >&2
	exit 1
fi
for tool in debootstrap unshare chroot git; do
	command -v "$tool" >/dev/null || {
		echo "newcomer: $tool is missing (apt-get install --no-install-recommends debootstrap util-linux git)" >&2
		exit 1
	}
done

work=${NEWCOMER_DIR:-$(mktemp -d /tmp/wgtools-newcomer.XXXXXX)}
root=$work/root
cleanup() {
	if [ "${NEWCOMER_KEEP:-}" != 1 ]; then rm -rf --one-file-system "$work"; fi
}
trap cleanup EXIT

step() { printf '\n==> newcomer: %s\n' "$*"; }

if [ ! -x "$root/usr/bin/make" ]; then
	step "debootstrap --variant=minbase bookworm from $mirror"
	start=$SECONDS
	debootstrap --variant=minbase --include=make,git,iproute2,ca-certificates,systemd,sudo \
		bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
		tail -20 "$work/debootstrap.log" >&2
		exit 1
	}
	echo "root built in $((SECONDS - start)) s"
fi

step "Go from $goroot, the host's CA certificates and resolver, a user, two clones"
rm -rf "$root/usr/local/go"
cp -a "$goroot" "$root/usr/local/go"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
chroot "$root" sh -c 'id newcomer >/dev/null 2>&1 || useradd -m -s /bin/bash newcomer'
# A clone as a newcomer makes it; the working tree's files are laid over it, so
# that uncommitted work is what gets tried (on CI's clean clone this changes nothing).
clone() {
	rm -rf "$root/$1"
	git clone -q "$repo" "$root/$1"
	(cd "$repo" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - -c 2>/dev/null) | tar -x -C "$root/$1"
}
clone root/wgtools
clone home/newcomer/wgtools
chroot "$root" chown -R newcomer:newcomer /home/newcomer/wgtools

# inroot USER COMMAND runs COMMAND in the clone of USER, in a login-like clean
# environment (no CI variable: this is a newcomer's shell).
inroot() {
	local user=$1 home=/root
	shift
	[ "$user" = root ] || home=/home/$user
	unshare --mount --propagation private sh -c '
		set -e
		root=$1 user=$2 home=$3; shift 3
		# ip netns add needs / to be a mount point it can make rslave.
		mount --bind "$root" "$root"
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs -o mode=755 tmpfs "$root/run"
		mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
		exec chroot "$root" runuser -u "$user" -- env -i HOME="$home" USER="$user" LANG=C.UTF-8 \
			PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c "cd \"\$HOME/wgtools\" && $*"
	' sh "$root" "$user" "$home" "$@"
}

# The steps to run (all by default): demo, test-root, test-user.
steps=${*:-demo test-root test-user}
for s in $steps; do
	case $s in
	demo) step "root: make demo"; inroot root make demo ;;
	test-root) step "root: make test"; inroot root make test ;;
	test-user) step "newcomer (an ordinary user): make test"; inroot newcomer make test ;;
	*) echo "newcomer: unknown step $s (demo, test-root, test-user)" >&2; exit 2 ;;
	esac
done
step "passed: $steps"
