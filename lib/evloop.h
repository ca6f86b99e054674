/* evloop.h — one event loop: file descriptors (epoll) and timers.
 *
 * The caller owns every table: struct evloop and the two slot arrays it is
 * given at evloop_init() (sized by the caller, usually from a Kconfig int).
 * Nothing here allocates after evloop_init() or keeps state outside struct
 * evloop, so PID 1 and the daemons can each run one (or several) loops.
 *
 * File descriptors: evloop_fd_add() takes a free slot (O(1): a free list)
 * and returns its id;
 * the callback runs with the ready events (EVLOOP_IN, EVLOOP_OUT,
 * EVLOOP_ERR). Cost per event is O(1) (epoll). A callback may add, modify
 * or remove any registration, its own included: an event already fetched
 * for a slot that was removed (or removed and reused) in the same round is
 * dropped, never delivered to the wrong callback.
 *
 * Timers: evloop_timer_new() takes a slot once; evloop_timer_arm() sets a
 * one-shot deadline in the loop's clock (CLOCK_MONOTONIC or CLOCK_BOOTTIME,
 * nanoseconds), evloop_timer_cancel() disarms it, both O(log n) on a heap.
 * Due timers run in deadline order (equal deadlines: in arming order). A
 * timer cancelled by an earlier callback of the same round does not run; a
 * timer re-armed from a callback for a time already past runs in the next
 * round, so a loop never spins inside one step.
 *
 * One step (evloop_step) waits for fd events until the earliest timer or
 * max_ms, runs the fd callbacks, then the due timers. evloop_run() steps
 * until evloop_stop() is called.
 */
#ifndef BERTH_LIB_EVLOOP_H
#define BERTH_LIB_EVLOOP_H

#include <stdint.h>
#include <time.h>

#include "lib/err.h"

#define EVLOOP_IN  0x1u   /* readable (or a peer hung up: read to see) */
#define EVLOOP_OUT 0x2u   /* writable */
#define EVLOOP_ERR 0x4u   /* error or hang-up reported by the kernel */

struct evloop;

typedef void evloop_fd_cb(struct evloop *l, int fd, unsigned events, void *arg);
typedef void evloop_timer_cb(struct evloop *l, int id, void *arg);

/* One fd slot; contents are the loop's own. */
struct evloop_fd {
	int fd;                   /* -1: slot free */
	unsigned events;
	uint32_t gen;             /* bumped on removal: stale events are dropped */
	evloop_fd_cb *cb;
	void *arg;
	int next_free;            /* free list, while the slot is free */
};

/* One timer slot; contents are the loop's own. */
struct evloop_timer {
	evloop_timer_cb *cb;      /* NULL: slot free */
	void *arg;
	long long due_ns;
	unsigned long long seq;   /* arming order: ties and "armed this round" */
	int heap_pos;             /* index in the heap, -1: not armed */
	int next_free;            /* free list, while the slot is free */
};

struct evloop {
	int epfd;
	clockid_t clock;
	struct evloop_fd *fds;
	int fds_max;
	int fd_free;              /* first free fd slot, -1: none */
	struct evloop_timer *timers;
	int *heap;                /* armed timer ids, a min-heap on (due_ns, seq) */
	int timers_max;
	int timer_free;           /* first free timer slot, -1: none */
	int nheap;
	unsigned long long seq;
	int stop;
};

/* Set up l over the caller's tables: fds[fds_max], timers[timers_max] and
 * heap[timers_max] (all left in place until evloop_fini). clock is
 * CLOCK_MONOTONIC or CLOCK_BOOTTIME. */
int evloop_init(struct evloop *l, clockid_t clock, struct evloop_fd *fds, int fds_max,
		struct evloop_timer *timers, int *heap, int timers_max, struct berr *e);

/* Close the epoll descriptor; registered fds stay open (they are the
 * caller's). */
void evloop_fini(struct evloop *l);

/* The loop's clock, now, in nanoseconds. */
long long evloop_now(const struct evloop *l);

/* Watch fd for events (EVLOOP_IN and/or EVLOOP_OUT; 0 keeps the slot with
 * no interest, though epoll still reports EVLOOP_ERR). Level-triggered: a
 * callback that leaves data unread is called again next step. Returns the
 * slot id, or -1: ENOSPC when every slot is taken, EEXIST when fd is
 * registered already, or epoll's error. */
int evloop_fd_add(struct evloop *l, int fd, unsigned events, evloop_fd_cb *cb, void *arg,
		  struct berr *e);

/* Change the interest of slot id. */
int evloop_fd_mod(struct evloop *l, int id, unsigned events, struct berr *e);

/* Stop watching slot id. Call it before closing the fd; after a close it
 * is tolerated only while the fd number cannot have been reused (a new fd
 * with that number, watched in another slot, would be unwatched too). An id
 * that is not registered is ignored. */
void evloop_fd_del(struct evloop *l, int id);

/* Take a timer slot for cb (disarmed). Returns its id, or -1 with ENOSPC. */
int evloop_timer_new(struct evloop *l, evloop_timer_cb *cb, void *arg, struct berr *e);

/* Run the timer once at due_ns (the loop's clock); re-arming moves it. */
void evloop_timer_arm(struct evloop *l, int id, long long due_ns);

/* Run it once after ms milliseconds from now. */
void evloop_timer_arm_in(struct evloop *l, int id, long long ms);

/* Disarm; harmless when not armed. */
void evloop_timer_cancel(struct evloop *l, int id);

/* Is timer id armed? */
int evloop_timer_armed(const struct evloop *l, int id);

/* Disarm and give the slot back. */
void evloop_timer_free(struct evloop *l, int id);

/* Wait up to max_ms (-1: no limit but the timers) and dispatch what came.
 * Returns the number of callbacks run, or -1 when epoll_wait failed (EINTR
 * is not a failure). */
int evloop_step(struct evloop *l, int max_ms, struct berr *e);

/* Step until evloop_stop(); returns 0 then, or -1 on the first failure. */
int evloop_run(struct evloop *l, struct berr *e);

/* Make evloop_run return after the current step. */
void evloop_stop(struct evloop *l);

#endif
