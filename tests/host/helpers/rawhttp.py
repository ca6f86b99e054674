#!/usr/bin/env python3
"""rawhttp.py — send raw bytes to a Unix socket and print what comes back
(engine_api.sh's malformed-request checks).

  rawhttp.py SOCK send  HEXBYTES|@FILE     print the reply's status line
  rawhttp.py SOCK sendclose HEX|@FILE      the same, closing our side after sending
  rawhttp.py SOCK hold  N                  open N connections, each sending
                                           half a request; print how many
                                           were answered at once (503), then
                                           keep them open until stdin closes
"""
import socket, sys, time

def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def status(s, timeout=5):
    s.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            b = s.recv(4096)
            if not b:
                break
            data += b
    except socket.timeout:
        return "TIMEOUT"
    return data.split(b"\r\n", 1)[0].decode("latin1") if data else "CLOSED"

def main():
    path, cmd, arg = sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd in ("send", "sendclose"):
        data = open(arg[1:], "rb").read() if arg.startswith("@") else bytes.fromhex(arg)
        s = conn(path)
        try:
            s.sendall(data)
            if cmd == "sendclose":
                s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        print(status(s))
    elif cmd == "hold":
        socks, answered = [], 0
        for _ in range(int(arg)):
            s = conn(path)
            s.sendall(b"GET /_ping HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        time.sleep(0.3)
        for s in socks:
            s.setblocking(False)
            try:
                if s.recv(64).startswith(b"HTTP/1.1 503"):
                    answered += 1
            except BlockingIOError:
                pass
        try:
            print(answered, flush=True)
            sys.stdin.read()
        except BrokenPipeError:
            pass

main()
