# zlib: static libz.a and zlib.h/zconf.h.
CC="$CC" CFLAGS="$DEP_CFLAGS" ./configure --static --prefix="$SYSROOT"
make -j"$JOBS" libz.a
make install-libs-only=0 install || { cp libz.a "$SYSROOT/lib/"; cp zlib.h zconf.h "$SYSROOT/include/"; }
