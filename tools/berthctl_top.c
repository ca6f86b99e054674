/* berthctl_top.c — `berthctl top`: GET /metrics from berthd's socket, and
 * top_format(), the pure formatter that turns the body into a summary. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "lib/http.h"
#include "lib/sock.h"
#include "tools/berthctl_top.h"

#define LABELS_MAX 8
#define LABEL_KEY 32
#define LABEL_VAL 256
#define ENGINE_SOCK "/run/berth/engine.sock"

struct sample {
	char name[128];
	int nl;
	char key[LABELS_MAX][LABEL_KEY], val[LABELS_MAX][LABEL_VAL];
	double v;
};

struct tctr {
	char id[65], name[129], image[LABEL_VAL], state[16];
	double cpu, mem, mem_max, pids;
	int has_cpu, has_mem, has_max, has_pids;
};

struct tsvc {
	char name[33];
	double up, restarts, mem;
	int has_mem;
};

struct top {
	double mode[8], load[3], mem_total, mem_avail, swap_total, swap_free, fs_size, fs_avail;
	int has_cpu, has_load, has_mem, has_swap, has_fs, ncpu;
	char fs_mount[LABEL_VAL];
	double states[6], images;
	int has_engine;
	int nctr, ctr_more, nsvc;
	struct tctr ctr[TOP_CTR_MAX];
	struct tsvc svc[TOP_SVC_MAX];
};

static const char *const cpu_modes[] = { "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal" };
static const char *const ctr_states[] = { "created", "running", "restarting", "exited", "removing", "dead" };

static const char *label(const struct sample *s, const char *k)
{
	for (int i = 0; i < s->nl; i++)
		if (strcmp(s->key[i], k) == 0)
			return s->val[i];
	return "";
}

/* key="value",… up to '}' at *pp; escapes \\ \" \n. */
static int parse_labels(const char **pp, const char *end, struct sample *s)
{
	const char *p = *pp;

	while (p < end && *p != '}') {
		size_t kl = 0, vl = 0;
		int keep = s->nl < LABELS_MAX;

		while (p < end && *p != '=' && kl + 1 < LABEL_KEY)
			s->key[s->nl < LABELS_MAX ? s->nl : 0][kl++] = *p++;
		if (p + 1 >= end || p[0] != '=' || p[1] != '"')
			return -1;
		p += 2;
		while (p < end && *p != '"') {
			char ch = *p++;

			if (ch == '\\') {
				if (p >= end)
					return -1;
				ch = *p == 'n' ? '\n' : *p;
				p++;
			}
			if (keep && vl + 1 < LABEL_VAL)
				s->val[s->nl][vl++] = ch;
		}
		if (p >= end)
			return -1;
		p++;
		if (keep) {
			s->key[s->nl][kl] = '\0';
			s->val[s->nl][vl] = '\0';
			s->nl++;
		}
		if (p < end && *p == ',')
			p++;
	}
	if (p >= end)
		return -1;
	*pp = p + 1;
	return 0;
}

/* One sample line [p, end): name{labels} value [timestamp]. */
static int parse_sample(const char *p, const char *end, struct sample *s)
{
	size_t n = 0;
	char num[64];
	char *stop;

	s->nl = 0;
	while (p < end && *p != '{' && *p != ' ' && n + 1 < sizeof(s->name))
		s->name[n++] = *p++;
	s->name[n] = '\0';
	if (n == 0)
		return -1;
	if (p < end && *p == '{') {
		p++;
		if (parse_labels(&p, end, s) < 0)
			return -1;
	}
	if (p >= end || *p != ' ')
		return -1;
	while (p < end && *p == ' ')
		p++;
	for (n = 0; p < end && *p != ' ' && n + 1 < sizeof(num); n++)
		num[n] = *p++;
	num[n] = '\0';
	s->v = strtod(num, &stop);
	return n == 0 || *stop ? -1 : 0;
}

static struct tctr *ctr_of(struct top *t, const struct sample *s)
{
	const char *id = label(s, "id");

	for (int i = 0; i < t->nctr; i++)
		if (strcmp(t->ctr[i].id, id) == 0)
			return &t->ctr[i];
	if (t->nctr == TOP_CTR_MAX) {
		if (strcmp(s->name, "berth_container_state") == 0)
			t->ctr_more++;
		return NULL;
	}
	struct tctr *c = &t->ctr[t->nctr++];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	snprintf(c->name, sizeof(c->name), "%s", label(s, "name"));
	snprintf(c->image, sizeof(c->image), "%s", label(s, "image"));
	return c;
}

static struct tsvc *svc_of(struct top *t, const struct sample *s)
{
	const char *name = label(s, "name");

	for (int i = 0; i < t->nsvc; i++)
		if (strcmp(t->svc[i].name, name) == 0)
			return &t->svc[i];
	if (t->nsvc == TOP_SVC_MAX)
		return NULL;
	struct tsvc *v = &t->svc[t->nsvc++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	return v;
}

static void take_host(struct top *t, const struct sample *s)
{
	const char *n = s->name + strlen("berth_host_");

	if (strcmp(n, "cpu_seconds_total") == 0) {
		int cpu = atoi(label(s, "cpu"));

		for (int i = 0; i < 8; i++)
			if (strcmp(label(s, "mode"), cpu_modes[i]) == 0)
				t->mode[i] += s->v;
		t->has_cpu = 1;
		if (cpu + 1 > t->ncpu)
			t->ncpu = cpu + 1;
	} else if (strncmp(n, "load", 4) == 0) {
		int i = strcmp(n, "load1") == 0 ? 0 : strcmp(n, "load5") == 0 ? 1 : strcmp(n, "load15") == 0 ? 2 : -1;

		if (i >= 0)
			t->load[i] = s->v, t->has_load |= 1 << i;
	} else if (strcmp(n, "memory_total_bytes") == 0) {
		t->mem_total = s->v, t->has_mem |= 1;
	} else if (strcmp(n, "memory_available_bytes") == 0) {
		t->mem_avail = s->v, t->has_mem |= 2;
	} else if (strcmp(n, "memory_swap_total_bytes") == 0) {
		t->swap_total = s->v, t->has_swap |= 1;
	} else if (strcmp(n, "memory_swap_free_bytes") == 0) {
		t->swap_free = s->v, t->has_swap |= 2;
	} else if (strcmp(n, "filesystem_size_bytes") == 0) {
		t->fs_size = s->v, t->has_fs |= 1;
		snprintf(t->fs_mount, sizeof(t->fs_mount), "%s", label(s, "mountpoint"));
	} else if (strcmp(n, "filesystem_avail_bytes") == 0) {
		t->fs_avail = s->v, t->has_fs |= 2;
	}
}

static void take_ctr(struct top *t, const struct sample *s)
{
	const char *n = s->name + strlen("berth_container_");
	struct tctr *c = ctr_of(t, s);

	if (!c)
		return;
	if (strcmp(n, "state") == 0 && s->v == 1)
		snprintf(c->state, sizeof(c->state), "%s", label(s, "state"));
	else if (strcmp(n, "cpu_seconds_total") == 0)
		c->cpu = s->v, c->has_cpu = 1;
	else if (strcmp(n, "memory_bytes") == 0)
		c->mem = s->v, c->has_mem = 1;
	else if (strcmp(n, "memory_max_bytes") == 0)
		c->mem_max = s->v, c->has_max = 1;
	else if (strcmp(n, "pids") == 0)
		c->pids = s->v, c->has_pids = 1;
}

static void take(struct top *t, const struct sample *s)
{
	if (strncmp(s->name, "berth_host_", 11) == 0) {
		take_host(t, s);
	} else if (strncmp(s->name, "berth_container_", 16) == 0) {
		take_ctr(t, s);
	} else if (strcmp(s->name, "berth_engine_containers") == 0) {
		for (int i = 0; i < 6; i++)
			if (strcmp(label(s, "state"), ctr_states[i]) == 0)
				t->states[i] = s->v;
		t->has_engine = 1;
	} else if (strcmp(s->name, "berth_engine_images") == 0) {
		t->images = s->v;
	} else if (strncmp(s->name, "berth_service_", 14) == 0) {
		struct tsvc *v = svc_of(t, s);
		const char *n = s->name + 14;

		if (!v)
			return;
		if (strcmp(n, "up") == 0)
			v->up = s->v;
		else if (strcmp(n, "restarts_total") == 0)
			v->restarts = s->v;
		else if (strcmp(n, "memory_bytes") == 0)
			v->mem = s->v, v->has_mem = 1;
	}
}

/* ------------------------------------------------------------ output */

struct out {
	char *p;
	size_t size, len;
	int full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->full = 1;
		o->p[o->len] = '\0';
		return;
	}
	o->len += (size_t)n;
}

/* "52.1 MiB"; "-" for a NaN, "none" for +Inf */
static const char *human(double b, char *buf, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;

	if (isnan(b))
		return "-";
	if (isinf(b))
		return "none";
	while (fabs(b) >= 1024 && u < 5)
		b /= 1024, u++;
	if (u == 0)
		snprintf(buf, n, "%.0f B", b);
	else
		snprintf(buf, n, "%.1f %s", b, unit[u]);
	return buf;
}

static void write_host(struct out *o, const struct top *t)
{
	char a[32], b[32], c[32];

	if (t->has_cpu) {
		double total = 0, idle = t->mode[3] + t->mode[4];

		for (int i = 0; i < 8; i++)
			total += t->mode[i];
		put(o, "CPU       %d cpu%s", t->ncpu, t->ncpu == 1 ? "" : "s");
		if (t->has_load == 7)
			put(o, ", load %.2f %.2f %.2f", t->load[0], t->load[1], t->load[2]);
		if (total > 0)
			put(o, ", %.0f%% busy since boot", 100 * (total - idle) / total);
		put(o, "\n");
	}
	if (t->has_mem == 3) {
		put(o, "MEMORY    %s used of %s, %s available", human(t->mem_total - t->mem_avail, a, sizeof(a)),
		    human(t->mem_total, b, sizeof(b)), human(t->mem_avail, c, sizeof(c)));
		if (t->has_swap == 3 && t->swap_total > 0)
			put(o, "; swap %s used of %s", human(t->swap_total - t->swap_free, a, sizeof(a)),
			    human(t->swap_total, b, sizeof(b)));
		put(o, "\n");
	}
	if (t->has_fs == 3 && t->fs_size > 0)
		put(o, "DISK      %s: %s used of %s, %s available (%.0f%% used)\n", t->fs_mount,
		    human(t->fs_size - t->fs_avail, a, sizeof(a)), human(t->fs_size, b, sizeof(b)),
		    human(t->fs_avail, c, sizeof(c)), 100 * (t->fs_size - t->fs_avail) / t->fs_size);
	if (t->has_engine)
		put(o, "ENGINE    %.0f running, %.0f created, %.0f exited, %.0f restarting; %.0f image%s\n",
		    t->states[1], t->states[0], t->states[3] + t->states[5], t->states[2], t->images,
		    t->images == 1 ? "" : "s");
}

static void write_ctrs(struct out *o, const struct top *t)
{
	char a[32], b[32], cpu[32], pids[16];

	if (!t->nctr)
		return;
	put(o, "\n%-20s %-24s %-10s %9s %10s %10s %5s\n", "CONTAINER", "IMAGE", "STATE", "CPU(s)", "MEMORY",
	    "LIMIT", "PIDS");
	for (int i = 0; i < t->nctr; i++) {
		const struct tctr *c = &t->ctr[i];

		snprintf(cpu, sizeof(cpu), c->has_cpu ? "%.2f" : "-", c->cpu);
		snprintf(pids, sizeof(pids), c->has_pids ? "%.0f" : "-", c->pids);
		put(o, "%-20.20s %-24.24s %-10.10s %9s %10s %10s %5s\n", c->name, c->image, c->state[0] ? c->state : "-",
		    cpu, human(c->has_mem ? c->mem : NAN, a, sizeof(a)), human(c->has_max ? c->mem_max : NAN, b, sizeof(b)),
		    pids);
	}
	if (t->ctr_more)
		put(o, "(%d more containers not listed)\n", t->ctr_more);
}

static void write_svcs(struct out *o, const struct top *t)
{
	char a[32];

	if (!t->nsvc)
		return;
	put(o, "\n%-20s %-4s %8s %10s\n", "SERVICE", "UP", "RESTARTS", "MEMORY");
	for (int i = 0; i < t->nsvc; i++)
		put(o, "%-20.20s %-4s %8.0f %10s\n", t->svc[i].name, t->svc[i].up == 1 ? "yes" : "no",
		    t->svc[i].restarts, human(t->svc[i].has_mem ? t->svc[i].mem : NAN, a, sizeof(a)));
}

int top_format(const char *metrics, size_t len, char *out, size_t size, struct berr *e)
{
	struct top *t;
	struct sample *s;
	struct out o = { out, size, 0, 0 };
	const char *p = metrics, *end = metrics + len;
	int line = 0, rc = 0;

	if (!size)
		return berr_set(e, ENOBUFS, "top: no room for the summary");
	out[0] = '\0';
	t = calloc(1, sizeof(*t));
	s = malloc(sizeof(*s));
	if (!t || !s) {
		free(t);
		free(s);
		return berr_set(e, ENOMEM, "top: out of memory");
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;

		line++;
		if (le > p && *p != '#') {
			if (parse_sample(p, le, s) < 0) {
				rc = berr_set(e, EINVAL, "top: metrics line %d: not a sample", line);
				break;
			}
			take(t, s);
		}
		p = nl ? nl + 1 : end;
	}
	if (rc == 0) {
		write_host(&o, t);
		write_ctrs(&o, t);
		write_svcs(&o, t);
		if (o.full)
			rc = berr_set(e, ENOBUFS, "top: the summary exceeds %zu bytes", size);
	}
	free(s);
	free(t);
	return rc < 0 ? rc : (int)o.len;
}

/* ------------------------------------------------------- berthctl top */

/* GET /metrics over the engine's socket: the body, malloc'd, in *body. */
static int fetch(const char *sock, char **body, size_t *blen, struct berr *e)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: berth\r\nConnection: close\r\n\r\n";
	struct timeval tv = { 30, 0 };
	struct http_parser *hp = malloc(sizeof(*hp));
	char in[16384];
	size_t n = 0;
	int fd = -1, rc = -1, done = 0;

	*body = malloc(TOP_BODY_MAX);
	*blen = 0;
	if (!hp || !*body) {
		berr_set(e, ENOMEM, "out of memory");
		goto out;
	}
	fd = sock_connect(sock, SOCK_STREAM, e);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(req) - 1)) {
		berr_sys(e, "send to %s", sock);
		goto out;
	}
	http_parser_init(hp, HTTP_RESPONSE);
	while (!done) {
		ssize_t r = recv(fd, in, sizeof(in), 0);
		const char *p = in;

		if (r < 0) {
			berr_sys(e, "receive from %s", sock);
			goto out;
		}
		n = (size_t)r;
		if (r == 0) {
			if (http_eof(hp, e) != HTTP_DONE)
				goto out;
			break;
		}
		while (n > 0 || !done) {
			size_t used = 0;
			int ev = http_feed(hp, p, n, &used, e);

			p += used, n -= used;
			if (ev < 0)
				goto out;
			if (ev == HTTP_HEAD && hp->status != 200) {
				berr_set(e, EPROTO, "GET /metrics: HTTP %d", hp->status);
				goto out;
			}
			if (ev == HTTP_BODY) {
				if (*blen + hp->body_len > TOP_BODY_MAX) {
					berr_set(e, EFBIG, "GET /metrics: the body exceeds %d bytes", TOP_BODY_MAX);
					goto out;
				}
				memcpy(*body + *blen, hp->body, hp->body_len);
				*blen += hp->body_len;
			}
			if (ev == HTTP_DONE)
				done = 1;
			if (ev == HTTP_NEED_MORE || ev == HTTP_DONE || ev == HTTP_UPGRADE)
				break;
		}
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(hp);
	if (rc < 0) {
		free(*body);
		*body = NULL;
	}
	return rc;
}

int berthctl_top(int argc, char **argv)
{
	const char *sock = ENGINE_SOCK;
	char *body, *out;
	size_t blen;
	struct berr e;
	int n;

	if (argc == 3 && strcmp(argv[1], "--engine") == 0)
		sock = argv[2];
	else if (argc != 1) {
		fputs("usage: berthctl top [--engine PATH]\n", stderr);
		return 100;
	}
	if (fetch(sock, &body, &blen, &e) < 0) {
		fprintf(stderr, "berthctl: error: top: %s\n", e.msg);
		return e.errnum == EPROTO || e.errnum == EFBIG ? 1 : 111;
	}
	out = malloc(1 << 20);
	n = out ? top_format(body, blen, out, 1 << 20, &e) : berr_set(&e, ENOMEM, "out of memory");
	free(body);
	if (n < 0) {
		fprintf(stderr, "berthctl: error: %s\n", e.msg);
		free(out);
		return 1;
	}
	fputs(out, stdout);
	free(out);
	return 0;
}
