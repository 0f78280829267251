/*
 * bgsearch.c: the filter's thread (see bgsearch.h): one request slot, one
 * result slot, one mutex and one condition variable. The state of the
 * request being run (running, stale) lets the caller's side interrupt it
 * exactly when it is no longer wanted: the thread takes a request and
 * posts its result under the mutex, and every store_interrupt() is called
 * under the mutex while running is set, so it can only hit the request it
 * was meant for (or nothing, between two statements).
 */
#include "config.h"

#include "bgsearch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Interrupt a query that goes on after an interrupt again this often. */
#define REINTERRUPT_MS	100

/* How long bgsearch_free() waits for the thread to end. */
#define BGSEARCH_QUIT_WAIT_S	2

struct bgsearch {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	/* The thread's own; the caller only interrupts it, under lock. */
	struct store	*store;
	struct keyring	*kr;		/* the thread's own */
	struct connwin	 win;		/* the thread's while running; see poll */
	/* Under lock: */
	int		 quit;		/* the owner let go */
	int		 finished;	/* the thread is past its last use of b */
	int		 orphaned;	/* the owner did not wait: the thread frees b */
	int		 has_job;
	char		*match;		/* the request */
	int		 desc;
	size_t		 n;
	unsigned	 job_seq;
	int		 running;	/* the thread runs a request */
	int		 stale;		/* ... that is no longer wanted */
	int64_t		 interrupted_at;	/* when it was last interrupted, ms */
	int		 done;		/* win holds the result of done_seq */
	unsigned	 done_seq;
	int		 rc;
	struct err	 err;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under lock: the running request is not wanted any more; stop it. */
static void
stop_running(struct bgsearch *b)
{
	if (!b->running)
		return;
	b->stale = 1;
	b->interrupted_at = now_ms();
	store_interrupt(b->store);
}

static void
bs_destroy(struct bgsearch *b)
{
	connwin_release(&b->win);
	store_close(b->store);
	keyring_free(b->kr);
	free(b->match);
	pthread_cond_destroy(&b->wake);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static void *
bs_main(void *arg)
{
	struct bgsearch *b = arg;
	struct err e;
	char *match;
	unsigned seq;
	size_t n;
	int desc, rc, again, orphan;

	pthread_mutex_lock(&b->lock);
	for (;;) {
		while (!b->quit && !b->has_job)
			pthread_cond_wait(&b->wake, &b->lock);
		if (b->quit)
			break;
		match = b->match;
		b->match = NULL;
		desc = b->desc;
		n = b->n;
		seq = b->job_seq;
		b->has_job = 0;
		b->done = 0;	/* an unread result is stale now */
		b->running = 1;
		b->stale = 0;
		pthread_mutex_unlock(&b->lock);

		for (;;) {
			err_clear(&e);
			rc = connwin_set_view(&b->win, match, desc, &e);
			if (rc == 0)
				rc = connwin_load_first(&b->win, n, &e);
			if (rc == 0 || e.code != ERR_INTERRUPTED)
				break;
			/*
			 * Interrupted but still wanted (a cancel that came
			 * late, which store.h says cannot hit a later
			 * statement; kept as a guard): run it again.
			 */
			pthread_mutex_lock(&b->lock);
			again = !b->stale && !b->quit;
			pthread_mutex_unlock(&b->lock);
			if (!again)
				break;
		}
		free(match);

		pthread_mutex_lock(&b->lock);
		b->running = 0;
		b->stale = 0;
		/* An interrupted request has no result: it was not wanted. */
		if (rc == 0 || e.code != ERR_INTERRUPTED) {
			b->rc = rc;
			b->err = e;
			b->done_seq = seq;
			b->done = 1;
		}
	}
	/* Its store and key ring go first: the owner may free b once told. */
	connwin_release(&b->win);
	store_close(b->store);
	b->store = NULL;
	keyring_free(b->kr);
	b->kr = NULL;
	b->finished = 1;
	orphan = b->orphaned;
	pthread_cond_broadcast(&b->wake);
	pthread_mutex_unlock(&b->lock);
	core_thread_cleanup();
	if (orphan)
		bs_destroy(b);
	return NULL;
}

int
bgsearch_new(struct bgsearch **out, const char *url, const char *schema,
    const char *fernet_key, size_t len, struct err *e)
{
	struct store_opts so;
	struct bgsearch *b;

	*out = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		err_nomem(e);
		return -1;
	}
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	memset(&so, 0, sizeof so);
	so.schema = schema;
	if (keyring_parse(&b->kr, fernet_key ? fernet_key : "",
	    fernet_key ? len : 0, NULL, e) != 0 ||
	    store_open(&b->store, url, &so, e) != 0)
		goto fail;
	connwin_init(&b->win, b->store, b->kr, 0);
	if (pthread_create(&b->thread, NULL, bs_main, b) != 0) {
		err_set(e, ERR_NOMEM, "cannot start the search thread");
		goto fail;
	}
	*out = b;
	return 0;
fail:
	bs_destroy(b);
	return -1;
}

int
bgsearch_submit(struct bgsearch *b, const char *match, int desc, size_t n,
    unsigned seq)
{
	char *m = match != NULL ? strdup(match) : NULL;

	if (match != NULL && m == NULL)
		return -1;
	pthread_mutex_lock(&b->lock);
	free(b->match);
	b->match = m;
	b->desc = desc;
	b->n = n;
	b->job_seq = seq;
	b->has_job = 1;
	if (!b->stale)
		stop_running(b);
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

/* Swap the rows and the view of two windows (not their store or ring). */
static void
swap_view(struct connwin *a, struct connwin *b)
{
	struct connwin t = *a;

	a->match = b->match;
	a->desc = b->desc;
	a->rows = b->rows;
	a->n = b->n;
	a->alloc = b->alloc;
	a->at_start = b->at_start;
	a->at_end = b->at_end;
	b->match = t.match;
	b->desc = t.desc;
	b->rows = t.rows;
	b->n = t.n;
	b->alloc = t.alloc;
	b->at_start = t.at_start;
	b->at_end = t.at_end;
}

int
bgsearch_poll(struct bgsearch *b, unsigned seq, struct connwin *w,
    struct err *e)
{
	int rc = 0;

	pthread_mutex_lock(&b->lock);
	/* An interrupt lost between two statements of the old query. */
	if (b->running && b->stale &&
	    now_ms() - b->interrupted_at >= REINTERRUPT_MS)
		stop_running(b);
	if (b->done && b->done_seq == seq) {
		b->done = 0;
		if (b->rc == 0) {
			swap_view(w, &b->win);
			rc = 1;
		} else {
			*e = b->err;
			rc = -1;
		}
	}
	pthread_mutex_unlock(&b->lock);
	return rc;
}

void
bgsearch_cancel(struct bgsearch *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	free(b->match);
	b->match = NULL;
	b->has_job = 0;
	b->done = 0;
	if (!b->stale)
		stop_running(b);
	pthread_mutex_unlock(&b->lock);
}

void
bgsearch_free(struct bgsearch *b)
{
	struct timespec until;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->quit = 1;
	/* Before the thread can see quit: it closes the store after that. */
	if (!b->stale)
		stop_running(b);
	pthread_cond_broadcast(&b->wake);
	/*
	 * An interrupted query ends at once; wait for that, so that the
	 * thread's memory is freed before the process exits. A thread stuck
	 * in the network (a cancel request to a host that does not answer)
	 * is left to finish and free b on its own.
	 */
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += BGSEARCH_QUIT_WAIT_S;
	while (!b->finished && pthread_cond_timedwait(&b->wake, &b->lock,
	    &until) == 0)
		;
	if (!b->finished) {
		b->orphaned = 1;
		pthread_mutex_unlock(&b->lock);
		pthread_detach(b->thread);
		return;
	}
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	bs_destroy(b);
}
