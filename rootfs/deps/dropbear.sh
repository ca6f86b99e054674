# dropbear: one static multi-call binary (dropbear, dropbearkey, scp) with
# its bundled libtomcrypt/libtommath, linked against the sysroot's zlib.
# No lastlog/utmp/wtmp (the appliance keeps none), no PAM, no password auth
# is compiled out later by localoptions.h (public keys only).
cat > localoptions.h <<'OPT'
#define DROPBEAR_SVR_PASSWORD_AUTH 0
#define DROPBEAR_SVR_PAM_AUTH 0
#define DROPBEAR_SVR_PUBKEY_AUTH 1
#define DROPBEAR_X11FWD 0
#define DEFAULT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
#define DEFAULT_ROOT_PATH "/usr/sbin:/usr/bin:/sbin:/bin"
#define DSS_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_dss_host_key"
#define RSA_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_rsa_host_key"
#define ECDSA_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_ecdsa_host_key"
#define ED25519_PRIV_FILENAME "/var/lib/berth/ssh/dropbear_ed25519_host_key"
OPT
CC="$CC" CFLAGS="$DEP_CFLAGS" LDFLAGS="-static -L$SYSROOT/lib" CPPFLAGS="-I$SYSROOT/include" \
	./configure --host=x86_64-linux-musl --enable-static --enable-bundled-libtom \
	--disable-pam --disable-lastlog --disable-utmp --disable-utmpx --disable-wtmp \
	--disable-wtmpx --disable-loginfunc --disable-pututline --disable-pututxline \
	--disable-harden
make -j"$JOBS" PROGRAMS="dropbear dropbearkey scp" MULTI=1 STATIC=1
cp dropbearmulti "$SYSROOT/bin/"
