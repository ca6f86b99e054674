/* tlsload.c — a keep-alive GET /_ping load client over mutual TLS 1.2
 * (OpenSSL): CONNS connections (threads), each handshaking once, then
 * sending one HTTP/1.1 request at a time and reading the whole answer, for
 * SECONDS; prints requests per second. bench/api/run.sh uses it beside
 * `ab -k`, whose HTTP/1.0 keep-alive needs a `Connection: keep-alive` in
 * the answer that berthd (behind apid) does not send.
 *
 * usage: tlsload PORT CERT_AND_KEY.pem SECONDS [CONNS]   (127.0.0.1)
 * exit codes: 0 ok, 1 a request failed, 100 usage
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNS_MAX 64

struct worker {
	SSL_CTX *ctx;
	int port;
	double until;
	long done;
	int failed;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One response: the head, then Content-Length bytes (one request at a time,
 * so nothing follows it). */
static int read_response(SSL *s, char *buf, size_t size)
{
	size_t have = 0;

	for (;;) {
		int n = SSL_read(s, buf + have, (int)(size - 1 - have));
		char *end, *cl;
		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strcasestr(buf, "\r\ncontent-length:");
		if (!cl || cl > end)
			return -1;
		if (have >= (size_t)(end + 4 - buf) + strtoul(cl + 17, NULL, 10))
			return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : -1;
	}
}

static void *work(void *arg)
{
	static const char req[] = "GET /_ping HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tlsload\r\n\r\n";
	struct worker *w = arg;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)w->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char buf[4096];
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	SSL *s = SSL_new(w->ctx);

	if (fd < 0 || !s || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || !SSL_set_fd(s, fd) ||
	    SSL_connect(s) != 1) {
		w->failed = 1;
		goto out;
	}
	while (now() < w->until) {
		if (SSL_write(s, req, sizeof(req) - 1) != (int)sizeof(req) - 1 ||
		    read_response(s, buf, sizeof(buf)) < 0) {
			w->failed = 1;
			break;
		}
		w->done++;
	}
out:
	SSL_free(s);
	if (fd >= 0)
		close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct worker w[CONNS_MAX];
	pthread_t t[CONNS_MAX];
	int conns = argc > 4 ? atoi(argv[4]) : 1, failed = 0;
	double secs = argc > 3 ? atof(argv[3]) : 0, start;
	long total = 0;
	SSL_CTX *ctx;

	if (argc < 4 || secs <= 0 || conns < 1 || conns > CONNS_MAX) {
		fprintf(stderr, "usage: tlsload PORT CERT_AND_KEY.pem SECONDS [CONNS 1..%d]\n", CONNS_MAX);
		return 100;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
	    !SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION) ||
	    SSL_CTX_use_certificate_chain_file(ctx, argv[2]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) {
		fprintf(stderr, "tlsload: %s: cannot load the certificate and key\n", argv[2]);
		return 1;
	}
	start = now();
	for (int i = 0; i < conns; i++) {
		w[i] = (struct worker){ .ctx = ctx, .port = atoi(argv[1]), .until = start + secs };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (int i = 0; i < conns; i++) {
		pthread_join(t[i], NULL);
		total += w[i].done;
		failed |= w[i].failed;
	}
	printf("%.0f\n", (double)total / (now() - start));
	if (failed)
		fprintf(stderr, "tlsload: a connection failed\n");
	SSL_CTX_free(ctx);
	return failed;
}
