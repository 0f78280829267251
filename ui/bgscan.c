/*
 * bgscan.c: lifecycle_preflight() as a background job (see bgscan.h,
 * bgjob.h). The job owns its store and runner; the results and the
 * progress are handed over by the job's mutex.
 */
#include "config.h"

#include "bgscan.h"

#include <stdlib.h>
#include <string.h>

#include "bgjob.h"
#include "store.h"

struct bgscan {
	struct bgjob			 job;
	struct store			*store;
	struct lifecycle		*lc;
	uint64_t			 stale_before;
	struct lifecycle_preflight	 pf;	/* the thread's; copied out when done */
	struct lifecycle_progress	 prog;	/* the job's, under its lock */
};

static int
on_progress(const struct lifecycle_progress *p, void *arg)
{
	struct bgscan *b = arg;

	bgjob_progress_set(&b->job, p);
	return 0;
}

static int
bg_run(struct bgjob *j, void *arg, struct err *e)
{
	struct bgscan *b = arg;

	(void)j;
	return lifecycle_preflight(b->lc, b->stale_before, &b->pf, e);
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
	bgjob_init(&b->job, bg_run, NULL, b, &b->prog, sizeof b->prog);
	b->stale_before = stale_before;
	memset(&so, 0, sizeof so);
	so.schema = schema;
	memset(&lo, 0, sizeof lo);
	lo.progress = on_progress;
	lo.progress_arg = b;
	lo.cancel = bgjob_cancel_flag(&b->job);
	lo.threads = 1;		/* the console keeps the other core */
	if (store_open(&b->store, url, &so, e) != 0 ||
	    lifecycle_new(&b->lc, b->store, fernet_key ? fernet_key : "",
	    fernet_key ? len : 0, &lo, e) != 0 ||
	    bgjob_start(&b->job, "scan", e) != 0)
		goto fail;
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
	struct lifecycle_progress p;
	int rc;

	if ((rc = bgjob_poll(&b->job, e)) == 0) {
		memset(&p, 0, sizeof p);
		(void)bgjob_progress(&b->job, &p);
		if (done != NULL)
			*done = p.done;
		if (total != NULL)
			*total = p.total;
		return 0;
	}
	if (rc == 1)
		*out = b->pf;
	return rc;
}

void
bgscan_free(struct bgscan *b)
{
	if (b == NULL)
		return;
	bgjob_release(&b->job);
	/* The runner wipes the Fernet scratch of the thread that frees it. */
	lifecycle_free(b->lc);
	store_close(b->store);
	free(b);
}
