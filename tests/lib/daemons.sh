# daemons.sh — berthd and berth-apid for host tests, on temporary
# directories (sourced after env.sh, inside the test's own mount and network
# namespaces).
#
#   daemons_init TAG   R: a run dir /tmp/TAG.XXXXXX (0711, as /run/berth:
#                      short, because the shims' socket paths must fit),
#                      D=$WORK/data, S=$R/engine.sock, PIDS=(); an EXIT trap
#                      that stops everything and removes WORK and R
#   daemons_dirs DIR   the same variables with R=DIR, without the trap (for a
#                      script with a clean-up of its own: the benches)
#   free_port          a free TCP port on 127.0.0.1 (tests/lib/port.sh)
#   daemons_users      berth-api (uid 100) and the groups berth (4242),
#                      berth-api (4243) and berth-admin (4244), bound over
#                      /etc/passwd and /etc/group in this mount namespace only
#                      (status 1 if that fails)
#   start_berthd       berthd on S with $WORK/berth.conf; BERTHD; waits for
#                      /_ping (5 s; status 1 without an answer)
#   restart_berthd     kill BERTHD and start it again
#   api_conf PORT      $WORK/berth.conf for berthd and berth-apid on
#                      127.0.0.1:PORT with the development PKI in $PKI (then
#                      append sections or [api] keys: the last section is [api])
#   start_apid PORT    berth-apid with $WORK/berth.conf (APID_WRAP before it
#                      when set); APID; waits for PORT to accept (5 s)
#   stop_all           containers removed, daemons and shims stopped, the
#                      mounts under D and R unmounted
# Logs: $WORK/berthd.log, $WORK/apid.log.
# shellcheck source=tests/lib/port.sh
. "$TOP/tests/lib/port.sh"
daemons_dirs() {
	R=$1 D=$WORK/data S=$1/engine.sock
	chmod 0711 "$R"		# berth-api passes through to engine.sock
	PIDS=()
}
daemons_init() {
	daemons_dirs "$(mktemp -d "/tmp/$1.XXXXXX")"
	trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK" "$R"' EXIT
}
daemons_users() {
	cp /etc/passwd "$WORK/passwd"; cp /etc/group "$WORK/group"
	sed -i '/^berth-api:/d; /^[^:]*:[^:]*:100:/d' "$WORK/passwd"
	echo "berth-api:x:100:4243::/nonexistent:/sbin/nologin" >>"$WORK/passwd"
	sed -i '/^berth:/d; /^berth-api:/d; /^berth-admin:/d' "$WORK/group"
	printf 'berth:x:4242:\nberth-api:x:4243:\nberth-admin:x:4244:\n' >>"$WORK/group"
	mount --bind "$WORK/passwd" /etc/passwd && mount --bind "$WORK/group" /etc/group
}
start_berthd() {
	"$BIN/berthd" --socket "$S" --data-root "$D" --run-dir "$R" --config "$WORK/berth.conf" \
		--libexec "$BIN" 2>>"$WORK/berthd.log" &
	BERTHD=$!
	PIDS+=("$BERTHD")
	for _ in $(seq 50); do
		curl -s --max-time 1 --unix-socket "$S" http://x/_ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
restart_berthd() { kill "$BERTHD"; wait "$BERTHD" 2>/dev/null; start_berthd; }
api_conf() {
	cat >"$WORK/berth.conf" <<EOF
[engine]
group = berth
[api]
listen = 127.0.0.1:$1
cert = $PKI/server/cert.pem
key = $PKI/server/key.pem
client_ca = $PKI/ca.pem
engine_socket = $S
init_socket = $R/init.sock
audit_log = $WORK/audit/api.log
data_dir = $D
EOF
}
start_apid() {
	${APID_WRAP:-} "$BIN/berth-apid" --config "$WORK/berth.conf" 2>>"$WORK/apid.log" &
	APID=$!
	PIDS+=("$APID")
	for _ in $(seq 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
stop_all() {
	if [ -S "$S" ]; then
		(export DOCKER_HOST=unix://$S DOCKER_TLS_VERIFY= DOCKER_CERT_PATH=
		 ids=$(timeout 20 docker ps -aq 2>/dev/null)
		 [ -z "$ids" ] || timeout 60 docker rm -f $ids >/dev/null 2>&1)
	fi
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for d in "$R"/shims/*/; do [ -d "$d" ] || continue; pkill -KILL -f "berth-shim.*$(basename "$d")" 2>/dev/null; done
	awk -v d="$D" -v r="$R" '$2 ~ "^"d || $2 ~ "^"r { print $2 }' /proc/self/mounts | sort -r |
		while read -r m; do umount -l "$m" 2>/dev/null; done
}
