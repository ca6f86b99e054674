#!/usr/bin/env python3
"""fake_registry.py — a registry that lies, for pull_registry.sh.

Usage: fake_registry.py OCI_DIR CERT KEY   (prints its port, serves HTTPS on 127.0.0.1)
Repositories (every one serves the OCI layout's image manifest as tag v1):
  bad/manifest     any manifest GET answers the manifest with a byte added
  bad/bigblob      blobs come with 100 extra bytes
  bad/blobdigest   blobs have their last byte changed
  bad/redirect     blobs redirect to plaintext http://
  slow/busy        blobs are sent after a second
  flaky/busy       the first GET of each blob is cut off halfway (the
                   connection closes); Range requests are answered with 206
                   and logged on stderr ("range sha256:… N")
  multi/busy       tag v1 is an OCI index: linux/arm64 (a manifest that does
                   not exist) and linux/amd64 (the image)
  shared/busy      as slow/busy, and each blob GET logged ("get sha256:…")
  dead/busy        every blob is cut off halfway, Range requests get 503
  rangeonly/busy   blobs only by Range (206); a GET from the start gets 500
"""
import http.server
import json
import os
import socketserver
import ssl
import sys
import time

oci, cert, key = sys.argv[1:4]
with open(os.path.join(oci, "index.json")) as f:
    mdesc = json.load(f)["manifests"][0]
with open(os.path.join(oci, "blobs", "sha256", mdesc["digest"][7:]), "rb") as f:
    manifest = f.read()
index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
    {"mediaType": mdesc["mediaType"], "digest": "sha256:" + "0" * 64, "size": 10,
     "platform": {"os": "linux", "architecture": "arm64"}},
    {"mediaType": mdesc["mediaType"], "digest": mdesc["digest"], "size": mdesc["size"],
     "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
cut = set()


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", ctype="application/octet-stream", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/v2/":
            return self.send(200, b"{}", "application/json")
        parts = p.split("/")
        if len(parts) < 6 or parts[1] != "v2":
            return self.send(404)
        repo, kind, ref = "/".join(parts[2:-2]), parts[-2], parts[-1]
        if kind == "manifests" and repo == "multi/busy" and ref == "v1":
            return self.send(200, index, "application/vnd.oci.image.index.v1+json")
        if kind == "manifests" and ref.startswith("sha256:") and ref != mdesc["digest"] and repo != "bad/manifest":
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}', "application/json")
        if kind == "manifests":
            body = manifest + (b" " if repo == "bad/manifest" else b"")
            return self.send(200, body, mdesc["mediaType"])
        if kind != "blobs" or not ref.startswith("sha256:"):
            return self.send(404)
        path = os.path.join(oci, "blobs", "sha256", ref[7:])
        if not os.path.exists(path):
            return self.send(404)
        with open(path, "rb") as f:
            data = f.read()
        if repo == "bad/bigblob":
            data += b"\0" * 100
        elif repo == "bad/blobdigest":
            data = data[:-1] + bytes([data[-1] ^ 1])
        elif repo == "flaky/busy":
            rng = self.headers.get("Range", "")
            if rng.startswith("bytes="):
                start = int(rng[6:].split("-")[0])
                sys.stderr.write("range %s %d\n" % (ref, start))
                sys.stderr.flush()
                return self.send(206, data[start:], extra=[
                    ("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))])
            if ref not in cut and len(data) > 1000:
                cut.add(ref)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[:len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(2)
                return
        elif repo in ("slow/busy", "shared/busy"):
            if repo == "shared/busy":
                sys.stderr.write("get %s\n" % ref)
                sys.stderr.flush()
            time.sleep(1)
        elif repo == "dead/busy":
            if self.headers.get("Range"):
                return self.send(503)
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        elif repo == "rangeonly/busy":
            rng = self.headers.get("Range", "")
            if not rng.startswith("bytes="):
                return self.send(500)
            start = int(rng[6:].split("-")[0])
            return self.send(206, data[start:], extra=[
                ("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))])
        elif repo == "bad/redirect":
            return self.send(307, b"", extra=[("Location", "http://127.0.0.1:%d/blob" % port)])
        self.send(200, data)


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
port = srv.server_address[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(port, flush=True)
srv.serve_forever()
