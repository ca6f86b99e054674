/* tls_server.c — a small lib/tls HTTPS server for tests/host/tls_interop.sh:
 * 127.0.0.1 on a free port (written to PORTFILE), a thread per connection,
 * one request per connection. HEAD/GET /_ping answers OK with Api-Version;
 * GET /vX/version a minimal version object; a container "x" that is running
 * (inspect, wait) whose attach is upgraded (101), takes the client's
 * close_notify as end of input (tls_conn_half_close_input, printing
 * "attach: input ended") and then writes "hi\n" as a stdout frame; anything
 * else a JSON object with the client's identity and whether the session was
 * resumed. Each refused handshake prints "refused FAIL REASON" on stdout.
 *
 * usage: tls_server CERT KEY CLIENT_CA PORTFILE
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/http.h"
#include "lib/tls.h"

static struct tls_server srv;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static void say(const char *line)
{
	pthread_mutex_lock(&out_lock);
	printf("%s\n", line);
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

/* The hijack of DOCKER_API.md 5.1: 101, the client's CloseWrite (its
 * close_notify) ends input only, then the output. */
static void attach(struct tls_conn *c)
{
	static const char head[] = "HTTP/1.1 101 UPGRADED\r\nApi-Version: 1.47\r\n"
				   "Content-Type: application/vnd.docker.multiplexed-stream\r\n"
				   "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
	static const char frame[] = { 1, 0, 0, 0, 0, 0, 0, 3, 'h', 'i', '\n' };
	long long dl = tls_now_ms() + 5000;
	struct berr e;
	char buf[256];

	if (tls_conn_write_all(c, head, sizeof head - 1, dl, &e) < 0 || tls_conn_flush(c, dl, &e) < 0)
		return;
	tls_conn_half_close_input(c);
	if (tls_conn_read(c, buf, sizeof buf, dl, &e) == 0)
		say("attach: input ended");
	if (tls_conn_write_all(c, frame, sizeof frame, dl, &e) < 0 || tls_conn_flush(c, dl, &e) < 0)
		say("attach: output failed");
	tls_conn_close(c, dl);
}

static void answer(struct tls_conn *c, struct http_parser *p)
{
	char body[1024], head[512];
	const struct tls_peer_id *id = tls_conn_peer(c);
	struct berr e;
	long long dl = tls_now_ms() + 5000;
	const char *ctype = "application/json";
	int head_only = !strcmp(p->method, "HEAD");

	if (strstr(p->target, "/containers/x/attach")) {
		attach(c);
		return;
	} else if (strstr(p->target, "/containers/x/json")) {
		snprintf(body, sizeof body,
			 "{\"Id\":\"0123456789abcdef0123456789abcdef\",\"Name\":\"/x\",\"Config\":"
			 "{\"Tty\":false,\"OpenStdin\":false,\"AttachStdin\":false},\"State\":"
			 "{\"Status\":\"running\",\"Running\":true,\"Paused\":false,\"Restarting\":false,"
			 "\"ExitCode\":0},\"HostConfig\":{}}");
	} else if (strstr(p->target, "/containers/x/wait")) {
		snprintf(body, sizeof body, "{\"StatusCode\":0}");
	} else if (strstr(p->target, "/_ping")) {
		snprintf(body, sizeof body, "OK");
		ctype = "text/plain; charset=utf-8";
	} else if (strstr(p->target, "/version")) {
		snprintf(body, sizeof body,
			 "{\"Version\":\"tls-test\",\"ApiVersion\":\"1.47\",\"MinAPIVersion\":\"1.24\","
			 "\"Os\":\"linux\",\"Arch\":\"amd64\",\"Components\":[]}");
	} else {
		snprintf(body, sizeof body, "{\"Subject\":\"%s\",\"Serial\":\"%s\",\"Resumed\":%d}",
			 id->subject, id->serial, tls_conn_resumed(c));
	}
	snprintf(head, sizeof head,
		 "HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n", ctype, strlen(body));
	if (tls_conn_write_all(c, head, strlen(head), dl, &e) == 0 &&
	    (head_only || tls_conn_write_all(c, body, strlen(body), dl, &e) == 0) &&
	    tls_conn_flush(c, dl, &e) == 0)
		tls_conn_close(c, dl);
}

static void *serve(void *arg)
{
	int fd = (int)(long)arg;
	struct tls_conn *c = malloc(sizeof *c);
	struct http_parser *p = malloc(sizeof *p);
	struct berr e;
	char buf[4096];
	long long dl = tls_now_ms() + 5000;

	if (!c || !p || tls_conn_server(c, &srv, fd, &e) < 0)
		goto out;
	if (tls_conn_handshake(c, dl, &e) < 0) {
		char line[128];
		snprintf(line, sizeof line, "refused %d %s", (int)tls_conn_failure(c),
			 tls_conn_failure_reason(c));
		say(line);
		goto fini;
	}
	http_parser_init(p, HTTP_REQUEST);
	for (int ev = HTTP_NEED_MORE; ev != HTTP_DONE && ev != HTTP_UPGRADE;) {
		long n = tls_conn_read(c, buf, sizeof buf, dl, &e);
		size_t off = 0;
		if (n <= 0)
			goto fini;
		while (off < (size_t)n || ev == HTTP_HEAD || ev == HTTP_BODY) {
			size_t used = 0;
			ev = http_feed(p, buf + off, (size_t)n - off, &used, &e);
			off += used;
			if (ev < 0)
				goto fini;
			if (ev == HTTP_DONE || ev == HTTP_UPGRADE || ev == HTTP_NEED_MORE)
				break;
		}
	}
	answer(c, p);
fini:
	tls_conn_fini(c);
out:
	free(c);
	free(p);
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	struct tls_creds cr;
	struct tls_anchors ca;
	struct berr e;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof a;
	int ls;
	FILE *f;

	if (argc != 5) {
		fprintf(stderr, "usage: tls_server CERT KEY CLIENT_CA PORTFILE\n");
		return 100;
	}
	struct tls_server_conf conf = { .creds = &cr, .client_ca = &ca, .session_cache_bytes = 64 << 10 };
	if (tls_creds_load(&cr, argv[1], argv[2], &e) < 0 || tls_anchors_load(&ca, argv[3], &e) < 0 ||
	    tls_server_init(&srv, &conf, &e) < 0) {
		fprintf(stderr, "tls_server: %s\n", e.msg);
		return 1;
	}
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 64) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &al) < 0) {
		perror("tls_server: listen");
		return 111;
	}
	f = fopen(argv[4], "w");
	if (!f || fprintf(f, "%d\n", ntohs(a.sin_port)) < 0 || fclose(f) != 0) {
		perror("tls_server: port file");
		return 111;
	}
	for (;;) {
		int fd = accept(ls, NULL, NULL);
		pthread_t t;
		if (fd < 0)
			continue;
		if (pthread_create(&t, NULL, serve, (void *)(long)fd) != 0) {
			close(fd);
			continue;
		}
		pthread_detach(t);
	}
}
