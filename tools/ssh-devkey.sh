#!/bin/sh
# ssh-devkey.sh — make the development SSH key pair DIR/id_ed25519{,.pub}
# once (ssh-keygen, no passphrase); its public half is baked into the image's
# /root/.ssh/authorized_keys unless `make SITE=dir` brings dir/ssh/authorized_keys.
#
# Usage: tools/ssh-devkey.sh DIR
# Exit codes: 0 ok (made, or already there), 100 usage, 111 ssh-keygen failed.
set -eu
[ $# = 1 ] || { echo "usage: $0 DIR" >&2; exit 100; }
dir=${1%/}
if [ -s "$dir/id_ed25519" ] && [ -s "$dir/id_ed25519.pub" ]; then
	exit 0
fi
mkdir -p "$dir"
chmod 0700 "$dir"
rm -f "$dir/id_ed25519" "$dir/id_ed25519.pub"
ssh-keygen -q -t ed25519 -N '' -C "berth development key" -f "$dir/id_ed25519" ||
	{ echo "ssh-devkey: ssh-keygen failed" >&2; exit 111; }
echo "  SSHKEY  ${dir#"${PWD}/"}/id_ed25519 (development key pair)"
