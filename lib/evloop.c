/* evloop.c — epoll for fds, a binary min-heap for timers. No allocation. */
#include "lib/evloop.h"

#include <errno.h>
#include <limits.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Events fetched per epoll_wait: more wait for the next step. */
#define EVLOOP_BATCH 64

int evloop_init(struct evloop *l, clockid_t clock, struct evloop_fd *fds, int fds_max,
		struct evloop_timer *timers, int *heap, int timers_max, struct berr *e)
{
	*l = (struct evloop){ .epfd = -1, .clock = clock, .fds = fds, .fds_max = fds_max,
			      .timers = timers, .heap = heap, .timers_max = timers_max };
	/* Free lists in index order: the lowest slot is taken first. */
	for (int i = 0; i < fds_max; i++)
		fds[i] = (struct evloop_fd){ .fd = -1, .next_free = i + 1 < fds_max ? i + 1 : -1 };
	for (int i = 0; i < timers_max; i++)
		timers[i] = (struct evloop_timer){ .heap_pos = -1,
						   .next_free = i + 1 < timers_max ? i + 1 : -1 };
	l->fd_free = fds_max > 0 ? 0 : -1;
	l->timer_free = timers_max > 0 ? 0 : -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return berr_sys(e, "epoll_create1");
	return 0;
}

void evloop_fini(struct evloop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

long long evloop_now(const struct evloop *l)
{
	struct timespec ts;

	clock_gettime(l->clock, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- file descriptors ---- */

static uint32_t to_epoll(unsigned events)
{
	return (events & EVLOOP_IN ? EPOLLIN : 0) | (events & EVLOOP_OUT ? EPOLLOUT : 0);
}

static unsigned from_epoll(uint32_t ev)
{
	return (ev & EPOLLIN ? EVLOOP_IN : 0) | (ev & EPOLLOUT ? EVLOOP_OUT : 0) |
	       (ev & (EPOLLERR | EPOLLHUP) ? EVLOOP_ERR : 0);
}

static int fd_valid(const struct evloop *l, int id)
{
	return id >= 0 && id < l->fds_max && l->fds[id].fd >= 0;
}

static int epoll_set(struct evloop *l, int op, int id, struct berr *e)
{
	struct evloop_fd *s = &l->fds[id];
	struct epoll_event ev = { .events = to_epoll(s->events),
				  .data.u64 = (uint64_t)s->gen << 32 | (uint32_t)id };

	if (epoll_ctl(l->epfd, op, s->fd, &ev) < 0)
		return berr_sys(e, "epoll_ctl fd %d", s->fd);
	return 0;
}

int evloop_fd_add(struct evloop *l, int fd, unsigned events, evloop_fd_cb *cb, void *arg,
		  struct berr *e)
{
	int id = l->fd_free;

	if (fd < 0)
		return berr_set(e, EBADF, "event loop: fd %d", fd);
	if (id < 0)
		return berr_set(e, ENOSPC, "fd %d: all %d event loop slots taken", fd, l->fds_max);
	l->fds[id].fd = fd;
	l->fds[id].events = events;
	l->fds[id].cb = cb;
	l->fds[id].arg = arg;
	if (epoll_set(l, EPOLL_CTL_ADD, id, e) < 0) { /* EEXIST: fd is watched already */
		l->fds[id].fd = -1;
		return -1;
	}
	l->fd_free = l->fds[id].next_free;
	return id;
}

int evloop_fd_mod(struct evloop *l, int id, unsigned events, struct berr *e)
{
	if (!fd_valid(l, id))
		return berr_set(e, EINVAL, "event loop slot %d: not registered", id);
	l->fds[id].events = events;
	return epoll_set(l, EPOLL_CTL_MOD, id, e);
}

void evloop_fd_del(struct evloop *l, int id)
{
	struct epoll_event ev = { 0 };

	if (!fd_valid(l, id))
		return;
	/* After a close the kernel dropped it already (ENOENT or EBADF). */
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->fds[id].fd, &ev);
	l->fds[id].fd = -1;
	l->fds[id].cb = NULL;
	l->fds[id].gen++;
	l->fds[id].next_free = l->fd_free;
	l->fd_free = id;
}

/* ---- timers: heap ordered by (due_ns, seq) ---- */

static int before(const struct evloop *l, int a, int b)
{
	const struct evloop_timer *x = &l->timers[a], *y = &l->timers[b];

	return x->due_ns < y->due_ns || (x->due_ns == y->due_ns && x->seq < y->seq);
}

static void heap_put(struct evloop *l, int pos, int id)
{
	l->heap[pos] = id;
	l->timers[id].heap_pos = pos;
}

static void sift_up(struct evloop *l, int pos)
{
	int id = l->heap[pos];

	while (pos > 0 && before(l, id, l->heap[(pos - 1) / 2])) {
		heap_put(l, pos, l->heap[(pos - 1) / 2]);
		pos = (pos - 1) / 2;
	}
	heap_put(l, pos, id);
}

static void sift_down(struct evloop *l, int pos)
{
	int id = l->heap[pos];

	for (;;) {
		int c = 2 * pos + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && before(l, l->heap[c + 1], l->heap[c]))
			c++;
		if (!before(l, l->heap[c], id))
			break;
		heap_put(l, pos, l->heap[c]);
		pos = c;
	}
	heap_put(l, pos, id);
}

static int timer_valid(const struct evloop *l, int id)
{
	return id >= 0 && id < l->timers_max && l->timers[id].cb;
}

int evloop_timer_new(struct evloop *l, evloop_timer_cb *cb, void *arg, struct berr *e)
{
	int id = l->timer_free;

	if (id < 0)
		return berr_set(e, ENOSPC, "all %d event loop timers taken", l->timers_max);
	l->timer_free = l->timers[id].next_free;
	l->timers[id] = (struct evloop_timer){ .cb = cb, .arg = arg, .heap_pos = -1, .next_free = -1 };
	return id;
}

void evloop_timer_cancel(struct evloop *l, int id)
{
	int pos, last;

	if (!timer_valid(l, id) || l->timers[id].heap_pos < 0)
		return;
	pos = l->timers[id].heap_pos;
	l->timers[id].heap_pos = -1;
	last = l->heap[--l->nheap];
	if (pos == l->nheap)
		return;
	heap_put(l, pos, last);
	sift_up(l, pos);
	sift_down(l, l->timers[last].heap_pos);
}

void evloop_timer_arm(struct evloop *l, int id, long long due_ns)
{
	if (!timer_valid(l, id))
		return;
	evloop_timer_cancel(l, id);
	l->timers[id].due_ns = due_ns;
	l->timers[id].seq = l->seq++;
	heap_put(l, l->nheap++, id);
	sift_up(l, l->nheap - 1);
}

void evloop_timer_arm_in(struct evloop *l, int id, long long ms)
{
	evloop_timer_arm(l, id, evloop_now(l) + ms * 1000000LL);
}

int evloop_timer_armed(const struct evloop *l, int id)
{
	return timer_valid(l, id) && l->timers[id].heap_pos >= 0;
}

void evloop_timer_free(struct evloop *l, int id)
{
	if (!timer_valid(l, id))
		return;
	evloop_timer_cancel(l, id);
	l->timers[id].cb = NULL;
	l->timers[id].next_free = l->timer_free;
	l->timer_free = id;
}

/* ---- dispatch ---- */

/* Milliseconds epoll may wait: until the earliest timer, at most max_ms. */
static int wait_ms(const struct evloop *l, int max_ms)
{
	long long left;

	if (l->nheap == 0)
		return max_ms;
	left = l->timers[l->heap[0]].due_ns - evloop_now(l);
	left = left <= 0 ? 0 : (left + 999999) / 1000000LL;
	if (left > INT_MAX)
		left = INT_MAX;
	return max_ms >= 0 && max_ms < left ? max_ms : (int)left;
}

static int run_fds(struct evloop *l, const struct epoll_event *ev, int n)
{
	int ran = 0;

	for (int i = 0; i < n; i++) {
		int id = (int)(uint32_t)ev[i].data.u64;
		uint32_t gen = (uint32_t)(ev[i].data.u64 >> 32);
		struct evloop_fd *s = &l->fds[id];

		if (s->fd < 0 || s->gen != gen)
			continue; /* removed (or removed and reused) by an earlier callback */
		s->cb(l, s->fd, from_epoll(ev[i].events), s->arg);
		ran++;
	}
	return ran;
}

/* Run the timers due now that were armed before this round began. */
static int run_timers(struct evloop *l)
{
	long long now = evloop_now(l);
	unsigned long long round = l->seq;
	int ran = 0;

	while (l->nheap > 0) {
		int id = l->heap[0];
		struct evloop_timer *t = &l->timers[id];

		if (t->due_ns > now || t->seq >= round)
			break;
		evloop_timer_cancel(l, id);
		t->cb(l, id, t->arg);
		ran++;
	}
	return ran;
}

int evloop_step(struct evloop *l, int max_ms, struct berr *e)
{
	struct epoll_event ev[EVLOOP_BATCH];
	int n = epoll_wait(l->epfd, ev, EVLOOP_BATCH, wait_ms(l, max_ms));

	if (n < 0 && errno != EINTR)
		return berr_sys(e, "epoll_wait");
	return (n > 0 ? run_fds(l, ev, n) : 0) + run_timers(l);
}

int evloop_run(struct evloop *l, struct berr *e)
{
	l->stop = 0;
	while (!l->stop)
		if (evloop_step(l, -1, e) < 0)
			return -1;
	return 0;
}

void evloop_stop(struct evloop *l)
{
	l->stop = 1;
}
