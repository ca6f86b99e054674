# env.sh — common setup for host and system test scripts (sourced, bash).
# Gives TOP, BUILD, the configuration (CONFIG_*), tap.sh, and a work
# directory WORK that is removed at exit (kept when KEEP_WORK is set, to look
# at a failed test).
set -uo pipefail
TOP=${BERTH_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILD=${BERTH_BUILD:-$TOP/build}
# shellcheck source=/dev/null
. "$BUILD/config/auto.conf"
# shellcheck source=tests/lib/tap.sh
. "$TOP/tests/lib/tap.sh"
# Not under /tmp or /run: init mounts fresh tmpfs there in its namespace.
WORK=$(mktemp -d /var/tmp/berth-test.XXXXXX)
trap "[ -n \"${KEEP_WORK:-}\" ] || rm -rf \"\$WORK\"" EXIT
# The binaries, copied beside WORK: a command run inside init's namespaces
# must not live under /tmp or /run, which init covers with fresh tmpfs (a
# checkout may well be under /tmp).
BIN=$WORK/bin
cp -a "$BUILD/bin" "$BIN"
need_root() {
	if [ "$(id -u)" != 0 ]; then
		tap_skip "$1" "needs root (namespaces, mounts)"
		return 1
	fi
}
