#!/bin/bash
# pki.sh — tools/pki.sh: the development layout (the files DOCKER_CERT_PATH
# and berth-apid expect, subjects, SANs, EKUs, key types and modes), idempotence,
# the test clients of tests/lib/pki.sh, revocation; and the image wiring: the
# built image holds /etc/berth/tls with the key 0600, and SITE=dir takes dir/tls.
. "$(dirname "$0")/../lib/env.sh"
. "$TOP/tests/lib/pki.sh"
command -v openssl > /dev/null || { tap_skip "tools/pki.sh" "openssl is not installed"; tap_done; exit; }
d=$WORK/pki
pki_dev "$d" --server-ip 10.0.2.15 --server-dns berth.example && tap_ok "pki_dev makes the layout" ||
	{ tap_fail "pki_dev makes the layout"; tap_done; exit; }
missing=""
for f in ca.pem ca-key.pem crl.pem server/cert.pem server/key.pem; do [ -s "$d/$f" ] || missing="$missing $f"; done
for r in admin operator viewer monitor rsa-admin; do
	for f in ca.pem cert.pem key.pem; do [ -s "$d/$r/$f" ] || missing="$missing $r/$f"; done
done
[ -z "$missing" ] && tap_ok "every file of the layout is there" || tap_fail "every file of the layout is there" "missing:$missing"
bad=$(find "$d" -name '*key.pem' ! -perm 0600)
[ -z "$bad" ] && tap_ok "private keys are 0600" || tap_fail "private keys are 0600" "$bad"
x() { openssl x509 -in "$1" -noout "${@:2}" 2>&1; }
san=$(x "$d/server/cert.pem" -ext subjectAltName)
for want in "IP Address:127.0.0.1" "DNS:localhost" "IP Address:10.0.2.15" "DNS:berth.example"; do
	grep -qF "$want" <<< "$san" && tap_ok "server SAN has $want" || tap_fail "server SAN has $want" "$san"
done
tap_check "server EKU is serverAuth" grep -q "TLS Web Server Authentication" <<< "$(x "$d/server/cert.pem" -ext extendedKeyUsage)"
tap_check "server key is P-256" grep -q "prime256v1" <<< "$(openssl pkey -in "$d/server/key.pem" -noout -text 2>&1)"
for r in admin operator viewer monitor; do
	s=$(x "$d/$r/cert.pem" -subject -nameopt RFC2253)
	[ "$s" = "subject=O=$r,CN=$r-dev" ] && tap_ok "$r: subject CN=$r-dev,O=$r" || tap_fail "$r: subject CN=$r-dev,O=$r" "$s"
	tap_check "$r: EKU clientAuth" grep -q "TLS Web Client Authentication" <<< "$(x "$d/$r/cert.pem" -ext extendedKeyUsage)"
	tap_check "$r: verifies against ca.pem" openssl verify -CAfile "$d/$r/ca.pem" "$d/$r/cert.pem"
done
tap_check "rsa-admin: RSA 2048, O=admin" sh -c "openssl pkey -in '$d/rsa-admin/key.pem' -noout -text | grep -q 'Private-Key: (2048 bit' &&
	openssl x509 -in '$d/rsa-admin/cert.pem' -noout -subject | grep -q 'O = admin'"
tap_check "keys are PKCS#8 (what the docker CLI reads)" grep -q "BEGIN PRIVATE KEY" "$d/admin/key.pem"
sums=$(cd "$d" && find . -name '*.pem' | sort | xargs sha256sum)
pki_dev "$d"
[ "$sums" = "$(cd "$d" && find . -name '*.pem' | sort | xargs sha256sum)" ] && tap_ok "a second run keeps everything" ||
	tap_fail "a second run keeps everything"

pki_client "$d" old /CN=old/O=admin --expired && pki_client "$d" new /CN=new/O=admin --not-yet &&
	pki_client "$d" srv /CN=srv/O=admin --eku-server && pki_client "$d" far /CN=far/O=admin --other-ca &&
	pki_client "$d" big /CN=big/O=viewer --rsa && tap_ok "pki_client makes every kind" || tap_fail "pki_client makes every kind"
tap_check "--expired ended in 2021" grep -q "notAfter=Jan  1 00:00:00 2021 GMT" <<< "$(x "$d/old/cert.pem" -enddate)"
tap_check "--not-yet starts in 2090" grep -q "notBefore=Jan  1 00:00:00 2090 GMT" <<< "$(x "$d/new/cert.pem" -startdate)"
tap_check "--eku-server has serverAuth only" sh -c "openssl x509 -in '$d/srv/cert.pem' -noout -ext extendedKeyUsage | grep -q 'Server Auth' &&
	! openssl x509 -in '$d/srv/cert.pem' -noout -ext extendedKeyUsage | grep -q 'Client Auth'"
if openssl verify -CAfile "$d/ca.pem" "$d/far/cert.pem" > /dev/null 2>&1; then tap_fail "--other-ca does not verify against ca.pem"
else tap_ok "--other-ca does not verify against ca.pem"; fi
tap_check "--other-ca client dir still holds the development ca.pem" cmp -s "$d/far/ca.pem" "$d/ca.pem"
serial=$(x "$d/big/cert.pem" -serial | cut -d= -f2)
pki_revoke "$d" "$d/big/cert.pem"
tap_check "pki_revoke lists the serial in crl.pem" grep -q "Serial Number: $serial" <<< "$(openssl crl -in "$d/crl.pem" -noout -text)"
tap_check "crl.pem verifies against ca.pem" openssl crl -in "$d/crl.pem" -CAfile "$d/ca.pem" -noout

# The image: /etc/berth/tls from build/pki unless SITE=dir.
img=$(ls "$BUILD"/images/initramfs.cpio.* 2>/dev/null | head -1)
if [ "${CONFIG_ROOTFS_TLS:-}" != y ]; then
	tap_skip "the image holds /etc/berth/tls" "CONFIG_ROOTFS_TLS is off"
elif [ -z "$img" ]; then
	tap_skip "the image holds /etc/berth/tls" "no image built (make image)"
else
	case $img in *.gz) un="gzip -dc" ;; *.lz4) un="lz4 -dc" ;; *.zst) un="zstd -dc" ;; esac
	list=$($un "$img" | cpio -tv --quiet 2>/dev/null)
	tap_check "the image's /etc/berth/tls/key.pem is 0600 root" grep -qE '^-rw------- +1 root +root .* etc/berth/tls/key.pem$' <<< "$list"
	for f in ca.pem cert.pem; do
		tap_check "the image holds /etc/berth/tls/$f" grep -qE " etc/berth/tls/$f$" <<< "$list"
	done
	(cd "$WORK" && $un "$img" | cpio -id --quiet etc/berth/tls/cert.pem 2>/dev/null)
	tap_check "without SITE the baked certificate is build/pki's server certificate" \
		cmp -s "$WORK/etc/berth/tls/cert.pem" "$BUILD/pki/server/cert.pem"
fi
site=$WORK/site
mkdir -p "$site/tls" && cp "$d/ca.pem" "$d/server/cert.pem" "$d/server/key.pem" "$site/tls/"
plan=$(make -n -s -C "$TOP" O="$BUILD" SITE="$site" "$BUILD/pki/image-tls/key.pem" 2>&1)
tap_check "SITE=dir takes dir/tls/{ca,cert,key}.pem" grep -qF "$site/tls/ca.pem $site/tls/cert.pem $site/tls/key.pem" <<< "$plan"
# mkinitramfs writes BUILDDIR/rootfs/VARIANT: give it a build dir of links
fake=$WORK/build
mkdir -p "$fake"
for f in "$BUILD"/*; do [ "$(basename "$f")" = rootfs ] || ln -s "$f" "$fake/"; done
spec=$(TLS_DIR=$site/tls "$TOP/rootfs/mkinitramfs.sh" "$TOP" "$fake" "$TOP/board/$(echo "$CONFIG_BOARD_NAME" | tr -d '"')" \
	"$(ls "$BUILD"/kmod/*/lib/modules 2>/dev/null | head -1)" 2>&1)
tap_check "mkinitramfs bakes TLS_DIR's key as /etc/berth/tls/key.pem 0600" \
	grep -qx "file /etc/berth/tls/key.pem $site/tls/key.pem 0600 0 0" <<< "$spec"
rm "$site/tls/key.pem"
out=$(TLS_DIR=$site/tls "$TOP/rootfs/mkinitramfs.sh" "$TOP" "$fake" "$TOP/board/$(echo "$CONFIG_BOARD_NAME" | tr -d '"')" x 2>&1)
[ $? != 0 ] && grep -qF "$site/tls/key.pem missing" <<< "$out" && tap_ok "a missing TLS_DIR/key.pem stops the image, named" ||
	tap_fail "a missing TLS_DIR/key.pem stops the image, named" "$out"
tap_done
