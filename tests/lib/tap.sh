# tap.sh — TAP output for shell tests (sourced).
#
#   tap_ok "name"            a passed check
#   tap_fail "name" "why"    a failed check (why printed as a TAP comment)
#   tap_skip "name" "why"    a check that cannot run here, with the reason
#   tap_check "name" CMD…    runs CMD; ok when it exits 0
#   tap_done                 prints "# FILE: N passed, N failed, N skipped";
#                            exits 1 when anything failed
TAP_N=0 TAP_PASS=0 TAP_FAIL=0 TAP_SKIP=0
tap_ok() { TAP_N=$((TAP_N + 1)); TAP_PASS=$((TAP_PASS + 1)); echo "ok $TAP_N - $1"; }
tap_fail() {
	TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1))
	echo "not ok $TAP_N - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
tap_skip() { TAP_N=$((TAP_N + 1)); TAP_SKIP=$((TAP_SKIP + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then tap_ok "$name"; else tap_fail "$name" "$out"; fi
}
tap_done() {
	echo "# $(basename "$0"): $TAP_PASS passed, $TAP_FAIL failed, $TAP_SKIP skipped"
	[ "$TAP_FAIL" = 0 ]
}
