/*
 * connwin.c: the keyset-paged window of connection rows (see connwin.h).
 * Every fetch is one store_conn_iter() query that returns rows nearest to
 * the anchor first; the iterator is freed before returning, so no read
 * stays open while the user looks at the screen.
 */
#include "config.h"

#include "connwin.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Room for AIRFLOW_CONN_ and the longest conn_id the DB holds (250). */
#define CONNWIN_ENV_NAME 320

void
connwin_row_release(struct conn_row *r)
{
	free(r->conn_id);
	free(r->conn_type);
	free(r->host);
	free(r->login);
	free(r->description);
	memset(r, 0, sizeof *r);
}

static int
dup_field(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	return (*dst = strdup(src)) != NULL ? 0 : -1;
}

static int
has_token(const struct conn_secret_info *i)
{
	return i->state == CONN_SECRET_ENCRYPTED ||
	    i->state == CONN_SECRET_UNDECRYPTABLE;
}

/* The token a row shows: one no key opens first, else the older one. */
static const struct conn_secret_info *
shown_token(const struct conn *c)
{
	const struct conn_secret_info *p = &c->password_info, *x = &c->extra_info;

	if (!has_token(p))
		return has_token(x) ? x : NULL;
	if (!has_token(x) || p->state == CONN_SECRET_UNDECRYPTABLE)
		return p;
	if (x->state == CONN_SECRET_UNDECRYPTABLE)
		return x;
	return x->timestamp < p->timestamp ? x : p;
}

int
connwin_row_fill(struct conn_row *r, const struct conn *c, struct err *e)
{
	const struct conn_secret_info *t = shown_token(c);

	memset(r, 0, sizeof *r);
	if (dup_field(&r->conn_id, c->conn_id ? c->conn_id : "") != 0 ||
	    dup_field(&r->conn_type, c->conn_type) != 0 ||
	    dup_field(&r->host, c->host) != 0 ||
	    dup_field(&r->login, c->login) != 0 ||
	    dup_field(&r->description, c->description) != 0) {
		connwin_row_release(r);
		err_nomem(e);
		return -1;
	}
	r->has_port = c->has_port;
	r->port = c->port;
	r->password = c->password_info.state;
	r->extra = c->extra_info.state;
	r->key_index = -1;
	if (t != NULL) {
		r->key_index = t->state == CONN_SECRET_ENCRYPTED ? t->key_index : -1;
		r->timestamp = t->timestamp;
		r->has_timestamp = t->has_timestamp;
	}
	return 0;
}

enum conn_secret_state
conn_row_state(const struct conn_row *r)
{
	static const enum conn_secret_state order[] = { CONN_SECRET_UNDECRYPTABLE,
	    CONN_SECRET_PLAIN, CONN_SECRET_ENCRYPTED };
	size_t i;

	for (i = 0; i < ARRAY_LEN(order); i++)
		if (r->password == order[i] || r->extra == order[i])
			return order[i];
	return CONN_SECRET_EMPTY;
}

/* Drop every row. */
static void
clear_rows(struct connwin *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		connwin_row_release(&w->rows[i]);
	w->n = 0;
	w->at_start = w->at_end = 0;
}

/* 1 when a variable of the environment holds conn_id (conn_env_name()). */
static int
shadowed(const struct connwin *w, const char *conn_id)
{
	char name[CONNWIN_ENV_NAME], other[CONNWIN_ENV_NAME];
	size_t i;

	if (w->env_n == 0 || conn_env_name(conn_id, name, sizeof name) != 0)
		return 0;
	for (i = 0; i < w->env_n; i++)
		if (conn_env_name(w->env[i].conn_id, other, sizeof other) == 0 &&
		    strcmp(name, other) == 0)
			return 1;
	return 0;
}

/* is:flagged without an engine. -1. */
static int
no_audit(struct err *e)
{
	err_set(e, ERR_USAGE, "filter: is:flagged needs the audit, which is "
	    "not available here");
	return -1;
}

/* is:flagged for the row in the scratch record (connwin_set_audit()). */
static int
row_flagged(struct connwin *w, int *flagged, struct err *e)
{
	int worst;

	*flagged = 0;
	if (w->audit == NULL)
		return no_audit(e);
	if (audit_conn_worst(w->audit, &w->scratch, &worst, NULL, e) != 0)
		return -1;
	*flagged = worst >= 0;
	return 0;
}

/*
 * Read up to n DB rows next to anchor (NULL: from the start, or from the
 * end when !forward), in view order when forward, else nearest first
 * going backwards, into rows; *got is how many (the caller frees each).
 */
static int
fetch_db(struct connwin *w, const char *anchor, int forward, size_t n,
    struct conn_row *rows, size_t *got, struct err *e)
{
	struct store_query q;
	struct store_iter *it = NULL;
	size_t k = 0, seen;
	char *last = NULL;
	int rc = 0, up, more = 1, match, flagged;
	int rows_filter = connfilter_needs_rows(&w->filter);
	uint64_t now = (uint64_t)time(NULL);

	*got = 0;
	if (n == 0)
		return 0;
	/* Ascending in conn_id when the view and the direction agree. */
	up = forward ? !w->desc : w->desc;
	/*
	 * Pages until n rows match or the set ends: a page that comes back
	 * short is the end. Without terms the store cannot answer, one page.
	 */
	while (more && k < n) {
		memset(&q, 0, sizeof q);
		q.limit = n;
		q.match = w->match;
		q.desc = !up;
		if (up)
			q.after = last != NULL ? last : anchor;
		else
			q.before = last != NULL ? last : anchor;
		if (store_conn_iter(w->store, &q, &it, e) != 0)
			goto fail;
		seen = 0;
		while (k < n && (rc = store_iter_next(it, &w->scratch, e)) == 1) {
			seen++;
			if (conn_decrypt(&w->scratch, w->kr, e) != 0 ||
			    connwin_row_fill(&rows[k], &w->scratch, e) != 0)
				goto fail;
			rows[k].shadowed = shadowed(w, rows[k].conn_id);
			free(last);
			if ((last = strdup(rows[k].conn_id)) == NULL) {
				connwin_row_release(&rows[k]);
				err_nomem(e);
				goto fail;
			}
			if ((match = !rows_filter || connfilter_match(&w->filter,
			    &rows[k], now, 1)) && w->filter.needs_flags) {
				/* Every other term matched: ask the audit. */
				if (row_flagged(w, &flagged, e) != 0) {
					connwin_row_release(&rows[k]);
					goto fail;
				}
				match = connfilter_match(&w->filter, &rows[k], now,
				    flagged);
			}
			if (match)
				k++;
			else
				connwin_row_release(&rows[k]);
		}
		if (k < n && rc < 0)
			goto fail;
		store_iter_free(it);
		it = NULL;
		more = rows_filter && k < n && seen == n;
	}
	free(last);
	conn_reset(&w->scratch);
	*got = k;
	return 0;
fail:
	free(last);
	store_iter_free(it);
	conn_reset(&w->scratch);
	while (k > 0)
		connwin_row_release(&rows[--k]);
	return -1;
}

/* Copy r into out (conn_id, names, states). */
static int
row_copy(struct conn_row *out, const struct conn_row *r, struct err *e)
{
	*out = *r;
	out->conn_id = out->conn_type = out->host = out->login =
	    out->description = NULL;
	if (dup_field(&out->conn_id, r->conn_id) != 0 ||
	    dup_field(&out->conn_type, r->conn_type) != 0 ||
	    dup_field(&out->host, r->host) != 0 ||
	    dup_field(&out->login, r->login) != 0 ||
	    dup_field(&out->description, r->description) != 0) {
		connwin_row_release(out);
		err_nomem(e);
		return -1;
	}
	return 0;
}

/*
 * Copy up to n environment rows that match the filter into rows, next to
 * the environment row anchor (NULL: from the start, or from the end when
 * !forward), in view order when forward, else nearest first backwards.
 */
static int
fetch_env(struct connwin *w, const char *anchor, int forward, size_t n,
    struct conn_row *rows, size_t *got, struct err *e)
{
	uint64_t now = (uint64_t)time(NULL);
	size_t i, k = 0, pos, at = w->env_n;
	int step;

	*got = 0;
	/* Positions in view order: i is env[i], or env[env_n - 1 - i]. */
	for (i = 0; anchor != NULL && i < w->env_n; i++)
		if (strcmp(w->env[w->desc ? w->env_n - 1 - i : i].conn_id,
		    anchor) == 0)
			at = i;
	if (forward) {
		pos = anchor == NULL ? 0 : at + 1;
		step = 1;
	} else {
		pos = anchor == NULL ? w->env_n - 1 : at - 1;
		step = -1;
		if (anchor != NULL && at == 0)
			pos = w->env_n;		/* nothing before the first */
	}
	for (; pos < w->env_n && k < n; pos += (size_t)step) {
		const struct conn_row *r = &w->env[w->desc ? w->env_n - 1 -
		    pos : pos];

		if (!connfilter_match(&w->filter, r, now, 0))
			continue;
		if (row_copy(&rows[k], r, e) != 0) {
			while (k > 0)
				connwin_row_release(&rows[--k]);
			return -1;
		}
		k++;
	}
	*got = k;
	return 0;
}

/*
 * Read up to n rows next to the row (anchor, anchor_env) (anchor NULL:
 * from the start, or from the end when !forward), in view order when
 * forward, else nearest first going backwards: the environment's block
 * comes before the DB's (connwin.h). *out is a new array of *got rows
 * (caller frees each row).
 */
static int
fetch(struct connwin *w, const char *anchor, int anchor_env, int forward,
    size_t n, struct conn_row **out, size_t *got, struct err *e)
{
	struct conn_row *rows;
	size_t k = 0, more = 0;
	int rc;

	*out = NULL;
	*got = 0;
	if (n == 0)
		return 0;
	if ((rows = calloc(n, sizeof *rows)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (forward) {
		/* The environment's rows, then the DB's from its start. */
		rc = anchor == NULL || anchor_env ?
		    fetch_env(w, anchor, 1, n, rows, &k, e) :
		    fetch_db(w, anchor, 1, n, rows, &k, e);
		if (rc == 0 && k < n && (anchor == NULL || anchor_env))
			rc = fetch_db(w, NULL, 1, n - k, rows + k, &more, e);
	} else {
		/* The DB's rows, then the environment's from its end. */
		rc = anchor == NULL || !anchor_env ?
		    fetch_db(w, anchor, 0, n, rows, &k, e) :
		    fetch_env(w, anchor, 0, n, rows, &k, e);
		if (rc == 0 && k < n && (anchor == NULL || !anchor_env))
			rc = fetch_env(w, NULL, 0, n - k, rows + k, &more, e);
	}
	if (rc != 0) {
		while (k > 0)
			connwin_row_release(&rows[--k]);
		free(rows);
		return -1;
	}
	*out = rows;
	*got = k + more;
	return 0;
}

/* Make room for want rows in total. */
static int
reserve(struct connwin *w, size_t want, struct err *e)
{
	struct conn_row *bigger;

	if (want <= w->alloc)
		return 0;
	if (want < 64)
		want = 64;
	if ((bigger = realloc(w->rows, want * sizeof *bigger)) == NULL) {
		err_nomem(e);
		return -1;
	}
	w->rows = bigger;
	w->alloc = want;
	return 0;
}

/* Drop k rows from the front (first) or the back of the window. */
static void
drop(struct connwin *w, size_t k, int first)
{
	size_t i;

	if (k > w->n)
		k = w->n;
	if (first) {
		for (i = 0; i < k; i++)
			connwin_row_release(&w->rows[i]);
		memmove(w->rows, w->rows + k, (w->n - k) * sizeof *w->rows);
	} else {
		for (i = w->n - k; i < w->n; i++)
			connwin_row_release(&w->rows[i]);
	}
	w->n -= k;
}

/* Append got rows (in view order) at the back. */
static int
append(struct connwin *w, struct conn_row *rows, size_t got, struct err *e)
{
	/* Nothing came: rows may be NULL, and memcpy() must not see it. */
	if (got == 0)
		return 0;
	if (reserve(w, w->n + got, e) != 0)
		return -1;
	memcpy(w->rows + w->n, rows, got * sizeof *rows);
	w->n += got;
	return 0;
}

/* Prepend got rows that came nearest first (so reversed). */
static int
prepend(struct connwin *w, struct conn_row *rows, size_t got, struct err *e)
{
	size_t i;

	if (got == 0)
		return 0;	/* as in append() */
	if (reserve(w, w->n + got, e) != 0)
		return -1;
	memmove(w->rows + got, w->rows, w->n * sizeof *w->rows);
	for (i = 0; i < got; i++)
		w->rows[got - 1 - i] = rows[i];
	w->n += got;
	return 0;
}

static void
free_fetched(struct conn_row *rows, size_t got)
{
	while (got > 0)
		connwin_row_release(&rows[--got]);
	free(rows);
}

void
connwin_init(struct connwin *w, struct store *s, struct keyring *kr, size_t cap)
{
	memset(w, 0, sizeof *w);
	w->store = s;
	w->kr = kr;
	w->cap = cap < 16 ? 16 : cap;
}

void
connwin_set_audit(struct connwin *w, struct audit *a)
{
	w->audit = a;
}

void
connwin_release(struct connwin *w)
{
	clear_rows(w);
	free(w->rows);
	w->rows = NULL;
	w->alloc = 0;
	free(w->match);
	w->match = NULL;
	free(w->text);
	w->text = NULL;
	connfilter_release(&w->filter);
	conn_clear(&w->scratch);
	while (w->env_n > 0)
		connwin_row_release(&w->env[--w->env_n]);
	free(w->env);
	w->env = NULL;
}

static int
by_conn_id(const void *a, const void *b)
{
	return strcmp(((const struct conn_row *)a)->conn_id,
	    ((const struct conn_row *)b)->conn_id);
}

int
connwin_set_env(struct connwin *w, const struct conn_row *rows, size_t n,
    struct err *e)
{
	struct conn_row *copy = NULL;
	size_t k;

	if (n > 0 && (copy = calloc(n, sizeof *copy)) == NULL) {
		err_nomem(e);
		return -1;
	}
	for (k = 0; k < n; k++) {
		if (row_copy(&copy[k], &rows[k], e) != 0) {
			while (k > 0)
				connwin_row_release(&copy[--k]);
			free(copy);
			return -1;
		}
		copy[k].env = 1;
		copy[k].shadowed = 0;
	}
	if (n > 1)
		qsort(copy, n, sizeof *copy, by_conn_id);
	while (w->env_n > 0)
		connwin_row_release(&w->env[--w->env_n]);
	free(w->env);
	w->env = copy;
	w->env_n = n;
	clear_rows(w);
	return 0;
}

int
connwin_set_view(struct connwin *w, const char *match, int desc, struct err *e)
{
	struct connfilter f;
	const char *text;
	char *m = NULL, *all = NULL;

	if (connfilter_parse(&f, match, e) != 0)
		return -1;
	if (f.needs_flags && w->audit == NULL) {
		connfilter_release(&f);
		return no_audit(e);
	}
	text = connfilter_sql_text(&f);
	if ((text != NULL && (m = strdup(text)) == NULL) || (match != NULL &&
	    *match != '\0' && (all = strdup(match)) == NULL)) {
		connfilter_release(&f);
		free(m);
		err_nomem(e);
		return -1;
	}
	free(w->match);
	w->match = m;
	free(w->text);
	w->text = all;
	connfilter_release(&w->filter);
	w->filter = f;
	w->desc = desc;
	clear_rows(w);
	return 0;
}

int
connwin_load_first(struct connwin *w, size_t n, struct err *e)
{
	struct conn_row *rows;
	size_t got;

	if (fetch(w, NULL, 0, 1, n, &rows, &got, e) != 0)
		return -1;
	clear_rows(w);
	if (append(w, rows, got, e) != 0) {
		free_fetched(rows, got);
		return -1;
	}
	free(rows);
	w->at_start = 1;
	w->at_end = got < n;
	return 0;
}

int
connwin_load_last(struct connwin *w, size_t n, struct err *e)
{
	struct conn_row *rows;
	size_t got;

	if (fetch(w, NULL, 0, 0, n, &rows, &got, e) != 0)
		return -1;
	clear_rows(w);
	if (prepend(w, rows, got, e) != 0) {
		free_fetched(rows, got);
		return -1;
	}
	free(rows);
	w->at_end = 1;
	w->at_start = got < n;
	return 0;
}

int
connwin_load_at(struct connwin *w, const char *conn_id, size_t n,
    size_t *index, struct err *e)
{
	struct conn_row *rows;
	size_t got, added, dropped;

	*index = 0;
	if (fetch(w, conn_id, 0, 0, n, &rows, &got, e) != 0)
		return -1;
	if (got == 0) {
		free(rows);
		return connwin_load_first(w, n, e);
	}
	clear_rows(w);
	if (prepend(w, rows, got, e) != 0) {
		free_fetched(rows, got);
		return -1;
	}
	free(rows);
	w->at_start = got < n;
	if (connwin_extend_down(w, n, &added, &dropped, e) != 0)
		return -1;
	*index = got > dropped ? got - dropped : 0;
	if (*index >= w->n && w->n > 0)
		*index = w->n - 1;
	return 0;
}

int
connwin_extend_down(struct connwin *w, size_t n, size_t *added,
    size_t *dropped, struct err *e)
{
	struct conn_row *rows;
	size_t got;

	*added = *dropped = 0;
	if (w->n == 0) {
		if (connwin_load_first(w, n, e) != 0)
			return -1;
		*added = w->n;
		return 0;
	}
	if (fetch(w, w->rows[w->n - 1].conn_id, w->rows[w->n - 1].env, 1, n,
	    &rows, &got, e) != 0)
		return -1;
	if (append(w, rows, got, e) != 0) {
		free_fetched(rows, got);
		return -1;
	}
	free(rows);
	*added = got;
	w->at_end = got < n;
	if (w->n > w->cap) {
		*dropped = w->n - w->cap;
		drop(w, *dropped, 1);
		w->at_start = 0;
	}
	return 0;
}

int
connwin_extend_up(struct connwin *w, size_t n, size_t *added, size_t *dropped,
    struct err *e)
{
	struct conn_row *rows;
	size_t got;

	*added = *dropped = 0;
	if (w->n == 0) {
		if (connwin_load_last(w, n, e) != 0)
			return -1;
		*added = w->n;
		return 0;
	}
	if (fetch(w, w->rows[0].conn_id, w->rows[0].env, 0, n, &rows,
	    &got, e) != 0)
		return -1;
	if (prepend(w, rows, got, e) != 0) {
		free_fetched(rows, got);
		return -1;
	}
	free(rows);
	*added = got;
	w->at_start = got < n;
	if (w->n > w->cap) {
		*dropped = w->n - w->cap;
		drop(w, *dropped, 0);
		w->at_end = 0;
	}
	return 0;
}
