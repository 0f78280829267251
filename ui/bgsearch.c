/*
 * bgsearch.c: the filter's jobs (see bgsearch.h, bgjob.h): one background
 * job per request, one request waiting, one result. Only the caller's
 * thread touches the request slots and the result; the job reads the
 * request it was started with and fills the window. Whether the running
 * job is still wanted (busy, stale) is the caller's; the job's cancel
 * hook, store_interrupt(), is called under the job's mutex and only while
 * its run function runs, so it can only hit the request it was meant for
 * (or nothing, between two statements).
 */
#include "config.h"

#include "bgsearch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgjob.h"

/* Interrupt a query that goes on after an interrupt again this often. */
#define REINTERRUPT_MS	100

/* How long bgsearch_free() waits for the running query to end. */
#define BGSEARCH_QUIT_WAIT_S	2

struct bgsearch {
	struct bgjob	 job;
	/* The job's while it runs; the caller only interrupts it (the hook). */
	struct store	*store;
	struct keyring	*kr;
	struct session_keys *keys;	/* a reference: the config audit reads */
	struct audit	*audit;		/* is:flagged, on the job's thread */
	struct connwin	 win;		/* the job's while it runs; see poll */
	/* The request the job was started with: */
	char		*run_match;
	int		 run_desc;
	size_t		 run_n;
	unsigned	 run_seq;
	int		 busy;		/* started, its end not seen yet */
	int		 stale;		/* ... and no longer wanted */
	int64_t		 interrupted_at;	/* when it was last interrupted, ms */
	/* The request not started yet: */
	int		 has_job;
	char		*match;
	int		 desc;
	size_t		 n;
	unsigned	 job_seq;
	/* The result: */
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

/* The job's cancel hook, under the job's mutex while the query runs. */
static void
bs_interrupt(void *arg)
{
	struct bgsearch *b = arg;

	store_interrupt(b->store);
}

/* The running request is not wanted any more; stop it. */
static void
stop_running(struct bgsearch *b)
{
	if (!b->busy)
		return;
	b->stale = 1;
	b->interrupted_at = now_ms();
	bgjob_cancel(&b->job);
}

/* Everything but the job, which was released or frees b itself. */
static void
bs_destroy(void *arg)
{
	struct bgsearch *b = arg;

	connwin_release(&b->win);
	audit_free(b->audit);
	store_close(b->store);
	keyring_free(b->kr);
	session_keys_unref(b->keys);
	free(b->match);
	free(b->run_match);
	free(b);
}

static int
bs_run(struct bgjob *j, void *arg, struct err *e)
{
	struct bgsearch *b = arg;
	int rc;

	for (;;) {
		err_clear(e);
		rc = connwin_set_view(&b->win, b->run_match, b->run_desc, e);
		if (rc == 0)
			rc = connwin_load_first(&b->win, b->run_n, e);
		/*
		 * Interrupted but still wanted (a cancel that came late,
		 * which store.h says cannot hit a later statement; kept as
		 * a guard): run it again.
		 */
		if (rc == 0 || e->code != ERR_INTERRUPTED || bgjob_cancelled(j))
			return rc;
	}
}

/*
 * See whether the running job ended (posting its result) and, once none
 * runs, start the waiting request.
 */
static void
bs_step(struct bgsearch *b)
{
	struct err e;
	int rc;

	err_clear(&e);
	if (b->busy) {
		if ((rc = bgjob_poll(&b->job, &e)) == 0) {
			/* An interrupt lost between two statements of the old query. */
			if (b->stale &&
			    now_ms() - b->interrupted_at >= REINTERRUPT_MS)
				stop_running(b);
			return;
		}
		b->busy = 0;
		b->stale = 0;
		free(b->run_match);
		b->run_match = NULL;
		/* An interrupted request has no result: it was not wanted. */
		if (rc == 1 || e.code != ERR_INTERRUPTED) {
			b->rc = rc == 1 ? 0 : -1;
			b->err = e;
			b->done_seq = b->run_seq;
			b->done = 1;
		}
	}
	if (!b->has_job)
		return;
	b->run_match = b->match;
	b->match = NULL;
	b->run_desc = b->desc;
	b->run_n = b->n;
	b->run_seq = b->job_seq;
	b->has_job = 0;
	b->done = 0;	/* an unread result is stale now */
	err_clear(&e);
	if (bgjob_start(&b->job, "search", &e) != 0) {
		b->rc = -1;
		b->err = e;
		b->done_seq = b->run_seq;
		b->done = 1;
		return;
	}
	b->busy = 1;
}

int
bgsearch_new(struct bgsearch **out, struct session *s, const char *url,
    const char *schema, struct err *e)
{
	const struct config_value *k;
	struct store_opts so;
	struct bgsearch *b;

	*out = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		err_nomem(e);
		return -1;
	}
	bgjob_init(&b->job, bs_run, bs_interrupt, b, NULL, 0);
	b->keys = session_keys_ref(s);
	k = &b->keys->origin;
	memset(&so, 0, sizeof so);
	so.schema = schema;
	if (keyring_parse(&b->kr, k->value ? k->value : "", k->value ? k->len :
	    0, NULL, e) != 0 ||
	    store_open(&b->store, url, &so, e) != 0 ||
	    session_conn_flag_audit(s, b->keys, b->kr, b->store, &b->audit,
	    e) != 0) {
		bgjob_release(&b->job);
		bs_destroy(b);
		return -1;
	}
	connwin_init(&b->win, b->store, b->kr, 0);
	connwin_set_audit(&b->win, b->audit);
	*out = b;
	return 0;
}

int
bgsearch_set_env(struct bgsearch *b, const struct conn_row *rows, size_t n,
    struct err *e)
{
	return connwin_set_env(&b->win, rows, n, e);
}

int
bgsearch_submit(struct bgsearch *b, const char *match, int desc, size_t n,
    unsigned seq)
{
	char *m = match != NULL ? strdup(match) : NULL;

	if (match != NULL && m == NULL)
		return -1;
	free(b->match);
	b->match = m;
	b->desc = desc;
	b->n = n;
	b->job_seq = seq;
	b->has_job = 1;
	if (!b->stale)
		stop_running(b);
	bs_step(b);
	return 0;
}

/* Swap the rows and the view of two windows (not their store or ring). */
static void
swap_view(struct connwin *a, struct connwin *b)
{
	struct connwin t = *a;

	/* The filter's terms go with the rows: paging reads on by them. */
	a->filter = b->filter;
	a->text = b->text;
	b->filter = t.filter;
	b->text = t.text;
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
	bs_step(b);
	if (!b->done || b->done_seq != seq)
		return 0;
	b->done = 0;
	if (b->rc != 0) {
		*e = b->err;
		return -1;
	}
	swap_view(w, &b->win);
	return 1;
}

void
bgsearch_cancel(struct bgsearch *b)
{
	if (b == NULL)
		return;
	free(b->match);
	b->match = NULL;
	b->has_job = 0;
	b->done = 0;
	if (!b->stale)
		stop_running(b);
}

void
bgsearch_free(struct bgsearch *b)
{
	if (b == NULL)
		return;
	bgsearch_cancel(b);
	/*
	 * An interrupted query ends at once; wait for that, so that the
	 * job's memory is freed before the process exits. A job stuck in
	 * the network (a cancel request to a host that does not answer) is
	 * left to finish and free b on its own.
	 */
	if (b->busy)
		(void)bgjob_finish(&b->job, BGSEARCH_QUIT_WAIT_S * 1000);
	bgjob_abandon(&b->job, bs_destroy);
}
