#!/bin/bash
# init_shutdown.sh — the last shutdown step is bounded and reports a busy
# data directory. init runs as PID 1 of fresh namespaces; its console shell
# mounts a filesystem below the data directory (so unmounting it fails with
# EBUSY however long one waits) and sends SIGTERM to PID 1: the unmount is
# retried, reported with its count, the directory detached, and init still
# calls reboot(2) within CONFIG_INIT_SHUTDOWN_SYNC_MS.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "busy data directory at shutdown" || { tap_done; exit; }

cat > "$WORK/busy.sh" <<SH
#!/bin/sh
mkdir -p $WORK/data/below
mount -t tmpfs below $WORK/data/below && echo mounted > $WORK/result
kill -TERM 1
sleep 60
SH
chmod +x "$WORK/busy.sh"
printf '[system]\ndata = %s\ndata_ephemeral = 16M\nconsole_shell = %s\n' "$WORK/data" "$WORK/busy.sh" > "$WORK/berth.conf"
t0=$SECONDS
init_run init 90 "$INIT" --config "$WORK/berth.conf"
RC=$INIT_RC secs=$((SECONDS - t0))
log=$WORK/init.log

tap_check "the console shell mounted a filesystem below the data directory" grep -q mounted "$WORK/result"
tap_check "the busy unmount was retried and reported with its count" \
	grep -qE "shutdown: umount $WORK/data: still busy after [1-9][0-9]* tries; detached" "$log"
limit=$(( CONFIG_INIT_SHUTDOWN_SYNC_MS / 1000 + 10 ))
# unshare re-raises the signal that ended init: reboot(2) in a pid namespace is SIGHUP.
[ "$RC" = 129 ] && grep -q 'shutdown: reboot after' "$log" && [ "$secs" -le "$limit" ] &&
	tap_ok "init still rebooted (reboot(2)) after ${secs}s" ||
	tap_fail "init still rebooted (reboot(2)) within ${limit}s" "exit $RC after ${secs}s; $(tail -8 "$log")"
tap_done
