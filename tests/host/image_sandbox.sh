#!/bin/bash
# image_sandbox.sh — berth-unpack confines itself before reading a byte:
# no fd open but stdio and the layer directory, chrooted in the target, only
# the file-creation capabilities (not CAP_MKNOD), no_new_privs, its seccomp
# filter (checked by a probe that enters the same sandbox: whiteouts, FIFOs
# and files can be created; other device nodes, sockets, exec, mount,
# ptrace, chroot fail with EPERM).
. "$(dirname "$0")/../lib/env.sh"
U=$BUILD/bin/berth-unpack

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "berth-unpack" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "berth-unpack" || { tap_done; exit; }

mkdir -p "$WORK/t"
mkfifo "$WORK/in"
# with stray fds a careless parent might leave open (5, 7: not close-on-exec)
"$U" "$WORK/t" <"$WORK/in" 5<"$WORK" 7</dev/null &
pid=$!
exec 3>"$WORK/in"
for _ in $(seq 50); do grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" 2>/dev/null && [ -e "/proc/$pid/fd/3" ] && break; sleep 0.1; done
st=$(cat "/proc/$pid/status")
root=$(readlink "/proc/$pid/root")
fds=$(cd "/proc/$pid/fd" && for f in *; do printf '%s=%s ' "$f" "$(readlink "$f")"; done)
exec 3>&-
wait "$pid"
# CHOWN(0) DAC_OVERRIDE(1) FOWNER(3) FSETID(4) SETFCAP(31): no MKNOD(27)
want=000000008000001b
tap_check "seccomp filter is loaded" grep -q '^Seccomp:[[:space:]]*2' <<<"$st"
tap_check "no_new_privs is set" grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$st"
tap_check "effective capabilities are only the file-creation ones" grep -q "^CapEff:[[:space:]]*$want" <<<"$st"
tap_check "bounding set is the same" grep -q "^CapBnd:[[:space:]]*$want" <<<"$st"
tap_check "no inheritable or ambient capabilities" bash -c "grep -q '^CapInh:[[:space:]]*0*\$' <<<'$st' && grep -q '^CapAmb:[[:space:]]*0*\$' <<<'$st'"
if [ "$root" = "$WORK/t" ]; then tap_ok "chrooted into the target"; else tap_fail "chrooted into the target" "root is $root"; fi
# 0-2 whatever they are, then the layer directory and nothing else
if [[ "$fds" =~ ^0=[^\ ]*\ 1=[^\ ]*\ 2=[^\ ]*\ 3=$WORK/t\ $ ]]; then
	tap_ok "no fd open but stdio and the layer directory"
else
	tap_fail "no fd open but stdio and the layer directory" "$fds"
fi

if command -v musl-gcc >/dev/null; then
	if musl-gcc -static -std=gnu11 -D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include" \
		-o "$WORK/probe" "$TOP/tests/host/image_sandbox_probe.c" "$TOP/runtime/image/unpack_sandbox.c" \
		"$BUILD/obj/libberth.a" -L"$BUILD/sysroot/lib" -lcap 2>"$WORK/cc.err"; then
		mkdir -p "$WORK/p"
		"$WORK/probe" "$WORK/p"
		rc=$?
		what="files, FIFOs and whiteouts (0:0) created; other devices, socket, exec, mount, ptrace, chroot refused"
		if [ "$rc" = 0 ]; then
			tap_ok "$what"
		else
			tap_fail "$what" "probe failed at step $rc (see image_sandbox_probe.c)"
		fi
		tap_check "the probe's whiteout is the character device 0:0" \
			bash -c "[ \"\$(stat -c '%F %t:%T' '$WORK/p/wh')\" = 'character special file 0:0' ]"
		tap_check "no other device node was made" bash -c "! ls '$WORK/p/null' '$WORK/p/sda' '$WORK/p/console' '$WORK/p/blk0' 2>/dev/null"
	else
		tap_fail "sandbox probe builds" "$(cat "$WORK/cc.err")"
	fi
else
	tap_skip "seccomp probe" "no musl-gcc"
fi
tap_done
