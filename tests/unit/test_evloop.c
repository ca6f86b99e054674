/* test_evloop.c — fd callbacks, timer order, cancel and removal from inside
 * callbacks, full tables. */
#include <errno.h>
#include <unistd.h>

#include "lib/evloop.h"
#include "tests/unit/unit.h"

#define NFD 4
#define NTIMER 8

struct fixture {
	struct evloop l;
	struct evloop_fd fds[NFD];
	struct evloop_timer timers[NTIMER];
	int heap[NTIMER];
};

static void setup(struct fixture *f)
{
	struct berr e;

	CHECK_INT(evloop_init(&f->l, CLOCK_MONOTONIC, f->fds, NFD, f->timers, f->heap, NTIMER, &e), 0);
}

struct seen {
	int calls;
	unsigned events;
	int fd;
	int order[16];
	int norder;
	int del_id;            /* slot to remove from the callback, -1: none */
	int cancel_id;         /* timer to cancel from the callback, -1: none */
};

static void on_fd(struct evloop *l, int fd, unsigned events, void *arg)
{
	struct seen *s = arg;
	char buf[16];

	s->calls++;
	s->events = events;
	s->fd = fd;
	if (s->del_id >= 0)
		evloop_fd_del(l, s->del_id);
	if (events & EVLOOP_IN) {
		if (read(fd, buf, sizeof buf) < 0) {
			/* the test looks at calls, not data */
		}
	}
}

static void fd_callback_gets_readable_event(void)
{
	struct fixture f;
	struct seen s = { .del_id = -1 };
	struct berr e;
	int p[2];

	setup(&f);
	CHECK(pipe(p) == 0);
	CHECK(evloop_fd_add(&f.l, p[0], EVLOOP_IN, on_fd, &s, &e) >= 0);
	CHECK_INT(evloop_step(&f.l, 0, &e), 0);
	CHECK_INT(s.calls, 0);
	CHECK(write(p[1], "x", 1) == 1);
	CHECK_INT(evloop_step(&f.l, 1000, &e), 1);
	CHECK_INT(s.calls, 1);
	CHECK_INT(s.fd, p[0]);
	CHECK(s.events & EVLOOP_IN);
	close(p[1]);
	CHECK_INT(evloop_step(&f.l, 1000, &e), 1);
	CHECK(s.events & EVLOOP_ERR); /* hang-up */
	evloop_fini(&f.l);
}

static void write_interest_and_modify(void)
{
	struct fixture f;
	struct seen s = { .del_id = -1 };
	struct berr e;
	int p[2], id;

	setup(&f);
	CHECK(pipe(p) == 0);
	id = evloop_fd_add(&f.l, p[1], 0, on_fd, &s, &e);
	CHECK(id >= 0);
	CHECK_INT(evloop_step(&f.l, 0, &e), 0);
	CHECK_INT(evloop_fd_mod(&f.l, id, EVLOOP_OUT, &e), 0);
	CHECK_INT(evloop_step(&f.l, 1000, &e), 1);
	CHECK(s.events & EVLOOP_OUT);
	CHECK_INT(evloop_fd_mod(&f.l, id + 1, EVLOOP_OUT, &e), -1);
	evloop_fd_del(&f.l, id);
	CHECK_INT(evloop_step(&f.l, 0, &e), 0);
	CHECK_INT(s.calls, 1);
	evloop_fini(&f.l);
}

static void full_fd_table_is_an_error(void)
{
	struct fixture f;
	struct seen s = { .del_id = -1 };
	struct berr e;
	int p[NFD + 1][2];

	setup(&f);
	for (int i = 0; i <= NFD; i++)
		CHECK(pipe(p[i]) == 0);
	for (int i = 0; i < NFD; i++)
		CHECK_INT(evloop_fd_add(&f.l, p[i][0], EVLOOP_IN, on_fd, &s, &e), i);
	CHECK_INT(evloop_fd_add(&f.l, p[NFD][0], EVLOOP_IN, on_fd, &s, &e), -1);
	CHECK_INT(e.errnum, ENOSPC);
	evloop_fd_del(&f.l, 2);
	CHECK_INT(evloop_fd_add(&f.l, p[0][0], EVLOOP_IN, on_fd, &s, &e), -1);
	CHECK_INT(e.errnum, EEXIST);  /* and the failure keeps the free slot */
	CHECK_INT(evloop_fd_add(&f.l, p[NFD][0], EVLOOP_IN, on_fd, &s, &e), 2);
	evloop_fini(&f.l);
}

static void removing_own_fd_inside_callback(void)
{
	struct fixture f;
	struct seen s = { .del_id = -1 };
	struct berr e;
	int p[2], id;

	setup(&f);
	CHECK(pipe(p) == 0);
	id = evloop_fd_add(&f.l, p[0], EVLOOP_IN, on_fd, &s, &e);
	s.del_id = id;
	CHECK(write(p[1], "xy", 2) == 2);
	CHECK_INT(evloop_step(&f.l, 1000, &e), 1);
	CHECK(write(p[1], "z", 1) == 1); /* readable, but no longer watched */
	CHECK_INT(evloop_step(&f.l, 0, &e), 0);
	close(p[0]);
	CHECK_INT(s.calls, 1);
	/* The slot is free again. */
	CHECK(pipe(p) == 0);
	CHECK_INT(evloop_fd_add(&f.l, p[0], EVLOOP_IN, on_fd, &s, &e), id);
	evloop_fini(&f.l);
}

/* Two fds ready in the same round; whichever callback runs first removes
 * the other: the other's fetched event must not be delivered. */
static void removed_peer_gets_no_stale_event(void)
{
	struct fixture f;
	struct seen a = { .del_id = -1 }, b = { .del_id = -1 };
	struct berr e;
	int p[2], q[2], ida, idb;

	setup(&f);
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	ida = evloop_fd_add(&f.l, p[0], EVLOOP_IN, on_fd, &a, &e);
	idb = evloop_fd_add(&f.l, q[0], EVLOOP_IN, on_fd, &b, &e);
	CHECK(ida >= 0 && idb >= 0);
	a.del_id = idb;
	b.del_id = ida;
	CHECK(write(p[1], "x", 1) == 1 && write(q[1], "x", 1) == 1);
	CHECK_INT(evloop_step(&f.l, 1000, &e), 1);
	CHECK_INT(a.calls + b.calls, 1);
	evloop_fini(&f.l);
}

static void on_timer(struct evloop *l, int id, void *arg)
{
	struct seen *s = arg;

	s->order[s->norder++] = id;
	if (s->cancel_id >= 0)
		evloop_timer_cancel(l, s->cancel_id);
}

static void timers_run_in_deadline_order(void)
{
	struct fixture f;
	struct seen s = { .cancel_id = -1 };
	struct berr e;
	long long now;
	int id[5];

	setup(&f);
	for (int i = 0; i < 5; i++)
		CHECK_INT(id[i] = evloop_timer_new(&f.l, on_timer, &s, &e), i);
	now = evloop_now(&f.l);
	evloop_timer_arm(&f.l, id[0], now + 30000000LL);
	evloop_timer_arm(&f.l, id[1], now + 10000000LL);
	evloop_timer_arm(&f.l, id[2], now + 20000000LL);
	evloop_timer_arm(&f.l, id[3], now + 10000000LL); /* same as 1: after it */
	evloop_timer_arm(&f.l, id[4], now + 5000000000LL);
	evloop_timer_cancel(&f.l, id[4]);
	CHECK(!evloop_timer_armed(&f.l, id[4]));
	while (s.norder < 4)
		CHECK(evloop_step(&f.l, 1000, &e) >= 0);
	CHECK(evloop_now(&f.l) >= now + 30000000LL);
	CHECK_INT(s.order[0], 1);
	CHECK_INT(s.order[1], 3);
	CHECK_INT(s.order[2], 2);
	CHECK_INT(s.order[3], 0);
	/* Nothing armed: a step with a bound returns empty-handed. */
	CHECK_INT(evloop_step(&f.l, 0, &e), 0);
	evloop_fini(&f.l);
}

static void rearm_moves_a_timer(void)
{
	struct fixture f;
	struct seen s = { .cancel_id = -1 };
	struct berr e;
	long long now;
	int a, b;

	setup(&f);
	a = evloop_timer_new(&f.l, on_timer, &s, &e);
	b = evloop_timer_new(&f.l, on_timer, &s, &e);
	now = evloop_now(&f.l);
	evloop_timer_arm(&f.l, a, now + 1000000LL);
	evloop_timer_arm(&f.l, b, now + 2000000LL);
	evloop_timer_arm(&f.l, a, now + 3000000LL);
	while (s.norder < 2)
		CHECK(evloop_step(&f.l, 1000, &e) >= 0);
	CHECK_INT(s.order[0], b);
	CHECK_INT(s.order[1], a);
	evloop_fini(&f.l);
}

static void cancel_during_dispatch(void)
{
	struct fixture f;
	struct seen s = { .cancel_id = -1 };
	struct berr e;
	long long past;
	int a, b;

	setup(&f);
	a = evloop_timer_new(&f.l, on_timer, &s, &e);
	b = evloop_timer_new(&f.l, on_timer, &s, &e);
	past = evloop_now(&f.l) - 1;
	evloop_timer_arm(&f.l, a, past - 1);
	evloop_timer_arm(&f.l, b, past);   /* due too, but a cancels it */
	s.cancel_id = b;
	CHECK_INT(evloop_step(&f.l, 0, &e), 1);
	CHECK_INT(s.norder, 1);
	CHECK_INT(s.order[0], a);
	CHECK(!evloop_timer_armed(&f.l, b));
	CHECK_INT(evloop_step(&f.l, 0, &e), 0);
	evloop_fini(&f.l);
}

struct rearm {
	int calls;
};

static void on_rearm(struct evloop *l, int id, void *arg)
{
	struct rearm *r = arg;

	r->calls++;
	evloop_timer_arm(l, id, evloop_now(l) - 1); /* already past */
}

static void past_rearm_waits_for_next_step(void)
{
	struct fixture f;
	struct rearm r = { 0 };
	struct berr e;
	int id;

	setup(&f);
	id = evloop_timer_new(&f.l, on_rearm, &r, &e);
	evloop_timer_arm(&f.l, id, 0);
	CHECK_INT(evloop_step(&f.l, 0, &e), 1);
	CHECK_INT(r.calls, 1);
	CHECK_INT(evloop_step(&f.l, -1, &e), 1); /* due at once: no hang */
	CHECK_INT(r.calls, 2);
	evloop_fini(&f.l);
}

static void full_timer_table_is_an_error(void)
{
	struct fixture f;
	struct seen s = { .cancel_id = -1 };
	struct berr e;

	setup(&f);
	for (int i = 0; i < NTIMER; i++)
		CHECK_INT(evloop_timer_new(&f.l, on_timer, &s, &e), i);
	CHECK_INT(evloop_timer_new(&f.l, on_timer, &s, &e), -1);
	CHECK_INT(e.errnum, ENOSPC);
	evloop_timer_free(&f.l, 5);
	CHECK_INT(evloop_timer_new(&f.l, on_timer, &s, &e), 5);
	evloop_fini(&f.l);
}

/* Heap order survives many arms and cancels in random order. */
static void heap_stays_ordered(void)
{
	struct fixture f;
	struct seen s = { .cancel_id = -1 };
	struct berr e;
	long long base;
	unsigned x = 12345;

	setup(&f);
	for (int i = 0; i < NTIMER; i++)
		evloop_timer_new(&f.l, on_timer, &s, &e);
	base = evloop_now(&f.l) - 1000000000LL;
	for (int round = 0; round < 2000; round++) {
		x = x * 1103515245u + 12345u;
		int id = (int)((x >> 16) % NTIMER);
		if ((x >> 8) & 1)
			evloop_timer_cancel(&f.l, id);
		else
			evloop_timer_arm(&f.l, id, base + (long long)((x >> 4) % 1000));
	}
	for (int i = 0; i < NTIMER; i++)
		evloop_timer_arm(&f.l, i, base + (long long)((i * 7) % NTIMER));
	CHECK_INT(evloop_step(&f.l, 0, &e), NTIMER);
	for (int i = 1; i < NTIMER; i++)
		CHECK((s.order[i - 1] * 7) % NTIMER < (s.order[i] * 7) % NTIMER);
	evloop_fini(&f.l);
}

static void on_stop(struct evloop *l, int id, void *arg)
{
	(void)id;
	(*(int *)arg)++;
	evloop_stop(l);
}

static void run_until_stopped(void)
{
	struct fixture f;
	struct berr e;
	int calls = 0, id;

	setup(&f);
	id = evloop_timer_new(&f.l, on_stop, &calls, &e);
	evloop_timer_arm_in(&f.l, id, 5);
	CHECK_INT(evloop_run(&f.l, &e), 0);
	CHECK_INT(calls, 1);
	evloop_fini(&f.l);
}

UNIT_MAIN(UNIT(fd_callback_gets_readable_event), UNIT(write_interest_and_modify),
	  UNIT(full_fd_table_is_an_error), UNIT(removing_own_fd_inside_callback),
	  UNIT(removed_peer_gets_no_stale_event), UNIT(timers_run_in_deadline_order),
	  UNIT(rearm_moves_a_timer), UNIT(cancel_during_dispatch), UNIT(past_rearm_waits_for_next_step),
	  UNIT(full_timer_table_is_an_error), UNIT(heap_stays_ordered), UNIT(run_until_stopped))
