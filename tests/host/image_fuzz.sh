#!/bin/bash
# image_fuzz.sh — builds the image parsers' libFuzzer targets (clang
# -fsanitize=fuzzer,address,undefined) and runs each for a few seconds from
# a small seed corpus. Any crash or sanitizer report fails. Longer runs:
#   FUZZ_SECONDS=600 tests/host/image_fuzz.sh
. "$(dirname "$0")/../lib/env.sh"
SECS=${FUZZ_SECONDS:-5}
CLANG=$(command -v clang-14 || command -v clang || true)

if [ "${CONFIG_IMAGE:-}" != y ]; then tap_skip "fuzz targets" "CONFIG_IMAGE is off"; tap_done; exit; fi
if [ -z "$CLANG" ]; then tap_skip "fuzz targets" "no clang (Debian package clang-14)"; tap_done; exit; fi
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' >"$WORK/probe.c"
if ! "$CLANG" -fsanitize=fuzzer "$WORK/probe.c" -o "$WORK/probe" 2>"$WORK/probe.err"; then
	tap_skip "fuzz targets" "no libFuzzer runtime (Debian package libclang-rt-14-dev): $(head -1 "$WORK/probe.err")"
	tap_done
	exit
fi

CF=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE
	-I"$TOP" -I"$BUILD/config" -isystem "$BUILD/sysroot/include")
I=$TOP/runtime/image
build() {
	local name=$1
	shift
	if "$CLANG" "${CF[@]}" -o "$WORK/$name" "$TOP/tests/fuzz/$name.c" "$@" "$TOP/lib/err.c" "$TOP/lib/util.c" \
		2>"$WORK/$name.build"; then
		tap_ok "$name builds"
	else
		tap_fail "$name builds" "$(tail -20 "$WORK/$name.build")"
		return 1
	fi
}

# seeds: small valid inputs so the fuzzer starts past the first checks
mkdir -p "$WORK/seed-tar" "$WORK/seed-json" "$WORK/src/d"
echo hi >"$WORK/src/d/f"
ln -s f "$WORK/src/d/l"
tar -C "$WORK/src" --format=pax -cf "$WORK/seed-tar/pax.tar" .
tar -C "$WORK/src" --format=gnu -cf "$WORK/seed-tar/gnu.tar" .
gzip -c "$WORK/seed-tar/gnu.tar" >"$WORK/seed-tar/gnu.tar.gz"
D=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
printf '{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"annotations":{"org.opencontainers.image.ref.name":"a:1"}}]}' "$D" >"$WORK/seed-json/index"
printf '{"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":1},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":2}]}' "$D" "$D" >"$WORK/seed-json/manifest"
printf '{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$D" >"$WORK/seed-json/config"
printf '[{"Config":"a.json","RepoTags":["a:1"],"Layers":["x/layer.tar"]}]' >"$WORK/seed-json/docker"

run() {
	local name=$1 seeds=$2
	mkdir -p "$WORK/corpus-$name"
	if (cd "$WORK" && "./$name" -max_total_time="$SECS" -rss_limit_mb=1024 -print_final_stats=1 \
		"corpus-$name" "$seeds" >"$WORK/$name.log" 2>&1); then
		tap_ok "$name: ${SECS}s without a crash ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$name.log" | grep -o '[0-9]*$') runs)"
	else
		tap_fail "$name: ${SECS}s without a crash" "$(grep -A30 -m1 'ERROR\|runtime error\|==ERROR' "$WORK/$name.log" | head -40)"
	fi
}

build fuzz_tar "$I/tar.c" "$I/gz.c" "$I/unpack.c" "$BUILD/sysroot/lib/libz.a" && run fuzz_tar "$WORK/seed-tar"
build fuzz_manifest "$I/manifest.c" "$I/json.c" "$I/digest.c" "$I/sha_ni.c" "$BUILD/sysroot/lib/libbearssl.a" &&
	run fuzz_manifest "$WORK/seed-json"
tap_done
