/*
 * store_pg_rows.c: the rows of the PostgreSQL backend (store_pg.c): a
 * connection read, inserted, updated or deleted (single-row writes under a
 * savepoint), variables, the counts, and the iterators that stream
 * connections, variables and fields by keyset paging, a page at a time,
 * through a server-side cursor where the index cannot give the order.
 * Secret cells of a page are wiped before libpq frees it.
 */
#include "config.h"

#include "store_pg_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* -- rows ---------------------------------------------------------------- */

/* Columns of the SELECT list that hold secrets (wiped after use). */
static const int conn_secret_cols[] = { 3 + COL_PASSWORD, 3 + COL_EXTRA };

static int
col_text(struct conn *c, char **field, const PGresult *r, int row, int i,
    struct err *e)
{
	if (PQgetisnull(r, row, i))
		return conn_set(c, field, NULL, 0, e);
	return conn_set(c, field, PQgetvalue(r, row, i),
	    (size_t)PQgetlength(r, row, i), e);
}

static int
col_bool(const PGresult *r, int row, int i)
{
	return !PQgetisnull(r, row, i) && PQgetvalue(r, row, i)[0] == 't';
}

/* Fill c from row of a result of the SELECT list; wipes its secret cells. */
static int
row_to_conn(PGresult *r, int row, struct conn *c, struct err *e)
{
	int rc = 0;
	size_t i;

	conn_reset(c);
	c->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
	if (col_text(c, &c->conn_id, r, row, 1, e) != 0 ||
	    col_text(c, &c->conn_type, r, row, 2, e) != 0 ||
	    col_text(c, &c->description, r, row, 3 + COL_DESCRIPTION, e) != 0 ||
	    col_text(c, &c->host, r, row, 3 + COL_HOST, e) != 0 ||
	    col_text(c, &c->schema, r, row, 3 + COL_SCHEMA, e) != 0 ||
	    col_text(c, &c->login, r, row, 3 + COL_LOGIN, e) != 0 ||
	    col_text(c, &c->password, r, row, 3 + COL_PASSWORD, e) != 0 ||
	    col_text(c, &c->extra, r, row, 3 + COL_EXTRA, e) != 0 ||
	    col_text(c, &c->team_name, r, row, 3 + COL_TEAM_NAME, e) != 0)
		rc = -1;
	if (rc == 0 && !PQgetisnull(r, row, 3 + COL_PORT)) {
		c->has_port = 1;
		c->port = strtol(PQgetvalue(r, row, 3 + COL_PORT), NULL, 10);
	}
	c->is_encrypted = col_bool(r, row, 3 + COL_IS_ENCRYPTED);
	c->is_extra_encrypted = col_bool(r, row, 3 + COL_IS_EXTRA_ENCRYPTED);
	for (i = 0; i < ARRAY_LEN(conn_secret_cols); i++)
		if (!PQgetisnull(r, row, conn_secret_cols[i]))
			sodium_memzero(PQgetvalue(r, row, conn_secret_cols[i]),
			    (size_t)PQgetlength(r, row, conn_secret_cols[i]));
	return rc;
}

/*
 * The writable columns of c as parameters, in stmt_sql()'s order; returns
 * how many. Numbers go in buffers the caller keeps alive.
 */
static int
conn_params(struct pg *p, const struct conn *c, const char **v, char *port,
    size_t port_cap)
{
	int n = 0;

	v[n++] = c->conn_id;
	v[n++] = c->conn_type;
	if (p->sch.has[COL_DESCRIPTION])
		v[n++] = c->description;
	if (p->sch.has[COL_HOST])
		v[n++] = c->host;
	if (p->sch.has[COL_SCHEMA])
		v[n++] = c->schema;
	if (p->sch.has[COL_LOGIN])
		v[n++] = c->login;
	if (p->sch.has[COL_PASSWORD])
		v[n++] = c->password;
	if (p->sch.has[COL_PORT]) {
		snprintf(port, port_cap, "%ld", c->port);
		v[n++] = c->has_port ? port : NULL;
	}
	if (p->sch.has[COL_EXTRA])
		v[n++] = c->extra;
	if (p->sch.has[COL_IS_ENCRYPTED])
		v[n++] = c->is_encrypted ? "true" : "false";
	if (p->sch.has[COL_IS_EXTRA_ENCRYPTED])
		v[n++] = c->is_extra_encrypted ? "true" : "false";
	if (p->sch.has[COL_TEAM_NAME])
		v[n++] = c->team_name;
	return n;
}

/* 1 if the last failure was a unique constraint. */
static int
is_unique_violation(struct store *s)
{
	struct pg *p = s->impl;

	return strcmp(p->state, "23505") == 0;
}

int
store_pg_conn_get(struct store *s, const char *conn_id, struct conn *c,
    struct err *e)
{
	const char *v[1] = { conn_id };
	PGresult *r;
	int rc = -1;

	if ((r = store_pg_run(s, ST_GET, 1, v, NULL, NULL, "reading a connection", e)) ==
	    NULL)
		return -1;
	if (PQntuples(r) == 0)
		store_conn_not_found(conn_id, e);
	else
		rc = row_to_conn(r, 0, c, e);
	store_pg_clear_wiped(r, conn_secret_cols, ARRAY_LEN(conn_secret_cols));
	return rc;
}

int
store_pg_conn_insert(struct store *s, struct conn *c, struct err *e)
{
	struct pg *p = s->impl;
	const char *v[2 + COL_MAX];
	char port[32];
	PGresult *r = NULL;
	int n, rc = -1;

	if (store_pg_sp_begin(s, e) != 0)
		return -1;
	n = conn_params(p, c, v, port, sizeof port);
	r = store_pg_run(s, ST_INSERT, n, v, NULL, NULL, "adding a connection", e);
	if (r != NULL && PQntuples(r) == 1) {
		c->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		rc = 0;
	} else if (r == NULL && is_unique_violation(s)) {
		err_set(e, ERR_INVALID, "A connection with `conn_id`=%s already "
		    "exists.", c->conn_id);
	} else if (r != NULL) {
		err_set(e, ERR_DB, "database '%s': adding a connection returned no "
		    "id", s->name);
	}
	PQclear(r);
	return store_pg_sp_end(s, rc, e);
}

int
store_pg_conn_update(struct store *s, const struct conn *c, struct err *e)
{
	struct pg *p = s->impl;
	const char *v[3 + COL_MAX];
	char port[32], id[32];
	PGresult *r;
	int n, rc = -1;

	if (store_pg_sp_begin(s, e) != 0)
		return -1;
	n = conn_params(p, c, v, port, sizeof port);
	snprintf(id, sizeof id, "%" PRId64, c->id);
	v[n++] = id;
	r = store_pg_run(s, ST_UPDATE, n, v, NULL, NULL, "updating a connection", e);
	if (r == NULL && is_unique_violation(s))
		err_set(e, ERR_INVALID, "A connection with `conn_id`=%s already "
		    "exists.", c->conn_id);
	else if (r != NULL && store_pg_changed(r) != 1)
		store_conn_not_found(c->conn_id, e);
	else if (r != NULL)
		rc = 0;
	PQclear(r);
	return store_pg_sp_end(s, rc, e);
}

int
store_pg_conn_delete(struct store *s, const char *conn_id, struct err *e)
{
	const char *v[1] = { conn_id };
	PGresult *r;
	int rc = 0;

	if ((r = store_pg_run(s, ST_DELETE, 1, v, NULL, NULL, "deleting a connection",
	    e)) == NULL)
		return -1;
	if (store_pg_changed(r) == 0) {
		store_conn_not_found(conn_id, e);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

int
store_pg_count_rows(struct store *s, int st, size_t *n, const char *what, struct err *e)
{
	PGresult *r = store_pg_run(s, st, 0, NULL, NULL, NULL, what, e);

	if (r == NULL)
		return -1;
	*n = PQntuples(r) == 1 ? (size_t)strtoull(PQgetvalue(r, 0, 0), NULL, 10) :
	    0;
	PQclear(r);
	return 0;
}

int
store_pg_conn_count(struct store *s, size_t *n, struct err *e)
{
	return store_pg_count_rows(s, ST_COUNT, n, "counting connections", e);
}

/* -- iterators ----------------------------------------------------------- */

static void
iter_clear_page(struct pg_iter *it)
{
	static const int var_cols[] = { 2 };
	static const int field_cols[] = { 1 };
	static const int secrets_cols[] = { 1, 3 };

	if (it->kind == IT_CONN)
		store_pg_clear_wiped(it->res, conn_secret_cols, ARRAY_LEN(conn_secret_cols));
	else if (it->kind == IT_VAR)
		store_pg_clear_wiped(it->res, var_cols, ARRAY_LEN(var_cols));
	else if (it->kind == IT_SECRETS)
		store_pg_clear_wiped(it->res, secrets_cols,
		    ARRAY_LEN(secrets_cols));
	else
		store_pg_clear_wiped(it->res, field_cols, ARRAY_LEN(field_cols));
	it->res = NULL;
	it->row = it->nrows = 0;
}

/* The parameters of a page of connections (store_pg_page_sql()) into v. */
static int
page_params(const struct pg_iter *it, const char **v)
{
	int n = 0;

	if (it->after != NULL)
		v[n++] = it->after;
	if (it->before != NULL)
		v[n++] = it->before;
	if (it->match != NULL)
		v[n++] = it->match;
	return n;
}

/*
 * A listing of many connections (or variables) in byte order where the
 * database's collation is not byte order: keyset pages would each sort the
 * table (ORDER BY conn_id COLLATE "C" cannot use the index), so the listing
 * sorts once, in a cursor, and fetches pages from it. A long export
 * (db_order) reads through a cursor as well, for one snapshot. A cursor
 * lives in a transaction: the caller's, or a READ ONLY one that the
 * iterator begins and ends.
 */
static int
cursor_open(struct pg_iter *it, const char *what, struct err *e)
{
	struct store *s = it->s;
	struct pg *p = s->impl;
	const char *v[5];
	char limit[32];
	struct buf sql;
	PGresult *r = NULL;
	int n = 0, rc = -1;

	buf_init(&sql, 0);
	if (!s->in_tx) {
		if (store_pg_exec_simple(s, "BEGIN READ ONLY", what, e) != 0)
			goto out;
		it->own_tx = p->cursor_tx = 1;
	}
	buf_adds(&sql, "DECLARE ferncon_cursor NO SCROLL CURSOR FOR ");
	if (it->kind == IT_VAR) {
		/* ST_VAR_LIST's $1..$5: after, before, match, key, limit */
		snprintf(limit, sizeof limit, "%zu", it->left);
		v[n++] = it->after;
		v[n++] = it->before;
		v[n++] = it->match;
		v[n++] = NULL;
		v[n++] = it->left == SIZE_MAX ? NULL : limit;
		store_pg_stmt_text(p, it->st, &sql);
	} else {
		n = page_params(it, v);
		store_pg_page_sql(p, it->st - ST_PAGE, 0, &sql);
	}
	if (buf_check(&sql, e) != 0)
		goto out;
	p->interrupted = 0;
	store_pg_cancel_arm(p);
	r = PQexecParams(p->conn, buf_str(&sql), n, NULL, v, NULL, NULL, 0);
	store_pg_cancel_disarm(p);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		store_pg_fail(s, r, what, e);
		goto out;
	}
	p->cursor_open = 1;
	rc = 0;
out:
	PQclear(r);
	buf_release(&sql);
	if (rc != 0 && it->own_tx) {
		PQclear(PQexec(p->conn, "ROLLBACK"));
		it->own_tx = p->cursor_tx = 0;
	}
	return rc;
}

static PGresult *
cursor_fetch(struct pg_iter *it, size_t want, const char *what, struct err *e)
{
	struct store *s = it->s;
	struct pg *p = s->impl;
	char sql[64];
	PGresult *r;

	if (!p->cursor_open && cursor_open(it, what, e) != 0)
		return NULL;
	if (store_pg_queue_send(s, e) != 0)
		return NULL;
	snprintf(sql, sizeof sql, "FETCH %zu FROM ferncon_cursor", want);
	p->interrupted = 0;
	store_pg_cancel_arm(p);
	r = PQexec(p->conn, sql);
	store_pg_cancel_disarm(p);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		store_pg_fail(s, r, what, e);
		PQclear(r);
		return NULL;
	}
	return r;
}

static void
cursor_close(struct pg_iter *it)
{
	struct pg *p = it->s->impl;

	if (!it->cursor || !p->cursor_open)
		return;
	if (PQstatus(p->conn) == CONNECTION_OK) {
		PQclear(PQexec(p->conn, "CLOSE ferncon_cursor"));
		if (it->own_tx)
			PQclear(PQexec(p->conn, "COMMIT"));
	}
	p->cursor_open = p->cursor_tx = 0;
	it->own_tx = 0;
}

/*
 * Fetch the next page when the current one is used up. Returns 1 with a
 * row ready, 0 at the end, -1 with e set.
 */
static int
iter_fill(struct pg_iter *it, const char *what, struct err *e)
{
	const char *v[4];
	char limit[32], after_id[32];
	size_t want;
	int n = 0;

	if (it->row < it->nrows)
		return 1;
	iter_clear_page(it);
	if (it->failed != ERR_NONE) {
		err_set(e, it->failed, "database '%s': %s stopped at an earlier "
		    "error", it->s->name, what);
		return -1;
	}
	if (it->done || it->left == 0)
		return 0;
	want = it->left < PAGE_ROWS ? it->left : PAGE_ROWS;
	snprintf(limit, sizeof limit, "%zu", want);
	if (it->cursor) {
		if ((it->res = cursor_fetch(it, want, what, e)) == NULL)
			goto fail;
		goto got;
	}
	if (it->kind == IT_CONN) {
		n = page_params(it, v);
	} else {
		snprintf(after_id, sizeof after_id, "%" PRId64, it->after_id);
		v[n++] = after_id;
	}
	v[n++] = limit;
	if ((it->res = store_pg_run(it->s, it->st, n, v, NULL, NULL, what, e)) == NULL)
		goto fail;
got:
	it->nrows = PQntuples(it->res);
	it->row = 0;
	if ((size_t)it->nrows < want)
		it->done = 1;
	if (it->left != SIZE_MAX)
		it->left -= (size_t)it->nrows;
	return it->nrows > 0;
fail:
	it->failed = e != NULL && e->code != ERR_NONE ? e->code : ERR_DB;
	return -1;
}

static int
it_conn_next(struct store_iter *base, struct conn *c, struct err *e)
{
	struct pg_iter *it = (struct pg_iter *)base;
	const char *id;
	char **bound;
	int rc;

	if ((rc = iter_fill(it, "reading connections", e)) != 1)
		return rc;
	if (row_to_conn(it->res, it->row, c, e) != 0)
		return -1;
	/* The next page starts past this row: after it, or before it (DESC). */
	id = PQgetvalue(it->res, it->row, 1);
	bound = (it->st - ST_PAGE) & PAGE_DESC ? &it->before : &it->after;
	free(*bound);
	if ((*bound = strdup(id)) == NULL) {
		err_nomem(e);
		return -1;
	}
	it->st = ST_PAGE + ((it->st - ST_PAGE) |
	    ((it->st - ST_PAGE) & PAGE_DESC ? PAGE_BEFORE : PAGE_AFTER));
	it->row++;
	return 1;
}

/*
 * Copy cell (row, col) into a locked buffer of the iterator (*buf, *cap:
 * it->val, or it->val2 for an extra) and wipe the cell.
 */
static int
copy_cell(struct pg_iter *it, int col, char **buf, size_t *cap,
    const char **out, size_t *len, struct err *e)
{
	size_t n;

	*out = NULL;
	*len = 0;
	if (PQgetisnull(it->res, it->row, col))
		return 0;
	n = (size_t)PQgetlength(it->res, it->row, col);
	if (n + 1 > *cap) {
		sodium_free(*buf);
		*cap = n + 1 < 256 ? 256 : n + 1;
		if ((*buf = sodium_malloc(*cap)) == NULL) {
			*cap = 0;
			err_nomem(e);
			return -1;
		}
	}
	memcpy(*buf, PQgetvalue(it->res, it->row, col), n);
	(*buf)[n] = '\0';
	sodium_memzero(PQgetvalue(it->res, it->row, col), n);
	*out = *buf;
	*len = n;
	return 0;
}

static int
copy_value(struct pg_iter *it, int col, const char **out, size_t *len,
    struct err *e)
{
	return copy_cell(it, col, &it->val, &it->val_cap, out, len, e);
}

/*
 * The next row of a value iterator: the last value's copy wiped, a page
 * fetched when needed (what: for the error), *id the row's id (column 0).
 * Returns as iter_fill().
 */
static int
row_next(struct pg_iter *it, const char *what, int64_t *id, struct err *e)
{
	int rc;

	if (it->val != NULL)
		sodium_memzero(it->val, it->val_cap);
	if ((rc = iter_fill(it, what, e)) != 1)
		return rc;
	*id = strtoll(PQgetvalue(it->res, it->row, 0), NULL, 10);
	return 1;
}

static int
it_var_next(struct store_iter *base, struct store_var *v, struct err *e)
{
	struct pg_iter *it = (struct pg_iter *)base;
	const char *val;
	size_t len;
	int64_t id;
	int rc;

	if ((rc = row_next(it, "reading variables", &id, e)) != 1)
		return rc;
	memset(v, 0, sizeof *v);
	v->id = id;
	v->key = PQgetisnull(it->res, it->row, 1) ? NULL :
	    PQgetvalue(it->res, it->row, 1);
	v->is_encrypted = col_bool(it->res, it->row, 3);
	if (PQnfields(it->res) > 4 && !PQgetisnull(it->res, it->row, 4))
		v->description = PQgetvalue(it->res, it->row, 4);
	if (copy_value(it, 2, &val, &len, e) != 0)
		return -1;
	v->val = (char *)val;
	v->val_len = len;
	it->after_id = v->id;
	it->row++;
	return 1;
}

/*
 * A secrets iterator (store_conn_secrets_iter()): a row's password, then
 * its extra from the same row of the page; the password's copy is kept
 * until the next row's.
 */
static int
secrets_next(struct pg_iter *it, struct store_value *v, struct err *e)
{
	int col = it->half ? 3 : 1, rc;
	int64_t id;

	if (it->half) {
		if (it->val2 != NULL)
			sodium_memzero(it->val2, it->val2_cap);
		id = strtoll(PQgetvalue(it->res, it->row, 0), NULL, 10);
	} else if ((rc = row_next(it, "reading values", &id, e)) != 1)
		return rc;
	memset(v, 0, sizeof *v);
	v->id = id;
	if ((it->half ? copy_cell(it, col, &it->val2, &it->val2_cap, &v->value,
	    &v->len, e) : copy_value(it, col, &v->value, &v->len, e)) != 0)
		return -1;
	v->flag = col_bool(it->res, it->row, col + 1);
	v->name = PQgetisnull(it->res, it->row, 5) ? NULL :
	    PQgetvalue(it->res, it->row, 5);
	if (it->half) {
		it->after_id = v->id;
		it->row++;
	}
	it->half = !it->half;
	return 1;
}

static int
it_field_next(struct store_iter *base, struct store_value *v, struct err *e)
{
	struct pg_iter *it = (struct pg_iter *)base;
	int64_t id;
	int rc;

	if (it->kind == IT_SECRETS)
		return secrets_next(it, v, e);
	if ((rc = row_next(it, "reading values", &id, e)) != 1)
		return rc;
	memset(v, 0, sizeof *v);
	v->id = id;
	if (copy_value(it, 1, &v->value, &v->len, e) != 0)
		return -1;
	v->flag = store_field_sql[it->f].flag != NULL ?
	    col_bool(it->res, it->row, 2) : -1;
	v->name = PQgetisnull(it->res, it->row, 3) ? NULL :
	    PQgetvalue(it->res, it->row, 3);
	it->after_id = v->id;
	it->row++;
	return 1;
}

static void
it_free(struct store_iter *base)
{
	struct pg_iter *it = (struct pg_iter *)base;

	iter_clear_page(it);
	cursor_close(it);
	sodium_free(it->val);
	sodium_free(it->val2);
	free(it->after);
	free(it->before);
	free(it->match);
	free(it);
}

static const struct store_iter_ops pg_iter_ops = {
	it_conn_next, it_var_next, it_field_next, it_free
};

static struct pg_iter *
iter_new(struct store *s, enum it_kind kind, struct err *e)
{
	struct pg_iter *it = calloc(1, sizeof *it);

	if (it == NULL) {
		err_nomem(e);
		return NULL;
	}
	it->base.ops = &pg_iter_ops;
	it->s = s;
	it->kind = kind;
	it->left = SIZE_MAX;
	return it;
}

int
store_pg_conn_iter(struct store *s, const struct store_query *q,
    struct store_iter **out, struct err *e)
{
	struct pg *p = s->impl;
	struct pg_iter *it;
	int bits = 0;

	*out = NULL;
	if ((it = iter_new(s, IT_CONN, e)) == NULL)
		return -1;
	if (q != NULL) {
		if (q->after != NULL) {
			bits |= PAGE_AFTER;
			it->after = strdup(q->after);
		}
		if (q->before != NULL) {
			bits |= PAGE_BEFORE;
			it->before = strdup(q->before);
		}
		if (q->match != NULL && *q->match != '\0') {
			bits |= PAGE_MATCH;
			it->match = strdup(q->match);
		}
		if (q->desc)
			bits |= PAGE_DESC;
		/* Where the column sorts in byte order, that is its order. */
		if (q->db_order && p->collate[0] != '\0')
			bits |= PAGE_DBORDER;
		if (q->limit > 0)
			it->left = q->limit;
		if (((bits & PAGE_AFTER) && it->after == NULL) ||
		    ((bits & PAGE_BEFORE) && it->before == NULL) ||
		    ((bits & PAGE_MATCH) && it->match == NULL)) {
			err_nomem(e);
			it_free(&it->base);
			return -1;
		}
	}
	it->st = ST_PAGE + bits;
	/*
	 * More than a page through a cursor: in an order the index cannot
	 * give, one sort instead of one per page; for an export (db_order),
	 * one snapshot of the table, as Airflow's single SELECT reads it.
	 */
	it->cursor = (p->collate[0] != '\0' || (q != NULL && q->db_order)) &&
	    !p->cursor_open && (it->left == SIZE_MAX || it->left > PAGE_ROWS);
	*out = &it->base;
	return 0;
}

int
store_pg_var_iter(struct store *s, struct store_iter **out, struct err *e)
{
	struct pg_iter *it;

	*out = NULL;
	if ((it = iter_new(s, IT_VAR, e)) == NULL)
		return -1;
	it->st = ST_VAR_PAGE;
	*out = &it->base;
	return 0;
}

int
store_pg_var_list(struct store *s, const struct store_var_query *q,
    struct store_iter **out, struct err *e)
{
	struct pg *p = s->impl;
	struct pg_iter *it;
	const char *v[5];
	char limit[32];

	*out = NULL;
	if ((it = iter_new(s, IT_VAR, e)) == NULL)
		return -1;
	/*
	 * Many rows in byte order where the collation is not byte order:
	 * every keyset page would sort the table (no index serves ORDER BY
	 * "key" COLLATE "C"), so they come from one sort, in a cursor, a
	 * page per FETCH, as store_pg_conn_iter() reads connections.
	 */
	if (p->collate[0] != '\0' && !p->cursor_open && q->key == NULL &&
	    q->total > PAGE_ROWS) {
		it->st = q->desc ? ST_VAR_LIST_DESC : ST_VAR_LIST;
		it->cursor = 1;
		it->left = q->total;
		if ((q->after != NULL && (it->after = strdup(q->after)) == NULL) ||
		    (q->before != NULL &&
		    (it->before = strdup(q->before)) == NULL) ||
		    (q->match != NULL && (it->match = strdup(q->match)) == NULL)) {
			it_free(&it->base);
			return err_nomem(e);
		}
		*out = &it->base;
		return 0;
	}
	snprintf(limit, sizeof limit, "%zu", q->limit);
	v[0] = q->after;
	v[1] = q->before;
	v[2] = q->match;
	v[3] = q->key;
	v[4] = limit;
	if ((it->res = store_pg_run(s, q->desc ? ST_VAR_LIST_DESC : ST_VAR_LIST,
	    5, v, NULL, NULL, "reading variables", e)) == NULL) {
		it_free(&it->base);
		return -1;
	}
	/* One page: store.c asks for the next. */
	it->nrows = PQntuples(it->res);
	it->row = 0;
	it->done = 1;
	*out = &it->base;
	return 0;
}

int
store_pg_var_delete(struct store *s, const char *key, struct err *e)
{
	const char *v[1] = { key };
	PGresult *r;
	int rc = 0;

	if (store_pg_sp_begin(s, e) != 0)
		return -1;
	if ((r = store_pg_run(s, ST_VAR_DELETE, 1, v, NULL, NULL,
	    "deleting a variable", e)) == NULL) {
		rc = -1;
	} else {
		if (store_pg_changed(r) == 0) {
			err_set(e, ERR_NOTFOUND, "Variable %s does not exist", key);
			rc = -1;
		}
		PQclear(r);
	}
	return store_pg_sp_end(s, rc, e);
}

/* One variable row written by st, whose $1..$4 are key, val, description, flag. */
static int
var_write(struct store *s, int st, const char *what, const char *key,
    const char *val, size_t len, int is_encrypted, const char *description,
    struct err *e)
{
	const char *v[4] = { key, val, description, is_encrypted ? "true" :
	    "false" };
	const int lens[4] = { 0, (int)len, 0, 0 };
	const int fmts[4] = { 0, 1, 0, 0 };
	PGresult *r;
	int rc = 0;

	if (store_pg_sp_begin(s, e) != 0)
		return -1;
	if ((r = store_pg_run(s, st, 4, v, lens, fmts, what, e)) == NULL) {
		rc = -1;
		if (is_unique_violation(s))
			err_set(e, ERR_INVALID, "a variable with key '%s' already "
			    "exists", key);
	}
	PQclear(r);
	return store_pg_sp_end(s, rc, e);
}

int
store_pg_var_insert(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	return var_write(s, ST_VAR_INSERT, "adding a variable", key, val, len,
	    is_encrypted, description, e);
}

int
store_pg_var_update(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	return var_write(s, ST_VAR_UPDATE, "updating a variable", key, val, len,
	    is_encrypted, description, e);
}

int
store_pg_field_iter(struct store *s, enum store_field f, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e)
{
	struct pg_iter *it;

	*out = NULL;
	if ((it = iter_new(s, IT_FIELD, e)) == NULL)
		return -1;
	it->f = f;
	/* In a transaction, rows are locked as read: see the top comment. */
	it->st = (s->in_tx ? ST_FIELD_LOCK : ST_FIELD_PAGE) + (int)f;
	it->after_id = after_id;
	if (limit > 0)
		it->left = limit;
	*out = &it->base;
	return 0;
}

int
store_pg_conn_secrets_iter(struct store *s, int64_t after_id, size_t limit,
    struct store_iter **out, struct err *e)
{
	struct pg_iter *it;

	*out = NULL;
	if ((it = iter_new(s, IT_SECRETS, e)) == NULL)
		return -1;
	/* In a transaction, rows are locked as read: see store_pg.c's top. */
	it->st = s->in_tx ? ST_SECRETS_LOCK : ST_SECRETS_PAGE;
	it->after_id = after_id;
	if (limit > 0)
		it->left = limit;
	*out = &it->base;
	return 0;
}
