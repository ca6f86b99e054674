# libzstd: static libzstd.a (decompression only, single-threaded, no legacy
# formats) and zstd.h/zstd_errors.h, for zstd-compressed image layers.
make -C lib -j"$JOBS" CC="$CC" CFLAGS="$DEP_CFLAGS" \
	ZSTD_LIB_COMPRESSION=0 ZSTD_LIB_DICTBUILDER=0 ZSTD_LIB_DEPRECATED=0 \
	ZSTD_LEGACY_SUPPORT=0 libzstd.a
cp lib/libzstd.a "$SYSROOT/lib/"
cp lib/zstd.h lib/zstd_errors.h "$SYSROOT/include/"
