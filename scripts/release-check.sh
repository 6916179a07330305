#!/usr/bin/env bash
# Release check, as CI runs it: validates goreleaser.yaml, makes a snapshot
# release of two targets (linux/amd64 and one non-Linux target) into a temp
# dir, and inspects what came out:
#   - the archives hold both commands, the man pages, completions, systemd
#     units, README.md and LICENSE; the Linux binaries are static;
#   - the deb, rpm and apk hold every path they must install, and declare the
#     wireguard-tools relations with the version of internal/version.Upstream;
#   - the .deb unpacked into an empty root (dpkg -x) has every file in place,
#     its man pages open with man -l, and wg --version / wg-quick --help run.
# Everything it makes goes under one temp dir, removed on exit; the work tree
# is left as it was (dist/ is not used).
#
# Environment:
#   GORELEASER              a goreleaser binary to use instead of installing one
#   RELEASE_CHECK_TARGETS   goreleaser targets to build, as spelled in the
#                           targets: lists (default: "linux_amd64 windows_amd64")
#   RELEASE_CHECK_KEEP=1    keep the temp dir for a look afterwards
#
# Needs go, git, dpkg-deb, man (man-db), readelf (binutils), tar, unzip, and
# rpm or bsdtar (libarchive-tools) to list the rpm: when neither is there and
# we are root, libarchive-tools is installed with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION=v2.15.1 # v2.18.2 and newer need a newer Go than 1.26
CONFIG=goreleaser.yaml
TARGETS=${RELEASE_CHECK_TARGETS:-linux_amd64 windows_amd64}

started=$SECONDS
# Plain goreleaser logs: it colours them whenever CI is set, whatever NO_COLOR says.
gr_run() { env -u CI NO_COLOR=1 "$gr" "$@"; }
step() { printf '\n==> %s\n' "$*"; }
fail() {
  printf '\nrelease-check: FAIL: %s\n' "$1" >&2
  shift
  if (($#)); then printf '  %s\n' "$@" >&2; fi
  exit 1
}

work=$(mktemp -d "${TMPDIR:-/tmp}/wgtools-release-check.XXXXXX")
cleanup() {
  if [ "${RELEASE_CHECK_KEEP:-}" = 1 ]; then
    echo "release-check: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
dist=$work/dist
tree_before=$(git status --porcelain --untracked-files=all 2>/dev/null || true)

# ---------------------------------------------------------------------------
step "goreleaser $GORELEASER_VERSION"
if [ -n "${GORELEASER:-}" ]; then
  gr=$GORELEASER
elif command -v goreleaser >/dev/null &&
  goreleaser --version 2>/dev/null | grep -E "^GitVersion:[[:space:]]+$GORELEASER_VERSION\$" >/dev/null; then
  gr=$(command -v goreleaser)
else
  # Built from the Go module proxy: there is no other way to get it here (its
  # npm package downloads the binary from GitHub at install time). About 2.5
  # minutes on 2 cores with an empty build cache, about a second with a warm one.
  t=$SECONDS
  GOBIN=$work/bin GOFLAGS=-mod=mod go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
  gr=$work/bin/goreleaser
  echo "installed in $((SECONDS - t))s"
fi
gr_run --version | grep -E '^GitVersion:'

# ---------------------------------------------------------------------------
step "goreleaser check"
if ! out=$(gr_run check --config "$CONFIG" 2>&1); then
  printf '%s\n' "$out"
  fail "goreleaser check: $CONFIG is invalid"
fi
printf '%s\n' "$out"
if grep -qi 'deprecat' <<<"$out"; then fail "goreleaser check: $CONFIG uses deprecated options"; fi

# The packages provide wireguard-tools at the upstream version we match.
upstream=$(sed -n 's/^const Upstream = "\([^"]*\)"$/\1/p' internal/version/version.go)
[ -n "$upstream" ] || fail "no 'const Upstream = \"…\"' in internal/version/version.go"
provided=$(grep -v '^[[:space:]]*#' "$CONFIG" | grep -oE 'wireguard-tools[a-z-]*( \(= |=| = )[0-9][^]",)]*' || true)
[ -n "$provided" ] || fail "$CONFIG provides no versioned wireguard-tools"
stale=$(grep -vE "[ =]${upstream//./\\.}\$" <<<"$provided" || true)
[ -z "$stale" ] || fail "$CONFIG provides wireguard-tools at a version other than internal/version.Upstream ($upstream):" "$stale"

# ---------------------------------------------------------------------------
step "CI configuration: targets $TARGETS, dist $dist"
# Every targets: list is one line; keep only the CI targets in each, and skip
# a build left with none. dist goes to the temp dir.
awk -v keep="$TARGETS" -v dist="$dist" '
  BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) want[k[i]] = 1 }
  /^dist:/ { next }
  /^[[:space:]]*targets:/ {
    if (!match($0, /\[.*\]/)) {
      print "release-check: a targets: list is not on one line: " $0 > "/dev/stderr"
      bad = 1
      next
    }
    indent = substr($0, 1, index($0, "targets:") - 1)
    m = split(substr($0, RSTART + 1, RLENGTH - 2), t, ",")
    kept = ""
    for (i = 1; i <= m; i++) {
      gsub(/[[:space:]]/, "", t[i])
      if (t[i] in want) { kept = kept (kept == "" ? "" : ", ") t[i]; seen[t[i]] = 1 }
    }
    print indent (kept == "" ? "skip: true" : "targets: [" kept "]")
    next
  }
  { print }
  END {
    print "dist: " dist
    for (w in want) if (!(w in seen)) {
      print "release-check: target " w " is in no build of the configuration" > "/dev/stderr"
      bad = 1
    }
    exit bad
  }' "$CONFIG" >"$work/goreleaser.ci.yaml" || fail "cannot narrow $CONFIG to the CI targets"
grep -E '^[[:space:]]*(targets|skip):' "$work/goreleaser.ci.yaml"

# Packages are made for Linux targets other than mips/mipsle (see $CONFIG).
linux_pkg_targets=0
for target in $TARGETS; do
  case $target in linux_mips*) ;; linux_*) linux_pkg_targets=$((linux_pkg_targets + 1)) ;; esac
done
skip=publish,announce,validate
((linux_pkg_targets)) || skip=$skip,nfpm

# ---------------------------------------------------------------------------
step "goreleaser release --snapshot --skip=$skip"
t=$SECONDS
gr_run release --snapshot --skip="$skip" --config "$work/goreleaser.ci.yaml" ||
  fail "goreleaser release --snapshot failed"
echo "snapshot release in $((SECONDS - t))s"

version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$dist/metadata.json" | head -n1)
[ -n "$version" ] || fail "no version in $dist/metadata.json"
echo "version $version"

step "checksums"
(cd "$dist" && sha256sum --check --strict "wgtools_${version}_checksums.txt") ||
  fail "checksums do not match"

# ---------------------------------------------------------------------------
# Helpers.

# list_tar ARCHIVE / list_zip / list_deb / list_rpm / list_apk: one path a line,
# as the archive names it (packages: absolute, no trailing slash).
norm_abs() { sed -e 's#^\./##' -e 's#^/##' -e 's#/$##' -e '/^$/d' -e 's#^#/#'; }
list_tar() { tar -tzf "$1" | sed -e 's#/$##'; }
list_zip() {
  if command -v unzip >/dev/null; then unzip -Z1 "$1"; else bsdtar -tf "$1"; fi | sed -e 's#/$##'
}
list_deb() { dpkg-deb --fsys-tarfile "$1" | tar -t | norm_abs; }
list_rpm() {
  if command -v rpm >/dev/null; then rpm -qlp "$1"; else bsdtar -tf "$1"; fi | norm_abs
}
# An apk is gzipped tar segments one after the other: --ignore-zeros reads past
# the end of the first.
list_apk() { tar --warning=no-unknown-keyword --ignore-zeros -tzf "$1" | grep -v '^\.[A-Z]' | norm_abs; }

# need LIST_FILE WHAT PATH...: every PATH is a line of LIST_FILE.
need() {
  local list=$1 what=$2 p
  shift 2
  local missing=()
  for p in "$@"; do grep -qxF -- "$p" "$list" || missing+=("$p"); done
  if ((${#missing[@]})); then
    echo "--- $what holds:" >&2
    sed 's/^/    /' "$list" >&2
    fail "$what lacks ${#missing[@]} path(s):" "${missing[@]}"
  fi
  echo "$what: all ${#} expected paths present"
}

# static FILE WHAT: an ELF with no interpreter and no shared libraries.
static() {
  local f=$1 what=$2
  if command -v readelf >/dev/null; then
    readelf -h "$f" >/dev/null 2>&1 || fail "$what is not an ELF file"
    if readelf -lW "$f" | grep INTERP >/dev/null || readelf -dW "$f" 2>/dev/null | grep "(NEEDED)" >/dev/null; then
      fail "$what is dynamically linked:" "$(readelf -lW "$f" | grep -A1 INTERP || true)" \
        "$(readelf -dW "$f" 2>/dev/null | grep NEEDED || true)"
    fi
  else
    file -L "$f" | grep "statically linked" >/dev/null || fail "$what is not statically linked: $(file -L "$f")"
  fi
  echo "$what: static"
}

# The files that go into every archive, as the globs of $CONFIG find them in
# the tree, and the ones that must be among them.
shopt -s nullglob
docs=(README.md LICENSE man/*.8 completions/* systemd/*)
shopt -u nullglob
required_docs=(
  README.md LICENSE man/wg.8 man/wg-quick.8
  completions/wg.bash completions/wg-quick.bash completions/_wg completions/_wg-quick
  completions/wg.fish completions/wg-quick.fish
  systemd/wg-quick@.service systemd/wg-quick.target
  systemd/wg-quick-reresolve@.service systemd/wg-quick-reresolve@.timer
)
missing=()
for f in "${required_docs[@]}"; do [ -f "$f" ] || missing+=("$f"); done
((${#missing[@]} == 0)) || fail "the tree lacks files the release ships:" "${missing[@]}"

# ---------------------------------------------------------------------------
for target in $TARGETS; do
  IFS=_ read -r os arch variant <<<"$target"
  case $arch in
  arm) suffix=${os}_armv${variant:-7} ;;
  mips | mipsle | mips64 | mips64le) suffix=${os}_${arch}_${variant:-hardfloat} ;;
  *) suffix=${os}_${arch} ;;
  esac
  exe=
  ext=tar.gz
  if [ "$os" = windows ]; then exe=.exe ext=zip; fi
  name=wgtools_${version}_${suffix}
  archive=$dist/$name.$ext

  step "archive $name.$ext"
  [ -f "$archive" ] || fail "no archive $name.$ext for target $target:" "$(cd "$dist" && ls)"
  if [ "$ext" = zip ]; then list_zip "$archive"; else list_tar "$archive"; fi >"$work/list"
  expected=("$name/wg$exe" "$name/wg-quick$exe")
  for f in "${docs[@]}"; do expected+=("$name/$f"); done
  need "$work/list" "$name.$ext" "${expected[@]}"

  mkdir -p "$work/unpacked"
  if [ "$ext" = zip ]; then
    unzip -q -o "$archive" -d "$work/unpacked"
  else
    tar -xzf "$archive" -C "$work/unpacked"
  fi
  for b in wg wg-quick; do
    f=$work/unpacked/$name/$b$exe
    if [ ! -f "$f" ] || [ -L "$f" ]; then fail "$name/$b$exe is not a regular file"; fi
    case $os in
    linux) static "$f" "$name/$b" ;;
    windows)
      if command -v file >/dev/null; then
        file "$f" | grep PE32 >/dev/null || fail "$name/$b$exe is not a Windows executable: $(file "$f")"
      fi
      ;;
    esac
  done
done

# ---------------------------------------------------------------------------
if ((linux_pkg_targets)); then
  pkg_expected=(
    /usr/bin/wg
    /usr/bin/wg-quick
    /usr/share/bash-completion/completions/wg
    /usr/share/bash-completion/completions/wg-quick
    /usr/share/zsh/vendor-completions/_wg
    /usr/share/zsh/vendor-completions/_wg-quick
    /usr/share/fish/vendor_completions.d/wg.fish
    /usr/share/fish/vendor_completions.d/wg-quick.fish
    /usr/share/doc/wgtools/README.md
    /usr/share/doc/wgtools/LICENSE
    /etc/wireguard
  )
  for f in man/*.8; do pkg_expected+=("/usr/share/man/man8/${f#man/}"); done
  for f in systemd/*.service systemd/*.target systemd/*.timer; do
    [ -e "$f" ] && pkg_expected+=("/usr/lib/systemd/system/${f#systemd/}")
  done

  if ! command -v rpm >/dev/null && ! command -v bsdtar >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      step "apt: installing libarchive-tools (bsdtar, to list the rpm)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libarchive-tools >/dev/null ||
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libarchive-tools >/dev/null; } ||
        fail "cannot install libarchive-tools"
    else
      fail "need rpm or bsdtar to list the rpm: apt-get install libarchive-tools"
    fi
  fi

  shopt -s nullglob
  debs=("$dist"/*.deb)
  rpms=("$dist"/*.rpm)
  apks=("$dist"/*.apk)
  shopt -u nullglob
  ((${#debs[@]} == linux_pkg_targets)) || fail "expected $linux_pkg_targets .deb, found ${#debs[@]}"
  ((${#rpms[@]} == linux_pkg_targets)) || fail "expected $linux_pkg_targets .rpm, found ${#rpms[@]}"
  ((${#apks[@]} == linux_pkg_targets)) || fail "expected $linux_pkg_targets .apk, found ${#apks[@]}"

  for p in "${debs[@]}" "${rpms[@]}" "${apks[@]}"; do
    step "package ${p##*/}"
    case $p in
    *.deb) list_deb "$p" ;;
    *.rpm) list_rpm "$p" ;;
    *.apk) list_apk "$p" ;;
    esac >"$work/list"
    need "$work/list" "${p##*/}" "${pkg_expected[@]}"
    case $p in
    *.deb)
      dpkg-deb --field "$p" Package Version Architecture Depends Conflicts Replaces Provides
      [ "$(dpkg-deb --field "$p" Provides)" = "wireguard-tools (= $upstream)" ] ||
        fail "${p##*/}: Provides is not 'wireguard-tools (= $upstream)'"
      [ "$(dpkg-deb --field "$p" Conflicts)" = wireguard-tools ] || fail "${p##*/}: Conflicts is not wireguard-tools"
      [ "$(dpkg-deb --field "$p" Replaces)" = wireguard-tools ] || fail "${p##*/}: Replaces is not wireguard-tools"
      [ -z "$(dpkg-deb --field "$p" Depends)" ] || fail "${p##*/}: has dependencies; the binary is static"
      ;;
    *.rpm)
      if command -v rpm >/dev/null; then
        rpm -qp --provides "$p" | grep -xF "wireguard-tools = $upstream" >/dev/null ||
          fail "${p##*/}: does not provide wireguard-tools = $upstream"
      fi
      ;;
    *.apk)
      tar --warning=no-unknown-keyword --ignore-zeros -xzOf "$p" .PKGINFO >"$work/pkginfo"
      grep -E '^(pkgname|pkgver|arch|provides|replaces|depend) = ' "$work/pkginfo"
      grep -qxF "provides = wireguard-tools=$upstream" "$work/pkginfo" ||
        fail "${p##*/}: does not provide wireguard-tools=$upstream"
      ;;
    esac
  done

  # -------------------------------------------------------------------------
  for deb in "${debs[@]}"; do
    step "install ${deb##*/} into an empty root (dpkg -x)"
    root=$work/root
    rm -rf "$root"
    mkdir -p "$root"
    dpkg -x "$deb" "$root"
    missing=()
    for p in "${pkg_expected[@]}"; do [ -e "$root$p" ] || missing+=("$p"); done
    ((${#missing[@]} == 0)) || fail "not installed by ${deb##*/}:" "${missing[@]}"
    echo "all ${#pkg_expected[@]} paths in place"
    if [ ! -f "$root/usr/bin/wg" ] || [ -L "$root/usr/bin/wg" ] || [ ! -x "$root/usr/bin/wg" ]; then
      fail "/usr/bin/wg is not an executable file"
    fi
    if [ "$(readlink "$root/usr/bin/wg-quick")" != wg ]; then fail "/usr/bin/wg-quick is not a link to wg"; fi
    [ "$(stat -c %a "$root/etc/wireguard")" = 700 ] || fail "/etc/wireguard is not mode 700"
    static "$root/usr/bin/wg" /usr/bin/wg

    for f in "$root"/usr/share/man/man8/*; do
      page=${f#"$root"}
      if ! MANPAGER=cat MANWIDTH=80 man -l "$f" >"$work/man.out" 2>"$work/man.err"; then
        cat "$work/man.err" >&2
        fail "man -l $page failed"
      fi
      [ -s "$work/man.out" ] || fail "man -l $page printed nothing"
      echo "man -l $page: $(wc -l <"$work/man.out") lines$([ -s "$work/man.err" ] && echo ", with warnings:")"
      sed 's/^/    /' "$work/man.err"
    done

    arch=$(dpkg-deb --field "$deb" Architecture)
    if [ "$arch" = "$(dpkg --print-architecture)" ]; then
      out=$("$root/usr/bin/wg" --version) || fail "/usr/bin/wg --version failed"
      echo "wg --version: $out"
      [[ $out == "wgtools v$version "* ]] || fail "wg --version does not report version $version: $out"
      out=$("$root/usr/bin/wg-quick" --help 2>&1) || fail "/usr/bin/wg-quick --help failed:" "$out"
      [[ $out == "Usage: wg-quick "* ]] || fail "wg-quick --help does not print wg-quick's usage:" "$out"
      echo "wg-quick --help: ${out%%$'\n'*}"
    else
      echo "not running the $arch binaries on $(dpkg --print-architecture)"
    fi
  done
fi

# ---------------------------------------------------------------------------
tree_after=$(git status --porcelain --untracked-files=all 2>/dev/null || true)
if [ "$tree_before" != "$tree_after" ]; then
  diff <(printf '%s\n' "$tree_before") <(printf '%s\n' "$tree_after") >&2 || true
  if [ "${CI:-}" = true ]; then fail "the work tree changed during the release check"; fi
  echo "release-check: warning: the work tree changed meanwhile (someone else editing?)" >&2
fi

printf '\nrelease-check: OK: %s, version %s, in %ds\n' "$TARGETS" "$version" "$((SECONDS - started))"
