/* ctr_logs.c — GET /containers/{id}/logs: the shim's log.json read back
 * (runtime/shim/logfile.h), framed as DOCKER_API.md §5.2 says (one frame
 * per entry; raw for a tty container), with since/until/tail/timestamps,
 * and follow until the container stops or the client goes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/engine/api.h"
#include "runtime/engine/api_util.h"
#include "runtime/engine/ctr-internal.h"
#include "runtime/policy/create.h"
#include "runtime/shim/logfile.h"

int api_ctr_logs(struct req *r);

struct logs {
	struct req *r;
	struct ctr *c;
	int tty, stamps;
	uint64_t exits;
	char *buf;
	size_t cap;
};

static int put(void *ctx, int stream, int64_t t_ns, const char *p, size_t n)
{
	struct logs *l = ctx;
	size_t need = 8 + 32 + n, off = 0;
	char *b;

	if (need > l->cap) {
		b = realloc(l->buf, need);
		if (!b)
			return -1;
		l->buf = b;
		l->cap = need;
	}
	b = l->buf;
	if (!l->tty)
		off = 8;
	if (l->stamps) {
		logfile_format_time(t_ns, b + off);
		off += strlen(b + off);
		b[off++] = ' ';
	}
	memcpy(b + off, p, n);
	off += n;
	if (!l->tty) {
		uint32_t sz = (uint32_t)(off - 8);

		b[0] = (char)stream;
		b[1] = b[2] = b[3] = 0;
		b[4] = (char)(sz >> 24);
		b[5] = (char)(sz >> 16);
		b[6] = (char)(sz >> 8);
		b[7] = (char)sz;
	}
	return reply_chunk(l->r, b, off) < 0 ? -1 : 0;
}

static int stop(void *ctx)
{
	struct logs *l = ctx;
	struct engine *eng = l->r->eng;
	int done;

	pthread_mutex_lock(&eng->mu);
	done = l->c->gone || l->c->exits != l->exits ||
	       (l->c->rec.status != CTR_RUNNING && l->c->rec.status != CTR_RESTARTING);
	pthread_mutex_unlock(&eng->mu);
	return done || req_peer_gone(l->r);
}

/* "1700000000", "1700000000.5" (what the CLI sends) or RFC 3339 → ns */
static int parse_when(const char *s, int64_t *ns)
{
	char *end;
	long long sec;
	int64_t frac = 0, scale = 100000000;

	if (!*s)
		return (*ns = 0), 0;
	if (api_parse_rfc3339(s, ns) == 0)
		return 0;
	sec = strtoll(s, &end, 10);
	if (end == s || sec < 0)
		return -1;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++, scale /= 10)
			frac += (*end - '0') * scale;
	if (*end)
		return -1;
	*ns = (int64_t)sec * 1000000000 + frac;
	return 0;
}

static int logs_opts(struct req *r, struct logfile_opts *o, int *follow, int *stamps)
{
	char v[64];

	memset(o, 0, sizeof(*o));
	o->tail = -1;
	o->out = ctr_query_bool(r, "stdout");
	o->err = ctr_query_bool(r, "stderr");
	*follow = ctr_query_bool(r, "follow");
	*stamps = ctr_query_bool(r, "timestamps");
	if (ctr_query(r, "since", v, sizeof(v)) > 0 && parse_when(v, &o->since_ns) < 0)
		return -1;
	if (ctr_query(r, "until", v, sizeof(v)) > 0 && parse_when(v, &o->until_ns) < 0)
		return -1;
	if (ctr_query(r, "tail", v, sizeof(v)) > 0 && *v && strcmp(v, "all") != 0) {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end || n < 0)
			return -1;
		o->tail = n;
	}
	return 0;
}

int api_ctr_logs(struct req *r)
{
	struct engine *eng = r->eng;
	struct logfile_opts o;
	struct logfile_pos pos;
	struct logs l = { r, NULL, 0, 0, 0, NULL, 0 };
	struct ctr_view v;
	struct berr e;
	int follow, dirfd, rc;

	if (logs_opts(r, &o, &follow, &l.stamps) < 0)
		return reply_error(r, 400, "invalid since, until or tail value");
	if (!o.out && !o.err)
		return reply_error(r, 400, "you must choose at least one stream");
	l.c = ctr_get(eng, r->param[0], &e);
	if (!l.c)
		return reply_berr(r, &e);
	if (ctr_view_load(eng, &l.c->rec, &v, &e) < 0) {
		ctr_put(eng, l.c);
		return reply_error(r, 500, "%s", e.msg);
	}
	l.tty = v.req->tty;
	ctr_view_free(&v);
	pthread_mutex_lock(&eng->mu);
	l.exits = l.c->exits;
	pthread_mutex_unlock(&eng->mu);
	dirfd = ctr_dir_open(eng->ctrs, l.c, &e);
	if (dirfd < 0) {
		ctr_put(eng, l.c);
		return reply_error(r, 500, "%s", e.msg);
	}
	rc = reply_stream_start(r, 200,
				l.tty || r->api_minor < 42 ? "application/vnd.docker.raw-stream"
							   : "application/vnd.docker.multiplexed-stream");
	if (rc == 0) {
		memset(&pos, 0, sizeof(pos));
		rc = logfile_read(dirfd, &o, put, &l, &pos, &e);
		if (rc == 0 && follow && !stop(&l)) {
			o.tail = -1;
			rc = logfile_follow(dirfd, &pos, &o, put, &l, stop, &e);
		}
		if (rc < 0 && e.errnum != ENOENT && !l.tty) {
			/* in-band, as a stream-3 frame (§5.2) */
			put(&l, 3, 0, e.msg, strlen(e.msg));
		}
		rc = reply_stream_end(r);
	}
	close(dirfd);
	free(l.buf);
	ctr_put(eng, l.c);
	return rc;
}
