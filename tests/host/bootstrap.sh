#!/bin/bash
# bootstrap.sh — tools/host-bootstrap.sh: silent when everything is there;
# with a package missing and not root, it prints the exact apt-get command
# and stops (exit 1); --check only reports.
. "$(dirname "$0")/../lib/env.sh"
bs=$TOP/tools/host-bootstrap.sh

out=$("$bs" 2>&1); rc=$?
[ $rc = 0 ] && [ -z "$out" ] && tap_ok "nothing missing: silent, exit 0" || tap_fail "nothing missing: silent, exit 0" "rc=$rc $out"

missing="berth-no-such-package:/nonexistent/berth-proof"
out=$(BERTH_BOOTSTRAP_NEEDS="$missing" "$bs" --check 2>&1); rc=$?
[ $rc = 1 ] && grep -q 'missing: berth-no-such-package' <<< "$out" && tap_ok "--check names what is missing" ||
	tap_fail "--check names what is missing" "rc=$rc $out"

if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	out=$(BERTH_BOOTSTRAP_NEEDS="$missing" setpriv --reuid=65534 --regid=65534 --clear-groups sh "$bs" 2>&1); rc=$?
	want="apt-get update && apt-get install -y --no-install-recommends berth-no-such-package"
	[ $rc = 1 ] && grep -qF "$want" <<< "$out" && tap_ok "not root: prints the exact apt-get command and stops" ||
		tap_fail "not root: prints the exact apt-get command and stops" "rc=$rc $out"
else
	tap_skip "not root: prints the exact apt-get command" "needs root and setpriv to switch to nobody"
fi
tap_done
