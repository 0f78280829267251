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

static void
row_release(struct conn_row *r)
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

static int
row_fill(struct conn_row *r, const struct conn *c, struct err *e)
{
	const struct conn_secret_info *t = shown_token(c);

	memset(r, 0, sizeof *r);
	if (dup_field(&r->conn_id, c->conn_id ? c->conn_id : "") != 0 ||
	    dup_field(&r->conn_type, c->conn_type) != 0 ||
	    dup_field(&r->host, c->host) != 0 ||
	    dup_field(&r->login, c->login) != 0 ||
	    dup_field(&r->description, c->description) != 0) {
		row_release(r);
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
		row_release(&w->rows[i]);
	w->n = 0;
	w->at_start = w->at_end = 0;
}

/*
 * Read up to n rows next to anchor (NULL: from the start, or from the end
 * when !forward), in view order when forward, else nearest first going
 * backwards. *out is a new array of *got rows (caller frees each row).
 */
static int
fetch(struct connwin *w, const char *anchor, int forward, size_t n,
    struct conn_row **out, size_t *got, struct err *e)
{
	struct store_query q;
	struct store_iter *it = NULL;
	struct conn_row *rows;
	size_t k = 0, seen;
	char *last = NULL;
	int rc = 0, up, more = 1, flagged;
	int rows_filter = connfilter_needs_rows(&w->filter);
	uint64_t now = (uint64_t)time(NULL);

	*out = NULL;
	*got = 0;
	if (n == 0)
		return 0;
	if ((rows = calloc(n, sizeof *rows)) == NULL) {
		err_nomem(e);
		return -1;
	}
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
			    row_fill(&rows[k], &w->scratch, e) != 0)
				goto fail;
			free(last);
			if ((last = strdup(rows[k].conn_id)) == NULL) {
				row_release(&rows[k]);
				err_nomem(e);
				goto fail;
			}
			flagged = w->filter.needs_flags && w->flagged != NULL &&
			    w->flagged(w->flagged_arg, &w->scratch);
			if (!rows_filter || connfilter_match(&w->filter, &rows[k],
			    now, flagged))
				k++;
			else
				row_release(&rows[k]);
		}
		if (k < n && rc < 0)
			goto fail;
		store_iter_free(it);
		it = NULL;
		more = rows_filter && k < n && seen == n;
	}
	free(last);
	conn_reset(&w->scratch);
	*out = rows;
	*got = k;
	return 0;
fail:
	free(last);
	store_iter_free(it);
	conn_reset(&w->scratch);
	while (k > 0)
		row_release(&rows[--k]);
	free(rows);
	return -1;
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
			row_release(&w->rows[i]);
		memmove(w->rows, w->rows + k, (w->n - k) * sizeof *w->rows);
	} else {
		for (i = w->n - k; i < w->n; i++)
			row_release(&w->rows[i]);
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
		row_release(&rows[--got]);
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
}

int
connwin_set_view(struct connwin *w, const char *match, int desc, struct err *e)
{
	struct connfilter f;
	const char *text;
	char *m = NULL, *all = NULL;

	if (connfilter_parse(&f, match, e) != 0)
		return -1;
	if (f.needs_flags && w->flagged == NULL) {
		connfilter_release(&f);
		err_set(e, ERR_USAGE, "filter: is:flagged needs the audit, which "
		    "is not available here");
		return -1;
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

	if (fetch(w, NULL, 1, n, &rows, &got, e) != 0)
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

	if (fetch(w, NULL, 0, n, &rows, &got, e) != 0)
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
	if (fetch(w, conn_id, 0, n, &rows, &got, e) != 0)
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
	if (fetch(w, w->rows[w->n - 1].conn_id, 1, n, &rows, &got, e) != 0)
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
	if (fetch(w, w->rows[0].conn_id, 0, n, &rows, &got, e) != 0)
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
