# jsmn: a single header; berth includes it with JSMN_STATIC in one module.
cp usr/include/jsmn.h "$SYSROOT/include/"
