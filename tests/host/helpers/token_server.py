#!/usr/bin/env python3
"""token_server.py — a registry token server (the distribution token
protocol) for pull_auth.sh.

Usage: token_server.py TLS_CERT TLS_KEY SIGN_CERT SIGN_KEY USER PASSWORD
Serves HTTPS on 127.0.0.1 (prints its port): GET /token?service=S&scope=…
with Basic USER:PASSWORD (or none: anonymous, no access) answers
{"token": <ES256 JWT with the signing certificate in x5c>, "expires_in": 300}
granting what the scopes ask; wrong credentials get 401.
"""
import base64
import http.server
import json
import os
import socketserver
import ssl
import sys
import time
import urllib.parse

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography import x509

tls_cert, tls_key, sign_cert, sign_key, user, password = sys.argv[1:7]
with open(sign_key, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), None)
with open(sign_cert, "rb") as f:
    der = x509.load_pem_x509_certificate(f.read()).public_bytes(serialization.Encoding.DER)


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt(service, access, sub):
    hdr = {"alg": "ES256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
    now = int(time.time())
    claims = {"iss": "berth-test-issuer", "sub": sub, "aud": service, "exp": now + 300, "nbf": now - 10,
              "iat": now, "jti": b64u(os.urandom(12)), "access": access}
    signing = b64u(json.dumps(hdr).encode()) + "." + b64u(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(signing.encode(), ec.ECDSA(hashes.SHA256())))
    return signing + "." + b64u(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def answer(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        auth = self.headers.get("Authorization", "")
        sub = ""
        if auth.startswith("Basic "):
            if base64.b64decode(auth[6:]).decode() != user + ":" + password:
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]})
            sub = user
        access = []
        for scope in q.get("scope", []):
            parts = scope.split(":")
            if len(parts) >= 3 and parts[0] == "repository" and sub:
                access.append({"type": "repository", "name": ":".join(parts[1:-1]),
                               "actions": parts[-1].split(",")})
        self.answer(200, {"token": jwt(q.get("service", [""])[0], access, sub), "expires_in": 300})


class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = S(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(tls_cert, tls_key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
