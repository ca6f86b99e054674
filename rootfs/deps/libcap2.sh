# libcap: static libcap.a only (no Go, no PAM, no psx, no shared library).
# _makenames runs on the build machine, so it is compiled with the host gcc.
make -C libcap -j"$JOBS" CC="$CC" BUILD_CC=gcc COPTS="$DEP_CFLAGS" \
	GOLANG=no PAM_CAP=no SHARED=no USE_GPERF=no libcap.a
cp libcap/libcap.a "$SYSROOT/lib/"
mkdir -p "$SYSROOT/include/sys"
cp libcap/include/sys/capability.h "$SYSROOT/include/sys/"
