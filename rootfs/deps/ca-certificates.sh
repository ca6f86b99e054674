# ca-certificates: every Mozilla certificate of the .deb, in name order, into
# one PEM bundle (what update-ca-certificates makes of them by default).
mkdir -p "$SYSROOT/share"
find usr/share/ca-certificates/mozilla -name '*.crt' | LC_ALL=C sort | xargs cat > "$SYSROOT/share/ca-certificates.crt.tmp"
[ -s "$SYSROOT/share/ca-certificates.crt.tmp" ]
mv "$SYSROOT/share/ca-certificates.crt.tmp" "$SYSROOT/share/ca-certificates.crt"
