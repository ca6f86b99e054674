#!/bin/bash
# image_sandbox.sh — berth-unpack confines itself before reading a byte:
# chrooted in the target, only the file-creation capabilities, no_new_privs,
# a seccomp filter (checked by a probe that loads the same filter: sockets,
# exec, mount, ptrace, chroot fail with EPERM).
. "$(dirname "$0")/../lib/env.sh"
U=$BUILD/bin/berth-unpack

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "berth-unpack" "CONFIG_IMAGE is off"; tap_done; exit; fi
need_root "berth-unpack" || { tap_done; exit; }

mkdir -p "$WORK/t"
mkfifo "$WORK/in"
"$U" "$WORK/t" <"$WORK/in" &
pid=$!
exec 3>"$WORK/in"
for _ in $(seq 50); do grep -q '^Seccomp:[[:space:]]*2' "/proc/$pid/status" 2>/dev/null && break; sleep 0.1; done
st=$(cat "/proc/$pid/status")
root=$(readlink "/proc/$pid/root")
exec 3>&-
wait "$pid"
# CHOWN(0) DAC_OVERRIDE(1) FOWNER(3) FSETID(4) MKNOD(27) SETFCAP(31)
want=000000008800001b
tap_check "seccomp filter is loaded" grep -q '^Seccomp:[[:space:]]*2' <<<"$st"
tap_check "no_new_privs is set" grep -q '^NoNewPrivs:[[:space:]]*1' <<<"$st"
tap_check "effective capabilities are only the file-creation ones" grep -q "^CapEff:[[:space:]]*$want" <<<"$st"
tap_check "bounding set is the same" grep -q "^CapBnd:[[:space:]]*$want" <<<"$st"
tap_check "no inheritable or ambient capabilities" bash -c "grep -q '^CapInh:[[:space:]]*0*\$' <<<'$st' && grep -q '^CapAmb:[[:space:]]*0*\$' <<<'$st'"
if [ "$root" = "$WORK/t" ]; then tap_ok "chrooted into the target"; else tap_fail "chrooted into the target" "root is $root"; fi

if command -v musl-gcc >/dev/null; then
	if musl-gcc -static -std=gnu11 -D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include" \
		-o "$WORK/probe" "$TOP/tests/host/image_sandbox_probe.c" "$TOP/runtime/image/sandbox.c" \
		"$TOP/lib/err.c" "$TOP/lib/util.c" "$TOP/lib/caps.c" "$TOP/lib/seccomp.c" -L"$BUILD/sysroot/lib" -lcap 2>"$WORK/cc.err"; then
		"$WORK/probe"
		rc=$?
		if [ "$rc" = 0 ]; then
			tap_ok "seccomp: file creation allowed; socket, exec, mount, ptrace, chroot refused"
		else
			tap_fail "seccomp: file creation allowed; socket, exec, mount, ptrace, chroot refused" "probe failed at step $rc (see image_sandbox_probe.c)"
		fi
	else
		tap_fail "sandbox probe builds" "$(cat "$WORK/cc.err")"
	fi
else
	tap_skip "seccomp probe" "no musl-gcc"
fi
tap_done
