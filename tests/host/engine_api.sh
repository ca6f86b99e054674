#!/bin/bash
# engine_api.sh — berthd on a temporary data root, run dir and socket, in a
# mount namespace of its own: the HTTP server (headers on every answer,
# version negotiation, 404 fall-through, malformed, truncated, oversized
# requests, a stalled client, the connection cap, the peer check), the
# system, image and volume routes through curl for exact fields, the stock
# docker CLI and python3's docker module, the event stream, and a load onto
# a full disk that leaves nothing behind.
if [ -z "${ENGINE_API_NS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	ENGINE_API_NS=1 exec unshare -m --propagation private "$0" "$@"
fi
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/image.sh"
RAW="$TOP/tests/host/helpers/rawhttp.py"

if [ "${CONFIG_ENGINE:-}" != y ]; then tap_skip "engine" "CONFIG_ENGINE is off"; tap_done; exit; fi
need_root "engine" || { tap_done; exit; }
for t in curl python3; do
	command -v $t >/dev/null || { tap_skip "engine" "$t is missing"; tap_done; exit; }
done

D=$WORK/data R=$WORK/run S=$WORK/run/engine.sock
: >"$WORK/empty.conf"
printf '[engine]\nconnections = 8\nhead_timeout = 2s\nbody_timeout = 3s\n' >"$WORK/berth.conf"
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

# start_berthd LOG ARGS…: background berthd, wait for its socket
start_berthd() {
	local log=$1 sock=$2
	shift 2
	"$BIN/berthd" --socket "$sock" "$@" 2>"$log" &
	BERTHD=$!
	PIDS+=("$BERTHD")
	for _ in $(seq 50); do [ -S "$sock" ] && return 0; sleep 0.1; done
	return 1
}
c() { curl -s --max-time 10 --unix-socket "$S" "$@"; }
jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

printf '[engine]\nbogus = 1\nhead_timeout = 0x\n[network]\neth0 = dhcp\n' >"$WORK/bad.conf"
out=$("$BIN/berthd" --socket "$WORK/bad.sock" --data-root "$WORK/bad" --config "$WORK/bad.conf" 2>&1; echo "rc=$?")
tap_check "a bad berth.conf: every bad line with file:line, exit 100, no socket" bash -c '
	grep -q "bad.conf:2: \[engine\] bogus: unknown key" <<<"$1" && grep -q "bad.conf:3: head_timeout: want" <<<"$1" &&
	grep -q "rc=100" <<<"$1" && [ ! -e "$2" ]' _ "$out" "$WORK/bad.sock"
out=$("$BIN/berthd" --data-root 2>&1; echo "rc=$?")
tap_check "usage: exit 100 with the exit-code table" bash -c 'grep -q "exit codes:" <<<"$1" && grep -q "rc=100" <<<"$1"' _ "$out"

start_berthd "$WORK/berthd.log" "$S" --data-root "$D" --run-dir "$R" --config "$WORK/berth.conf" ||
	{ tap_fail "berthd starts" "$(cat "$WORK/berthd.log")"; tap_done; exit; }
tap_ok "berthd starts on a temporary data root and socket"
out=$(timeout 5 "$BIN/berthd" --socket "$WORK/other.sock" --data-root "$D" --run-dir "$R" --config "$WORK/berth.conf" 2>&1; echo "rc=$?")
tap_check "a second berthd on the same data root refuses to start (111) and leaves the socket alone" \
	bash -c 'grep -q "another berthd runs on" <<<"$1" && grep -q "rc=111" <<<"$1" && [ ! -e "$2" ]' _ "$out" "$WORK/other.sock"

# its own sandbox: only the capabilities sandbox.c keeps, no_new_privs, a filter
st=/proc/$BERTHD/status
eff=$(awk '/^CapEff/ {print $2}' "$st") bnd=$(awk '/^CapBnd/ {print $2}' "$st")
tap_check "berthd keeps only its capabilities (CapEff $eff within 0xa92c35ff; no SYS_MODULE, SYS_BOOT, SYS_TIME)" \
	test $((0x$eff & ~0xa92c35ff)) = 0 -a $((0x$bnd & ~0xa92c35ff)) = 0 -a $((0x$bnd & (1 << 16 | 1 << 22 | 1 << 25))) = 0
tap_check "berthd runs with no_new_privs and a seccomp filter" \
	bash -c 'grep -qx "NoNewPrivs:.1" "$1" && grep -qx "Seccomp:.2" "$1"' _ "$st"

# ---------------------------------------------------------------- headers
h=$(c -I http://x/_ping | tr -d '\r')
tap_check "HEAD /_ping: 200 with Api-Version 1.47, Ostype, Server, Docker-Experimental, Swarm" \
	bash -c 'grep -qx "HTTP/1.1 200 OK" <<<"$1" && grep -qx "Api-Version: 1.47" <<<"$1" &&
		grep -qx "Ostype: linux" <<<"$1" && grep -qE "^Server: Docker/.+ \(linux\)$" <<<"$1" &&
		grep -qx "Docker-Experimental: false" <<<"$1" && grep -qx "Swarm: inactive" <<<"$1" &&
		grep -qx "Content-Length: 0" <<<"$1"' _ "$h"
tap_check "GET /_ping: OK" test "$(c http://x/_ping)" = OK
v=$(c http://x/v1.47/version)
tap_check "GET /version: ApiVersion, MinAPIVersion, Os, the Engine component" bash -c '
	jq_py() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
	[ "$(jq_py "d[\"ApiVersion\"], d[\"MinAPIVersion\"], d[\"Os\"], d[\"Components\"][0][\"Name\"], d[\"Components\"][0][\"Details\"][\"ApiVersion\"]" <<<"$1")" = "1.47 1.24 linux Engine 1.47" ]' _ "$v"
out=$(c -i http://x/v1.99/version | tr -d '\r')
tap_check "a too-new version: 400 with dockerd's message and the headers" bash -c '
	grep -qx "HTTP/1.1 400 Bad Request" <<<"$1" && grep -qx "Api-Version: 1.47" <<<"$1" &&
	grep -qx "Content-Type: application/json" <<<"$1" &&
	grep -qxF "{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.47\"}" <<<"$1"' _ "$out"
out=$(c http://x/v1.12/version)
tap_check "a too-old version: 400 naming the minimum" grep -q "client version 1.12 is too old. Minimum supported API version is 1.24" <<<"$out"
out=$(c -i http://x/v1.47/no/such/route | tr -d '\r')
tap_check "an unknown route: 404 page not found, with Api-Version" bash -c '
	grep -qx "HTTP/1.1 404 Not Found" <<<"$1" && grep -qx "Api-Version: 1.47" <<<"$1" &&
	grep -qxF "{\"message\":\"page not found\"}" <<<"$1"' _ "$out"
tap_check "a known path with another method: 404 too" bash -c '[ "$(curl -s -o /dev/null -w %{http_code} --unix-socket "$1" -X DELETE http://x/version)" = 404 ]' _ "$S"
out=$(c http://x/info)
tap_check "GET /info: counts, Swarm inactive, OSType" bash -c '
	[ "$(python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"Containers\"], d[\"Images\"], d[\"Swarm\"][\"LocalNodeState\"], d[\"OSType\"], len(d[\"ID\"]))" <<<"$1")" = "0 0 inactive linux 64" ]' _ "$out"
tap_check "the socket is 0600 root when the group is missing (said once in the log)" bash -c \
	'[ "$(stat -c %a "$1")" = 600 ] && [ "$(grep -c "does not exist" "$2")" = 1 ]' _ "$S" "$WORK/berthd.log"

# --------------------------------------------------------- bad requests
st() { python3 "$RAW" "$S" send "$1"; }
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
tap_check "malformed request line: 400" test "$(st "$(hex $'GARBAGE\r\n\r\n')")" = "HTTP/1.1 400 Bad Request"
tap_check "bare LF: 400" test "$(st "$(hex $'GET /_ping HTTP/1.1\nHost: x\n\n')")" = "HTTP/1.1 400 Bad Request"
tap_check "unknown transfer coding: 501" test "$(st "$(hex $'POST /volumes/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n')")" = "HTTP/1.1 501 Not Implemented"
tap_check "Content-Length with chunked (smuggling): 400" test "$(st "$(hex $'POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n')")" = "HTTP/1.1 400 Bad Request"
python3 -c "import sys; sys.stdout.buffer.write(b'GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: ' + b'a'*40000 + b'\r\n\r\n')" >"$WORK/big.req"
tap_check "a head over the limit: 431" test "$(st "@$WORK/big.req")" = "HTTP/1.1 431 Request Header Fields Too Large"
python3 -c "import sys; sys.stdout.buffer.write(b'GET /_ping HTTP/1.1\r\nHost: x\r\n' + b''.join(b'X-%d: y\r\n' % i for i in range(200)) + b'\r\n')" >"$WORK/many.req"
tap_check "too many headers: 431" test "$(st "@$WORK/many.req")" = "HTTP/1.1 431 Request Header Fields Too Large"
python3 -c "import sys; sys.stdout.buffer.write(b'POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n' + b'{' * 2000000)" >"$WORK/body.req"
tap_check "a create body over ENGINE_BODY_MAX: 413" test "$(st "@$WORK/body.req")" = "HTTP/1.1 413 Content Too Large"
out=$(python3 "$RAW" "$S" sendclose "$(hex $'GET /_ping HTTP/1.1\r\nHo')")
tap_check "a truncated request (closed mid-head): 400 or closed ($out)" grep -qE "^(CLOSED|HTTP/1.1 400 Bad Request)$" <<<"$out"
out=$(curl -s --unix-socket "$S" -X POST -H 'Content-Type: application/json' --data-binary '{"Name":' http://x/volumes/create)
tap_check "a truncated JSON body: 400 with a message" grep -q '"message":"invalid JSON' <<<"$out"
tap_check "after all that the engine still serves" test "$(c http://x/_ping)" = OK

# a stalled client (half a request, never finished) does not delay another
exec 7< <(python3 "$RAW" "$S" hold 1; sleep 30)
sleep 0.2
t0=$(date +%s%N)
p=$(c http://x/_ping)
ms=$((($(date +%s%N) - t0) / 1000000))
tap_check "a stalled client does not delay another's /_ping (${ms} ms)" test "$p" = OK -a "$ms" -lt 1000
exec 7<&-
# the stalled one is cut at head_timeout (2 s): 408
out=$(python3 - "$S" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"GET /_ping HTTP/1.1\r\nHo")
s.settimeout(6); t = time.time(); d = s.recv(100); print(d.split(b"\r\n")[0].decode(), round(time.time() - t))
PY
)
tap_check "a stalled head is answered 408 at head_timeout" grep -q "^HTTP/1.1 408 Request Timeout [12]$" <<<"$out"
out=$(python3 - "$S" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
s.settimeout(8); t = time.time(); d = s.recv(100); print(d.split(b"\r\n")[0].decode(), round(time.time() - t))
PY
)
tap_check "a stalled body is answered 408 at body_timeout, not head_timeout" grep -q "^HTTP/1.1 408 Request Timeout [34]$" <<<"$out"

# the connection cap (connections = 8): the 9th is answered 503
coproc HOLD { python3 "$RAW" "$S" hold 9; }
read -r -t 5 n503 <&"${HOLD[0]}"
tap_check "over the connection cap: 503 at once (got $n503 of 1)" test "${n503:-x}" = 1
kill "${HOLD_PID:-}" 2>/dev/null; wait "${HOLD_PID:-}" 2>/dev/null
sleep 0.3
tap_check "connections freed: served again" test "$(c http://x/_ping)" = OK

# keep-alive: several requests on one connection
out=$(curl -s --unix-socket "$S" http://x/_ping http://x/_ping http://x/v1.47/_ping -w '%{num_connects}\n')
tap_check "keep-alive: three requests, one connection" test "$(tr -d '\n' <<<"$out")" = "OK1OK0OK0"
# a chunked body (as docker load sends)
out=$(printf '{"Name":"chunky"}' | curl -s --unix-socket "$S" -H 'Transfer-Encoding: chunked' -H 'Content-Type: application/json' --data-binary @- http://x/volumes/create)
tap_check "a chunked request body is decoded" grep -q '"Name":"chunky"' <<<"$out"

# the peer check: a socket opened to everyone still refuses other users
if command -v setpriv >/dev/null; then
	chmod 0666 "$S"
	chmod o+x "$WORK" "$R"
	out=$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -s --unix-socket "$S" http://x/_ping; echo "rc=$?")
	chmod 0600 "$S"
	chmod o-x "$WORK" "$R"
	tap_check "a peer that is not root nor in the group is refused" bash -c '! grep -q OK <<<"$1" && grep -q "refused: peer uid 65534" "$2"' _ "$out" "$WORK/berthd.log"
else
	tap_skip "peer check" "setpriv is missing"
fi

# with a group that exists: 0660 root:GROUP, and a member is let in
if command -v setpriv >/dev/null && getent group nogroup >/dev/null; then
	G=$WORK/g  # short: RUN_DIR/shims/<id>/ctl must fit a socket path
	mkdir -p "$G/run"
	chmod 0711 "$WORK" "$G" "$G/run"
	if start_berthd "$WORK/berthd3.log" "$G/run/engine.sock" --data-root "$G/data" --run-dir "$G/run" \
		--config "$WORK/empty.conf" --group nogroup; then
		tap_check "--group: the socket is 0660 root:nogroup" \
			test "$(stat -c '%a %U:%G' "$G/run/engine.sock")" = "660 root:nogroup"
		out=$(setpriv --reuid=65534 --regid=65534 --clear-groups curl -s --unix-socket "$G/run/engine.sock" http://x/_ping)
		tap_check "a member of the socket's group is served" test "$out" = OK
		kill "$BERTHD"
	else
		tap_fail "berthd --group nogroup starts" "$(cat "$WORK/berthd3.log")"
	fi
	chmod 0700 "$WORK"
else
	tap_skip "--group" "setpriv or the nogroup group is missing"
fi

# ----------------------------------------------------------------- images
mkdir -p "$WORK/img"
img_rootfs "$WORK/img/r1"
img_layer "$WORK/img/r1" "$WORK/img/l1.tar"
img_docker "$WORK/img/ds" appliance/hello:latest "$WORK/img/l1.tar"
img_pack "$WORK/img/ds" "$WORK/hello.tar"
hello_id=${IMG_CONFIG#sha256:}
out=$(curl -s --unix-socket "$S" -X POST -H 'Content-Type: application/x-tar' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$WORK/hello.tar" 'http://x/v1.47/images/load?quiet=0')
tap_check "POST /images/load: progress lines, then Loaded image" bash -c '
	grep -q "\"status\":\"Loading layer\"" <<<"$1" && grep -qF "{\"stream\":\"Loaded image: appliance/hello:latest\\n\"}" <<<"$1"' _ "$out"
out=$(c http://x/images/json)
tap_check "GET /images/json: Id, RepoTags, Created int, Size int, SharedSize -1, Containers -1" bash -c '
	[ "$(python3 -c "import json,sys; d=json.load(sys.stdin)[0]; print(d[\"Id\"], \",\".join(d[\"RepoTags\"]), type(d[\"Created\"]).__name__, type(d[\"Size\"]).__name__, d[\"SharedSize\"], d[\"Containers\"], len(d[\"RepoDigests\"]))" <<<"$1")" = "sha256:$2 appliance/hello:latest int int -1 -1 0" ]' _ "$out" "$hello_id"
out=$(c 'http://x/images/json?filters=%7B%22reference%22%3A%7B%22nomatch%2A%22%3Atrue%7D%7D')
tap_check "a reference filter that matches nothing: []" test "$out" = "[]"
out=$(c 'http://x/images/json?filters=%7B%22bogus%22%3A%7B%22x%22%3Atrue%7D%7D')
tap_check "an unknown filter: 400 invalid filter" grep -q "invalid filter 'bogus'" <<<"$out"
out=$(c http://x/images/docker.io/appliance/hello:latest/json)
tap_check "GET /images/{name}/json with a slash and docker.io/: Config, RootFS, Os" bash -c '
	[ "$(python3 -c "import json,sys; d=json.load(sys.stdin); print(d[\"Id\"][7:], \",\".join(d[\"Config\"][\"Cmd\"]), d[\"RootFS\"][\"Type\"], len(d[\"RootFS\"][\"Layers\"]), d[\"Os\"], d[\"Architecture\"])" <<<"$1")" = "$2 /bin/sh layers 1 linux amd64" ]' _ "$out" "$hello_id"
tap_check "an unknown image: 404 No such image" bash -c '[ "$(curl -s -w " %{http_code}" --unix-socket "$1" http://x/images/nope/json)" = "{\"message\":\"No such image: nope\"}
 404" ]' _ "$S"

# ------------------------------------------------------------- docker CLI
if command -v docker >/dev/null; then
	export DOCKER_HOST=unix://$S
	out=$(docker version --format '{{.Server.APIVersion}} {{.Server.Os}} {{.Client.APIVersion}}' 2>&1)
	tap_check "docker version negotiates 1.47" test "$out" = "1.47 linux 1.47"
	out=$(docker info --format '{{.Images}} {{.Containers}} {{.OSType}} {{.Swarm.LocalNodeState}}' 2>&1)
	tap_check "docker info" test "$out" = "1 0 linux inactive"
	out=$(docker load -i "$WORK/hello.tar" 2>&1)
	tap_check "docker load (again: the same image)" test "$out" = "Loaded image: appliance/hello:latest"
	tap_check "docker tag" docker tag appliance/hello hello2:v1
	out=$(docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort)
	tap_check "docker images lists both names" test "$out" = "appliance/hello:latest ${hello_id:0:12}
hello2:v1 ${hello_id:0:12}"
	tap_check "docker image inspect by short id" test "$(docker image inspect -f '{{.Id}}' "${hello_id:0:12}")" = "sha256:$hello_id"
	out=$(docker history --format '{{.ID}} {{.Size}}' appliance/hello 2>&1)
	tap_check "docker history: one row per layer, the top one with the id" test "$out" = "${hello_id:0:12} 922kB"
	out=$(docker inspect --format '{{.Id}}' hello2:v1 2>&1)
	tap_check "docker inspect falls through containers to the image" test "$out" = "sha256:$hello_id"
	out=$(docker inspect nothing-here 2>&1)
	tap_check "docker inspect of nothing: No such object" grep -q "Error: No such object: nothing-here" <<<"$out"
	# docker pull itself: tests/host/pull_*.sh; here, from a port nothing listens on
	out=$(docker pull 127.0.0.1:1/x:1 2>&1)
	tap_check "docker pull: tried, the failure in the stream" bash -c \
		'[ $1 != 0 ] && grep -q "Pulling from 127.0.0.1:1/x" <<<"$2" && grep -q "connect to 127.0.0.1:1: Connection refused" <<<"$2"' _ $? "$out"
	out=$(docker rmi "${hello_id:0:12}" 2>&1)
	tap_check "docker rmi by id with two names: 409 (must be forced)" grep -q "must be forced" <<<"$out"
	out=$(docker rmi hello2:v1 2>&1)
	tap_check "docker rmi of one name untags it" test "$out" = "Untagged: hello2:v1"
	tap_check "docker volume create" test "$(docker volume create v1 2>&1)" = v1
	tap_check "creating it again gives the same volume" test "$(docker volume create v1 2>&1)" = v1
	tap_check "docker volume ls" bash -c 'docker volume ls --format "{{.Name}}" | grep -qx v1'
	tap_check "docker volume inspect: Mountpoint under the data root" \
		test "$(docker volume inspect -f '{{.Mountpoint}}' v1)" = "$D/volumes/v1/_data"
	tap_check "the volume's _data exists" test -d "$D/volumes/v1/_data"
	out=$(docker volume create -o type=none -o o=bind -o device=/ evil 2>&1)
	tap_check "driver options: 403 naming DriverOpts and the policy" grep -q "DriverOpts: volume driver options are not allowed" <<<"$out"
	out=$(docker volume create x 2>&1)
	tap_check "a one-character volume name is refused as dockerd does" grep -q 'includes invalid characters for a local volume name' <<<"$out"
	tap_check "docker volume rm" test "$(docker volume rm v1 2>&1)" = v1
	out=$(docker volume rm v1 2>&1)
	tap_check "docker volume rm of a missing volume: no such volume" grep -q "no such volume" <<<"$out"
	out=$(docker system df --format '{{.Type}} {{.TotalCount}}' 2>&1 | head -1)
	tap_check "docker system df" test "$out" = "Images 1"
	# --until a little ahead: the last events (untag) may share this very second
	out=$(timeout 10 docker events --since 0 --until "$(( $(date +%s) + 2 ))" --filter type=image --format '{{.Action}}' 2>&1 | sort -u | tr '\n' ' ')
	tap_check "docker events --since/--until: image load, tag, untag" test "$out" = "load tag untag "
	unset DOCKER_HOST
else
	tap_skip "docker CLI" "docker is missing"
fi

# a held-open /events stream sees a new event, and ends when the client goes
exec 8< <(exec timeout 5 curl -sN --unix-socket "$S" 'http://x/events?filters=%7B%22type%22%3A%7B%22volume%22%3Atrue%7D%7D')
evpid=$!
sleep 0.3
c -X POST -H 'Content-Type: application/json' -d '{"Name":"evvol"}' http://x/volumes/create >/dev/null
read -r -t 3 line <&8
exec 8<&-
# the client goes now, not when its timeout ends (which, on a fast run,
# came after the thread check below)
kill "$evpid" 2>/dev/null
tap_check "GET /events streams a new volume create" bash -c 'grep -q "\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"evvol\"" <<<"$1"' _ "$line"

# ------------------------------------------------------- python3 docker
if python3 -c 'import docker' 2>/dev/null; then
	out=$(python3 - "$S" <<'PY' 2>&1
import sys, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="auto")
v = c.version()
tags = sorted(t for i in c.images.list() for t in i.tags)
print(v["ApiVersion"], tags)
PY
)
	tap_check "python3 docker: version and images" test "$out" = "1.47 ['appliance/hello:latest']"
else
	tap_skip "python3 docker" "the docker module is missing"
fi

# ---------------------------------------------------- load onto a full disk
mkdir -p "$WORK/small"
if mount -t tmpfs -o size=3m tmpfs "$WORK/small" 2>/dev/null; then
	mkdir -p "$WORK/big/r/data"
	head -c 6000000 /dev/urandom >"$WORK/big/r/data/blob"
	img_layer "$WORK/big/r" "$WORK/big/l.tar"
	img_docker "$WORK/big/ds" big:1 "$WORK/big/l.tar"
	img_pack "$WORK/big/ds" "$WORK/big.tar"
	S2=$WORK/run2/engine.sock
	mkdir -p "$WORK/run2"
	if start_berthd "$WORK/berthd2.log" "$S2" --data-root "$WORK/small/d" --run-dir "$WORK/run2" --config "$WORK/empty.conf"; then
		out=$(curl -s --max-time 30 --unix-socket "$S2" -X POST -H 'Transfer-Encoding: chunked' \
			--data-binary @"$WORK/big.tar" 'http://x/images/load?quiet=1')
		tap_check "a load onto a full disk fails in-stream with a clear error" \
			grep -q '"errorDetail":{"message":".*No space left on device' <<<"$out"
		tap_check "… and leaves no image" test "$(curl -s --unix-socket "$S2" http://x/images/json)" = "[]"
		left=$(cd "$WORK/small/d" && find tmp blobs layers images -mindepth 1 -not -path 'blobs/sha256' 2>/dev/null)
		tap_check "… nor any tmp/, blob or layer residue" test -z "$left"
		tap_check "… and the engine still serves" test "$(curl -s --unix-socket "$S2" http://x/_ping)" = OK
		if command -v docker >/dev/null; then
			out=$(DOCKER_HOST=unix://$S2 docker load -i "$WORK/big.tar" 2>&1; echo "rc=$?")
			tap_check "docker load onto a full disk: the message, exit 1" bash -c 'grep -q "No space left on device" <<<"$1" && grep -q "rc=1" <<<"$1"' _ "$out"
		fi
	else
		tap_fail "berthd on a small tmpfs" "$(cat "$WORK/berthd2.log")"
	fi
	umount -l "$WORK/small"
else
	tap_skip "full disk" "cannot mount a tmpfs here"
fi

# every connection gone (the /events stream included): no thread left behind
for _ in $(seq 30); do [ "$(awk '/^Threads/ {print $2}' "/proc/${PIDS[0]}/status")" = 1 ] && break; sleep 0.1; done
tap_check "all clients gone: berthd is one thread again (held streams ended)" \
	test "$(awk '/^Threads/ {print $2}' "/proc/${PIDS[0]}/status")" = 1

# ------------------------------------------------------------------ stop
kill -TERM "$BERTHD"
wait "$BERTHD"
rc=$?
tap_check "SIGTERM: berthd exits 0" test "$rc" = 0
kill -TERM "${PIDS[0]}" 2>/dev/null
wait "${PIDS[0]}"
tap_check "SIGTERM: the first berthd exits 0 too" grep -q "stopping" "$WORK/berthd.log"
tap_done
