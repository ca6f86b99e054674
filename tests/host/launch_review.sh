#!/bin/bash
# launch_review.sh — the launcher defects of issue 8's review, each through
# the real berth-run: the container's session and process group (TIOCSTI,
# kill -9 0), reserved mount targets after resolution, net.* sysctls in the
# host's network namespace, the environment at its maximum, the image's
# /etc/passwd as a FIFO or device node, and the warning when the host has
# no usable cgroup. (The console's absence from the device program is
# test_launch_devices, which runs the program in the kernel.)
. "$(dirname "$0")/../lib/env.sh"
RUN=$BUILD/bin/berth-run
need_root "berth-run review defects" || { tap_done; exit; }
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }
quiet() { grep -v '^berth-run: warning: no cgroup: '; }
key() { sed -n "s/^$1=//p" | head -n 1 | tr -d '\r'; }

# ---- the first process leads its own session and process group
out=$("$RUN" "$ROOT" /bin/berth-probe session 2>&1 < /dev/null)
[ "$(key sid <<< "$out"):$(key pgid <<< "$out"):$(key devtty <<< "$out")" = self:self:ENXIO ] &&
	tap_ok "the first process leads its own session and process group, without a controlling terminal" ||
	tap_fail "session" "$out"

# ---- TIOCSTI: berth-run started from a terminal (script(1) gives it a pty
# as stdin and controlling terminal); the container cannot push input.
if command -v script > /dev/null; then
	out=$(script -qc "'$RUN' '$ROOT' /bin/berth-probe session" /dev/null < <(sleep 5) 2>&1 | tr -d '\r')
	t=$(key tiocsti <<< "$out")
	[ -n "$t" ] && [ "$t" != 0 ] && tap_ok "TIOCSTI on the caller's terminal fails inside ($t)" ||
		tap_fail "TIOCSTI from inside reached the caller's terminal" "$out"
else
	tap_skip "TIOCSTI" "no script(1) to give berth-run a terminal"
fi

# ---- kill -9 0 inside reaches nothing outside: berth-run started by a
# script in its own process group, beside a sleeping sibling
setsid bash -c '
	sleep 60 & echo $! > "$1/sibling"
	"$2" "$3" /bin/sh -c "kill -9 0; kill -9 -1; sleep 1"; echo "$?" > "$1/berth-rc"
	echo alive > "$1/caller"
' _ "$WORK" "$RUN" "$ROOT" > /dev/null 2>&1 < /dev/null
[ "$(cat "$WORK/caller" 2>/dev/null)" = alive ] && [ -s "$WORK/berth-rc" ] &&
	tap_ok "kill -9 0 and kill -9 -1 inside leave berth-run and its caller alive (exit $(cat "$WORK/berth-rc"))" ||
	tap_fail "kill -9 0 inside killed the caller's process group" "caller=$(cat "$WORK/caller" 2>/dev/null) rc=$(cat "$WORK/berth-rc" 2>/dev/null)"
sib=$(cat "$WORK/sibling" 2>/dev/null)
if [ -n "$sib" ] && kill -0 "$sib" 2> /dev/null; then
	kill "$sib"
	tap_ok "the caller's sibling in the same process group survived"
else
	tap_fail "the caller's sibling" "killed from inside the container"
fi

# ---- reserved targets: compared after normalisation and resolution
mkdir -p "$WORK/src"
for args in "--tmpfs /./proc" "--tmpfs //sys/x" "--tmpfs /dev/./shm/" "--bind $WORK/src:/./dev/shm" \
	"--bind $WORK/src:/proc/." "--bind $WORK/src://dev"; do
	# shellcheck disable=SC2086
	out=$("$RUN" $args "$ROOT" /bin/true 2>&1); rc=$?
	[ "$rc" = 100 ] && grep -q "belong to the launcher" <<< "$out" && tap_ok "refused: $args" ||
		tap_fail "reserved target: $args" "exit $rc: $(quiet <<< "$out")"
done
EVIL=$WORK/evil
cp -a "$ROOT" "$EVIL"
ln -s /proc "$EVIL/data"; ln -s /dev "$EVIL/vol"; ln -s ../sys "$EVIL/etc/sys"
for args in "--bind $WORK/src:/data" "--tmpfs /vol/shm" "--bind $WORK/src:/data/sys" "--tmpfs /etc/sys/fs"; do
	# shellcheck disable=SC2086
	out=$("$RUN" $args "$EVIL" /bin/sh -c 'cat /proc/self/mountinfo' 2>&1); rc=$?
	[ "$rc" = 100 ] && grep -q "belong to the launcher" <<< "$out" &&
		tap_ok "refused through an image symlink: $args" ||
		tap_fail "reserved target through a symlink: $args" "exit $rc: $(quiet <<< "$out" | grep -E 'error| /(proc|dev|sys)' | head -n 5)"
done
out=$("$RUN" --tmpfs /data2 --bind "$WORK/src:/devices" "$EVIL" /bin/true 2>&1); rc=$?
[ "$rc" = 0 ] && tap_ok "targets that only look alike (/data2, /devices) are fine" || tap_fail "look-alike targets" "exit $rc: $out"

# ---- net.* sysctls never in the host's network namespace
fwd=$(cat /proc/sys/net/ipv4/ip_forward)
for ns in /proc/1/ns/net /proc/self/ns/net; do
	if ! (exec 9< "$ns") 2> /dev/null; then
		tap_skip "--sysctl net.* with netns:$ns" "this sandbox cannot open $ns"
		continue
	fi
	out=$("$RUN" --network "netns:$ns" --sysctl "net.ipv4.ip_forward=$fwd" "$ROOT" /bin/true 2>&1); rc=$?
	[ "$rc" = 100 ] && grep -q "host's network namespace" <<< "$out" &&
		tap_ok "--sysctl net.* refused with --network netns:$ns (the host's)" ||
		tap_fail "--sysctl net.* with netns:$ns" "exit $rc: $(quiet <<< "$out")"
done
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$fwd" ] || echo "$fwd" > /proc/sys/net/ipv4/ip_forward
ip netns add berth-review-$$ 2> /dev/null && {
	out=$("$RUN" --network "netns:/run/netns/berth-review-$$" --sysctl net.ipv4.ip_forward=1 "$ROOT" \
		/bin/cat /proc/sys/net/ipv4/ip_forward 2>&1 | quiet); rc=$?
	ip netns del berth-review-$$
	[ "$out" = 1 ] && tap_ok "--sysctl net.* in a joined namespace of its own still works" || tap_fail "netns sysctl" "$out"
} || tap_skip "--sysctl in a joined namespace" "ip netns add failed"

# ---- the environment at its maximum, with every default added (--tty adds TERM)
args=()
for i in $(seq "$CONFIG_LAUNCH_ENV_MAX"); do args+=(--env "V$i=x"); done
out=$("$RUN" --tty "${args[@]}" "$ROOT" /bin/sh -c 'echo "home=$HOME term=$TERM n=$(env | grep -c "^V")"' < /dev/null 2>&1 | quiet | tr -d '\r')
[ "$out" = "home=/root term=xterm n=$CONFIG_LAUNCH_ENV_MAX" ] &&
	tap_ok "$CONFIG_LAUNCH_ENV_MAX variables plus PATH, HOSTNAME, TERM and HOME: all there" || tap_fail "env at the maximum" "$out"
args+=(--env "V0=x")
out=$("$RUN" "${args[@]}" "$ROOT" /bin/true 2>&1); rc=$?
[ "$rc" = 100 ] && tap_ok "one variable more is refused (100)" || tap_fail "env above the maximum" "exit $rc: $out"

# ---- /etc/passwd that is not a regular file: never opened, a clear error
for kind in fifo chr; do
	IMG=$WORK/img-$kind # the user is looked up before anything else: /etc is enough
	mkdir -p "$IMG/etc"
	# a character device no driver answers: opening it would fail with ENXIO
	if [ $kind = fifo ]; then mkfifo "$IMG/etc/passwd"; want="a FIFO"; else mknod "$IMG/etc/passwd" c 240 77; want="a character device"; fi
	out=$(timeout 10 "$RUN" "$IMG" /bin/true 2>&1); rc=$?
	[ "$rc" = 100 ] && grep -q "passwd: $want, not a regular file" <<< "$out" &&
		tap_ok "an image whose /etc/passwd is $want: refused without opening it" ||
		tap_fail "/etc/passwd as $want" "exit $rc: $(quiet <<< "$out")"
done

# ---- no usable cgroup: said on every run, limits asked for or not
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || ! grep -qw pids /sys/fs/cgroup/cgroup.controllers; then
	out=$("$RUN" "$ROOT" /bin/true 2>&1); rc=$?
	[ "$rc" = 0 ] && grep -q "warning: no cgroup: .*pids.max $CONFIG_LAUNCH_PIDS_DEFAULT" <<< "$out" &&
		tap_ok "without options, berth-run says the default pids.max ($CONFIG_LAUNCH_PIDS_DEFAULT) is gone" ||
		tap_fail "no cgroups, no options: silent" "exit $rc: $out"
else
	tap_skip "no usable cgroup" "this host has cgroup v2 controllers"
fi
tap_done
