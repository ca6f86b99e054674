#!/bin/bash
# init_data.sh — the data directory's states with init as PID 1 of fresh
# namespaces (no disk here; the system test init_data_disk.sh has disks):
# without a berth-data partition it waits data_wait, then says "no-disk"
# loudly and leaves the directory empty and read-only (never a silent
# tmpfs); with [system] data_ephemeral it is a tmpfs of that size. berthctl
# status reports the state.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "data states (init as PID 1)" || { tap_done; exit; }

# run NAME EXTRA_CONF: init with a console shell that records what the
# data directory is, then powers off. Output in WORK/NAME.{log,status,touch,mount}.
run() {
	local name=$1 extra=$2
	mkdir -p "$WORK/$name.data"
	cat > "$WORK/$name.sh" <<SH
#!/bin/sh
$BIN/berthctl status > $WORK/$name.status 2>&1
touch $WORK/$name.data/x 2> $WORK/$name.touch; echo "touch \$?" >> $WORK/$name.touch
awk -v d=$WORK/$name.data '\$2 == d { print \$3, \$4 }' /proc/mounts > $WORK/$name.mount
kill -USR2 1
sleep 30
SH
	chmod +x "$WORK/$name.sh"
	printf '[system]\ndata = %s\nconsole_shell = %s\n%b' "$WORK/$name.data" "$WORK/$name.sh" "$extra" > "$WORK/$name.conf"
	init_run "$name" 60 "$INIT" --config "$WORK/$name.conf"
}

run nodisk 'data_wait = 300ms\n'
tap_check "no disk: init waits data_wait for it" grep -q 'data partition: waiting up to 300 ms for an ext4 labelled berth-data' "$WORK/nodisk.log"
tap_check "no disk: a loud error on the console" \
	grep -q 'error: \*\*\* data no-disk: no ext4 labelled berth-data after 300 ms; .* is empty and read-only' "$WORK/nodisk.log"
tap_check "no disk: berthctl status says so" grep -qx 'data no-disk: no ext4 labelled berth-data after 300 ms' "$WORK/nodisk.status"
if grep -q 'touch 0' "$WORK/nodisk.touch" || ! grep -q '^tmpfs ro,' "$WORK/nodisk.mount"; then
	tap_fail "no disk: the data directory is empty and read-only, not a writable tmpfs" \
		"$(cat "$WORK/nodisk.touch" "$WORK/nodisk.mount")"
else
	tap_ok "no disk: the data directory is empty and read-only, not a writable tmpfs"
fi
tap_check "no disk: no seed is written" bash -c "! grep -q 'random seed' '$WORK/nodisk.log'"

run ephemeral 'data_ephemeral = 8M\n'
tap_check "ephemeral: berthctl status says so, with its size" grep -qx 'data ephemeral: tmpfs of 8 MiB (data_ephemeral)' "$WORK/ephemeral.status"
tap_check "ephemeral: a loud warning that state will not survive" grep -q '\*\*\* data ephemeral: .* will NOT survive a reboot' "$WORK/ephemeral.log"
if grep -q 'touch 0' "$WORK/ephemeral.touch" && grep -q '^tmpfs rw,.*size=8192k' "$WORK/ephemeral.mount"; then
	tap_ok "ephemeral: a writable tmpfs of 8 MiB"
else
	tap_fail "ephemeral: a writable tmpfs of 8 MiB" "$(cat "$WORK/ephemeral.touch" "$WORK/ephemeral.mount")"
fi
tap_check "ephemeral: the disk is not waited for" bash -c "! grep -q 'waiting up to' '$WORK/ephemeral.log'"
tap_done
