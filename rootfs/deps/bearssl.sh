# BearSSL: static libbearssl.a and its headers (no tools, no tests).
make -j"$JOBS" CONF=Unix CC="$CC" LD="$CC" LDDLL="$CC" CFLAGS="$DEP_CFLAGS -W -Wall" lib
cp build/libbearssl.a "$SYSROOT/lib/"
cp inc/*.h "$SYSROOT/include/"
