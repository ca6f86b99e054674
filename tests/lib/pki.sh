# pki.sh — certificates for tests, made by tools/pki.sh (sourced; needs TOP).
#
#   pki_dev DIR [--server-ip IP]... [--server-dns NAME]...
#       the development layout: DIR/ca.pem, DIR/server/{cert,key}.pem (127.0.0.1,
#       localhost), DIR/{admin,operator,viewer,monitor,rsa-admin}/{ca,cert,key}.pem,
#       DIR/crl.pem
#   pki_client DIR NAME SUBJ [--expired|--not-yet|--eku-server|--other-ca|--rsa]...
#       DIR/NAME/{ca,cert,key}.pem, e.g. pki_client "$d" old /CN=old/O=admin --expired
#   pki_revoke DIR CERT
#       revokes CERT and rewrites DIR/crl.pem
# Each returns tools/pki.sh's exit code (openssl's messages on stderr).
pki_dev() { "$TOP/tools/pki.sh" "$@" > /dev/null; }
pki_client() { "$TOP/tools/pki.sh" --client "$@" > /dev/null; }
pki_revoke() { "$TOP/tools/pki.sh" --revoke "$@" > /dev/null; }
