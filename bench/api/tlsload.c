/* tlsload.c — a keep-alive GET /_ping load client over mutual TLS 1.2
 * (OpenSSL): CONNS connections (threads), each handshaking once, then
 * sending one HTTP/1.1 request at a time and reading the whole answer, for
 * SECONDS; prints requests per second. bench/api/run.sh uses it beside
 * `ab -k`, whose HTTP/1.0 keep-alive needs a `Connection: keep-alive` in
 * the answer that berthd (behind apid) does not send.
 *
 * usage: tlsload PORT CERT_AND_KEY.pem SECONDS [CONNS]   (127.0.0.1)
 * exit codes: 0 ok, 1 a request failed, 100 usage
 * The load loop is bench/lib/load.c; this file is the TLS transport.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/load.h"

struct target {
	SSL_CTX *ctx;
	int port;
};

static void tls_close(void *conn)
{
	SSL *s = conn;
	int fd = SSL_get_fd(s);

	SSL_free(s);
	if (fd >= 0)
		close(fd);
}

/* A TCP connection to 127.0.0.1:port, handshaken. */
static void *tls_open(void *arg)
{
	const struct target *t = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)t->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	SSL *s = SSL_new(t->ctx);

	if (fd < 0 || !s || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || !SSL_set_fd(s, fd)) {
		SSL_free(s);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (SSL_connect(s) != 1) {
		tls_close(s);
		return NULL;
	}
	return s;
}

static int tls_write(void *conn, const char *buf, size_t len)
{
	return SSL_write(conn, buf, (int)len) == (int)len ? 0 : -1;
}

static long tls_read(void *conn, char *buf, size_t len)
{
	return SSL_read(conn, buf, (int)len);
}

int main(int argc, char **argv)
{
	static const char req[] = "GET /_ping HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tlsload\r\n\r\n";
	static const struct load_ops ops = { tls_open, tls_write, tls_read, tls_close };
	int conns = argc > 4 ? atoi(argv[4]) : 1, failed;
	double secs = argc > 3 ? atof(argv[3]) : 0, rate;
	struct target t;

	if (argc < 4 || secs <= 0 || conns < 1 || conns > LOAD_CONNS_MAX) {
		fprintf(stderr, "usage: tlsload PORT CERT_AND_KEY.pem SECONDS [CONNS 1..%d]\n", LOAD_CONNS_MAX);
		return 100;
	}
	t = (struct target){ .ctx = SSL_CTX_new(TLS_client_method()), .port = atoi(argv[1]) };
	if (!t.ctx || !SSL_CTX_set_min_proto_version(t.ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(t.ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(t.ctx, argv[2]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(t.ctx, argv[2], SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "tlsload: %s: cannot load the certificate and key\n", argv[2]);
		return 1;
	}
	rate = load_run(&ops, &t, req, secs, conns, &failed);
	printf("%.0f\n", rate);
	if (failed)
		fprintf(stderr, "tlsload: a connection failed\n");
	SSL_CTX_free(t.ctx);
	return failed;
}
