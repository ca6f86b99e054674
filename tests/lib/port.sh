# port.sh — free_port: a TCP port on 127.0.0.1 that nothing listens on now
# (the kernel's pick for a bind to port 0; python3). Sourced by daemons.sh,
# and alone by scripts that start their own servers (system tests, benches).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
