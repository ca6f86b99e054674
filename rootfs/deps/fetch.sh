#!/bin/sh
# fetch.sh — fetch one pinned Debian package, verify it, unpack it.
#
# Usage: rootfs/deps/fetch.sh LOCKFILE BUILDDIR NAME
#   src NAME: the source tree is unpacked fresh into BUILDDIR/src/NAME
#   deb NAME: the .deb's contents are unpacked fresh into BUILDDIR/src/NAME
# Downloads are cached in $BERTH_DL_DIR (default BUILDDIR/dl) and checked
# against the pin every time. apt runs with a private sources list and state
# under BUILDDIR/apt; the host's apt configuration is read for nothing but the
# archive keyring.
# Exit codes: 0 ok, 1 pin missing or verification failed, 100 usage,
#             111 a tool failed (apt-get, dpkg-source).
set -eu

[ $# = 3 ] || { echo "usage: $0 LOCKFILE BUILDDIR NAME" >&2; exit 100; }
lock=$1 build=$2 name=$3
die() { echo "fetch: $name: $*" >&2; exit 1; }

line=$(awk -v n="$name" '$1 !~ /^#/ && $2 == n { print; exit }' "$lock")
[ -n "$line" ] || die "no pin in $lock"
set -- $line
kind=$1 version=$3 sha=$4

apt_dir=$build/apt
dl=${BERTH_DL_DIR:-$build/dl}
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/parts" "$apt_dir/prefs" "$dl"
# One fetch at a time in this state directory: `make -j` runs several, and
# the sources list, apt's lists and its own lock are shared.
exec 9> "$apt_dir/berth.lock"
flock 9
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
cat > "$apt_dir/sources.list.new" <<EOF
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb [signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main
deb [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm main
deb-src [signed-by=$keyring] http://deb.debian.org/debian bookworm-updates main
deb-src [signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main
deb-src [signed-by=$keyring] http://deb.debian.org/debian trixie main
EOF
if cmp -s "$apt_dir/sources.list.new" "$apt_dir/sources.list"; then
	rm -f "$apt_dir/sources.list.new"
else
	mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
	rm -f "$apt_dir/updated"
fi
: > "$apt_dir/status"

apt() {
	"$@" -q \
		-o Dir::Etc::sourcelist="$apt_dir/sources.list" \
		-o Dir::Etc::sourceparts=- \
		-o Dir::Etc::Parts="$apt_dir/parts" \
		-o Dir::Etc::preferencesparts="$apt_dir/prefs" \
		-o Dir::State::Lists="$apt_dir/lists" \
		-o Dir::State::status="$apt_dir/status" \
		-o Dir::Cache="$apt_dir/cache" \
		-o APT::Architecture=amd64 \
		-o APT::Sandbox::User=root \
		-o Acquire::Languages=none
}

update() {
	echo "  APT     update (private lists in $apt_dir)"
	apt apt-get update > "$apt_dir/update.log" 2>&1 ||
		{ cat "$apt_dir/update.log" >&2; echo "fetch: apt-get update failed" >&2; exit 111; }
	: > "$apt_dir/updated"
}
[ -e "$apt_dir/updated" ] || update

# The file names apt uses: the .dsc for sources, the .deb for binaries
# (an epoch's colon is written %3a).
upver=${version#*:}
case $kind in
src) main="${name}_${upver}.dsc" ;;
deb) # architecture amd64 or all
	main="${name}_$(echo "$version" | sed 's/:/%3a/')_amd64.deb"
	[ -f "$dl/$main" ] || main="${main%_amd64.deb}_all.deb" ;;
*) die "unknown kind '$kind' in $lock" ;;
esac

have() { [ -f "$dl/$main" ] && echo "$sha  $dl/$main" | sha256sum -c --status; }

if ! have; then
	echo "  FETCH   $name $version"
	tmp=$(mktemp -d "$dl/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	try() {
		case $kind in
		src) (cd "$tmp" && apt apt-get source --download-only "$name=$version") ;;
		deb) (cd "$tmp" && apt apt-get download "$name=$version") ;;
		esac > "$tmp/.log" 2>&1
	}
	if ! try; then
		update   # the lists may be older than the pin
		if ! try; then
			cat "$tmp/.log" >&2
			avail=$(apt apt-cache madison "$name" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); printf " %s", $2}')
			die "cannot fetch $version from the archive (it offers:${avail:- nothing}); update the pin in $lock"
		fi
	fi
	rm -f "$tmp/.log"
	[ $kind = deb ] && [ ! -f "$tmp/$main" ] && main=$(cd "$tmp" && ls "${name}"_*.deb)
	[ -f "$tmp/$main" ] || die "apt did not produce $main"
	echo "$sha  $tmp/$main" | sha256sum -c --status ||
		die "sha256 of $main is $(sha256sum < "$tmp/$main" | cut -d' ' -f1), the pin says $sha"
	mv "$tmp"/* "$dl/"
	rm -rf "$tmp"
	trap - EXIT
fi

out=$build/src/$name
rm -rf "$out"
mkdir -p "$build/src"
case $kind in
src)
	# Every file the verified .dsc names must match its sha256 there.
	files=$(awk '/^Checksums-Sha256:/ {on=1; next} /^[^ ]/ {on=0} on && NF==3 {print $1 "  " $3}' "$dl/$main")
	[ -n "$files" ] || die "$main has no Checksums-Sha256"
	(cd "$dl" && echo "$files" | sha256sum -c --status) || die "a file named by $main does not match its checksum"
	dpkg-source --no-check -x "$dl/$main" "$out" > "$build/src/.$name.unpack.log" 2>&1 ||
		{ cat "$build/src/.$name.unpack.log" >&2; echo "fetch: $name: dpkg-source failed" >&2; exit 111; }
	;;
deb)
	dpkg-deb -x "$dl/$main" "$out" || { echo "fetch: $name: dpkg-deb failed" >&2; exit 111; }
	;;
esac
