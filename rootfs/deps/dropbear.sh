# dropbear (trixie's 2025.89): one static multi-call binary (dropbear,
# dropbearkey, scp) with its bundled libtomcrypt/libtommath. No compression
# (no zlib inflating what a client sends, before or after login; admin
# sessions do not need it), no lastlog/utmp/wtmp (the appliance keeps none),
# no PAM; password logins are compiled out (public keys only).
#
# Algorithms: only what ssh-audit passes without a failure or a warning is
# compiled in (docs/decisions.md "Strict SSH"):
#   kex      curve25519-sha256, sntrup761x25519-sha512, mlkem768x25519-sha256
#            (no NIST curves, no 2048-bit group14, no SHA-1 groups)
#   host key ssh-ed25519 (no ECDSA/NIST, no DSS, no ssh-rsa/SHA-1; RSA stays
#            for admins' rsa-sha2-256/512 user keys, the appliance has no RSA
#            host key, so none is offered)
#   ciphers  chacha20-poly1305, aes128/256-gcm: AEAD only, so there is no
#            encrypt-and-MAC mode and no MAC is offered at all (dropbear has
#            no -etm MACs; CTR and CBC with hmac-sha2 would be encrypt-and-MAC)
# Unix-socket forwarding (ssh -L …:/run/berth/engine.sock) stays on: 2025.89
# makes the forwarded connection after dropping to the logged-in user
# (DROPBEAR_SVR_DROP_PRIVS), the fix for CVE-2025-14282, so the socket's
# SO_PEERCRED names that user and never root on someone else's behalf; a
# forced command (authorized_keys command=) disables it.
cat > localoptions.h <<'OPT'
#define DROPBEAR_SVR_PASSWORD_AUTH 0
#define DROPBEAR_SVR_PAM_AUTH 0
#define DROPBEAR_SVR_PUBKEY_AUTH 1
#define DROPBEAR_SVR_DROP_PRIVS 1
#define DROPBEAR_SVR_LOCALSTREAMFWD 1
#define DROPBEAR_X11FWD 0
#define DROPBEAR_SVR_AGENTFWD 0
#define DROPBEAR_ECDH 0
#define DROPBEAR_ECDSA 0
#define DROPBEAR_DSS 0
#define DROPBEAR_RSA_SHA1 0
#define DROPBEAR_DH_GROUP1 0
#define DROPBEAR_DH_GROUP14_SHA1 0
#define DROPBEAR_DH_GROUP14_SHA256 0
#define DROPBEAR_DH_GROUP16 0
#define DROPBEAR_CURVE25519 1
#define DROPBEAR_SNTRUP761 1
#define DROPBEAR_MLKEM768 1
#define DROPBEAR_3DES 0
#define DROPBEAR_ENABLE_CBC_MODE 0
#define DROPBEAR_ENABLE_CTR_MODE 0
#define DROPBEAR_ENABLE_GCM_MODE 1
#define DROPBEAR_CHACHA20POLY1305 1
#define DROPBEAR_SHA1_HMAC 0
#define DROPBEAR_SHA1_96_HMAC 0
#define DROPBEAR_SHA2_256_HMAC 0
#define DROPBEAR_SHA2_512_HMAC 0
#define DEFAULT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_ROOT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
#define DSS_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_dss_host_key"
#define RSA_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_rsa_host_key"
#define ECDSA_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_ecdsa_host_key"
#define ED25519_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_ed25519_host_key"
#define DROPBEAR_PIDFILE "/run/dropbear.pid"
OPT
CC="$CC" CFLAGS="$DEP_CFLAGS" LDFLAGS="-static -L$SYSROOT/lib" CPPFLAGS="-I$SYSROOT/include" \
	./configure --host=x86_64-linux-musl --enable-static --enable-bundled-libtom --disable-zlib \
	--disable-pam --disable-lastlog --disable-utmp --disable-utmpx --disable-wtmp \
	--disable-wtmpx --disable-loginfunc --disable-pututline --disable-pututxline \
	--disable-harden
make -j"$JOBS" PROGRAMS="dropbear dropbearkey scp" MULTI=1 STATIC=1
cp dropbearmulti "$SYSROOT/bin/"
