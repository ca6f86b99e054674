#!/bin/bash
# init_logs.sh — the service logs' owner and mode with the real init as PID
# 1 (pid+mount+cgroup namespace; /etc/group bound with a berth-admin group
# in a mount namespace of the test's own): /run/berth/log is 0750
# root:berth-admin, NAME.log and, after a rotation, NAME.log.1 and the new
# NAME.log are 0640 root:berth-admin; a user in berth-admin reads them
# (berth-apid's way to GET /berth/v1/logs), another unprivileged user does not.
if [ -z "${LOGS_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	LOGS_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/init.sh"
INIT=$BIN/init

init_need "service logs under init" || { tap_done; exit; }

cp /etc/group "$WORK/group"
sed -i '/^berth-admin:/d; /^[^:]*:[^:]*:4244:/d' "$WORK/group"
echo "berth-admin:x:4244:" >>"$WORK/group"
mount --bind "$WORK/group" /etc/group || { tap_skip "service logs" "cannot bind /etc/group"; tap_done; exit; }

S=$WORK/services.d O=$WORK/out
mkdir -p "$S" "$O" && chmod 0777 "$O" && chmod 0755 "$WORK"
svc() { # NAME BODY [EXTRA CONF LINES…]
	local name=$1 body=$2; shift 2
	printf '#!/bin/sh\n%s\n' "$body" >"$WORK/$name.sh"
	chmod 0755 "$WORK/$name.sh"
	{ echo "[service]"; echo "command = /bin/sh $WORK/$name.sh"; printf '%s\n' "$@"; } >"$S/$name.conf"
}
svc web "echo hello from web; exec sleep 1000"
# past CONFIG_INIT_SVC_LOG_KB: NAME.log becomes NAME.log.1, a new NAME.log
svc chatty "head -c $(( ${CONFIG_INIT_SVC_LOG_KB:-512} * 1024 + 4096 )) /dev/zero | tr '\\0' x; echo; echo after; exec sleep 1000" \
	"console = none"
cat >"$WORK/console.sh" <<SH
#!/bin/sh
sleep 3
stat -c '%a %U %G' /run/berth/log /run/berth/log/web.log /run/berth/log/chatty.log /run/berth/log/chatty.log.1 > $O/modes 2>&1
setpriv --reuid 65534 --regid 65534 --groups 4244 cat /run/berth/log/web.log > $O/admin.txt 2>&1
setpriv --reuid 65534 --regid 65534 --groups 4244 tail -c 6 /run/berth/log/chatty.log > $O/admin-rot.txt 2>&1
setpriv --reuid 65534 --regid 65534 --clear-groups cat /run/berth/log/web.log > $O/other.txt 2>&1; echo "rc=\$?" >> $O/other.txt
$BIN/berthctl poweroff > /dev/null 2>&1
sleep 30
SH
init_boot logs-test "$S" 60
rc=$INIT_RC
[ "$rc" = 130 ] && tap_ok "init ran and powered off" ||
	tap_fail "init ran and powered off" "unshare exit $rc; log:"$'\n'"$(tail -20 "$WORK/init.log")"
tap_check "log dir 0750, logs and the rotated one 0640, all root:berth-admin ($(tr '\n' ';' <"$O/modes"))" \
	test "$(cat "$O/modes")" = $'750 root berth-admin\n640 root berth-admin\n640 root berth-admin\n640 root berth-admin'
tap_check "a user in berth-admin reads NAME.log" grep -qx "hello from web" "$O/admin.txt"
tap_check "... and the NAME.log opened after the rotation" grep -qx "after" "$O/admin-rot.txt"
tap_check "another unprivileged user cannot ($(head -1 "$O/other.txt"))" \
	bash -c 'grep -q "Permission denied" "$1" && grep -qx "rc=1" "$1"' _ "$O/other.txt"
tap_done
