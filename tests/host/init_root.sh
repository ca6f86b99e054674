#!/bin/bash
# init_root.sh — PID 1's root switch, with the real static init as PID 1 of a
# fresh pid+mount namespace, chrooted into a directory of a tmpfs: / is then
# no mount point, which pivot_root refuses as it refuses the initramfs, so
# init makes it one (a bind of / moved over /) as it does at boot. Then the
# move made to fail (the tmpfs holding the root is shared, and the kernel
# refuses to move a mount out of a shared parent): init says so, boots from
# / as it is, and the files of / are all there, nothing left mounted.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

need_root "init as PID 1 in a pid namespace" || { tap_done; exit; }
chmod 0755 "$WORK"
printf '[system]\ndata = /data\ndata_ephemeral = 1M\nservices = /services.d\n' > "$WORK/berth.conf"

# start NAME PROPAGATION: init as PID 1 in new namespaces, chrooted into
# $WORK/NAME/root on a tmpfs of that propagation; its console in
# $WORK/NAME.log and the root's file list before boot in $WORK/NAME.before;
# init_bg's INIT_PID and status.
start() {
	local m=$WORK/$1
	mkdir -p "$m"
	init_bg "$1" sh -c '
		m=$1; mount -t tmpfs -o mode=0755 root "$m" || exit 1
		mkdir -p "$m/root/sbin" "$m/root/proc" "$m/root/services.d" "$m/root/etc"
		cp "$2" "$m/root/sbin/init" && cp "$3" "$m/root/berth.conf" || exit 1
		echo marker > "$m/root/etc/marker"
		mount --make-$4 "$m" || exit 1
		(cd "$m/root" && find . | sort) > "$m.before"
		exec chroot "$m/root" /sbin/init --config /berth.conf' _ "$m" "$INIT" "$WORK/berth.conf" "$2"
}
# the files of init's / now (its root: the bind, or the directory as it was)
# (less what init mounted there itself)
mine='^\./(proc|sys|dev|run|tmp|data)(/|$)'
files() { (cd "/proc/$INIT_PID/root" && find . -xdev 2>&1 | grep -vE "$mine" | sort); }
before() { grep -vE "$mine" "$WORK/$1.before"; }
root_line() { awk '$5 == "/"' "/proc/$INIT_PID/mountinfo"; }
# the mounts init did not make itself (the bind, wherever it is left)
not_mine() { awk '$5 !~ /^\/(proc|sys|dev|run|tmp|data)(\/|$)/' "/proc/$INIT_PID/mountinfo"; }

# 1. / a plain directory: init binds it over itself and goes on.
if start bind private; then
	tap_ok "init boots chrooted into a directory (ready)"
	tap_check "init logged the root switch" grep -q 'root moved from the initramfs to a bind mount of it' "$WORK/bind.log"
	line=$(root_line)
	[ -n "$line" ] && tap_ok "init's / is a mount now (pivot_root can move it)" || tap_fail "init's / is a mount now" "$(cat "/proc/$INIT_PID/mountinfo")"
	diff <(before bind) <(files) > "$WORK/bind.diff" && [ ! -e "/proc/$INIT_PID/root/berth-root" ] && tap_ok "the files of / are all there, no berth-root left" ||
		tap_fail "the files of / are all there, no berth-root left" "$(cat "$WORK/bind.diff")"
else
	tap_fail "init boots chrooted into a directory (ready)" "$(cat "$WORK/bind.log")"
fi
init_end

# 2. The move refused: init says so and boots from / as it is.
if start shared shared; then
	tap_ok "init boots when the root move fails (ready)"
	tap_check "init said the move failed and that it boots from / as it is" \
		grep -q 'root switch: move over /: Invalid argument: booting from the initramfs as it is' "$WORK/shared.log"
	tap_check "no root switch was logged" bash -c "! grep -q 'root moved from' '$WORK/shared.log'"
	line=$(not_mine)
	[ -z "$line" ] && tap_ok "nothing is left mounted (the bind was undone)" || tap_fail "nothing is left mounted (the bind was undone)" "$line"
	diff <(before shared) <(files) > "$WORK/shared.diff" && [ ! -e "/proc/$INIT_PID/root/berth-root" ] && tap_ok "the files of / are all there (none deleted), no berth-root left" ||
		tap_fail "the files of / are all there (none deleted), no berth-root left" "$(cat "$WORK/shared.diff")"
	[ "$(cat "/proc/$INIT_PID/root/etc/marker" 2>&1)" = marker ] && tap_ok "a file's content is intact" ||
		tap_fail "a file's content is intact" "$(cat "/proc/$INIT_PID/root/etc/marker" 2>&1)"
else
	tap_fail "init boots when the root move fails (ready)" "$(cat "$WORK/shared.log")"
fi
init_end
tap_done
