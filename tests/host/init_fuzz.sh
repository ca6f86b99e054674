#!/bin/bash
# init_fuzz.sh — short libFuzzer runs (clang) of the parsers PID 1 and
# berth-dhcpc feed with outside bytes: services.d files, berth.conf, DHCP
# replies. Each target runs FUZZ_RUNS inputs (default 20000) from a small
# seed corpus; a crash, a sanitizer report or a broken invariant fails.
# Skipped, with the reason, when clang or its libFuzzer runtime is missing.
. "$(dirname "$0")/../lib/env.sh"
RUNS=${FUZZ_RUNS:-20000}
CLANG=$(command -v clang-14 || command -v clang || true)
if [ -z "$CLANG" ]; then
	tap_skip "fuzz targets" "no clang (Debian clang-14)"; tap_done; exit
fi
echo 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }' > "$WORK/probe.c"
if ! "$CLANG" -fsanitize=fuzzer "$WORK/probe.c" -o "$WORK/probe" 2> "$WORK/probe.err"; then
	tap_skip "fuzz targets" "clang has no libFuzzer runtime (Debian libclang-rt-14-dev): $(head -1 "$WORK/probe.err")"
	tap_done; exit
fi
OUT=$BUILD/fuzz
mkdir -p "$OUT"
FLAGS=(-std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-D_GNU_SOURCE -I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include")
INI=(-include "$BUILD/sysroot/include/ini.h" "$BUILD/src/libinih/ini.c")
build() { # NAME SOURCES…
	local name=$1; shift
	"$CLANG" "${FLAGS[@]}" -w "$@" -o "$OUT/$name" 2> "$OUT/$name.build.log"
}
run() { # NAME CORPUS
	local name=$1 corpus=$2
	mkdir -p "$OUT/$name.crashes"
	"$OUT/$name" -runs="$RUNS" -max_len=4096 -artifact_prefix="$OUT/$name.crashes/" \
		"$WORK/$corpus" > "$OUT/$name.log" 2>&1
}

# Seed corpora.
mkdir -p "$WORK/svc" "$WORK/conf" "$WORK/dhcp"
cp "$TOP/rootfs/skeleton/etc/berth/services.d/"*.conf "$WORK/svc/"
printf '[service]\ncommand = /bin/sh -c x\nuser = nobody\ngroup = 0\ncapabilities = cap_net_admin, kill\nrestart = on-failure\nafter = a b\nmemory_max = 16M\npids_max = 9\nenv = A=b\nstop_signal = SIGINT\nstop_timeout = 250ms\nconsole = all\n' > "$WORK/svc/every-key.conf"
printf '[system]\nhostname = h\nmodules = a b\nsysctl.net.core.x = 1\nservices = /s\ndata = /d\n[network]\neth0 = dhcp\neth1 = static 10.1.2.3/24 gateway 10.1.2.1 dns 1.1.1.1 dns 8.8.8.8\n' > "$WORK/conf/every-key.conf"
cp "$TOP/rootfs/skeleton/etc/berth/berth.conf.in" "$WORK/conf/"
# A DHCP OFFER: BOOTREPLY, xid 01020304, the fuzz target's MAC, 10.0.2.15,
# cookie, type 2, mask /24, router, dns, server id, lease.
{
	printf '\x02\x01\x06\x00\x01\x02\x03\x04'; head -c 8 /dev/zero; printf '\x0a\x00\x02\x0f'
	head -c 8 /dev/zero; printf '\x52\x54\x00\x12\x34\x56'; head -c 202 /dev/zero
	printf '\x63\x82\x53\x63\x35\x01\x02\x01\x04\xff\xff\xff\x00\x03\x04\x0a\x00\x02\x02'
	printf '\x06\x04\x0a\x00\x02\x03\x36\x04\x0a\x00\x02\x02\x33\x04\x00\x01\x51\x80\xff'
} > "$WORK/dhcp/offer"

for t in "svc_conf svc tests/fuzz/fuzz_svc_conf.c init/svc_conf.c lib/err.c lib/log.c lib/util.c ini" \
	 "conf conf tests/fuzz/fuzz_conf.c init/conf.c lib/err.c lib/log.c ini" \
	 "dhcp dhcp tests/fuzz/fuzz_dhcp.c init/dhcpc/dhcp.c lib/err.c"; do
	set -- $t
	name=fuzz_$1 corpus=$2; shift 2
	srcs=()
	for s in "$@"; do [ "$s" = ini ] && srcs+=("${INI[@]}") || srcs+=("$TOP/$s"); done
	if ! build "$name" "${srcs[@]}"; then
		tap_fail "$name builds" "$(tail -5 "$OUT/$name.build.log")"; continue
	fi
	if run "$name" "$corpus"; then
		tap_ok "$name: $RUNS inputs, no crash ($(grep -o 'cov: [0-9]*' "$OUT/$name.log" | tail -1))"
	else
		tap_fail "$name: $RUNS inputs, no crash" "$(grep -A15 -m1 'ERROR\|runtime error\|deadly' "$OUT/$name.log")"
	fi
done
tap_done
