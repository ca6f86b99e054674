#!/bin/sh
# host-bootstrap.sh — install the Debian packages berth needs to build and test.
#
# Usage: tools/host-bootstrap.sh [--check]
#   --check  only report what is missing (exit 1 if anything is)
# Exit codes: 0 everything present (or installed), 1 missing and not installed,
#             100 usage, 111 apt-get failed.
#
# Called by `make` and `make check` when a needed tool is missing; safe to run
# by hand. As root it runs apt-get; otherwise it prints the exact command.
set -eu

# package:command-or-file that proves it is installed
NEEDS="
musl-tools:/usr/bin/musl-gcc
linux-libc-dev:/usr/include/linux/capability.h
gcc:/usr/bin/gcc
make:/usr/bin/make
qemu-system-x86:/usr/bin/qemu-system-x86_64
cpio:/usr/bin/cpio
kmod:/usr/sbin/depmod
kconfig-frontends-nox:/usr/bin/kconfig-conf
dpkg-dev:/usr/bin/dpkg-source
e2fsprogs:/usr/sbin/mke2fs
openssl:/usr/bin/openssl
curl:/usr/bin/curl
xz-utils:/usr/bin/xz
bzip2:/usr/bin/bzip2
file:/usr/bin/file
ca-certificates:/etc/ssl/certs/ca-certificates.crt
clang-14:/usr/bin/clang-14
libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
debian-archive-keyring:/usr/share/keyrings/debian-archive-keyring.gpg
umoci:/usr/bin/umoci
skopeo:/usr/bin/skopeo
attr:/usr/bin/getfattr
libcap2-bin:/usr/sbin/setcap
crun:/usr/bin/crun
runc:/usr/sbin/runc
time:/usr/bin/time
openssh-client:/usr/bin/ssh-keygen
ssh-audit:/usr/bin/ssh-audit
lz4:/usr/bin/lz4
zstd:/usr/bin/zstd
nftables:/usr/sbin/nft
python3-docker:/usr/lib/python3/dist-packages/docker/__init__.py
prometheus:/usr/bin/promtool
prometheus-node-exporter:/usr/bin/prometheus-node-exporter
docker-registry:/usr/bin/docker-registry
apache2-utils:/usr/bin/htpasswd
libssl-dev:/usr/include/openssl/ssl.h
python3-cryptography:/usr/lib/python3/dist-packages/cryptography/__init__.py
mtools:/usr/bin/mcopy
dosfstools:/usr/sbin/mkfs.fat
gdisk:/usr/sbin/sgdisk
bmap-tools:/usr/bin/bmaptool
faketime:/usr/bin/faketime
sbsigntool:/usr/bin/sbsign
ovmf:/usr/share/OVMF/OVMF_CODE_4M.fd
testssl.sh:/usr/bin/testssl
"

# Tests replace the list to exercise the missing-package paths.
NEEDS=${BERTH_BOOTSTRAP_NEEDS:-$NEEDS}

case "${1:-}" in
	""|--check) ;;
	*) echo "usage: $0 [--check]" >&2; exit 100 ;;
esac

missing=""
for entry in $NEEDS; do
	pkg=${entry%%:*}
	path=${entry#*:}
	[ -e "$path" ] || missing="$missing $pkg"
done

if [ -z "$missing" ]; then
	exit 0
fi
if [ "${1:-}" = --check ]; then
	echo "host-bootstrap: missing:$missing" >&2
	exit 1
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "host-bootstrap: these Debian packages are needed:$missing" >&2
	echo "host-bootstrap: run as root:  apt-get update && $cmd" >&2
	exit 1
fi
echo "host-bootstrap: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "host-bootstrap: apt-get update failed" >&2; exit 111; }
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	{ echo "host-bootstrap: failed: $cmd" >&2; exit 111; }
echo "host-bootstrap: installed:$missing"
