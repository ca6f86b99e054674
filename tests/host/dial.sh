#!/bin/bash
# dial.sh — berth-dial (the image's /usr/bin/docker): accepts only `system
# dial-stdio` (optionally --host unix:///run/berth/engine.sock), refuses
# everything else with usage (100), reports a missing engine (111), and
# relays both ways with a half-close: the engine sees the end of stdin as a
# write shutdown and its answer, sent after that, still arrives. The engine
# is a small Python server on /run/berth/engine.sock in a private mount
# namespace.
. "$(dirname "$0")/../lib/env.sh"
DIAL=$BIN/berth-dial

for args in "" "version" "system" "system dial-stdio extra" "--host unix:///tmp/x.sock system dial-stdio" \
	"--host tcp://127.0.0.1:2375 system dial-stdio" "-H unix:///run/berth/engine.sock ps"; do
	# shellcheck disable=SC2086
	out=$("$DIAL" $args 2>&1 < /dev/null); rc=$?
	[ $rc = 100 ] && grep -q 'only bridges an SSH session' <<< "$out" &&
		tap_ok "refused with usage: docker $args" || tap_fail "refused with usage: docker $args" "exit $rc: $out"
done

need_root "dial-stdio relays to the engine" || { tap_done; exit; }
cat > "$WORK/engine.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("/run/berth/engine.sock"); s.listen(1)
open(sys.argv[1], "w").close()
c, _ = s.accept()
data = b""
while True:
    b = c.recv(65536)
    if not b:
        break
    data += b
c.sendall(b"engine got %d bytes, first line %s\n" % (len(data), data.split(b"\r\n")[0]))
c.close()
PY
head -c 300000 /dev/urandom > "$WORK/blob"
{ printf 'GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n'; cat "$WORK/blob"; } > "$WORK/in"
size=$(stat -c %s "$WORK/in")
out=$(unshare -m bash -c '
	mount -t tmpfs tmpfs /run && mkdir -p /run/berth || exit 1
	out=$('"$DIAL"' system dial-stdio < /dev/null 2>&1); echo "noengine=$? $out"
	python3 '"$WORK"'/engine.py '"$WORK"'/ready & 
	for _ in $(seq 50); do [ -e '"$WORK"'/ready ] && break; sleep 0.1; done
	'"$DIAL"' --host unix:///run/berth/engine.sock system dial-stdio < '"$WORK"'/in; echo "rc=$?"
	wait' 2>&1)
grep -q '^noengine=111 .*is berthd running' <<< "$out" && tap_ok "no engine: exit 111 naming the socket" ||
	tap_fail "no engine: exit 111 naming the socket" "$out"
grep -q "^engine got $size bytes, first line GET /_ping HTTP/1.1$" <<< "$out" &&
	tap_ok "all $size bytes reached the engine, and its answer after the half-close came back" ||
	tap_fail "the relay carried the request and the answer after the half-close" "$out"
grep -q '^rc=0$' <<< "$out" && tap_ok "exit 0 when the engine closes" || tap_fail "exit 0 when the engine closes" "$out"
tap_done
