/* server.c — berth-apid's listener: a thread per connection (small stack),
 * the TLS handshake under its deadline, and the connection cap.
 *
 * The cap (max_connections): a new connection beyond it closes the oldest
 * connection that is still in its handshake or waiting for a request head
 * (shutdown(2): its thread wakes at once and leaves), and is served. A
 * connection serving a request (a running `logs -f`, an attach) is never
 * closed for another. When every connection is busy, the new one is closed
 * without an answer. So 200 idle connections and a slowloris client cost
 * an admin one eviction, not a wait.
 *
 * A thread whose connection ended waits (CONFIG_API_IDLE_THREADS of them,
 * 30 s at most) for the next one, keeping its struct aconn: a handshake
 * then costs no clone, no mmap and munmap (a TLB shootdown on every CPU)
 * and no page faults on fresh memory — an eighth of its CPU, measured.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "runtime/api/apid.h"

#define THREAD_STACK (64 * 1024)
#define IDLE_MS 30000	/* how long a thread waits for the next connection */

void aconn_state(struct aconn *c, enum aconn_state s)
{
	pthread_mutex_lock(&c->d->mu);
	if (c->state != ACONN_EVICTED) {
		c->state = s;
		c->since_ms = tls_now_ms();
	}
	pthread_mutex_unlock(&c->d->mu);
}

static void handshake(struct aconn *c)
{
	struct apid *d = c->d;
	struct berr e;
	int rc;

	if (tls_conn_server(&c->tls, &d->tls, c->fd, &e) < 0)
		return;
	rc = tls_conn_handshake(&c->tls, tls_now_ms() + d->conf.handshake_ms, &e);
	metrics_handshake(&d->metrics, rc < 0 ? tls_conn_failure(&c->tls) : TLS_FAIL_NONE);
	if (rc == 0) {
		c->peer = tls_conn_peer(&c->tls);
		c->role = api_conf_role(&d->conf, c->peer->o, c->peer->n_o, c->peer->ou,
					c->peer->n_ou);
		proxy_serve(c);
	}
	tls_conn_fini(&c->tls);
}

/* Under d->mu: c leaves the live list. */
static void unlink_locked(struct apid *d, struct aconn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	d->n_conns--;
}

/* Under d->mu: c's connection starts (fd accepted); it joins the live list. */
static void link_locked(struct apid *d, struct aconn *c, int fd)
{
	c->fd = fd;
	c->eng = -1;
	c->role = API_ROLE_NONE;
	c->peer = NULL;
	c->in_off = c->in_len = 0;
	c->in_msg = 0;
	c->state = ACONN_HANDSHAKE;
	c->since_ms = tls_now_ms();
	c->prev = NULL;
	c->next = d->conns;
	if (d->conns)
		d->conns->prev = c;
	d->conns = c;
	d->n_conns++;
	d->metrics.conns_total++;
}

/* Under d->mu, after a connection: wait (at most IDLE_MS) on the idle list
 * for conn_start to hand over the next one. 1 given (c is live again), 0
 * the thread ends (the list is full, or nothing came). */
static int idle_wait_locked(struct apid *d, struct aconn *c)
{
	struct timespec until;

	if (d->n_idle >= CONFIG_API_IDLE_THREADS)
		return 0;
	c->fd = -1;
	c->prev = NULL;
	c->next = d->idle;
	if (d->idle)
		d->idle->prev = c;
	d->idle = c;
	d->n_idle++;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += IDLE_MS / 1000;
	while (c->fd < 0)
		if (pthread_cond_timedwait(&c->wake, &d->mu, &until) == ETIMEDOUT && c->fd < 0)
			break;
	if (c->fd >= 0)
		return 1;	/* conn_start took c off the idle list */
	if (c->prev)
		c->prev->next = c->next;
	else
		d->idle = c->next;
	if (c->next)
		c->next->prev = c->prev;
	d->n_idle--;
	return 0;
}

static void *conn_thread(void *arg)
{
	struct aconn *c = arg;
	struct apid *d = c->d;
	int again;

	do {
		handshake(c);
		if (c->eng >= 0)
			close(c->eng);
		close(c->fd);
		pthread_mutex_lock(&d->mu);
		unlink_locked(d, c);
		again = idle_wait_locked(d, c);
		pthread_mutex_unlock(&d->mu);
	} while (again);
	pthread_cond_destroy(&c->wake);
	free(c);
	return NULL;
}

/* Under d->mu: make room by closing the oldest idle or handshaking
 * connection. 0 done, -1 none can go. */
static int evict_locked(struct apid *d)
{
	struct aconn *victim = NULL;
	int live = 0;

	for (struct aconn *c = d->conns; c; c = c->next) {
		if (c->state == ACONN_EVICTED)
			continue;
		live++;
		if ((c->state == ACONN_HANDSHAKE || c->state == ACONN_WAITING) &&
		    (!victim || c->since_ms <= victim->since_ms))
			victim = c;
	}
	if (live < d->conf.conns_max)
		return 0;
	if (!victim)
		return -1;
	victim->state = ACONN_EVICTED;
	shutdown(victim->fd, SHUT_RDWR);
	return 0;
}

/* A new thread for c, whose connection is live already. */
static int thread_start(struct aconn *c)
{
	pthread_condattr_t ca;
	pthread_attr_t at;
	pthread_t t;
	int rc;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, THREAD_STACK);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &at, conn_thread, c);
	pthread_attr_destroy(&at);
	if (rc != 0)
		pthread_cond_destroy(&c->wake);
	return rc == 0 ? 0 : -1;
}

/* Serve fd: on a waiting thread (its memory and stack already touched), or
 * on a new one. */
static void conn_start(struct apid *d, int fd)
{
	struct aconn *c;
	int one = 1, full;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pthread_mutex_lock(&d->mu);
	full = evict_locked(d) < 0 || d->n_conns >= 2 * d->conf.conns_max;
	if (!full && d->idle) {
		c = d->idle;
		d->idle = c->next;
		if (d->idle)
			d->idle->prev = NULL;
		d->n_idle--;
		link_locked(d, c, fd);
		pthread_cond_signal(&c->wake);
		pthread_mutex_unlock(&d->mu);
		return;
	}
	pthread_mutex_unlock(&d->mu);
	if (full || !(c = malloc(sizeof(*c)))) {
		close(fd);
		return;
	}
	c->d = d;
	pthread_mutex_lock(&d->mu);
	link_locked(d, c, fd);
	pthread_mutex_unlock(&d->mu);
	if (thread_start(c) < 0) {
		pthread_mutex_lock(&d->mu);
		unlink_locked(d, c);
		pthread_mutex_unlock(&d->mu);
		close(fd);
		free(c);
	}
}

int apid_serve(struct apid *d, int lfd, int sigfd, struct berr *e)
{
	struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };

	for (;;) {
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return berr_sys(e, "poll");
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				return 0;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				poll(NULL, 0, 100);	/* let connections end */
				continue;
			}
			return berr_sys(e, "accept");
		}
		apid_crl_check(d);
		conn_start(d, fd);
	}
}
