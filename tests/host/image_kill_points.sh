#!/bin/bash
# image_kill_points.sh — berth-image load killed (SIGKILL, by strace's fault
# injection) at each rename and each fsync in turn, deterministically: after
# every kill the store check passes, and once the image is removed gc leaves
# nothing under layers/ and images/ and no stray file at the root (a record
# written beside the others and cut half-way was once left there for good).
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
B=$BUILD/bin/berth-image

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "image store" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "image store" || { tap_done; exit; }
command -v strace >/dev/null || { tap_skip "kill points" "no strace"; tap_done; exit; }

for i in 1 2; do
	mkdir -p "$WORK/r$i/l$i"
	echo "$i" >"$WORK/r$i/l$i/f"
done
img_rootfs "$WORK/r1"
img_layer "$WORK/r1" "$WORK/l1.tar"
img_layer "$WORK/r2" "$WORK/l2.tar"
img_oci "$WORK/oci" kp:1 "$WORK/l1.tar" "$WORK/l2.tar"
img_pack "$WORK/oci" "$WORK/a.tar"
cfg=$IMG_CONFIG

# kill_at SYSCALLS: one load per injection point until a load is not cut;
# prints the problems, one a line
kill_at() {
	local calls=$1 n S out left
	for n in $(seq 60); do
		S=$WORK/s.$calls.$n
		# in a subshell, so that bash's "Killed" goes to /dev/null too
		if (strace -f -qq -o /dev/null -e trace="$calls" -e inject="$calls":signal=KILL:when="$n" \
			"$B" --data-root "$S" load "$WORK/a.tar" >/dev/null 2>&1) 2>/dev/null; then
			echo "# $calls: a load passes $((n - 1)) injection points" >&2
			return 0
		fi
		out=$("$B" --data-root "$S" check 2>&1) || echo "kill at $calls #$n: check: $out"
		"$B" --data-root "$S" inspect "$cfg" >/dev/null 2>&1 && "$B" --data-root "$S" rm "$cfg" >/dev/null
		out=$("$B" --data-root "$S" gc 2>&1) || echo "kill at $calls #$n: gc: $out"
		left=$(find "$S/layers" "$S/images" "$S/tmp" -mindepth 1; find "$S" -maxdepth 1 -name '.*')
		[ -z "$left" ] || echo "kill at $calls #$n: left: $left"
	done
	echo "$calls: more than 60 injection points?"
}

out=$(kill_at rename,renameat,renameat2)
[ -z "$out" ] && tap_ok "killed at each rename: gc leaves nothing" || tap_fail "killed at each rename: gc leaves nothing" "$out"
out=$(kill_at fsync,fdatasync,syncfs)
[ -z "$out" ] && tap_ok "killed at each fsync: gc leaves nothing" || tap_fail "killed at each fsync: gc leaves nothing" "$out"
tap_done
