#!/bin/bash
# launch_options.sh — berth-run's options through the real binary: exit
# codes and signals, --user (SECURITY.md class 12), --cap-add/--cap-drop,
# --read-only, --tmpfs, --bind, --workdir, --env, --network, --sysctl,
# --rlimit, and clear refusals of bad values before anything is created.
. "$(dirname "$0")/../lib/env.sh"
RUN=$BUILD/bin/berth-run
need_root "berth-run options" || { tap_done; exit; }
ROOT=$WORK/root
"$TOP/tests/probe/mkroot.sh" "$BUILD" "$ROOT" || { tap_fail "make the test root" ""; tap_done; exit; }
# (berth-run warns on every run that this host has no usable cgroup: the
# last test looks at that line; the others at everything else)
probe() { "$RUN" "$@" 2>&1 | grep -v '^berth-run: warning: no cgroup: '; return "${PIPESTATUS[0]}"; }
key() { sed -n "s/^$1=//p" | head -n 1; }

# ---- exit codes 0..255 propagate exactly
bad=""
for i in $(seq 0 255); do
	"$RUN" "$ROOT" /bin/sh -c "exit $i" > /dev/null 2>&1
	rc=$?
	[ "$rc" = "$i" ] || bad="$bad $i→$rc"
done
[ -z "$bad" ] && tap_ok "exit codes 0..255 propagate exactly" || tap_fail "exit codes 0..255 propagate exactly" "$bad"

# ---- signals: SIGKILL of the container's PID 1 → 128+9; a forwarded
# SIGTERM reaches a PID 1 that handles it
container_pid() { # the child of berth-run $1
	local c
	for _ in $(seq 100); do
		c=$(cat /proc/"$1"/task/*/children 2>/dev/null | tr -d ' ')
		[ -n "$c" ] && { echo "$c"; return; }
		sleep 0.05
	done
}
"$RUN" "$ROOT" /bin/sleep 30 & rp=$!
cp=$(container_pid $rp)
sleep 0.2
kill -KILL "$cp" 2>/dev/null
wait $rp; rc=$?
[ "$rc" = 137 ] && tap_ok "PID 1 killed by SIGKILL → 137" || tap_fail "PID 1 killed by SIGKILL → 137" "exit $rc (pid '$cp')"
"$RUN" "$ROOT" /bin/sh -c 'trap "exit 42" TERM; touch /tmp/ready; while :; do sleep 0.05; done' & rp=$!
for _ in $(seq 100); do [ -e "$ROOT/tmp/ready" ] && break; sleep 0.05; done
kill -TERM $rp
wait $rp; rc=$?
rm -f "$ROOT/tmp/ready"
[ "$rc" = 42 ] && tap_ok "SIGTERM to berth-run is forwarded to the container (trap → exit 42)" ||
	tap_fail "SIGTERM is forwarded" "exit $rc"
# A PID 1 that kills itself with a signal it handles by default cannot die
# from inside (the kernel protects a namespace's init); a child's death by
# signal is reported by the shell as 128+n.
"$RUN" "$ROOT" /bin/sh -c 'sh -c "kill -SEGV \$\$"; exit $?' > /dev/null 2>&1; rc=$?
[ "$rc" = 139 ] && tap_ok "a command's status 128+11 passes through" || tap_fail "status 139 passes through" "exit $rc"

# ---- exec failures
probe "$ROOT" /nonexistent > "$WORK/o"; rc=$?
[ "$rc" = 127 ] && grep -q 'exec /nonexistent' "$WORK/o" && tap_ok "missing command → 127 with a message" || tap_fail "missing command → 127" "exit $rc: $(cat "$WORK/o")"
probe "$ROOT" /etc/passwd > "$WORK/o"; rc=$?
[ "$rc" = 126 ] && tap_ok "non-executable command → 126" || tap_fail "non-executable command → 126" "exit $rc: $(cat "$WORK/o")"

# ---- --user (class 12): exactly the requested ids or an error
out=$(probe --user 1000:1000 "$ROOT" /bin/berth-probe)
[ "$(key uid <<< "$out"):$(key gid <<< "$out"):$(key euid <<< "$out"):$(key egid <<< "$out")" = 1000:1000:1000:1000 ] &&
	tap_ok "--user 1000:1000 gives uid/gid/euid/egid 1000" || tap_fail "--user 1000:1000" "$out"
[ "$(key CapEff <<< "$out")" = 0000000000000000 ] && [ "$(key CapPrm <<< "$out")" = 0000000000000000 ] &&
	tap_ok "--user 1000: no effective or permitted capabilities after exec" || tap_fail "--user 1000 has no capabilities" "$(grep Cap <<< "$out")"
out=$(probe --user app "$ROOT" /bin/berth-probe)
[ "$(key uid <<< "$out"):$(key gid <<< "$out"):$(key groups <<< "$out")" = 1000:1001:10,29 ] &&
	tap_ok "--user app: 1000:1001 with groups wheel, audio from the image" || tap_fail "--user app" "$(grep -E '^(uid|gid|groups)=' <<< "$out")"
out=$(probe --user app:wheel --group-add 4000 "$ROOT" /bin/berth-probe)
[ "$(key gid <<< "$out"):$(key groups <<< "$out")" = 10:10,29,4000 ] && tap_ok "--user app:wheel --group-add 4000" || tap_fail "--user app:wheel --group-add 4000" "$(grep -E '^(gid|groups)=' <<< "$out")"
out=$(probe --user 4242 "$ROOT" /bin/sh -c 'id -u; id -g; echo $HOME')
[ "$out" = $'4242\n0\n/' ] && tap_ok "--user 4242 (not in passwd): 4242:0, HOME=/" || tap_fail "--user 4242" "$out"
for u in nosuch 1000: :1000 1:2:3 -1 4294967295 1000x app:nosuchgroup "a b"; do
	out=$(probe --user "$u" "$ROOT" /bin/true); rc=$?
	[ "$rc" = 100 ] && grep -q "berth-run: error:" <<< "$out" && tap_ok "--user '$u' refused (100): $(head -n 1 <<< "${out#berth-run: error: }")" ||
		tap_fail "--user '$u' refused" "exit $rc: $out"
done

# ---- capabilities
out=$(probe --cap-add NET_ADMIN "$ROOT" /bin/berth-probe)
[ "$(key CapEff <<< "$out")" = 00000000a80435fb ] && tap_ok "--cap-add NET_ADMIN adds bit 12" || tap_fail "--cap-add NET_ADMIN" "$(key CapEff <<< "$out")"
out=$(probe --cap-drop ALL --cap-add CHOWN "$ROOT" /bin/berth-probe)
[ "$(key CapBnd <<< "$out")" = 0000000000000001 ] && tap_ok "--cap-drop ALL --cap-add CHOWN leaves only CHOWN" || tap_fail "--cap-drop ALL --cap-add CHOWN" "$(key CapBnd <<< "$out")"
out=$(probe --cap-drop NET_RAW "$ROOT" /bin/berth-probe)
[ "$(key CapEff <<< "$out")" = 00000000a80405fb ] && tap_ok "--cap-drop NET_RAW removes bit 13" || tap_fail "--cap-drop NET_RAW" "$(key CapEff <<< "$out")"
out=$(probe --cap-add BOGUS "$ROOT" /bin/true); rc=$?
[ "$rc" = 100 ] && grep -q BOGUS <<< "$out" && tap_ok "--cap-add BOGUS refused (100)" || tap_fail "--cap-add BOGUS refused" "exit $rc: $out"
if ! grep -q "^CapPrm:.*" /proc/self/status || [ $(( 0x$(awk '/^CapPrm/{print $2}' /proc/self/status) >> 24 & 1 )) = 0 ]; then
	out=$(probe --cap-add SYS_RESOURCE "$ROOT" /bin/true); rc=$?
	[ "$rc" = 100 ] && grep -q "does not hold" <<< "$out" && tap_ok "a capability berth-run lacks is refused before start" || tap_fail "a capability berth-run lacks is refused" "exit $rc: $out"
fi

# ---- --read-only, --tmpfs, --bind
out=$(probe --read-only "$ROOT" /bin/berth-probe write /etc/newfile)
[ "$out" = "write./etc/newfile=EROFS" ] || out=$(probe --read-only "$ROOT" /bin/sh -c 'touch /etc/x 2>&1')
[[ $out == *EROFS* || $out == *"Read-only file system"* ]] && tap_ok "--read-only: the root is read-only" || tap_fail "--read-only" "$out"
out=$(probe --read-only --tmpfs /tmp:1m "$ROOT" /bin/sh -c 'echo hi > /tmp/x && cat /tmp/x && grep " /tmp " /proc/self/mountinfo')
[[ $out == hi*"/tmp"*tmpfs*size=1024k* ]] && tap_ok "--tmpfs /tmp:1m is writable on a read-only root" || tap_fail "--tmpfs /tmp:1m" "$out"
mkdir -p "$WORK/vol" && echo host-data > "$WORK/vol/file"
out=$(probe --bind "$WORK/vol:/data:ro" "$ROOT" /bin/sh -c 'cat /data/file; touch /data/x 2>&1 || true')
[[ $out == host-data*"Read-only file system"* ]] && tap_ok "--bind SRC:DST:ro is readable and read-only" || tap_fail "--bind :ro" "$out"
probe --bind "$WORK/vol:/data" "$ROOT" /bin/sh -c 'echo from-container > /data/out' > /dev/null
[ "$(cat "$WORK/vol/out" 2>/dev/null)" = from-container ] && tap_ok "--bind SRC:DST is writable and shared with the host" || tap_fail "--bind rw" "$(ls "$WORK/vol")"
[ ! -e "$ROOT/data/file" ] && tap_ok "the bind did not leak into the image directory on the host" || tap_fail "the bind leaked into the image" ""

# ---- --workdir: /proc/self/fd/N refused or contained (class 2)
bad=""
for n in $(seq 3 64); do
	out=$(probe --workdir "/proc/self/fd/$n" "$ROOT" /bin/sh -c pwd); rc=$?
	if [ "$rc" = 0 ]; then
		case $out in /proc/*) ;; *) bad="$bad $n:$out" ;; esac
	elif [ "$rc" != 111 ]; then bad="$bad $n:exit$rc"; fi
done
[ -z "$bad" ] && tap_ok "--workdir /proc/self/fd/N (3..64) is refused or stays inside" || tap_fail "--workdir /proc/self/fd/N" "$bad"
out=$(probe --workdir /home/app "$ROOT" /bin/sh -c pwd)
[ "$out" = /home/app ] && tap_ok "--workdir /home/app" || tap_fail "--workdir /home/app" "$out"
out=$(probe --workdir /new/dir "$ROOT" /bin/true); rc=$?
[ "$rc" = 111 ] && tap_ok "--workdir that does not exist fails (111)" || tap_fail "--workdir missing" "exit $rc: $out"

# ---- --env, defaults
out=$(probe --env FOO=bar --env PATH=/bin "$ROOT" /bin/sh -c 'echo $FOO $PATH $HOME $HOSTNAME' )
[[ $out =~ ^bar\ /bin\ /root\ [0-9a-f]{12}$ ]] && tap_ok "--env, HOME from passwd, HOSTNAME" || tap_fail "--env" "$out"
out=$(probe "$ROOT" /bin/sh -c 'echo $PATH')
[ "$out" = /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ] && tap_ok "default PATH" || tap_fail "default PATH" "$out"

# ---- network
out=$(probe "$ROOT" /bin/sh -c 'ls /sys/class/net; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags')
[[ $out == lo*0x9 ]] && tap_ok "--network none (default): only lo, and it is up" || tap_fail "--network none" "$out"
want=$(ls /sys/class/net | sort | tr '\n' ' ')
out=$(probe --network host "$ROOT" /bin/ls /sys/class/net | sort | tr '\n' ' ')
[ "$out" = "$want" ] && tap_ok "--network host sees the host's interfaces" || tap_fail "--network host" "$out vs $want"
ip netns add berth-test-$$ 2>/dev/null && {
	out=$(probe --network netns:/run/netns/berth-test-$$ "$ROOT" /bin/sh -c 'readlink /proc/self/ns/net')
	want=$(ip netns exec berth-test-$$ readlink /proc/self/ns/net)
	[ "$out" = "$want" ] && tap_ok "--network netns:PATH joins that namespace" || tap_fail "--network netns:PATH" "$out vs $want"
	ip netns del berth-test-$$
} || tap_skip "--network netns:PATH" "ip netns add failed here"

# ---- sysctls (namespaced only, through the container's own procfs)
host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
out=$(probe --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmni=1234 "$ROOT" /bin/sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni')
[ "$out" = $'1\n1234' ] && tap_ok "--sysctl net.ipv4.ip_forward=1, kernel.shmmni=1234 inside" || tap_fail "--sysctl inside" "$out"
[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ] && tap_ok "the host's ip_forward is unchanged" || tap_fail "the host's ip_forward changed" ""
for v in kernel.panic=1 vm.swappiness=1 "net.ipv4/../../kernel/x=1"; do
	out=$(probe --sysctl "$v" "$ROOT" /bin/true); rc=$?
	[ "$rc" = 100 ] && tap_ok "--sysctl $v refused (100)" || tap_fail "--sysctl $v refused" "exit $rc: $out"
done
out=$(probe --network host --sysctl net.ipv4.ip_forward=1 "$ROOT" /bin/true); rc=$?
[ "$rc" = 100 ] && tap_ok "--sysctl net.* with --network host refused (100)" || tap_fail "--sysctl net.* with --network host" "exit $rc: $out"

# ---- rlimits
out=$(probe --rlimit nofile=1024:2048 "$ROOT" /bin/berth-probe | key nofile)
[ "$out" = 1024:2048 ] && tap_ok "--rlimit nofile=1024:2048" || tap_fail "--rlimit nofile=1024:2048" "$out"
out=$(probe --rlimit nproc=77 "$ROOT" /bin/sh -c 'ulimit -u')
[ "$out" = 77 ] && tap_ok "--rlimit nproc=77" || tap_fail "--rlimit nproc=77" "$out"

# ---- cgroups on a host whose cgroup v2 has no controllers (this build host)
if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || ! grep -qw memory /sys/fs/cgroup/cgroup.controllers; then
	out=$("$RUN" --memory 64m --pids-limit 50 "$ROOT" /bin/true 2>&1); rc=$?
	[ "$rc" = 0 ] && [ "$(grep -c 'running without cgroup limits' <<< "$out")" = 1 ] &&
		tap_ok "no usable cgroup v2: berth-run says so once and runs without limits" || tap_fail "no cgroups: warning" "exit $rc: $out"
	out=$(probe --require-cgroups "$ROOT" /bin/true); rc=$?
	[ "$rc" = 100 ] && grep -q 'require-cgroups' <<< "$out" && tap_ok "--require-cgroups refuses to run here (100)" || tap_fail "--require-cgroups" "exit $rc: $out"
else
	tap_skip "no usable cgroup v2" "this host has cgroup v2 controllers (tests/system covers limits)"
fi

# ---- bad values: clear error, exit 100, nothing created
for args in "--memory 1x" "--memory 1k" "--cpus 0" "--cpus abc" "--pids-limit 0" "--pids-limit -1" \
	"--network bogus" "--hostname -x" "--hostname a_b" "--rlimit bogus=1" "--rlimit nofile=2:1" \
	"--bind relative:/x" "--bind /tmp:/a/../b" "--tmpfs /" "--bind /proc:/proc" "--bind /tmp:/sys/x" \
	"--tmpfs /dev/shm" "--cpus 99999" "--seccomp bogus" "--no-new-privs maybe" \
	"--cgroup-parent ../x" "--env =x" "--workdir relative" "--userns-remap 0:0:1" \
	"--seccomp unconfined --seccomp /nonexistent"; do
	# shellcheck disable=SC2086
	out=$(probe $args "$ROOT" /bin/true); rc=$?
	[ "$rc" = 100 ] && grep -q 'berth-run: error:' <<< "$out" && tap_ok "refused: $args ($(head -n 1 <<< "${out#berth-run: error: }"))" ||
		tap_fail "refused: $args" "exit $rc: $out"
done
ls -A "$ROOT" > "$WORK/before"
out=$(probe --bind /nonexistent-src:/x "$ROOT" /bin/true); rc=$?
ls -A "$ROOT" > "$WORK/after"
[ "$rc" = 100 ] && cmp -s "$WORK/before" "$WORK/after" && tap_ok "a missing bind source is refused before anything is created" ||
	tap_fail "missing bind source" "exit $rc: $out; $(diff "$WORK/before" "$WORK/after")"
tap_done
