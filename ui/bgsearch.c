/*
 * bgsearch.c: the filter's thread (see bgsearch.h): one request slot, one
 * result slot, one mutex and one condition variable.
 */
#include "config.h"

#include "bgsearch.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct bgsearch {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 wake;
	struct store	*store;		/* the thread's own */
	struct keyring	*kr;		/* the thread's own */
	struct connwin	 win;		/* filled by the thread */
	/* Under lock: */
	int		 quit;		/* the owner let go */
	int		 has_job;
	char		*match;		/* the request */
	int		 desc;
	size_t		 n;
	unsigned	 job_seq;
	int		 done;		/* win holds the result of done_seq */
	unsigned	 done_seq;
	int		 rc;
	struct err	 err;
};

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
	int desc, rc;

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
		pthread_mutex_unlock(&b->lock);

		err_clear(&e);
		rc = connwin_set_view(&b->win, match, desc, &e);
		if (rc == 0)
			rc = connwin_load_first(&b->win, n, &e);
		free(match);

		pthread_mutex_lock(&b->lock);
		b->rc = rc;
		b->err = e;
		b->done_seq = seq;
		b->done = 1;
	}
	pthread_mutex_unlock(&b->lock);
	core_thread_cleanup();
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
		err_set(e, ERR_NOMEM, "out of memory");
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
	pthread_detach(b->thread);
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
bgsearch_free(struct bgsearch *b)
{
	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->quit = 1;
	pthread_cond_signal(&b->wake);
	pthread_mutex_unlock(&b->lock);
}
