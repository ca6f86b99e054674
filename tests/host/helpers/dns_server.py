#!/usr/bin/env python3
"""dns_server.py — answers A queries for one name on 127.0.0.1:53/udp, for
pull_registry.sh (run in the test's own network namespace).

Usage: dns_server.py NAME ADDRESS   (prints "ready"; other names: NXDOMAIN;
a query for NAME is answered through a CNAME to cname.NAME, as CDNs do)
"""
import socket
import sys

name, addr = sys.argv[1].rstrip(".").lower(), sys.argv[2]


def qname(m):
    labels, o = [], 12
    while m[o]:
        labels.append(m[o + 1:o + 1 + m[o]].decode().lower())
        o += 1 + m[o]
    return ".".join(labels), o + 5


s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    m, peer = s.recvfrom(512)
    q, end = qname(m)
    if q != name:
        s.sendto(m[:2] + b"\x81\x83" + m[4:6] + b"\0\0\0\0\0\0" + m[12:end], peer)
        continue
    target = b"\x05cname\xc0\x0c"
    ans = b"\xc0\x0c\x00\x05\x00\x01\x00\x00\x00\x3c" + len(target).to_bytes(2, "big") + target
    ans += (b"\xc0" + bytes([end + 10]) + b"\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04" +
            socket.inet_aton(addr))
    s.sendto(m[:2] + b"\x81\x80" + m[4:6] + b"\x00\x02\0\0\0\0" + m[12:end] + ans, peer)
