# init.sh — the real static init as PID 1 of fresh namespaces, for host tests
# (sourced after env.sh; needs root). Each function takes unshare options
# first when the test needs more namespaces (e.g. --net), then:
#
#   init_run [OPT…] NAME SECONDS CMD…
#                      CMD (init, or a wrapper that execs it) as PID 1 of new
#                      pid, mount, uts and cgroup namespaces, in the
#                      foreground, for at most SECONDS (then SIGTERM, and
#                      SIGKILL 3 s later: the unshare parent ignores SIGTERM
#                      and a PID 1 may block it); stdin /dev/null, console in
#                      $WORK/NAME.log. INIT_RC (and the status) is unshare's:
#                      it re-raises the signal that ended PID 1, so power off
#                      (SIGINT) is 130 and reboot(2) (SIGHUP) 129.
#   init_bg [OPT…] NAME CMD…
#                      the same in the background, without a time limit;
#                      returns once the console said 'berth: ready' (10 s;
#                      status 1 if not). INIT_PID is init's PID here
#                      (unshare's child), INIT_BG unshare's.
#   init_end           SIGKILL to the background init, and wait for unshare
#   init_wait_log NAME PATTERN SECONDS
#                      wait until $WORK/NAME.log has a line matching PATTERN
#                      (grep; status 1 after SECONDS)
#   init_need WHAT     status 1, with WHAT skipped and the reason, unless
#                      CONFIG_INIT_CONSOLE_SHELL is on (these tests run their
#                      script as init's console shell) and this is root
#   init_boot HOST SERVICES SECONDS
#                      init_run init SECONDS of $INIT (default $BIN/init)
#                      with $WORK/berth.conf: hostname
#                      HOST, services SERVICES, data $WORK/data (a 16M tmpfs),
#                      console shell $WORK/console.sh (made executable here)
INIT_NS=(--pid --mount --uts --cgroup --fork)
init_run() {
	local opts=()
	while [[ $1 == -* ]]; do opts+=("$1"); shift; done
	local name=$1 secs=$2; shift 2
	# (in a subshell: bash would report a child ended by a signal on stderr)
	( timeout -k 3 "$secs" unshare "${INIT_NS[@]}" "${opts[@]}" "$@" \
		< /dev/null > "$WORK/$name.log" 2>&1; exit $? ) 2> /dev/null
	INIT_RC=$?
	return $INIT_RC
}
init_bg() {
	local opts=()
	while [[ $1 == -* ]]; do opts+=("$1"); shift; done
	local name=$1; shift
	unshare "${INIT_NS[@]}" "${opts[@]}" "$@" < /dev/null > "$WORK/$name.log" 2>&1 &
	INIT_BG=$!
	INIT_PID=
	for _ in $(seq 100); do
		INIT_PID=$(pgrep -P "$INIT_BG" | head -1)
		[ -n "$INIT_PID" ] && grep -q 'berth: ready' "$WORK/$name.log" && return 0
		sleep 0.1
	done
	return 1
}
init_end() { kill -KILL "$INIT_PID" 2> /dev/null; wait "$INIT_BG" 2> /dev/null; }
init_wait_log() {
	for _ in $(seq $(($3 * 10))); do grep -q "$2" "$WORK/$1.log" && return 0; sleep 0.1; done
	return 1
}
init_need() {
	if [ "${CONFIG_INIT_CONSOLE_SHELL:-}" != y ]; then
		tap_skip "$1" "CONFIG_INIT_CONSOLE_SHELL is off: the test runs its script as the console shell"
		return 1
	fi
	need_root "$1"
}
init_boot() {
	chmod +x "$WORK/console.sh"
	printf '[system]\nhostname = %s\nservices = %s\ndata = %s\ndata_ephemeral = 16M\nconsole_shell = %s\n' \
		"$1" "$2" "$WORK/data" "$WORK/console.sh" > "$WORK/berth.conf"
	init_run init "$3" "${INIT:-$BIN/init}" --config "$WORK/berth.conf"
}
