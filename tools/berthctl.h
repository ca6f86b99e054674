/* berthctl.h — shared by berthctl's local (PID 1's control socket) and
 * remote (HTTPS to berth-apid) halves. */
#ifndef BERTH_TOOLS_BERTHCTL_H
#define BERTH_TOOLS_BERTHCTL_H

/* Exit codes. */
#define BCTL_OK 0
#define BCTL_REFUSED 1          /* the other side refused (its reason printed) */
#define BCTL_USAGE 100
#define BCTL_SYS 111            /* connect, TLS, send, receive failed */

struct bctl_remote {
	const char *host;       /* as given: tcp://HOST:PORT, HOST:PORT or HOST */
	const char *tlsdir;     /* ca.pem, cert.pem, key.pem */
};

/* Run COMMAND (argv[0]) with its arguments against berth-apid; returns an exit code.
 * Prints results on stdout and one line per error on stderr. */
int bctl_remote_main(const struct bctl_remote *r, int argc, char **argv);

#endif
