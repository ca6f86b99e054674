#!/bin/bash
# init_ctl_api.sh — PID 1's control socket and berth-apid's user: the uid of
# `berth-api` (no capabilities, groups berth and berth-admin) may restart a
# service and power off (tls-apis.md §3: apid's /berth/v1 endpoints go
# through init.sock), another uid in berth-admin may still only list. The
# real init as PID 1 of a fresh pid+mount namespace, /etc/passwd and
# /etc/group with the berth users bound over the host's in a mount namespace
# of the test's own.
if [ -z "${CTL_API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	CTL_API_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "berth-api on init.sock" || { tap_done; exit; }
command -v setpriv >/dev/null || { tap_skip "berth-api on init.sock" "setpriv is missing"; tap_done; exit; }

cp /etc/passwd "$WORK/passwd"; cp /etc/group "$WORK/group"
sed -i '/^berth-api:/d; /^[^:]*:[^:]*:100:/d' "$WORK/passwd"
echo "berth-api:x:100:4243::/nonexistent:/sbin/nologin" >>"$WORK/passwd"
sed -i '/^berth:/d; /^berth-api:/d; /^berth-admin:/d' "$WORK/group"
printf 'berth:x:4242:\nberth-api:x:4243:\nberth-admin:x:4244:\n' >>"$WORK/group"
mount --bind "$WORK/passwd" /etc/passwd && mount --bind "$WORK/group" /etc/group ||
	{ tap_skip "berth-api on init.sock" "cannot bind /etc/passwd"; tap_done; exit; }

S=$WORK/services.d O=$WORK/out
mkdir -p "$S" "$O" && chmod 0777 "$O" && chmod 0755 "$WORK"
printf '#!/bin/sh\necho start >> %s/starts\nexec sleep 1000\n' "$O" >"$WORK/steady.sh"
chmod 0755 "$WORK/steady.sh"
printf '[service]\ncommand = /bin/sh %s/steady.sh\n' "$WORK" >"$S/steady.conf"
API="setpriv --reuid 100 --regid 4243 --groups 4242,4244 --inh-caps=-all --bounding-set=-all"
OTHER="setpriv --reuid 65534 --regid 4244 --groups 4244 --inh-caps=-all --bounding-set=-all"
cat >"$WORK/console.sh" <<SH
#!/bin/sh
sleep 1
$OTHER $BIN/berthctl services > $O/other-services.txt 2>&1; echo \$? >> $O/other-services.txt
$OTHER $BIN/berthctl restart steady > $O/other-restart.txt 2>&1; echo \$? >> $O/other-restart.txt
$API $BIN/berthctl restart steady > $O/api-restart.txt 2>&1; echo \$? >> $O/api-restart.txt
sleep 1
grep CapEff /proc/self/status > /dev/null
$API $BIN/berthctl poweroff > $O/api-poweroff.txt 2>&1
sleep 30
SH
init_boot ctl-test "$S" 90
rc=$INIT_RC
LOG=$WORK/init.log
tap_check "another berth-admin member may list services" \
	bash -c 'grep -q "^steady" "$1" && tail -1 "$1" | grep -qx 0' _ "$O/other-services.txt"
tap_check "another berth-admin member may not restart (needs CAP_SYS_BOOT or berth-api)" \
	bash -c 'tail -1 "$1" | grep -qx 1' _ "$O/other-restart.txt"
tap_check "berth-api (uid 100, no capabilities) may restart a service" \
	bash -c 'tail -1 "$1" | grep -qx 0 && [ $(wc -l < "$2") -ge 2 ]' _ "$O/api-restart.txt" "$O/starts"
[ "$rc" = 130 ] && tap_ok "berth-api may power off (init powered off)" ||
	tap_fail "berth-api may power off (init powered off)" "rc $rc; $(cat "$O/api-poweroff.txt" 2>&1); $(tail -5 "$LOG")"
tap_done
