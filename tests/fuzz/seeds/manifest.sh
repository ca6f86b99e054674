#!/bin/bash
# Seeds for fuzz_manifest: an OCI index, manifest and config, and a
# docker-save manifest.json, each small and valid.
set -eu
out=$1
D=sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
printf '{"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"annotations":{"org.opencontainers.image.ref.name":"a:1"}}]}' "$D" > "$out/index"
printf '{"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":1},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":2}]}' "$D" "$D" > "$out/manifest"
printf '{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":["%s"]}}' "$D" > "$out/config"
printf '[{"Config":"a.json","RepoTags":["a:1"],"Layers":["x/layer.tar"]}]' > "$out/docker"
