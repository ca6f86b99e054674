#!/bin/sh
# pki.sh — the development PKI (openssl on the build host).
#
#   tools/pki.sh DIR [--server-ip IP]... [--server-dns NAME]...
#       DIR/ca.pem DIR/ca-key.pem            the development CA (P-256)
#       DIR/server/{cert,key}.pem            P-256, SAN IP 127.0.0.1, DNS localhost and the
#                                            given addresses and names, EKU serverAuth
#       DIR/{admin,operator,viewer,monitor}/{ca.pem,cert.pem,key.pem}
#                                            P-256, CN=<role>-dev,O=<role>, EKU clientAuth
#       DIR/rsa-admin/{ca.pem,cert.pem,key.pem}  RSA-2048, CN=rsa-admin-dev,O=admin
#       DIR/crl.pem                          the CA's CRL (empty until --revoke)
#       DIR/update/{key.pem,key.pub}         the development update key (ECDSA P-256,
#                                            docs/disk.md "Signed updates")
#       DIR/secureboot/{db.key,db.crt}       the development Secure Boot key: Debian's
#                                            snakeoil pair (/usr/share/ovmf, which
#                                            OVMF_VARS_4M.snakeoil.fd enrolls), else a
#                                            new RSA-2048 self-signed one
#     Idempotent: what exists is kept. Keys are PKCS#8, mode 0600.
#   tools/pki.sh --client DIR NAME SUBJ [--expired|--not-yet|--eku-server|--other-ca|--rsa]...
#       DIR/NAME/{ca.pem,cert.pem,key.pem} signed by DIR's CA (or, with --other-ca, by
#       DIR/other-ca, made on first use); SUBJ in openssl's form, e.g. /CN=x/O=admin.
#   tools/pki.sh --revoke DIR CERT
#       revokes CERT (issued by DIR's CA) and rewrites DIR/crl.pem.
# Exit codes: 0 done, 1 openssl failed, 2 usage.
set -eu

die() { echo "pki.sh: $*" >&2; exit 1; }
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
command -v openssl > /dev/null || die "openssl is not installed"
PKI_SAN=DNS:localhost   # the server certificate's SAN (read by the [server] section)
export PKI_SAN

# The openssl ca configuration of the CA in $1 (its database in $1/ca-db).
ca_conf() {
	db=$1/ca-db
	mkdir -p "$db/new"
	[ -f "$db/index.txt" ] || : > "$db/index.txt"
	[ -f "$db/crlnumber" ] || echo 01 > "$db/crlnumber"
	cat > "$db/openssl.cnf" <<EOF
[ca]
default_ca = dev
[dev]
database = $db/index.txt
new_certs_dir = $db/new
serial = $db/serial
crlnumber = $db/crlnumber
certificate = $1/ca.pem
private_key = $1/ca-key.pem
default_md = sha256
default_crl_days = 3650
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = optional
organizationName = optional
organizationalUnitName = optional
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = \$ENV::PKI_SAN
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
[client_eku_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
EOF
	echo "$db/openssl.cnf"
}

newkey() { # FILE rsa|ec
	[ -f "$1" ] && return 0
	umask 077
	if [ "$2" = rsa ]; then
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2> /dev/null
	else
		openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"
	fi
	umask 022
}

make_ca() { # DIR SUBJ
	mkdir -p "$1"
	newkey "$1/ca-key.pem" ec
	[ -f "$1/ca.pem" ] || openssl req -x509 -new -key "$1/ca-key.pem" -subj "$2" -days 3650 \
		-sha256 -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign -out "$1/ca.pem"
}

sign() { # CA_DIR CSR CERT EXT [openssl ca date options]
	cadir=$1 csr=$2 cert=$3 ext=$4
	shift 4
	conf=$(ca_conf "$cadir")
	# a random positive 16-byte serial
	echo "4$(openssl rand -hex 15 | cut -c2-)" > "$cadir/ca-db/serial"
	openssl ca -batch -notext -preserveDN -config "$conf" -extensions "$ext" \
		-in "$csr" -out "$cert" "$@" 2> "$cadir/ca-db/last.log" ||
		{ cat "$cadir/ca-db/last.log" >&2; die "signing $cert failed"; }
}

gencrl() { # CA_DIR
	conf=$(ca_conf "$1")
	openssl ca -config "$conf" -gencrl -out "$1/crl.pem" 2> "$1/ca-db/last.log" ||
		{ cat "$1/ca-db/last.log" >&2; die "CRL generation failed"; }
}

leaf() { # CA_DIR OUT_DIR SUBJ KEYTYPE EXT [date options]
	cadir=$1 out=$2 subj=$3 kt=$4 ext=$5
	shift 5
	mkdir -p "$out"
	newkey "$out/key.pem" "$kt"
	[ -f "$out/cert.pem" ] && return 0
	openssl req -new -key "$out/key.pem" -subj "$subj" -out "$out/req.csr"
	sign "$cadir" "$out/req.csr" "$out/cert.pem" "$ext" "$@"
	rm -f "$out/req.csr"
}

dev() { # DIR [--server-ip IP]... [--server-dns NAME]...
	dir=$1
	shift
	san="IP:127.0.0.1,DNS:localhost"
	while [ $# -gt 0 ]; do
		case $1 in
		--server-ip) [ $# -ge 2 ] || usage; san="$san,IP:$2"; shift 2 ;;
		--server-dns) [ $# -ge 2 ] || usage; san="$san,DNS:$2"; shift 2 ;;
		*) usage ;;
		esac
	done
	make_ca "$dir" "/CN=berth development CA/O=berth"
	PKI_SAN=$san
	leaf "$dir" "$dir/server" "/CN=berth-server" ec server -days 825
	PKI_SAN=DNS:localhost
	for role in admin operator viewer monitor; do
		leaf "$dir" "$dir/$role" "/CN=$role-dev/O=$role" ec client -days 825
		cp "$dir/ca.pem" "$dir/$role/ca.pem"
	done
	leaf "$dir" "$dir/rsa-admin" "/CN=rsa-admin-dev/O=admin" rsa client -days 825
	cp "$dir/ca.pem" "$dir/rsa-admin/ca.pem"
	[ -f "$dir/crl.pem" ] || gencrl "$dir"
	update_key "$dir/update"
	secureboot_key "$dir/secureboot"
}

update_key() { # DIR: key.pem (P-256, PKCS#8) and key.pub (PEM)
	mkdir -p "$1"
	newkey "$1/key.pem" ec
	[ -f "$1/key.pub" ] || openssl pkey -in "$1/key.pem" -pubout -out "$1/key.pub"
}

# sbsign takes an unencrypted PEM key and a PEM certificate (UEFI's db holds
# RSA-2048 X.509). The snakeoil key is encrypted with the password "snakeoil".
SNAKEOIL=/usr/share/ovmf/PkKek-1-snakeoil
secureboot_key() { # DIR
	[ -f "$1/db.key" ] && [ -f "$1/db.crt" ] && return 0
	mkdir -p "$1"
	umask 077
	if [ -f "$SNAKEOIL.key" ] && [ -f "$SNAKEOIL.pem" ]; then
		openssl pkey -in "$SNAKEOIL.key" -passin pass:snakeoil -out "$1/db.key"
		cp "$SNAKEOIL.pem" "$1/db.crt"
	else
		openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/db.key" -subj "/CN=berth development Secure Boot db/" \
			-days 3650 -sha256 -out "$1/db.crt" 2> /dev/null
	fi
	umask 022
	chmod 0644 "$1/db.crt"
}

client() { # DIR NAME SUBJ [options]
	[ $# -ge 3 ] || usage
	dir=$1 name=$2 subj=$3
	shift 3
	cadir=$dir kt=ec ext=client dates="-days 825"
	for o in "$@"; do
		case $o in
		--expired) dates="-startdate 20200101000000Z -enddate 20210101000000Z" ;;
		--not-yet) dates="-startdate 20900101000000Z -enddate 20950101000000Z" ;;
		--eku-server) ext=client_eku_server ;;
		--other-ca) cadir=$dir/other-ca
			make_ca "$cadir" "/CN=another CA/O=elsewhere" ;;
		--rsa) kt=rsa ;;
		*) usage ;;
		esac
	done
	# shellcheck disable=SC2086 # dates are separate words
	leaf "$cadir" "$dir/$name" "$subj" "$kt" "$ext" $dates
	cp "$dir/ca.pem" "$dir/$name/ca.pem"
}

case ${1:-} in
--client) shift; client "$@" ;;
--revoke)
	[ $# -eq 3 ] || usage
	conf=$(ca_conf "$2")
	openssl ca -config "$conf" -revoke "$3" 2> "$2/ca-db/last.log" ||
		{ cat "$2/ca-db/last.log" >&2; die "revoking $3 failed"; }
	gencrl "$2" ;;
''|-*) usage ;;
*) dev "$@" ;;
esac
