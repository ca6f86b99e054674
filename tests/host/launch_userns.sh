#!/bin/bash
# launch_userns.sh — berth-run --userns-remap: a user namespace mapping the
# container's ids 0..N-1 onto a host range; the profile holds inside it,
# files are owned by the range on the host, host-owned files stay out of
# reach, and bad ranges are refused before anything is created.
. "$(dirname "$0")/../lib/env.sh"
RUN=$BUILD/bin/berth-run
need_root "berth-run --userns-remap" || { tap_done; exit; }
if [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" = 0 ]; then
	tap_skip "berth-run --userns-remap" "user namespaces are disabled on this host"; tap_done; exit
fi
B=100000 N=65536
chmod 755 "$WORK" # the remapped root must be able to reach its root filesystem
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }
chown -R $B:$B "$ROOT"
out=$("$RUN" --userns-remap $B:$B:$N "$ROOT" /bin/berth-probe 2>&1); rc=$?
[ "$rc" = 0 ] && tap_ok "berth-run --userns-remap $B:$B:$N runs the probe" || { tap_fail "--userns-remap runs" "exit $rc: $out"; tap_done; exit; }
v() { sed -n "s/^$1=//p" <<< "$out" | head -n 1; }
[ "$(v uid_map)" = "0 $B $N" ] && [ "$(v gid_map)" = "0 $B $N" ] && tap_ok "uid_map and gid_map are 0 $B $N" || tap_fail "maps" "$(v uid_map) / $(v gid_map)"
[ "$(v uid):$(v gid)" = 0:0 ] && tap_ok "the command is root of its namespace" || tap_fail "root in the namespace" "$(v uid):$(v gid)"
[ "$(v CapEff)" = 00000000a80425fb ] && [ "$(v CapInh)" = 0000000000000000 ] && [ "$(v CapAmb)" = 0000000000000000 ] &&
	[ "$(v NoNewPrivs)" = 1 ] && [ "$(v Seccomp)" = 2 ] && tap_ok "the profile holds: caps, no_new_privs, seccomp" || tap_fail "profile in userns" "$(grep -E 'Cap|NoNew|Seccomp' <<< "$out")"
n=$(grep -c '^refused\.' <<< "$out"); ok=$(grep -c '^refused\..*=EPERM$' <<< "$out")
[ "$n" = "$ok" ] && [ "$n" -ge 40 ] && tap_ok "all $n refused system calls answer EPERM" || tap_fail "refused in userns" "$ok of $n"
kinds=$("$RUN" --userns-remap $B:$B:$N "$ROOT" /bin/sh -c 'for n in null zero full random urandom tty; do stat -c "%n %t:%T" /dev/$n; done; echo x > /dev/null && echo null-writable' 2>&1 | grep -v '^berth-run: warning: no cgroup: ')
want="/dev/null 1:3
/dev/zero 1:5
/dev/full 1:7
/dev/random 1:8
/dev/urandom 1:9
/dev/tty 5:0
null-writable"
[ "$kinds" = "$want" ] && tap_ok "/dev has the default nodes (binds of the host's, checked)" || tap_fail "/dev in userns" "$kinds"

"$RUN" --userns-remap $B:$B:$N --user 1000:1000 "$ROOT" /bin/sh -c 'touch /tmp/by-1000' > /dev/null 2>&1
[ "$(stat -c %u:%g "$ROOT/tmp/by-1000" 2>/dev/null)" = "$((B + 1000)):$((B + 1000))" ] &&
	tap_ok "a file made by container user 1000 is owned by host $((B + 1000))" || tap_fail "ownership" "$(stat -c %u:%g "$ROOT/tmp/by-1000" 2>&1)"
echo secret > "$WORK/host-only" && chmod 600 "$WORK/host-only"
out=$("$RUN" --userns-remap $B:$B:$N --bind "$WORK/host-only:/secret" "$ROOT" /bin/sh -c 'cat /secret; echo x >> /secret' 2>&1)
! grep -q secret <<< "${out//\/secret/}" && [ "$(cat "$WORK/host-only")" = secret ] &&
	tap_ok "a host root's 0600 file bound in is neither readable nor writable by the container's root" || tap_fail "host file" "$out"
out=$("$RUN" --userns-remap $B:$B:$N "$ROOT" /bin/sh -c 'mknod /tmp/m c 1 1 2>&1; echo rc=$?')
[[ $out == *rc=1 ]] && tap_ok "mknod is refused in the user namespace" || tap_fail "mknod in userns" "$out"

for args in "--userns-remap 0:0:65536" "--userns-remap $B:$B:0" "--userns-remap $B:$B" "--userns-remap a:b:c" \
	"--userns-remap 4294967295:1:2" "--userns-remap $B:$B:$N --network host" "--userns-remap $B:$B:100 --user 1000"; do
	# shellcheck disable=SC2086
	out=$("$RUN" $args "$ROOT" /bin/true 2>&1); rc=$?
	[ "$rc" = 100 ] && tap_ok "refused: $args ($(head -n 1 <<< "${out#berth-run: error: }"))" || tap_fail "refused: $args" "exit $rc: $out"
done
tap_done
