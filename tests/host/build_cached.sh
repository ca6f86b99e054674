#!/bin/bash
# build_cached.sh — a second make rebuilds no dependency, and a pin whose
# sha256 does not match what the archive serves is refused, changing nothing.
. "$(dirname "$0")/../lib/env.sh"
cd "$TOP" || exit 1

# make -n prints what it would run: no fetch, dependency or kernel step.
plan=$(make -n all 2>&1)
if grep -qE 'rootfs/deps/build.sh|rootfs/kernel.sh|kconfig-conf' <<< "$plan"; then
	tap_fail "a second make rebuilds no dependency" "$(grep -E 'deps/build.sh|kernel.sh|kconfig-conf' <<< "$plan" | head -5)"
else
	tap_ok "a second make rebuilds no dependency"
fi

# Every pinned download in the cache matches its pin.
dl=${BERTH_DL_DIR:-$BUILD/dl}
bad=""
while read -r kind name version sha; do
	case $kind in src|deb) ;; *) continue ;; esac
	v=$(echo "${version#*:}")
	case $kind in
	src) f=$dl/${name}_$v.dsc ;;
	deb) f=$(ls "$dl/${name}_$(echo "$version" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -1) ;;
	esac
	[ -f "$f" ] || continue
	echo "$sha  $f" | sha256sum -c --status || bad="$bad $name"
done < "$TOP/rootfs/deps.lock"
[ -z "$bad" ] && tap_ok "cached downloads match their pins" || tap_fail "cached downloads match their pins" "mismatch:$bad"

# A wrong pin: fetch.sh must refuse it by name and leave the source tree alone.
if ! timeout 5 bash -c 'exec 3<>/dev/tcp/deb.debian.org/80' 2>/dev/null; then
	tap_skip "a wrong sha256 pin is refused" "deb.debian.org is not reachable from here"
else
	sed 's/^\(deb  libjsmn-dev  *[^ ]*  *\)[0-9a-f]\{64\}/\10000000000000000000000000000000000000000000000000000000000000000/' \
		"$TOP/rootfs/deps.lock" > "$WORK/bad.lock"
	before=$(ls -la "$BUILD/src/libjsmn-dev" 2>/dev/null | md5sum)
	out=$(BERTH_DL_DIR=$WORK/dl "$TOP/rootfs/deps/fetch.sh" "$WORK/bad.lock" "$BUILD" libjsmn-dev 2>&1); rc=$?
	after=$(ls -la "$BUILD/src/libjsmn-dev" 2>/dev/null | md5sum)
	if [ $rc != 0 ] && grep -q 'the pin says 0000' <<< "$out" && [ "$before" = "$after" ] && [ -z "$(ls "$WORK/dl" 2>/dev/null | grep -v '^\.')" ]; then
		tap_ok "a wrong sha256 pin is refused, nothing changed"
	else
		tap_fail "a wrong sha256 pin is refused, nothing changed" "rc=$rc: $out"
	fi
fi
tap_done
