/* berthctl_remote.c — berthctl against berth-apid: HTTPS with a client
 * certificate (lib/tls), requests and responses through lib/http, answers
 * read with lib/json. One connection per command. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/http.h"
#include "lib/json.h"
#include "lib/tls.h"
#include "tools/berthctl.h"
#include "tools/berthctl_update.h"

#define CONNECT_MS 10000
#define REPLY_MS 60000
#define BODY_MAX (8u << 20)
#define JSON_TOKENS 65536
#define DEFAULT_PORT "2376"
#define UPLOAD_BUF 65536
#define CONTINUE_MS 3000	/* how long an update waits for apid's 100 Continue */

struct session {
	char where[300];                 /* HOST:PORT, for messages */
	char host[256], port[8];
	const char *tlsdir;
	int fd;
	struct tls_anchors ca;
	struct tls_creds creds;
	int have_creds;
	struct tls_conn *tls;
};

/* What a response body is for: kept whole (JSON), or copied to stdout. */
struct reply {
	int stream;
	int status;
	char *body;
	size_t len, cap;
};

static int fail(const struct session *s, int code, const char *fmt, const char *what)
{
	fprintf(stderr, "berthctl: error: %s: ", s->where);
	fprintf(stderr, fmt, what);
	fputc('\n', stderr);
	return code;
}

/* tcp://HOST:PORT, HOST:PORT, [V6]:PORT, HOST or a bare IPv6 address. */
static int parse_host(struct session *s, const char *spec)
{
	const char *h = spec, *colon;
	size_t hl;

	if (!strncmp(h, "tcp://", 6))
		h += 6;
	else if (strstr(h, "://"))
		return -1;
	snprintf(s->port, sizeof s->port, "%s", DEFAULT_PORT);
	if (*h == '[') {
		const char *end = strchr(h, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -1;
		hl = (size_t)(end - h - 1);
		if (end[1] == ':')
			snprintf(s->port, sizeof s->port, "%s", end + 2);
		h++;
	} else if ((colon = strchr(h, ':')) && !strchr(colon + 1, ':')) {
		hl = (size_t)(colon - h);
		snprintf(s->port, sizeof s->port, "%s", colon + 1);
	} else {
		hl = strlen(h);
		if (hl && h[hl - 1] == '/')
			hl--;
	}
	if (hl == 0 || hl >= sizeof s->host || !s->port[0] || strspn(s->port, "0123456789") != strlen(s->port))
		return -1;
	memcpy(s->host, h, hl);
	s->host[hl] = '\0';
	snprintf(s->where, sizeof s->where, strchr(s->host, ':') ? "[%s]:%s" : "%s:%s", s->host, s->port);
	return 0;
}

static int connect_one(const struct addrinfo *ai, int *err)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	struct pollfd p;
	socklen_t sl = sizeof *err;

	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	p.fd = fd;
	p.events = POLLOUT;
	if (poll(&p, 1, CONNECT_MS) != 1) {
		*err = ETIMEDOUT;
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &sl) < 0 || *err) {
		close(fd);
		return -1;
	}
	return fd;
}

static int dial(struct session *s)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	int r = getaddrinfo(s->host, s->port, &hints, &res), err = 0;

	if (r != 0)
		return fail(s, BCTL_SYS, "cannot resolve the host: %s", gai_strerror(r));
	s->fd = -1;
	for (ai = res; ai && s->fd < 0; ai = ai->ai_next)
		s->fd = connect_one(ai, &err);
	freeaddrinfo(res);
	if (s->fd < 0)
		return fail(s, BCTL_SYS, "cannot connect: %s (is berth-apid listening there?)",
			    strerror(err));
	return 0;
}

static int load_files(struct session *s)
{
	char ca[4096], cert[4096], key[4096];
	struct berr e;

	snprintf(ca, sizeof ca, "%s/ca.pem", s->tlsdir);
	snprintf(cert, sizeof cert, "%s/cert.pem", s->tlsdir);
	snprintf(key, sizeof key, "%s/key.pem", s->tlsdir);
	if (tls_anchors_load(&s->ca, ca, &e) < 0)
		return fail(s, BCTL_USAGE, "the CA to check the server with: %s", e.msg);
	if (access(cert, F_OK) == 0 || access(key, F_OK) == 0) {
		if (tls_creds_load(&s->creds, cert, key, &e) < 0)
			return fail(s, BCTL_USAGE, "the client certificate: %s", e.msg);
		s->have_creds = 1;
	}
	return 0;
}

/* One line saying what went wrong in the handshake, in the user's terms. */
static int handshake_error(struct session *s, const struct berr *e)
{
	const char *r = tls_conn_failure_reason(s->tls);
	char msg[BERR_MSG_MAX + 256];

	if (!strcmp(r, "unknown CA"))
		snprintf(msg, sizeof msg, "the server's certificate is not signed by %s/ca.pem",
			 s->tlsdir);
	else if (!strcmp(r, "the server name is not in the certificate") ||
		 !strcmp(r, "no IP SAN for the server address"))
		snprintf(msg, sizeof msg, "the server's certificate is not valid for %s (%s)", s->host,
			 r);
	else if (!strcmp(r, "expired or not yet valid"))
		snprintf(msg, sizeof msg, "the server's certificate is expired or not yet valid");
	else if (strstr(e->msg, "the peer refused"))
		snprintf(msg, sizeof msg, "the server refused %s (%s)",
			 s->have_creds ? "our client certificate" : "us: no cert.pem/key.pem in the TLS directory",
			 strstr(e->msg, "alert") ? strstr(e->msg, "alert") : e->msg);
	else
		snprintf(msg, sizeof msg, "%s", e->msg + (strncmp(e->msg, "TLS handshake: ", 15) ? 0 : 15));
	return fail(s, BCTL_SYS, "TLS: %s", msg);
}

static int session_open(struct session *s)
{
	struct tls_client_conf cc = { .ca = &s->ca, .server_name = s->host };
	struct berr e;
	int r;

	if ((r = load_files(s)) != 0)
		return r;
	if ((r = dial(s)) != 0)
		return r;
	cc.creds = s->have_creds ? &s->creds : NULL;
	s->tls = malloc(sizeof *s->tls);
	if (!s->tls)
		return fail(s, BCTL_SYS, "%s", "out of memory");
	if (tls_conn_client(s->tls, &cc, s->fd, &e) < 0)
		return fail(s, BCTL_SYS, "%s", e.msg);
	if (tls_conn_handshake(s->tls, tls_now_ms() + CONNECT_MS, &e) < 0)
		return handshake_error(s, &e);
	return 0;
}

static void session_close(struct session *s)
{
	if (s->tls) {
		tls_conn_close(s->tls, tls_now_ms() + 1000);
		tls_conn_fini(s->tls);
		free(s->tls);
	}
	if (s->fd >= 0)
		close(s->fd);
	if (s->ca.n)
		tls_anchors_free(&s->ca);
	if (s->have_creds)
		tls_creds_wipe(&s->creds);
}

static int body_add(struct session *s, struct reply *r, const char *p, size_t n)
{
	if (r->stream && r->status < 300) {
		if (fwrite(p, 1, n, stdout) != n || fflush(stdout) != 0)
			return fail(s, BCTL_SYS, "writing the output: %s", strerror(errno));
		return 0;
	}
	if (n > BODY_MAX - r->len)
		return fail(s, BCTL_SYS, "%s", "answer too large");
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *b = realloc(r->body, cap);
		if (!b)
			return fail(s, BCTL_SYS, "%s", "out of memory");
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, p, n);
	r->len += n;
	r->body[r->len] = '\0';
	return 0;
}

static int send_request(struct session *s, const char *method, const char *target)
{
	char buf[2048];
	struct http_w w;
	struct berr e;
	size_t n;
	long long dl = tls_now_ms() + REPLY_MS;

	http_w_init(&w, buf, sizeof buf);
	http_w_request(&w, method, target);
	http_w_header(&w, "Host", s->where);
	http_w_header(&w, "User-Agent", "berthctl");
	http_w_header(&w, "Connection", "close");
	if (!strcmp(method, "POST"))
		http_w_content_length(&w, 0);
	http_w_end_head(&w);
	if (http_w_finish(&w, &n, &e) < 0)
		return fail(s, BCTL_USAGE, "request: %s", e.msg);
	if (tls_conn_write_all(s->tls, buf, n, dl, &e) < 0 || tls_conn_flush(s->tls, dl, &e) < 0)
		return fail(s, BCTL_SYS, "sending the request: %s", e.msg);
	return 0;
}

/* Feed one read's bytes; 1 when the response is complete. */
static int feed(struct session *s, struct http_parser *p, struct reply *r, const char *in, size_t len)
{
	struct berr e;

	for (;;) {
		size_t used = 0;
		int ev = http_feed(p, in, len, &used, &e), rc;
		in += used;
		len -= used;
		if (ev < 0)
			return -fail(s, BCTL_SYS, "bad answer: %s", e.msg);
		if (ev == HTTP_HEAD)
			r->status = p->status;
		if (ev == HTTP_BODY && (rc = body_add(s, r, p->body, p->body_len)) != 0)
			return -rc;
		if (ev == HTTP_DONE || ev == HTTP_UPGRADE)
			return 1;
		if (ev == HTTP_NEED_MORE)
			return 0;
	}
}

/* Read the response (its first pre_len bytes already read, in pre). */
static int read_reply(struct session *s, struct reply *r, const char *pre, size_t pre_len)
{
	struct http_parser *p = malloc(sizeof *p);
	char buf[16384];
	struct berr e;
	int rc = 0;

	if (!p)
		return fail(s, BCTL_SYS, "%s", "out of memory");
	http_parser_init(p, HTTP_RESPONSE);
	p->body_max = r->stream ? UINT64_MAX : BODY_MAX;
	if (pre_len)
		rc = feed(s, p, r, pre, pre_len);
	while (rc == 0) {
		long n = tls_conn_read(s->tls, buf, sizeof buf, r->stream ? -1 : tls_now_ms() + REPLY_MS, &e);
		if (n < 0) {
			rc = -fail(s, BCTL_SYS, "reading the answer: %s", e.msg);
		} else if (n == 0) {
			int ev = http_eof(p, &e);
			rc = ev == HTTP_DONE ? 1 : -fail(s, BCTL_SYS, "the connection ended early%s",
							   r->status ? " (answer cut short)" : "");
		} else {
			rc = feed(s, p, r, buf, (size_t)n);
		}
	}
	free(p);
	return rc < 0 ? -rc : 0;
}

/* A refusal: the status and the answer's "message". */
static int refused(struct session *s, const struct reply *r)
{
	jsmntok_t tok[64];
	struct json j;
	struct berr e;
	char msg[1024] = "";
	int m;

	if (r->body && json_parse(&j, r->body, r->len, tok, 64, &e) == 0 &&
	    (m = json_get(&j, 0, "message")) >= 0)
		json_str(&j, m, msg, sizeof msg, &e);
	else if (r->body)
		snprintf(msg, sizeof msg, "%.*s", (int)strcspn(r->body, "\r\n"), r->body);
	fprintf(stderr, "berthctl: error: %s: %d %s%s%s\n", s->where, r->status, http_reason(r->status),
		msg[0] ? ": " : "", msg);
	return BCTL_REFUSED;
}

/* GET or POST target; r->body holds a non-streamed answer. */
static int call(struct session *s, const char *method, const char *target, struct reply *r)
{
	int rc = session_open(s);

	if (rc == 0)
		rc = send_request(s, method, target);
	if (rc == 0)
		rc = read_reply(s, r, NULL, 0);
	if (rc == 0 && r->status >= 300)
		rc = refused(s, r);
	return rc;
}

static int parse_json(struct session *s, const struct reply *r, struct json *j, jsmntok_t **tok)
{
	struct berr e;

	*tok = malloc(JSON_TOKENS * sizeof **tok);
	if (!*tok)
		return fail(s, BCTL_SYS, "%s", "out of memory");
	if (!r->body || json_parse(j, r->body, r->len, *tok, JSON_TOKENS, &e) < 0)
		return fail(s, BCTL_SYS, "bad JSON in the answer: %s", r->body ? e.msg : "empty");
	return 0;
}

static void jstr(const struct json *j, int obj, const char *key, char *out, size_t n)
{
	struct berr e;
	int v = json_get(j, obj, key);

	if (v < 0 || json_str(j, v, out, n, &e) < 0)
		snprintf(out, n, "-");
}

static uint64_t ju64(const struct json *j, int obj, const char *key)
{
	struct berr e;
	uint64_t v = 0;
	int t = json_get(j, obj, key);

	if (t >= 0)
		json_u64(j, t, &v, &e);
	return v;
}

static int show_services(struct session *s, const struct reply *r)
{
	struct json j;
	jsmntok_t *tok;
	int rc = parse_json(s, r, &j, &tok), el;

	if (rc == 0) {
		printf("%-20s %-9s %7s %8s %14s\n", "NAME", "STATE", "PID", "RESTARTS", "UPTIME(s)");
		for (int i = 0; (el = json_at(&j, 0, i)) >= 0; i++) {
			char name[64], state[16];
			uint64_t up = ju64(&j, el, "UptimeMs");
			jstr(&j, el, "Name", name, sizeof name);
			jstr(&j, el, "State", state, sizeof state);
			printf("%-20s %-9s %7llu %8llu %10llu.%03llu\n", name, state,
			       (unsigned long long)ju64(&j, el, "Pid"), (unsigned long long)ju64(&j, el, "Restarts"),
			       (unsigned long long)up / 1000, (unsigned long long)up % 1000);
		}
	}
	free(tok);
	return rc;
}

static void human(uint64_t b, char *out, size_t n)
{
	static const char *u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, n, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static int show_system(struct session *s, const struct reply *r)
{
	struct json j;
	jsmntok_t *tok;
	int rc = parse_json(s, r, &j, &tok), d, c, sl;
	char a[64], b[64], t[64];

	if (rc == 0) {
		jstr(&j, 0, "Version", a, sizeof a);
		printf("Version:            %s\n", a);
		jstr(&j, 0, "BootTime", a, sizeof a);
		printf("Uptime:             %llu s (booted %s)\n",
		       (unsigned long long)ju64(&j, 0, "UptimeSeconds"), a);
		if ((d = json_get(&j, 0, "Data")) >= 0) {
			uint64_t tot = ju64(&j, d, "TotalBytes"), fr = ju64(&j, d, "FreeBytes");
			jstr(&j, d, "Path", t, sizeof t);
			human(tot - (fr < tot ? fr : tot), a, sizeof a);
			human(tot, b, sizeof b);
			printf("Data:               %s: %s used of %s\n", t, a, b);
		}
		if ((c = json_get(&j, 0, "Certificates")) >= 0) {
			jstr(&j, c, "ServerNotAfter", a, sizeof a);
			jstr(&j, c, "ClientCANotAfter", b, sizeof b);
			printf("Server certificate: expires %s\n", a);
			printf("Client CA:          expires %s\n", b);
		}
		if ((sl = json_get(&j, 0, "Slots")) >= 0)
			printf("Slots:              %.*s\n", (int)(tok[sl].end - tok[sl].start),
			       r->body + tok[sl].start);
	}
	free(tok);
	return rc;
}

static int show_ps(struct session *s, const struct reply *r)
{
	struct json j;
	jsmntok_t *tok;
	int rc = parse_json(s, r, &j, &tok), el, names;

	if (rc == 0) {
		printf("%-12s  %-24s  %-24s  %s\n", "CONTAINER ID", "IMAGE", "STATUS", "NAMES");
		for (int i = 0; (el = json_at(&j, 0, i)) >= 0; i++) {
			char id[80], image[128], status[64], name[128] = "-";
			struct berr e;
			jstr(&j, el, "Id", id, sizeof id);
			jstr(&j, el, "Image", image, sizeof image);
			jstr(&j, el, "Status", status, sizeof status);
			if ((names = json_get(&j, el, "Names")) >= 0 && json_at(&j, names, 0) >= 0)
				json_str(&j, json_at(&j, names, 0), name, sizeof name, &e);
			printf("%-12.12s  %-24.24s  %-24.24s  %s\n", id, image, status,
			       name[0] == '/' ? name + 1 : name);
		}
	}
	free(tok);
	return rc;
}

/* Progress of an upload on stderr: one line rewritten on a terminal, else
 * a line at every quarter. */
static void progress(long long sent, long long size, int *shown)
{
	int pct = size > 0 ? (int)(sent * 100 / size) : 100;

	if (isatty(STDERR_FILENO)) {
		if (pct != *shown)
			fprintf(stderr, "\rberthctl: sent %lld of %lld bytes (%d%%)%s", sent, size, pct,
				sent == size ? "\n" : "");
	} else if (pct / 25 != *shown / 25 || *shown < 0) {
		fprintf(stderr, "berthctl: sent %lld of %lld bytes (%d%%)\n", sent, size, pct);
	}
	*shown = pct;
}

/* After a head with "Expect: 100-continue": wait up to CONTINUE_MS for
 * the interim "100 Continue" (1 returned: send the body) or a final
 * answer, which a refusal is (its first bytes left in pre, 0 returned).
 * No answer in time: send the body anyway (1), as RFC 9110 says. */
static int await_continue(struct session *s, char *pre, size_t size, size_t *len)
{
	long long dl = tls_now_ms() + CONTINUE_MS;
	struct berr e;
	char *end;
	long n;

	*len = 0;
	while (*len < size - 1) {
		n = tls_conn_read(s->tls, pre + *len, size - 1 - *len, dl, &e);
		if (n < 0 && e.errnum == ETIMEDOUT && *len == 0)
			return 1;
		if (n <= 0)
			return 0;       /* read_reply reports what is wrong */
		*len += (size_t)n;
		pre[*len] = '\0';
		if (!(end = strstr(pre, "\r\n\r\n")))
			continue;
		if (strncmp(pre, "HTTP/1.1 100 ", 13) != 0)
			return 0;
		*len -= (size_t)(end + 4 - pre);
		memmove(pre, end + 4, *len);
		return *len == 0;       /* the final answer right behind it: no body */
	}
	return 0;
}

/* Is an answer there already (a refusal while we send)? */
static int answer_waiting(const struct session *s)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* The update's head and then, once apid says 100 Continue, the file in
 * UPLOAD_BUF pieces, stopping when an answer comes in between. What was
 * read of the answer is left in pre (*pre_len bytes), a failed send in
 * *sent_err. apid refuses (role, berthd down) before its 100 Continue, so
 * that answer arrives whole; berthd's refusal of the head (an unsigned
 * update) comes after it, when apid has sent part of the body on: apid
 * then closes while the body still flows, and the reset loses the answer
 * (lib/tls reads nothing after a failed send). */
static int send_update(struct session *s, const struct berthctl_update_req *rq, struct berr *sent_err,
		       char *pre, size_t pre_size, size_t *pre_len)
{
	char head[2048], *buf = malloc(UPLOAD_BUF), target[sizeof rq->query + 40];
	struct http_w w;
	size_t n;
	ssize_t got = 0;
	long long sent = 0, dl = tls_now_ms() + REPLY_MS;
	int shown = -1;

	if (!buf)
		return fail(s, BCTL_SYS, "%s", "out of memory");
	snprintf(target, sizeof target, "/berth/v1/system/update?%s", rq->query);
	http_w_init(&w, head, sizeof head);
	http_w_request(&w, "POST", target);
	http_w_header(&w, "Host", s->where);
	http_w_header(&w, "User-Agent", "berthctl");
	http_w_header(&w, "Content-Type", "application/octet-stream");
	http_w_header(&w, "Expect", "100-continue");
	http_w_header(&w, "Connection", "close");
	http_w_content_length(&w, (uint64_t)rq->size);
	http_w_end_head(&w);
	if (http_w_finish(&w, &n, sent_err) < 0 || tls_conn_write_all(s->tls, head, n, dl, sent_err) < 0 ||
	    tls_conn_flush(s->tls, dl, sent_err) < 0 || !await_continue(s, pre, pre_size, pre_len)) {
		free(buf);
		return 0;
	}
	while (sent < rq->size && !answer_waiting(s) && (got = read(rq->fd, buf, UPLOAD_BUF)) > 0) {
		if (tls_conn_write_all(s->tls, buf, (size_t)got, tls_now_ms() + REPLY_MS, sent_err) < 0)
			break;
		sent += got;
		progress(sent, rq->size, &shown);
	}
	free(buf);
	if (sent < rq->size && !sent_err->msg[0] && got <= 0)
		return fail(s, BCTL_SYS, "reading the update: %s", got < 0 ? strerror(errno) : "the file shrank");
	if (!sent_err->msg[0])
		tls_conn_flush(s->tls, tls_now_ms() + REPLY_MS, sent_err);
	return 0;
}

/* update [--sha256 HEX] FILE through berth-apid: berthd's answer printed. */
static int remote_update(struct session *s, const char *file, const char *sha, struct reply *r)
{
	struct berthctl_update_req rq;
	struct berr e = { 0 }, sent_err = { 0 };
	char pre[4096];
	size_t pre_len = 0;
	int rc;

	if (berthctl_update_open(&rq, file, sha, &e) < 0) {
		fprintf(stderr, "berthctl: error: %s\n", e.msg);
		return e.errnum == EINVAL ? BCTL_USAGE : BCTL_SYS;
	}
	rc = session_open(s);
	if (rc == 0)
		rc = send_update(s, &rq, &sent_err, pre, sizeof pre, &pre_len);
	close(rq.fd);
	if (rc == 0 && sent_err.msg[0])
		rc = fail(s, BCTL_SYS, "sending the update: %s (the server closed the connection before "
			  "taking the whole update: did berthd refuse it? its log on the host says why)", sent_err.msg);
	if (rc == 0)
		rc = read_reply(s, r, pre, pre_len);
	if (rc == 0 && r->status >= 300)
		rc = refused(s, r);
	if (rc == 0)
		printf("%.*s\n", (int)r->len, r->body ? r->body : "");
	return rc;
}

static int name_ok(const char *n)
{
	return n[0] && strlen(n) < 64 &&
	       strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == strlen(n);
}

static int usage_error(const char *cmd)
{
	fprintf(stderr, "berthctl: error: unknown command or wrong arguments: %s (berthctl --help)\n", cmd);
	return BCTL_USAGE;
}

int bctl_remote_main(const struct bctl_remote *rm, int argc, char **argv)
{
	struct session s = { .fd = -1, .tlsdir = rm->tlsdir };
	struct reply r = { 0 };
	char target[256];
	const char *cmd = argv[0], *file, *sha;
	int rc;

	if (parse_host(&s, rm->host) < 0) {
		fprintf(stderr, "berthctl: error: -H %s: want tcp://HOST:PORT\n", rm->host);
		return BCTL_USAGE;
	}
	if ((!strcmp(cmd, "services") || !strcmp(cmd, "system") || !strcmp(cmd, "status") ||
	     !strcmp(cmd, "metrics") || !strcmp(cmd, "ps") || !strcmp(cmd, "reboot") ||
	     !strcmp(cmd, "poweroff") || !strcmp(cmd, "slots")) && argc != 1)
		return usage_error(cmd);
	if (!strcmp(cmd, "services")) {
		if ((rc = call(&s, "GET", "/berth/v1/services", &r)) == 0)
			rc = show_services(&s, &r);
	} else if (!strcmp(cmd, "system") || !strcmp(cmd, "status")) {
		if ((rc = call(&s, "GET", "/berth/v1/system", &r)) == 0)
			rc = show_system(&s, &r);
	} else if (!strcmp(cmd, "ps")) {
		if ((rc = call(&s, "GET", "/containers/json?all=1", &r)) == 0)
			rc = show_ps(&s, &r);
	} else if (!strcmp(cmd, "restart") && argc == 2 && name_ok(argv[1])) {
		snprintf(target, sizeof target, "/berth/v1/services/%s/restart", argv[1]);
		if ((rc = call(&s, "POST", target, &r)) == 0)
			printf("%s: restarted\n", argv[1]);
	} else if (!strcmp(cmd, "reboot") || !strcmp(cmd, "poweroff")) {
		snprintf(target, sizeof target, "/berth/v1/system/%s", cmd);
		if ((rc = call(&s, "POST", target, &r)) == 0)
			printf("%s: requested\n", cmd);
	} else if (!strcmp(cmd, "logs") && (argc == 2 || (argc == 3 && !strcmp(argv[2], "-f"))) &&
		   name_ok(argv[1])) {
		snprintf(target, sizeof target, "/berth/v1/logs?service=%s%s", argv[1],
			 argc == 3 ? "&follow=1" : "");
		r.stream = 1;
		rc = call(&s, "GET", target, &r);
	} else if (!strcmp(cmd, "slots")) {
		if ((rc = call(&s, "GET", "/berth/v1/slots", &r)) == 0)
			printf("%.*s\n", (int)r.len, r.body ? r.body : "");
	} else if (berthctl_update_args(argc, argv, &file, &sha) == 0) {
		rc = remote_update(&s, file, sha, &r);
	} else if (!strcmp(cmd, "metrics")) {
		r.stream = 1;
		rc = call(&s, "GET", "/metrics", &r);
	} else {
		return usage_error(cmd);
	}
	free(r.body);
	session_close(&s);
	return rc;
}
