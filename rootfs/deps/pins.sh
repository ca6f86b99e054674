#!/bin/sh
# pins.sh — write BUILDDIR/pins/NAME for each pin in LOCKFILE, but only when
# its line changed, so that make rebuilds exactly the dependencies whose pin
# moved. Usage: rootfs/deps/pins.sh LOCKFILE BUILDDIR
set -eu
lock=$1 out=$2/pins
mkdir -p "$out"
awk '$1 == "src" || $1 == "deb" { print $2, $3, $4 }' "$lock" | while read -r name version sha; do
	new="$name $version $sha"
	[ "$(cat "$out/$name" 2>/dev/null)" = "$new" ] || echo "$new" > "$out/$name"
done
