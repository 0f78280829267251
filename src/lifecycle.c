/*
 * lifecycle.c: the census and the lifecycle jobs (see lifecycle.h).
 *
 * The jobs share one engine. A field is read in pages by id through
 * store_field_iter(); only the values a job works on are copied into the
 * page (in locked memory: for encrypt they are plaintexts). The calling
 * thread owns the store; a pool of worker threads, each with its own parse
 * of the key list (fernet key objects keep mutable OpenSSL contexts), does
 * the Fernet work of one page at a time, taking rows in small chunks from
 * an atomic cursor. Three pages rotate so that the calling thread reads
 * page k+2 and applies page k (writes, counts) while the workers work on
 * page k+1:
 *
 *     read 0, start 0, read 1
 *     loop: wait k; start k+1; apply k; read k+2
 *
 * A page ends at page_rows rows or when its byte budget is full (a huge
 * value gets a page of its own): memory is bounded by three pages whatever
 * the table's size. The two fields of the connection table (password and
 * extra) are read in alternate pages, each starting from its own last id,
 * so that the second one finds the DB pages the first has just read and
 * rewritten still in SQLite's cache; a rotation reads them side by side
 * instead, a page of rows with both secrets (page_read_pair()), and writes
 * each connection once with store_conn_secrets_update(), as Airflow's own
 * flush does: one UPDATE and one new row version per connection, not two.
 * Other writes go through store_field_update(). All run inside the one
 * transaction of the job; nothing is committed before the last page is
 * applied, so a failure, a cancel or a kill leaves the DB as it was.
 *
 * A rotation is its own preflight (scan_row() counts what a preflight
 * counts) and records a digest of every value it writes or leaves
 * (apply_digest(), on an unlinked temp file); after COMMIT, rotate_check()
 * reads the values back on the calling thread and compares them one by
 * one, opening only those that differ, instead of opening every token
 * again (doc/design.md section 7).
 *
 * The worker threads are in lifecycle_pool.c, the state they share with
 * this file in lifecycle_int.h. The census (key status, lifecycle_census.c)
 * predates the engine and keeps its own simple, single-threaded pass with
 * the caller's ring.
 */
#include "config.h"

#include "lifecycle_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

/* -- small helpers ------------------------------------------------------- */

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
row_name(struct lifecycle_row *r, enum store_field f, int64_t id,
    const char *name, int key)
{
	r->field = f;
	r->id = id;
	r->key = key;
	snprintf(r->name, sizeof r->name, "%s", name ? name : "");
}

/* Append a named row to a bounded list. */
static void
name_add(struct lifecycle_row *list, size_t *n, enum store_field f,
    int64_t id, const char *name, int key)
{
	if (*n < LIFECYCLE_MAX_NAMED)
		row_name(&list[(*n)++], f, id, name, key);
}

static const char *
page_name(const struct page *p, const struct row *r)
{
	return r->name_off == NO_NAME ? NULL : p->names + r->name_off;
}

static void
oldest_newest(uint64_t *oldest, uint64_t *newest, uint64_t ts)
{
	if (*oldest == 0 || ts < *oldest)
		*oldest = ts;
	if (ts > *newest)
		*newest = ts;
}

/* -- pages --------------------------------------------------------------- */

static void
page_release(struct page *p)
{
	if (p->in != NULL)
		sodium_free(p->in);	/* wipes */
	free(p->out);
	free(p->names);
	free(p->rows);
	memset(p, 0, sizeof *p);
}

/* Make room for one more row of in/out bytes in an empty page. */
static int
page_grow(struct page *p, size_t in, size_t out, struct err *e)
{
	size_t cap;

	if (in > p->in_cap) {
		cap = in > PAGE_IN_BUDGET ? in : PAGE_IN_BUDGET;
		if (p->in != NULL)
			sodium_free(p->in);
		p->in_cap = 0;
		if ((p->in = sodium_malloc(cap)) == NULL)
			goto nomem;
		p->in_cap = cap;
	}
	if (out > p->out_cap) {
		cap = out > PAGE_OUT_BUDGET ? out : PAGE_OUT_BUDGET;
		free(p->out);
		p->out_cap = 0;
		if ((p->out = malloc(cap)) == NULL)
			goto nomem;
		p->out_cap = cap;
	}
	return 0;
nomem:
	err_nomem(e);
	return -1;
}

static int
page_add_name(struct page *p, const char *name, size_t *off, struct err *e)
{
	size_t n = strlen(name) + 1, cap;
	char *q;

	if (p->names_used + n > p->names_cap) {
		cap = p->names_cap ? p->names_cap * 2 : 16384;
		while (cap < p->names_used + n)
			cap *= 2;
		if ((q = realloc(p->names, cap)) == NULL) {
			err_nomem(e);
			return -1;
		}
		p->names = q;
		p->names_cap = cap;
	}
	memcpy(p->names + p->names_used, name, n);
	*off = p->names_used;
	p->names_used += n;
	return 0;
}

/* Classify a value for a job (see enum class). */
static enum class
classify(enum op op, enum store_field f, const struct store_value *v)
{
	if (v->value == NULL)
		return CL_EMPTY;
	if (f == STORE_TRIGGER_KWARGS) {
		if (v->len == 0)
			return CL_EMPTY;
		return v->value[0] == '{' ? CL_LEGACY : CL_WORK;
	}
	if (v->len == 0 && (f != STORE_VAR_VAL || v->flag))
		return CL_EMPTY;	/* Airflow encrypts "" only for variables */
	if (op == OP_ENCRYPT)
		return v->flag ? CL_ENCRYPTED : CL_WORK;
	if (!v->flag)
		return CL_PLAIN;
	return v->len == 0 ? CL_EMPTY : CL_WORK;
}

/* Bytes the new token of a row may need, with its NUL. */
static size_t
out_need(enum op op, size_t len)
{
	if (op == OP_ROTATE)
		return fernet_token_len(fernet_plain_max(len)) + 1;
	if (op == OP_ENCRYPT)
		return fernet_token_len(len) + 1;
	return 0;
}

/* Count a value the workers will not see. */
static void
count_skipped(struct lifecycle *lc, enum store_field f, enum class cl,
    const struct store_value *v)
{
	struct job *j = &lc->job;

	switch (cl) {
	case CL_EMPTY:
		if (j->pf != NULL)
			j->pf->field[f].empty++;
		break;
	case CL_PLAIN:
		if (j->pf != NULL)
			j->pf->field[f].plaintext++;
		break;
	case CL_LEGACY:
		if (j->pf != NULL) {
			j->pf->field[f].plaintext++;
			name_add(j->pf->legacy_rows, &j->pf->nlegacy_rows, f, v->id,
			    v->name, -1);
		}
		if (j->res != NULL)
			j->res->legacy++;
		break;
	default:
		break;
	}
}

/* Copy a work value into the page, which has room for it. */
static int
page_take(struct page *p, enum store_field f, const struct store_value *v,
    struct err *e)
{
	struct row *r = &p->rows[p->nrows];
	size_t out = out_need(p->op, v->len);

	memset(r, 0, sizeof *r);
	r->id = v->id;
	r->field = f;
	r->flag = v->flag;
	r->key = r->cand = -1;
	r->in_off = p->in_used;
	r->in_len = v->len;
	memcpy(p->in + p->in_used, v->value, v->len);
	p->in[p->in_used + v->len] = '\0';
	p->in_used += v->len + 1;
	r->out_off = p->out_used;
	r->out_cap = out;
	p->out_used += out;
	r->name_off = NO_NAME;
	if (v->name != NULL && page_add_name(p, v->name, &r->name_off, e) != 0)
		return -1;
	p->nrows++;
	return 0;
}

/* Empty p for a page of field f after id `after`, with room for nrows. */
static int
page_reset(struct lifecycle *lc, struct page *p, enum store_field f,
    int64_t after, size_t nrows, struct err *e)
{
	if (p->in != NULL && p->in_used > 0)
		sodium_memzero(p->in, p->in_used);
	p->field = f;
	p->pair = 0;
	p->op = lc->job.op;
	p->now = (uint64_t)time(NULL);
	p->nrows = p->nread = 0;
	p->in_used = p->out_used = p->names_used = 0;
	p->last_id = after;
	p->more = 0;
	atomic_store(&p->next, 0);
	if (p->rows_cap < nrows) {
		free(p->rows);
		p->rows_cap = 0;
		if ((p->rows = calloc(nrows, sizeof *p->rows)) == NULL) {
			err_nomem(e);
			return -1;
		}
		p->rows_cap = nrows;
	}
	return 0;
}

/*
 * Read the page of field f after id `after`: rows the job works on are
 * copied in, the others only counted. Returns 0 (p->more says whether to
 * read on), or -1 with e set.
 */
static int
page_read(struct lifecycle *lc, struct page *p, enum store_field f,
    int64_t after, struct err *e)
{
	struct store_iter *it = NULL;
	struct store_value v;
	size_t limit = lc->opts.page_rows, in, out;
	enum class cl;
	int rc;

	if (page_reset(lc, p, f, after, limit, e) != 0)
		return -1;
	if (store_field_iter(lc->s, f, after, limit, &it, e) != 0)
		return -1;
	while ((rc = store_field_next(it, &v, e)) == 1) {
		cl = classify(p->op, f, &v);
		if (cl != CL_WORK) {
			count_skipped(lc, f, cl, &v);
			p->nread++;
			p->last_id = v.id;
			continue;
		}
		in = v.len + 1;
		out = out_need(p->op, v.len);
		if (p->in_used + in > p->in_cap || p->out_used + out > p->out_cap) {
			if (p->nrows > 0) {
				/* Full: this row starts the next page. */
				p->more = 1;
				break;
			}
			if (page_grow(p, in, out, e) != 0)
				goto fail;
		}
		if (page_take(p, f, &v, e) != 0)
			goto fail;
		p->nread++;
		p->last_id = v.id;
	}
	if (rc < 0)
		goto fail;
	if (rc == 1 || p->nread == limit)
		p->more = 1;
	store_iter_free(it);
	return 0;
fail:
	store_iter_free(it);
	return -1;
}

/*
 * Read the page of connections after id `after` with both secrets, for a
 * rotation that writes each row once: the password and the extra of a row
 * come from one read of the row (store_conn_secrets_iter(): on PostgreSQL
 * one lock per row) and become adjacent rows of the page, password first.
 * A row counts as two values read, as in the field-by-field progress.
 * Returns as page_read().
 */
static int
page_read_pair(struct lifecycle *lc, struct page *p, int64_t after,
    struct err *e)
{
	static const enum store_field f[2] = { STORE_CONN_PASSWORD,
	    STORE_CONN_EXTRA };
	struct store_iter *it = NULL;
	struct store_value v[2];
	size_t limit = lc->opts.page_rows, in, out, ids = 0;
	enum class cl[2];
	int rc[2], i;

	if (page_reset(lc, p, STORE_CONN_PASSWORD, after, 2 * limit, e) != 0)
		return -1;
	p->pair = 1;
	if (store_conn_secrets_iter(lc->s, after, limit, &it, e) != 0)
		goto fail;
	for (;;) {
		rc[0] = store_field_next(it, &v[0], e);
		if (rc[0] != 1)
			break;
		if ((rc[1] = store_field_next(it, &v[1], e)) != 1) {
			if (rc[1] == 0)
				err_set(e, ERR_DB, "internal error: no extra "
				    "for connection row %lld",
				    (long long)v[0].id);
			goto fail;
		}
		in = out = 0;
		for (i = 0; i < 2; i++) {
			cl[i] = classify(p->op, f[i], &v[i]);
			if (cl[i] == CL_WORK) {
				in += v[i].len + 1;
				out += out_need(p->op, v[i].len);
			}
		}
		if (p->in_used + in > p->in_cap ||
		    p->out_used + out > p->out_cap) {
			if (p->nrows > 0) {
				/* Full: this row starts the next page. */
				p->more = 1;
				break;
			}
			if (page_grow(p, in, out, e) != 0)
				goto fail;
		}
		for (i = 0; i < 2; i++) {
			if (cl[i] != CL_WORK)
				count_skipped(lc, f[i], cl[i], &v[i]);
			else if (page_take(p, f[i], &v[i], e) != 0)
				goto fail;
		}
		p->nread += 2;
		p->last_id = v[0].id;
		ids++;
	}
	if (rc[0] < 0)
		goto fail;
	if (ids == limit)
		p->more = 1;
	store_iter_free(it);
	return 0;
fail:
	store_iter_free(it);
	return -1;
}

/* -- progress ------------------------------------------------------------ */

/* Fields stored in the same table (connection password and extra). */
static int
table_of(enum store_field f)
{
	return f == STORE_CONN_EXTRA ? STORE_CONN_PASSWORD : (int)f;
}


static int
cancel_requested(struct lifecycle *lc)
{
	if (!lc->job.may_cancel)
		return 0;
	if (lc->opts.cancel != NULL && *lc->opts.cancel)
		lc->job.cancelled = 1;
	return lc->job.cancelled;
}

static void
report(struct lifecycle *lc, int force)
{
	struct job *j = &lc->job;
	struct lifecycle_progress pr;
	double t = now_seconds();

	if (lc->opts.progress == NULL)
		return;
	if (!force && (t - j->last) * 1000.0 < (double)lc->opts.interval_ms)
		return;
	j->last = t;
	memset(&pr, 0, sizeof pr);
	pr.phase = j->phase;
	pr.field = j->field;
	pr.done = j->done;
	pr.total = j->total;
	pr.elapsed = t - j->t0;
	pr.rate = pr.elapsed > 0 ? (double)j->done / pr.elapsed : 0;
	pr.eta = pr.rate > 0 && j->total >= j->done ?
	    (double)(j->total - j->done) / pr.rate : -1;
	if (lc->opts.progress(&pr, lc->opts.progress_arg) != 0 && j->may_cancel)
		j->cancelled = 1;
}

/* Start a phase: count the rows of the fields it will read. */
static int
phase_begin(struct lifecycle *lc, enum lifecycle_phase ph,
    const enum store_field *fields, size_t nfields, struct err *e)
{
	struct job *j = &lc->job;
	size_t i, n;

	j->phase = ph;
	j->done = j->total = 0;
	j->may_cancel = ph != LIFECYCLE_COMMIT && ph != LIFECYCLE_VERIFY;
	for (i = 0; i < nfields; i++) {
		if (!store_field_exists(lc->s, fields[i]))
			continue;
		/* One COUNT per table; none for the verify right after a rotation. */
		if (lc->counts_fresh)
			n = lc->counted[fields[i]];
		else if (i > 0 && table_of(fields[i]) == table_of(fields[i - 1]))
			n = lc->counted[fields[i - 1]];
		else if (store_field_count(lc->s, fields[i], &n, e) != 0)
			return -1;
		lc->counted[fields[i]] = n;
		j->rows[fields[i]] = n;
		j->total += n;
	}
	lc->counts_fresh = 0;
	j->field = nfields > 0 ? fields[0] : STORE_CONN_PASSWORD;
	j->t0 = now_seconds();
	j->last = 0;
	report(lc, 1);
	return 0;
}

/* -- applying a page (calling thread) ------------------------------------ */

/* Count one row of a scan or a rotation in the preflight record. */
static void
scan_row(struct lifecycle_preflight *pf, struct page *p, const struct row *r)
{
	struct lifecycle_stats *st = &pf->field[r->field];

	if (r->key < 0) {
		st->undecryptable++;
		name_add(pf->bad, &pf->nbad, r->field, r->id, page_name(p, r), -1);
		return;
	}
	st->per_key[r->key]++;
	oldest_newest(&st->oldest[r->key], &st->newest[r->key], r->ts);
	if (pf->stale_before != 0 && r->ts < pf->stale_before)
		st->stale++;
}

static void
apply_scan(struct lifecycle *lc, struct page *p)
{
	size_t i;

	for (i = 0; i < p->nrows; i++)
		scan_row(lc->job.pf, p, &p->rows[i]);
}

/*
 * The record of a value a rotation wrote or left: its field (bit 0x80 set
 * when left as it was), its id (little-endian) and its digest.
 */
static void
dig_pack(uint8_t rec[DIG_REC], enum store_field f, int left, int64_t id,
    const uint8_t dig[ROW_DIGEST])
{
	uint64_t u = (uint64_t)id;
	int i;

	rec[0] = (uint8_t)((unsigned)f | (left ? 0x80u : 0u));
	for (i = 0; i < 8; i++)
		rec[1 + i] = (uint8_t)(u >> (8 * i));
	memcpy(rec + 9, dig, ROW_DIGEST);
}

#define DIG_BUF_RECS	256	/* records written to, or read from, the file at a time */

/* Record the digests of a rotated page's rows, written or left. */
static void
apply_digest(struct lifecycle *lc, struct page *p)
{
	struct job *j = &lc->job;
	uint8_t buf[DIG_BUF_RECS * DIG_REC];
	const struct row *r;
	size_t i, n = 0;

	for (i = 0; i < p->nrows; i++) {
		r = &p->rows[i];
		if (r->status != ST_DONE && r->status != ST_UNOPENED)
			continue;
		dig_pack(buf + DIG_REC * n++, r->field,
		    r->status == ST_UNOPENED, r->id, r->dig);
		j->ndig++;
		if (n == DIG_BUF_RECS) {
			if (fwrite(buf, DIG_REC, n, j->digf) != n)
				j->digf_failed = 1;
			n = 0;
		}
	}
	if (n > 0 && fwrite(buf, DIG_REC, n, j->digf) != n)
		j->digf_failed = 1;
}

/*
 * A row that no key opens: an error, or (--skip-undecryptable) counted as
 * skipped.
 */
static int
write_unopened(struct lifecycle *lc, struct page *p, const struct row *r,
    struct err *e)
{
	struct lifecycle_result *res = lc->job.res;
	char what[400];
	struct lifecycle_row nr;

	if (!(lc->job.flags & LIFECYCLE_SKIP_UNDECRYPTABLE)) {
		lc->job.unopened = 1;
		row_name(&nr, r->field, r->id, page_name(p, r), -1);
		lifecycle_row_format(&nr, what, sizeof what);
		err_set(e, ERR_INVALID, "cannot rotate: no key of "
		    "[core] fernet_key opens %s; nothing was changed "
		    "(--skip-undecryptable leaves such values as "
		    "they are)", what);
		return -1;
	}
	res->skipped[r->field]++;
	res->total_skipped++;
	name_add(res->skipped_rows, &res->nskipped_rows, r->field, r->id,
	    page_name(p, r), -1);
	return 0;
}

/*
 * A pair page: the new tokens of a connection (password, extra or both)
 * in one store_conn_secrets_update(). Returns the page rows it consumed
 * (1 or 2), or -1 with e set.
 */
static int
write_pair(struct lifecycle *lc, struct page *p, size_t i, struct err *e)
{
	struct lifecycle_result *res = lc->job.res;
	const struct row *r[2] = { NULL, NULL }, *x;
	const char *val[2] = { NULL, NULL };
	size_t len[2] = { 0, 0 }, n, k;
	unsigned which = 0;
	int flag[2] = { 0, 0 }, slot;

	for (n = 0; n < 2 && i + n < p->nrows; n++) {
		x = &p->rows[i + n];
		if (n > 0 && x->id != p->rows[i].id)
			break;
		slot = x->field == STORE_CONN_EXTRA;
		r[slot] = x;
		if (x->status == ST_UNOPENED) {
			if (write_unopened(lc, p, x, e) != 0)
				return -1;
			continue;
		}
		if (x->status != ST_DONE)
			continue;
		which |= slot ? STORE_SET_EXTRA : STORE_SET_PASSWORD;
		val[slot] = p->out + x->out_off;
		len[slot] = x->out_len;
		flag[slot] = x->flag;
	}
	if (which != 0 && store_conn_secrets_update(lc->s, p->rows[i].id, which,
	    val[0], len[0], flag[0], val[1], len[1], flag[1], e) != 0)
		return -1;
	for (k = 0; k < 2; k++)
		if (which & (k ? STORE_SET_EXTRA : STORE_SET_PASSWORD)) {
			res->changed[r[k]->field]++;
			res->total_changed++;
		}
	return (int)n;
}

static int
apply_write(struct lifecycle *lc, struct page *p, struct err *e)
{
	struct lifecycle_result *res = lc->job.res;
	struct row *r;
	size_t i;
	int n;

	for (i = 0; i < p->nrows; i++) {
		if (p->pair) {
			if ((n = write_pair(lc, p, i, e)) < 0)
				return -1;
			i += (size_t)n - 1;
			continue;
		}
		r = &p->rows[i];
		if (r->status == ST_UNOPENED) {
			if (write_unopened(lc, p, r, e) != 0)
				return -1;
			continue;
		}
		if (r->status != ST_DONE)
			continue;
		if (store_field_update(lc->s, p->field, r->id, p->out + r->out_off,
		    r->out_len, p->op == OP_ENCRYPT ? 1 : r->flag, e) != 0)
			return -1;
		res->changed[p->field]++;
		res->total_changed++;
	}
	return 0;
}

static void
apply_verify(struct lifecycle *lc, struct page *p)
{
	struct lifecycle_verify *vf = lc->job.vf;
	struct row *r;
	size_t i;

	for (i = 0; i < p->nrows; i++) {
		r = &p->rows[i];
		vf->checked++;
		if (r->key == 0) {
			vf->primary++;
			continue;
		}
		if (r->key > 0)
			vf->other++;
		else
			vf->undecryptable++;
		name_add(vf->rows, &vf->nrows, p->field, r->id, page_name(p, r),
		    r->key);
	}
}

static void
apply_probe(struct lifecycle *lc, struct page *p)
{
	struct lifecycle_probe *pr = lc->job.pr;
	struct row *r;
	size_t i;

	for (i = 0; i < p->nrows; i++) {
		r = &p->rows[i];
		pr->checked++;
		if (r->key >= 0)
			continue;
		pr->unopened++;
		pr->per_field[p->field]++;
		if (r->cand >= 0 && (size_t)r->cand < pr->ncand)
			pr->opened[r->cand]++;
		else
			pr->still_unopened++;
		name_add(pr->rows, &pr->nrows, p->field, r->id, page_name(p, r),
		    r->cand);
	}
}

static int
page_apply(struct lifecycle *lc, struct page *p, struct err *e)
{
	size_t i;

	switch (p->op) {
	case OP_SCAN:
		apply_scan(lc, p);
		break;
	case OP_ENCRYPT:
		if (apply_write(lc, p, e) != 0)
			return -1;
		break;
	case OP_ROTATE:
		/* The rotation is its own preflight: one pass checks and writes. */
		for (i = 0; i < p->nrows; i++)
			if (p->rows[i].status == ST_DONE ||
			    p->rows[i].status == ST_UNOPENED)
				scan_row(lc->job.pf, p, &p->rows[i]);
		if (apply_write(lc, p, e) != 0)
			return -1;
		apply_digest(lc, p);
		if (lc->job.digf_failed) {
			err_set(e, ERR_IO, "cannot write the rotation's digests "
			    "to a temporary file; nothing was changed");
			return -1;
		}
		break;
	case OP_VERIFY:
		apply_verify(lc, p);
		break;
	case OP_PROBE:
		apply_probe(lc, p);
		break;
	}
	lc->job.done += p->nread;
	if (lc->job.res != NULL)
		lc->job.res->rows += p->nread;
	return 0;
}

/* -- running a field ----------------------------------------------------- */

static int
cancelled_error(struct lifecycle *lc, struct err *e)
{
	err_set(e, ERR_INVALID, "%s cancelled; nothing was changed",
	    lifecycle_phase_name(lc->job.phase));
	return -1;
}

/* Where a field's reading has got to. */
struct cursor {
	enum store_field	f;
	int64_t			after;	/* the next page starts after this id */
	int			more;
};

/*
 * Read the next page of whichever field of the group is behind (the lowest
 * id) into p. The fields of one table (connection password and extra) so
 * advance together: the second reads and rewrites the DB pages the first
 * has just touched, while SQLite still has them in its cache, instead of
 * going over the whole table a second time. *got is 0 when every field is
 * done.
 */
static int
read_next(struct lifecycle *lc, struct cursor *c, size_t n, int pair,
    struct page *p, int *got, struct err *e)
{
	struct cursor *pick = NULL;
	size_t i;

	*got = 0;
	if (pair) {
		/* c[0] and c[1]: password and extra, read together. */
		if (!c[0].more)
			return 0;
		if (page_read_pair(lc, p, c[0].after, e) != 0)
			return -1;
		c[0].after = c[1].after = p->last_id;
		c[0].more = c[1].more = p->more;
		*got = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (c[i].more && (pick == NULL || c[i].after < pick->after))
			pick = &c[i];
	if (pick == NULL)
		return 0;
	if (page_read(lc, p, pick->f, pick->after, e) != 0)
		return -1;
	pick->after = p->last_id;
	pick->more = p->more;
	*got = 1;
	return 0;
}

/*
 * The fields of one table through the pipeline: every page read, worked on
 * and applied, or -1 with e set (the workers are idle again whatever
 * happens).
 */
static int
run_group(struct lifecycle *lc, struct cursor *c, size_t n, int pair,
    struct err *e)
{
	struct page *cur = &lc->pages[0], *next = &lc->pages[1], *spare;
	size_t k = 0;
	int got;

	if (read_next(lc, c, n, pair, cur, &got, e) != 0)
		return -1;
	if (!got)
		return 0;
	lc->job.field = cur->field;
	lifecycle_pool_start(lc, cur);
	if (read_next(lc, c, n, pair, next, &got, e) != 0)
		goto fail;
	if (!got)
		next = NULL;
	for (;;) {
		lifecycle_pool_wait(lc, 1);
		if (lifecycle_pool_check(lc, e) != 0)
			return -1;
		if (next != NULL)
			lifecycle_pool_start(lc, next);
		lc->job.field = cur->field;
		if (page_apply(lc, cur, e) != 0)
			goto fail;
		report(lc, 0);
		if (cancel_requested(lc)) {
			lifecycle_pool_wait(lc, 0);
			return cancelled_error(lc, e);
		}
		if (next == NULL)
			break;
		k = (k + 1) % NPAGES;
		spare = &lc->pages[(k + 1) % NPAGES];
		if (read_next(lc, c, n, pair, spare, &got, e) != 0)
			goto fail;
		cur = next;
		next = got ? spare : NULL;
	}
	return 0;
fail:
	lifecycle_pool_wait(lc, 0);
	return -1;
}

/* Run an op over the fields that exist, the fields of one table together. */
static int
run_fields(struct lifecycle *lc, const enum store_field *fields, size_t n,
    struct err *e)
{
	struct cursor c[STORE_FIELD_MAX];
	size_t i = 0, nc;
	int t, pair;

	while (i < n) {
		nc = 0;
		for (t = table_of(fields[i]); i < n && table_of(fields[i]) == t; i++) {
			if (!store_field_exists(lc->s, fields[i]))
				continue;
			c[nc].f = fields[i];
			c[nc].after = 0;
			c[nc].more = 1;
			nc++;
		}
		/* A rotation writes a connection once: page_read_pair(). */
		pair = lc->job.op == OP_ROTATE && nc == 2 &&
		    c[0].f == STORE_CONN_PASSWORD && c[1].f == STORE_CONN_EXTRA;
		if (nc > 0 && run_group(lc, c, nc, pair, e) != 0)
			return -1;
	}
	return 0;
}

static void
job_start(struct lifecycle *lc, enum op op)
{
	memset(&lc->job, 0, sizeof lc->job);
	lc->job.op = op;
}

static void
job_end(struct lifecycle *lc)
{
	unsigned i;

	for (i = 0; i < lc->nworkers; i++) {
		lc->w[i].failed = 0;
		err_clear(&lc->w[i].err);
	}
	for (i = 0; i < NPAGES; i++)
		if (lc->pages[i].in != NULL && lc->pages[i].in_used > 0) {
			sodium_memzero(lc->pages[i].in, lc->pages[i].in_used);
			lc->pages[i].in_used = 0;
		}
	memset(&lc->job, 0, sizeof lc->job);
}

static const enum store_field all_fields[] = {
	STORE_CONN_PASSWORD, STORE_CONN_EXTRA, STORE_VAR_VAL, STORE_TRIGGER_KWARGS,
};
static const enum store_field plain_fields[] = {
	STORE_CONN_PASSWORD, STORE_CONN_EXTRA, STORE_VAR_VAL,
};

/* A read-only phase over every field that exists, with its progress. */
static int
run_all(struct lifecycle *lc, enum lifecycle_phase ph, struct err *e)
{
	if (phase_begin(lc, ph, all_fields, ARRAY_LEN(all_fields), e) != 0 ||
	    run_fields(lc, all_fields, ARRAY_LEN(all_fields), e) != 0)
		return -1;
	report(lc, 1);
	return 0;
}

/* -- lifecycle ----------------------------------------------------------- */

static unsigned
default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

int
lifecycle_new(struct lifecycle **out, struct store *s, const char *fernet_key,
    size_t len, const struct lifecycle_opts *opts, struct err *e)
{
	struct lifecycle *lc;
	unsigned i;

	*out = NULL;
	if ((lc = calloc(1, sizeof *lc)) == NULL) {
		err_nomem(e);
		return -1;
	}
	lc->s = s;
	if (opts != NULL)
		lc->opts = *opts;
	if (lc->opts.interval_ms == 0)
		lc->opts.interval_ms = DEFAULT_INTERVAL_MS;
	if (lc->opts.page_rows == 0)
		lc->opts.page_rows = DEFAULT_PAGE_ROWS;
	lc->nworkers = lc->opts.threads ? lc->opts.threads : default_threads();
	if (lc->nworkers > MAX_THREADS)
		lc->nworkers = MAX_THREADS;
	if ((lc->w = calloc(lc->nworkers, sizeof *lc->w)) == NULL) {
		free(lc);
		err_nomem(e);
		return -1;
	}
	if (pthread_mutex_init(&lc->mu, NULL) != 0) {
		free(lc->w);
		free(lc);
		err_set(e, ERR_NOMEM, "cannot create a mutex");
		return -1;
	}
	pthread_cond_init(&lc->work, NULL);
	pthread_cond_init(&lc->done, NULL);
	lc->sync_ok = 1;
	for (i = 0; i < lc->nworkers; i++) {
		lc->w[i].lc = lc;
		if (keyring_parse(&lc->w[i].kr, fernet_key, len, NULL, e) != 0)
			goto fail;
	}
	lc->nkeys = keyring_count(lc->w[0].kr);
	if (lc->nkeys > LIFECYCLE_MAX_KEYS) {
		err_set(e, ERR_CONFIG, "fernet_key holds %zu keys; ferncon handles "
		    "at most %d", lc->nkeys, LIFECYCLE_MAX_KEYS);
		goto fail;
	}
	for (i = 1; i < lc->nworkers; i++) {
		if (pthread_create(&lc->w[i].tid, NULL, lifecycle_worker_main,
		    &lc->w[i]) != 0) {
			err_set(e, ERR_NOMEM, "cannot start a worker thread");
			goto fail;
		}
		lc->w[i].started = 1;
	}
	*out = lc;
	return 0;
fail:
	lifecycle_free(lc);
	return -1;
}

void
lifecycle_free(struct lifecycle *lc)
{
	unsigned i;

	if (lc == NULL)
		return;
	if (lc->sync_ok) {
		pthread_mutex_lock(&lc->mu);
		lc->quit = 1;
		pthread_cond_broadcast(&lc->work);
		pthread_mutex_unlock(&lc->mu);
	}
	for (i = 0; i < lc->nworkers; i++) {
		if (lc->w[i].started)
			pthread_join(lc->w[i].tid, NULL);
		keyring_free(lc->w[i].kr);
		keyring_free(lc->w[i].cand);
		if (lc->w[i].plain != NULL)
			sodium_free(lc->w[i].plain);
	}
	for (i = 0; i < NPAGES; i++)
		page_release(&lc->pages[i]);
	if (lc->sync_ok) {
		pthread_cond_destroy(&lc->work);
		pthread_cond_destroy(&lc->done);
		pthread_mutex_destroy(&lc->mu);
	}
	free(lc->w);
	free(lc);
	fernet_thread_cleanup();	/* the calling thread's scratch, wiped */
}

size_t
lifecycle_key_count(const struct lifecycle *lc)
{
	return lc->nkeys;
}

unsigned
lifecycle_threads(const struct lifecycle *lc)
{
	return lc->nworkers;
}

/* -- jobs ---------------------------------------------------------------- */

static void
preflight_init(struct lifecycle *lc, struct lifecycle_preflight *out,
    uint64_t stale_before)
{
	size_t f;

	memset(out, 0, sizeof *out);
	out->nkeys = lc->nkeys;
	out->stale_before = stale_before;
	for (f = 0; f < STORE_FIELD_MAX; f++)
		out->present[f] = store_field_exists(lc->s, (enum store_field)f);
}

/* The rows per field of the job ending, and the totals over the fields. */
static void
preflight_totals(struct lifecycle *lc, struct lifecycle_preflight *out)
{
	size_t f, k;

	for (f = 0; f < STORE_FIELD_MAX; f++)
		out->field[f].rows = lc->job.rows[f];
	for (f = 0; f < STORE_FIELD_MAX; f++) {
		struct lifecycle_stats *st = &out->field[f];

		if (f == STORE_TRIGGER_KWARGS)
			out->legacy += st->plaintext;
		else
			out->plaintext += st->plaintext;
		out->undecryptable += st->undecryptable;
		out->stale += st->stale;
		for (k = 0; k < out->nkeys; k++) {
			out->tokens += st->per_key[k];
			if (st->per_key[k] == 0)
				continue;
			oldest_newest(&out->oldest[k], &out->newest[k],
			    st->oldest[k]);
			oldest_newest(&out->oldest[k], &out->newest[k],
			    st->newest[k]);
		}
	}
}

int
lifecycle_preflight(struct lifecycle *lc, uint64_t stale_before,
    struct lifecycle_preflight *out, struct err *e)
{
	int rc;

	preflight_init(lc, out, stale_before);
	job_start(lc, OP_SCAN);
	lc->job.pf = out;
	rc = run_all(lc, LIFECYCLE_PREFLIGHT, e);
	preflight_totals(lc, out);
	job_end(lc);
	return rc;
}

/* Common refusals of the write jobs. */
static int
writable(struct lifecycle *lc, const char *what, struct err *e)
{
	if (lc->nkeys == 0) {
		err_set(e, ERR_CONFIG, "cannot %s: encryption is off ([core] "
		    "fernet_key is empty); set a key first (ferncon key "
		    "generate); nothing was changed", what);
		return -1;
	}
	if (store_readonly(lc->s)) {
		err_set(e, ERR_DENIED, "database '%s' is read-only for this user; "
		    "cannot %s; nothing was changed", store_name(lc->s), what);
		return -1;
	}
	return 0;
}

/* Run the write phase of a job in one transaction and commit it. */
static int
write_job(struct lifecycle *lc, enum lifecycle_phase ph,
    const enum store_field *fields, size_t n, struct lifecycle_result *out,
    struct err *e)
{
	double t0 = now_seconds(), tc;

	if (phase_begin(lc, ph, fields, n, e) != 0)
		return -1;
	if (store_begin(lc->s, e) != 0)
		return -1;
	if (run_fields(lc, fields, n, e) != 0) {
		out->cancelled = lc->job.cancelled;
		store_rollback(lc->s);
		return -1;
	}
	report(lc, 1);
	if (cancel_requested(lc)) {
		out->cancelled = 1;
		store_rollback(lc->s);
		return cancelled_error(lc, e);
	}
	out->seconds = now_seconds() - t0;
	/* From here on nothing cancels: the job commits or fails as a whole. */
	lc->job.phase = LIFECYCLE_COMMIT;
	lc->job.may_cancel = 0;
	report(lc, 1);
	tc = now_seconds();
	if (store_commit(lc->s, e) != 0) {
		store_rollback(lc->s);
		return -1;
	}
	out->commit_seconds = now_seconds() - tc;
	out->committed = 1;
	return 0;
}

int
lifecycle_encrypt(struct lifecycle *lc, struct lifecycle_result *out,
    struct err *e)
{
	int rc;

	memset(out, 0, sizeof *out);
	if (writable(lc, "encrypt plaintext values", e) != 0)
		return -1;
	job_start(lc, OP_ENCRYPT);
	lc->job.res = out;
	rc = write_job(lc, LIFECYCLE_ENCRYPT, plain_fields,
	    ARRAY_LEN(plain_fields), out, e);
	job_end(lc);
	if (rc != 0 && !out->committed) {
		memset(out->changed, 0, sizeof out->changed);
		out->total_changed = 0;
	}
	return rc;
}

/* -- the check after a rotation's COMMIT ---------------------------------- */

/* A record of the rotation's digest file, unpacked. */
struct dig_rec {
	int			have;		/* 0: the file is read to its end */
	enum store_field	f;
	int			left;		/* left as it was (no key opened it) */
	int64_t			id;
	uint8_t			dig[ROW_DIGEST];
};

struct check {
	struct lifecycle	*lc;
	struct lifecycle_verify	*vf;
	FILE			*f;
	struct dig_rec		 rec;		/* the next record */
	uint8_t			 buf[DIG_BUF_RECS * DIG_REC];
	size_t			 buf_n, buf_at;	/* records in buf, the next one */
	const uint8_t		*key;		/* the digests' key */
	size_t			 failed;	/* values that fail the check */
};

/* The next record into c->rec, read from the file a block at a time. */
static void
rec_next(struct check *c)
{
	const uint8_t *b;
	uint64_t u = 0;
	int i;

	if (c->buf_at == c->buf_n) {
		c->buf_n = fread(c->buf, DIG_REC, DIG_BUF_RECS, c->f);
		c->buf_at = 0;
		if (c->buf_n == 0) {
			c->rec.have = 0;
			return;
		}
	}
	b = c->buf + DIG_REC * c->buf_at++;
	c->rec.have = 1;
	c->rec.f = (enum store_field)(b[0] & 0x7f);
	c->rec.left = (b[0] & 0x80) != 0;
	for (i = 7; i >= 0; i--)
		u = (u << 8) | b[1 + i];
	c->rec.id = (int64_t)u;
	memcpy(c->rec.dig, b + 9, ROW_DIGEST);
}

/*
 * The order the rotation wrote in (run_fields()): table by table, by id,
 * a connection's password before its extra. <0, 0, >0.
 */
static int
order_cmp(enum store_field fa, int64_t ida, enum store_field fb, int64_t idb)
{
	int ta = table_of(fa), tb = table_of(fb);

	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (ida != idb)
		return ida < idb ? -1 : 1;
	return (int)fa - (int)fb;
}

/* A value the rotation wrote that is gone (row deleted, or emptied). */
static void
check_missing(struct check *c)
{
	c->vf->missing++;
	c->failed++;
	name_add(c->vf->rows, &c->vf->nrows, c->rec.f, c->rec.id, NULL, -2);
	rec_next(c);
}

/*
 * One value read back: as written (or left), or changed since the COMMIT
 * (or new): then opened, the primary key's being no failure. 0, or -1
 * with e set.
 */
static int
check_value(struct check *c, enum store_field f, const struct store_value *v,
    struct err *e)
{
	struct lifecycle_verify *vf = c->vf;
	uint8_t d[ROW_DIGEST];
	int k, matched = 0, same = 0, left = 0;

	while (c->rec.have && order_cmp(c->rec.f, c->rec.id, f, v->id) < 0)
		check_missing(c);
	if (c->rec.have && c->rec.f == f && c->rec.id == v->id)
		matched = 1;
	if (classify(OP_ROTATE, f, v) != CL_WORK) {
		if (matched)
			check_missing(c);
		return 0;
	}
	vf->checked++;
	if (matched) {
		lifecycle_row_digest(d, c->key, v->value, v->len);
		same = sodium_memcmp(d, c->rec.dig, ROW_DIGEST) == 0;
		left = c->rec.left;
		rec_next(c);
	}
	if (same) {
		if (left)
			vf->undecryptable++;
		else
			vf->primary++;
		return 0;
	}
	/* Not what the rotation wrote or left: does key 1 open it? */
	vf->changed = 1;
	if ((k = lifecycle_pool_open(c->lc, v->value, v->len, e)) == -2)
		return -1;
	if (k == 0) {
		vf->primary++;
		vf->since++;
		name_add(vf->since_rows, &vf->nsince_rows, f, v->id, v->name, 0);
		return 0;
	}
	if (k > 0)
		vf->other++;
	else
		vf->undecryptable++;
	c->failed++;
	name_add(vf->rows, &vf->nrows, f, v->id, v->name, k);
	return 0;
}

/*
 * Read back the values of one table in the rotation's order (a
 * connection's secrets side by side, store_conn_secrets_iter()) and check
 * each. 0, or -1 with e set.
 */
static int
check_table(struct check *c, enum store_field f, int pair, struct err *e)
{
	struct lifecycle *lc = c->lc;
	struct store_iter *it = NULL;
	struct store_value v;
	size_t n = 0;
	int rc;

	if ((pair ? store_conn_secrets_iter(lc->s, 0, 0, &it, e) :
	    store_field_iter(lc->s, f, 0, 0, &it, e)) != 0)
		return -1;
	while ((rc = store_field_next(it, &v, e)) == 1) {
		/* A pair gives a row's password, then its extra. */
		if (check_value(c, pair ? (n++ & 1 ? STORE_CONN_EXTRA :
		    STORE_CONN_PASSWORD) : f, &v, e) != 0) {
			rc = -1;
			break;
		}
		if ((++lc->job.done & 1023) == 0)
			report(lc, 0);
	}
	store_iter_free(it);
	return rc < 0 ? -1 : 0;
}

/*
 * The check after a rotation's COMMIT, on the calling thread (hashing a
 * value costs less than handing it to a worker): every value the rotation
 * wrote or left is read back and its digest of (field, id, value) compared
 * with the one recorded while writing (equal: the DB holds exactly what
 * was written, and every token written was opened with the primary key
 * alone in memory before it was written, lifecycle_pool.c). A value that
 * differs was changed since the COMMIT: no failure when the primary key
 * opens it (named in res->verify.since_rows), a failure otherwise, as is a
 * value written that is gone. 0 (res->verify.ok says the outcome), or -1
 * with e set.
 */
static int
rotate_check(struct lifecycle *lc, FILE *digf, const uint8_t key[DIG_KEY],
    struct lifecycle_result *res, struct err *e)
{
	struct lifecycle_verify *out = &res->verify;
	struct check c;
	double t0 = now_seconds();
	size_t f;
	int rc, pair;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	c.lc = lc;
	c.vf = out;
	c.f = digf;
	c.key = key;
	rewind(digf);
	rec_next(&c);
	job_start(lc, OP_VERIFY);
	rc = phase_begin(lc, LIFECYCLE_VERIFY, all_fields, ARRAY_LEN(all_fields),
	    e);
	/* The order of run_fields(): a connection's secrets side by side. */
	pair = store_field_exists(lc->s, STORE_CONN_PASSWORD) &&
	    store_field_exists(lc->s, STORE_CONN_EXTRA);
	if (rc == 0 && pair)
		rc = check_table(&c, STORE_CONN_PASSWORD, 1, e);
	for (f = pair ? STORE_VAR_VAL : 0; rc == 0 && f < ARRAY_LEN(all_fields);
	    f++)
		if (store_field_exists(lc->s, all_fields[f]))
			rc = check_table(&c, all_fields[f], 0, e);
	while (rc == 0 && c.rec.have)
		check_missing(&c);
	if (rc == 0 && ferror(digf)) {
		err_set(e, ERR_IO, "cannot read the rotation's digests back");
		rc = -1;
	}
	if (rc == 0)
		report(lc, 1);
	job_end(lc);
	out->bad = c.failed;
	out->ok = rc == 0 && c.failed == 0;
	if (c.failed > 0 || out->missing > 0)
		out->changed = 1;
	out->seconds = now_seconds() - t0;
	return rc;
}

int
lifecycle_rotate(struct lifecycle *lc, unsigned flags,
    struct lifecycle_result *out, struct err *e)
{
	struct err e2;
	FILE *digf;
	uint8_t key[DIG_KEY];
	int rc, unopened, failed;

	memset(out, 0, sizeof *out);
	if (writable(lc, "rotate the Fernet key", e) != 0)
		return -1;
	/* Digests of ciphertexts, never a secret; unlinked at once. */
	if ((digf = tmpfile()) == NULL) {
		err_set(e, ERR_IO, "cannot create a temporary file for the "
		    "rotation's digests: %s; nothing was changed",
		    strerror(errno));
		return -1;
	}
	setvbuf(digf, NULL, _IOFBF, 1 << 16);
	preflight_init(lc, &out->preflight, 0);
	job_start(lc, OP_ROTATE);
	lc->job.res = out;
	lc->job.flags = flags;
	lc->job.pf = &out->preflight;
	lc->job.digf = digf;
	randombytes_buf(key, sizeof key);
	memcpy(lc->job.dig_key, key, sizeof key);
	rc = write_job(lc, LIFECYCLE_ROTATE, all_fields, ARRAY_LEN(all_fields),
	    out, e);
	unopened = lc->job.unopened;
	failed = lc->job.digf_failed;
	preflight_totals(lc, &out->preflight);
	job_end(lc);
	if (rc != 0) {
		fclose(digf);
		if (!out->committed) {
			memset(out->changed, 0, sizeof out->changed);
			out->total_changed = 0;
		}
		/* Rolled back on the first value no key opens: name them all. */
		if (unopened && !out->committed &&
		    lifecycle_preflight(lc, 0, &out->preflight, &e2) != 0)
			out->preflight.undecryptable = 0;
		return -1;
	}
	lc->counts_fresh = 1;	/* the rows the rotation just counted */
	if (failed || fflush(digf) != 0) {	/* committed, not checkable */
		fclose(digf);
		err_set(e, ERR_IO, "cannot write the rotation's digests to a "
		    "temporary file: %s", strerror(errno));
		return -1;
	}
	rc = rotate_check(lc, digf, key, out, e);
	fclose(digf);
	sodium_memzero(key, sizeof key);
	return rc;
}

int
lifecycle_verify(struct lifecycle *lc, size_t skipped,
    struct lifecycle_verify *out, struct err *e)
{
	double t0 = now_seconds();
	int rc;

	memset(out, 0, sizeof *out);
	job_start(lc, OP_VERIFY);
	lc->job.vf = out;
	rc = run_all(lc, LIFECYCLE_VERIFY, e);
	job_end(lc);
	out->seconds = now_seconds() - t0;
	out->ok = rc == 0 && out->other == 0 && out->undecryptable <= skipped;
	return rc;
}

/* -- probe --------------------------------------------------------------- */

static int
is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

/*
 * Validate the candidate lines and join them into one comma-separated key
 * list (sodium_malloc; caller frees), recording each candidate's line.
 */
static int
probe_parse(const char *text, size_t len, struct lifecycle_probe *pr,
    char **joined, size_t *jlen, struct err *e)
{
	struct keyring *kr = NULL;
	const char *p = text, *end = text + len, *nl;
	size_t n, j = 0, k;
	unsigned line = 0;
	char *out;

	*joined = NULL;
	if ((out = sodium_malloc(len + 1)) == NULL) {
		err_nomem(e);
		return -1;
	}
	for (; p < end; p = nl + 1) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		if (is_blank(p, n) || *p == '#')
			continue;
		if (keyring_parse(&kr, p, n, NULL, e) != 0) {
			/* Skipped, as a person's paste may hold a stray line. */
			if (pr->nskipped < LIFECYCLE_MAX_CANDIDATES)
				pr->skipped_line[pr->nskipped] = line;
			pr->nskipped++;
			err_clear(e);
			continue;
		}
		for (k = 0; k < keyring_count(kr); k++) {
			if (pr->ncand == LIFECYCLE_MAX_CANDIDATES) {
				err_set(e, ERR_CONFIG, "too many candidate keys (at "
				    "most %d)", LIFECYCLE_MAX_CANDIDATES);
				goto fail;
			}
			pr->cand_line[pr->ncand++] = line;
		}
		keyring_free(kr);
		kr = NULL;
		if (j > 0)
			out[j++] = ',';
		memcpy(out + j, p, n);
		j += n;
	}
	if (pr->ncand == 0) {
		err_set(e, ERR_USAGE, "no candidate key given (one key per line)%s",
		    pr->nskipped ? "; the lines given are not Fernet keys (32 "
		    "url-safe base64-encoded bytes)" : "");
		goto fail;
	}
	out[j] = '\0';
	*joined = out;
	*jlen = j;
	return 0;
fail:
	keyring_free(kr);
	sodium_free(out);
	return -1;
}

/* "0:04", "1:02:03" */
static void
format_duration(double s, char *buf, size_t len)
{
	unsigned long t = s < 0 ? 0 : (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%lu:%02lu", t / 60, t % 60);
}

void
lifecycle_progress_format(const struct lifecycle_progress *p, char *buf,
    size_t len)
{
	char eta[32];

	if (p->phase == LIFECYCLE_COMMIT) {
		snprintf(buf, len, "commit: committing...");
		return;
	}
	if (p->eta >= 0)
		format_duration(p->eta, eta, sizeof eta);
	else
		snprintf(eta, sizeof eta, "-");
	snprintf(buf, len, "%s: %zu of %zu rows (%.0f%%), %.0f rows/s, ETA %s",
	    lifecycle_phase_name(p->phase), p->done, p->total, p->total ?
	    100.0 * (double)p->done / (double)p->total : 100.0, p->rate, eta);
}

double
lifecycle_result_rate(const struct lifecycle_result *res)
{
	return res->seconds > 0 ? (double)res->rows / res->seconds : 0.0;
}

void
lifecycle_result_progress(const struct lifecycle_result *res,
    enum lifecycle_phase phase, struct lifecycle_progress *out)
{
	memset(out, 0, sizeof *out);
	out->phase = phase;
	out->done = out->total = res->rows;
	out->rate = lifecycle_result_rate(res);
	out->eta = 0;
	out->elapsed = res->seconds;
}

size_t
lifecycle_old_key_values(const struct lifecycle_preflight *pf)
{
	size_t k, f, n = 0;

	for (k = 1; k < pf->nkeys && k < LIFECYCLE_MAX_KEYS; k++)
		for (f = 0; f < STORE_FIELD_MAX; f++)
			n += pf->field[f].per_key[k];
	return n;
}

size_t
lifecycle_probe_found(const struct lifecycle_probe *pr, size_t *idx,
    size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < pr->ncand && i < LIFECYCLE_MAX_CANDIDATES; i++) {
		if (pr->opened[i] == 0 || pr->cand_in_ring[i] >= 0)
			continue;
		if (n < max)
			idx[n] = i;
		n++;
	}
	return n;
}

int
lifecycle_probe(struct lifecycle *lc, const char *candidates, size_t len,
    struct lifecycle_probe *out, struct err *e)
{
	char *joined = NULL;
	size_t jlen = 0, c, k;
	unsigned i;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (probe_parse(candidates, len, out, &joined, &jlen, e) != 0)
		return -1;
	for (i = 0; i < lc->nworkers; i++) {
		keyring_free(lc->w[i].cand);
		lc->w[i].cand = NULL;
		if (keyring_parse(&lc->w[i].cand, joined, jlen, NULL, e) != 0)
			goto out;
	}
	for (c = 0; c < out->ncand; c++) {
		struct fernet_key *const *ck = keyring_keys(lc->w[0].cand);
		struct fernet_key *const *rk = keyring_keys(lc->w[0].kr);

		out->cand_in_ring[c] = -1;
		for (k = 0; k < lc->nkeys; k++)
			if (fernet_key_same_signing(ck[c], rk[k])) {
				out->cand_in_ring[c] = (int)k;
				break;
			}
	}
	job_start(lc, OP_PROBE);
	lc->job.pr = out;
	rc = run_all(lc, LIFECYCLE_PROBE, e);
	job_end(lc);
out:
	for (i = 0; i < lc->nworkers; i++) {
		keyring_free(lc->w[i].cand);
		lc->w[i].cand = NULL;
	}
	sodium_free(joined);
	return rc;
}

/* -- reports ------------------------------------------------------------- */

void
lifecycle_row_format(const struct lifecycle_row *r, char *buf, size_t len)
{
	if (r->field == STORE_TRIGGER_KWARGS || r->name[0] == '\0')
		snprintf(buf, len, "%s of %s %lld", store_field_name(r->field),
		    r->field == STORE_TRIGGER_KWARGS ? "trigger" : "row",
		    (long long)r->id);
	else
		snprintf(buf, len, "%s of '%s' (id %lld)",
		    store_field_name(r->field), r->name, (long long)r->id);
}

const char *
lifecycle_phase_name(enum lifecycle_phase p)
{
	switch (p) {
	case LIFECYCLE_PREFLIGHT:
		return "preflight";
	case LIFECYCLE_ENCRYPT:
		return "encrypt";
	case LIFECYCLE_ROTATE:
		return "rotate";
	case LIFECYCLE_COMMIT:
		return "commit";
	case LIFECYCLE_VERIFY:
		return "verify";
	default:
		return "probe";
	}
}
