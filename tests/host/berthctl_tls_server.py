#!/usr/bin/env python3
"""berthctl_tls_server.py — a stand-in for berth-apid's appliance endpoints,
for tests/host/berthctl_tls.sh: HTTPS on 127.0.0.1 (a free port, written to
PORTFILE), a client certificate required and checked against CA, the role
taken from the certificate's O, canned JSON answers, and one line per request
("METHOD TARGET HOST-HEADER ROLE") appended to LOG.

usage: berthctl_tls_server.py CERT KEY CA PORTFILE LOG
"""
import http.server
import json
import os
import socket
import ssl
import sys

CERT, KEY, CA, PORTFILE, LOG = sys.argv[1:6]

SERVICES = [
    {"Name": "berthd", "State": "running", "Pid": 42, "Restarts": 1, "UptimeMs": 12345},
    {"Name": "berth-apid", "State": "backoff", "Pid": 0, "Restarts": 3, "UptimeMs": 0},
]
SYSTEM = {
    "Version": "28.2.2-berth", "UptimeSeconds": 3600, "BootTime": "2026-11-30T21:00:00Z",
    "Data": {"Path": "/var/lib/berth", "TotalBytes": 1073741824, "FreeBytes": 536870912,
             "AvailableBytes": 500000000},
    "Certificates": {"ServerNotAfter": "2029-03-05T12:00:00Z", "ClientCANotAfter": "2036-11-28T12:00:00Z"},
}
CONTAINERS = [{"Id": "0123456789abcdef0123", "Image": "alpine:3.20", "Status": "Up 5 minutes",
               "Names": ["/web"]}]
METRICS = "# TYPE berth_build_info gauge\nberth_build_info{version=\"28.2.2-berth\"} 1\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def role(self):
        for rdn in self.connection.getpeercert().get("subject", ()):
            for key, value in rdn:
                if key == "organizationName":
                    return value
        return "none"

    def send(self, status, body=b"", ctype="application/json"):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if status != 204:
            self.wfile.write(body)

    def chunked(self, parts, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for p in parts:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(p), p))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")

    def logline(self):
        with open(LOG, "a") as f:
            f.write("%s %s %s %s\n" % (self.command, self.path, self.headers.get("Host"), self.role()))

    def do_GET(self):
        self.logline()
        role = self.role()
        if self.path == "/berth/v1/services":
            return self.send(200, SERVICES)
        if self.path == "/berth/v1/system":
            return self.send(200, SYSTEM)
        if self.path == "/containers/json?all=1":
            return self.send(200, CONTAINERS)
        if self.path == "/metrics":
            return self.chunked([METRICS.encode()], "text/plain; version=0.0.4")
        if self.path.startswith("/berth/v1/logs?service="):
            if role == "monitor":
                return self.send(403, {"message": "role monitor may not GET /berth/v1/logs: it needs viewer"})
            follow = self.path.endswith("&follow=1")
            lines = [b"line one\n", b"line two\n"] + ([b"followed\n"] if follow else [])
            return self.chunked(lines, "text/plain")
        return self.send(404, {"message": "page not found"})

    def do_POST(self):
        self.logline()
        role = self.role()
        if self.path.startswith("/berth/v1/"):
            if role != "admin":
                return self.send(403, {"message": "role %s may not POST %s: it needs admin" % (role, self.path)})
            if self.path.startswith("/berth/v1/services/"):
                name = self.path.split("/")[4]
                if name not in [s["Name"] for s in SERVICES]:
                    return self.send(404, {"message": "PID 1: no such service: %s" % name})
            return self.send(204)
        return self.send(404, {"message": "page not found"})


class Server(http.server.ThreadingHTTPServer):
    """The handshake in the connection's thread; a refused one is followed,
    as berth-apid does, by FIN and a drain so that the client reads the alert
    instead of a reset."""

    def finish_request(self, request, client_address):
        tls = ctx.wrap_socket(request, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        except (ssl.SSLError, OSError):
            try:
                socket.socket.shutdown(tls, socket.SHUT_WR)
                tls.settimeout(0.5)
                while socket.socket.recv(tls, 4096):
                    pass
            except OSError:
                pass
            tls.close()
            return
        self.RequestHandlerClass(tls, client_address, self)


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
ctx.load_verify_locations(CA)
ctx.verify_mode = ssl.CERT_REQUIRED
srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
