/*
 * lifecycle_pool.c: the worker threads of the lifecycle engine. Each
 * worker has its own parse of the key list (fernet key objects keep
 * mutable OpenSSL contexts) and a locked scratch buffer; the calling
 * thread hands out one page at a time (lifecycle_pool_start()), the
 * workers take its rows in chunks of CHUNK_ROWS from an atomic cursor and
 * do the Fernet work the job asks for (scan, encrypt, rotate, verify,
 * probe), and the calling thread waits for them, helping
 * (lifecycle_pool_wait()). A worker's first failure is kept for
 * lifecycle_pool_check().
 */
#include "config.h"

#include "lifecycle_int.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* -- workers ------------------------------------------------------------- */

static void
worker_fail(struct worker *w, const struct err *e)
{
	if (!w->failed) {
		w->err = *e;
		w->failed = 1;
	}
}

/*
 * Open a token with keys (no TTL) into the worker's locked scratch and wipe
 * it: the key index, or -1 when none opens it, or -2 on a failure that is
 * not the token's (recorded in w).
 */
static int
check_open(struct worker *w, struct fernet_key *const *keys, size_t nkeys,
    int *hint, const char *tok, size_t len, uint64_t *ts)
{
	struct fernet_info info;
	struct err e;
	size_t need = fernet_plain_max(len), outlen = 0;

	if (nkeys == 0)
		return -1;
	if (need > w->plain_cap) {
		if (w->plain != NULL)
			sodium_free(w->plain);
		w->plain_cap = 0;
		if ((w->plain = sodium_malloc(need < 4096 ? 4096 : need)) == NULL) {
			err_nomem(&e);
			worker_fail(w, &e);
			return -2;
		}
		w->plain_cap = need < 4096 ? 4096 : need;
	}
	info.key_index = -1;
	info.timestamp = 0;
	e.code = ERR_NONE;
	if (fernet_decrypt(keys, nkeys, hint, tok, len, NULL, w->plain,
	    w->plain_cap, &outlen, &info, &e) == 0) {
		sodium_memzero(w->plain, outlen);
		*ts = info.timestamp;
		return info.key_index;
	}
	if (e.code != ERR_INVALID) {
		worker_fail(w, &e);
		return -2;
	}
	*ts = info.timestamp;
	return -1;
}

int
lifecycle_pool_open(struct lifecycle *lc, const char *tok, size_t len,
    struct err *e)
{
	struct worker *w = &lc->w[0];
	uint64_t ts = 0;
	int k;

	k = check_open(w, keyring_keys(w->kr), keyring_count(w->kr), NULL, tok,
	    len, &ts);
	if (k == -2) {
		*e = w->err;
		w->failed = 0;
		err_clear(&w->err);
	}
	return k;
}

void
lifecycle_row_digest(uint8_t out[ROW_DIGEST], const uint8_t key[DIG_KEY],
    const char *val, size_t len)
{
	crypto_shorthash_siphashx24(out, (const unsigned char *)val, len, key);
}

/*
 * A new token, checked in memory before it is written: the primary key
 * alone opens it, with the timestamp of the token it replaces. 0, or -1
 * with the failure recorded in w.
 */
static int
check_new_token(struct worker *w, struct fernet_key *const *keys,
    const struct row *r, const char *tok)
{
	struct err e;
	uint64_t ts = 0;
	int k;

	k = check_open(w, keys, 1, NULL, tok, r->out_len, &ts);
	if (k == -2)
		return -1;
	if (k != 0 || ts != r->ts) {
		err_set(&e, ERR_INVALID, "internal error: a new token of %s "
		    "row %lld does not open with the primary key as made; "
		    "nothing was changed", store_field_name(r->field),
		    (long long)r->id);
		worker_fail(w, &e);
		return -1;
	}
	return 0;
}

static void
work_row(struct worker *w, struct page *p, struct row *r)
{
	struct fernet_key *const *keys = keyring_keys(w->kr);
	size_t nkeys = keyring_count(w->kr);
	const char *in = p->in + r->in_off;
	/* A scan page has no output buffer: no offset from NULL (UBSan). */
	char *out = p->out != NULL ? p->out + r->out_off : NULL;
	struct fernet_info info;
	struct err e;
	int k;

	e.code = ERR_NONE;
	switch (p->op) {
	case OP_SCAN:
		r->key = check_open(w, keys, nkeys, keyring_hint(w->kr), in,
		    r->in_len, &r->ts);
		break;
	case OP_ENCRYPT:
		if (fernet_encrypt(keys[0], in, r->in_len, p->now, NULL, out,
		    r->out_cap, &r->out_len, &e) != 0) {
			worker_fail(w, &e);
			return;
		}
		r->status = ST_DONE;
		break;
	case OP_ROTATE:
		info.key_index = -1;
		info.timestamp = 0;
		if (fernet_rotate(keys, nkeys, keyring_hint(w->kr), in, r->in_len,
		    NULL, out, r->out_cap, &r->out_len, &info, &e) == 0) {
			r->ts = info.timestamp;
			r->key = info.key_index;
			if (check_new_token(w, keys, r, out) != 0)
				return;
			r->status = ST_DONE;
			lifecycle_row_digest(r->dig, w->lc->job.dig_key, out,
			    r->out_len);
		} else if (e.code == ERR_INVALID) {
			r->ts = info.timestamp;
			r->status = ST_UNOPENED;
			lifecycle_row_digest(r->dig, w->lc->job.dig_key, in,
			    r->in_len);	/* left as it is */
		} else {
			worker_fail(w, &e);
		}
		break;
	case OP_VERIFY:
		/* The primary key alone; then, to say why not, the others. */
		k = check_open(w, keys, nkeys > 0 ? 1 : 0, NULL, in, r->in_len,
		    &r->ts);
		if (k == -1 && nkeys > 1) {
			k = check_open(w, keys + 1, nkeys - 1, NULL, in, r->in_len,
			    &r->ts);
			if (k >= 0)
				k++;
		}
		r->key = k;
		break;
	case OP_PROBE:
		r->key = check_open(w, keys, nkeys, keyring_hint(w->kr), in,
		    r->in_len, &r->ts);
		if (r->key == -1 && w->cand != NULL)
			r->cand = check_open(w, keyring_keys(w->cand),
			    keyring_count(w->cand), NULL, in, r->in_len, &r->ts);
		break;
	}
}

static void
work_page(struct worker *w, struct page *p)
{
	size_t i, end;

	for (;;) {
		i = atomic_fetch_add(&p->next, CHUNK_ROWS);
		if (i >= p->nrows)
			return;
		end = i + CHUNK_ROWS < p->nrows ? i + CHUNK_ROWS : p->nrows;
		for (; i < end && !w->failed; i++)
			work_row(w, p, &p->rows[i]);
	}
}

void *
lifecycle_worker_main(void *arg)
{
	struct worker *w = arg;
	struct lifecycle *lc = w->lc;
	unsigned seen = 0;
	struct page *p;

	pthread_mutex_lock(&lc->mu);
	for (;;) {
		while (lc->gen == seen && !lc->quit)
			pthread_cond_wait(&lc->work, &lc->mu);
		if (lc->quit)
			break;
		seen = lc->gen;
		p = lc->current;
		pthread_mutex_unlock(&lc->mu);
		work_page(w, p);
		pthread_mutex_lock(&lc->mu);
		if (--lc->busy == 0)
			pthread_cond_signal(&lc->done);
	}
	pthread_mutex_unlock(&lc->mu);
	fernet_thread_cleanup();
	return NULL;
}

/* Hand a page to the worker threads. */
void
lifecycle_pool_start(struct lifecycle *lc, struct page *p)
{
	pthread_mutex_lock(&lc->mu);
	atomic_store(&p->next, 0);
	lc->current = p;
	lc->busy = lc->nworkers - 1;
	lc->gen++;
	pthread_cond_broadcast(&lc->work);
	pthread_mutex_unlock(&lc->mu);
}

/*
 * Wait until the current page (if any) is done. With help, the calling
 * thread takes rows of it too: it is free once it has applied the previous
 * page and read the next one, and on a machine whose SQL thread is the
 * bottleneck this keeps every CPU busy without a third runnable thread.
 */
void
lifecycle_pool_wait(struct lifecycle *lc, int help)
{
	if (help && lc->current != NULL)
		work_page(&lc->w[0], lc->current);
	pthread_mutex_lock(&lc->mu);
	while (lc->busy > 0)
		pthread_cond_wait(&lc->done, &lc->mu);
	lc->current = NULL;
	pthread_mutex_unlock(&lc->mu);
}

/* After lifecycle_pool_wait(): the first failure of a worker, if any. */
int
lifecycle_pool_check(struct lifecycle *lc, struct err *e)
{
	unsigned i;

	for (i = 0; i < lc->nworkers; i++)
		if (lc->w[i].failed) {
			if (e != NULL)
				*e = lc->w[i].err;
			return -1;
		}
	return 0;
}
