/*
 * bgscan.c: lifecycle_preflight() on a thread (see bgscan.h). The thread
 * owns its store and runner; the results and the progress are handed over
 * under one mutex.
 */
#include "config.h"

#include "bgscan.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "store.h"

struct bgscan {
	pthread_t			 thread;
	int				 started;
	pthread_mutex_t			 lock;
	struct store			*store;
	struct lifecycle		*lc;
	uint64_t			 stale_before;
	volatile sig_atomic_t		 cancel;
	struct lifecycle_preflight	 pf;	/* the thread's; copied out when done */
	/* Under lock: */
	int				 done;
	int				 rc;
	size_t				 done_rows, total_rows;
	struct err			 err;
};

static int
on_progress(const struct lifecycle_progress *p, void *arg)
{
	struct bgscan *b = arg;

	pthread_mutex_lock(&b->lock);
	b->done_rows = p->done;
	b->total_rows = p->total;
	pthread_mutex_unlock(&b->lock);
	return 0;
}

static void *
bg_main(void *arg)
{
	struct bgscan *b = arg;
	struct err e;
	int rc;

	err_clear(&e);
	rc = lifecycle_preflight(b->lc, b->stale_before, &b->pf, &e);
	core_thread_cleanup();
	pthread_mutex_lock(&b->lock);
	b->rc = rc;
	b->err = e;
	b->done = 1;
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int
bgscan_start(struct bgscan **out, const char *url, const char *schema,
    const char *fernet_key, size_t len, uint64_t stale_before, struct err *e)
{
	struct lifecycle_opts lo;
	struct store_opts so;
	struct bgscan *b;

	*out = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		err_nomem(e);
		return -1;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->stale_before = stale_before;
	memset(&so, 0, sizeof so);
	so.schema = schema;
	memset(&lo, 0, sizeof lo);
	lo.progress = on_progress;
	lo.progress_arg = b;
	lo.cancel = &b->cancel;
	lo.threads = 1;		/* the console keeps the other core */
	if (store_open(&b->store, url, &so, e) != 0 ||
	    lifecycle_new(&b->lc, b->store, fernet_key ? fernet_key : "",
	    fernet_key ? len : 0, &lo, e) != 0)
		goto fail;
	if (pthread_create(&b->thread, NULL, bg_main, b) != 0) {
		err_set(e, ERR_NOMEM, "cannot start the scan thread");
		goto fail;
	}
	b->started = 1;
	*out = b;
	return 0;
fail:
	bgscan_free(b);
	return -1;
}

int
bgscan_poll(struct bgscan *b, struct lifecycle_preflight *out, size_t *done,
    size_t *total, struct err *e)
{
	int rc;

	pthread_mutex_lock(&b->lock);
	if (!b->done) {
		if (done != NULL)
			*done = b->done_rows;
		if (total != NULL)
			*total = b->total_rows;
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	rc = b->rc;
	if (rc != 0)
		*e = b->err;
	pthread_mutex_unlock(&b->lock);
	if (rc == 0)
		*out = b->pf;
	return rc == 0 ? 1 : -1;
}

void
bgscan_free(struct bgscan *b)
{
	if (b == NULL)
		return;
	if (b->started) {
		b->cancel = 1;
		pthread_join(b->thread, NULL);
	}
	/* The runner wipes the Fernet scratch of the thread that frees it. */
	lifecycle_free(b->lc);
	store_close(b->store);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
