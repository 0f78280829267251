/*
 * store_sqlite.c: the SQLite backend of the metadata store (store.h).
 *
 * URLs as SQLAlchemy spells them: sqlite:///relative/path.db and
 * sqlite:////absolute/path.db (a query string is ignored). The file must
 * exist: ferncon never creates a metadata DB by accident. When the user
 * cannot write the file or its directory (SQLite needs the directory for
 * its journal), the DB is opened read-only.
 *
 * The connection table's columns are read from PRAGMA table_info and every
 * statement names them, so column order and optional columns (description,
 * team_name) do not matter. Statements are prepared once; secrets are bound
 * SQLITE_STATIC from the record's locked memory.
 *
 * store_interrupt() is sqlite3_interrupt(), which SQLite lets another
 * thread call while the owner steps a statement (the handle is opened
 * NOMUTEX: only the owner thread ever runs statements on it; the
 * interrupt touches nothing of ours, only SQLite's own atomic flag). The
 * step fails with SQLITE_INTERRUPT: an iterator resets its statement and
 * keeps failing; inside a transaction the whole transaction is rolled back
 * (SQLite does so itself for an interrupted write) and marked aborted, so
 * that later writes and the commit fail as they do on PostgreSQL.
 */
#include "config.h"

#include "store_int.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>
#include <sodium.h>

#include "buf.h"


/* A queued update: row id, and per slot (password, extra) its value. */
struct sq_qrow {
	int64_t		 id;
	size_t		 off[2], len[2];	/* into sq_queue.vals */
	unsigned char	 set[2], null[2], flag[2];
	unsigned char	 hit;	/* the UPDATE reached the row */
};

/*
 * The updates of a lifecycle job, sent as one UPDATE per batch (see
 * "Writes in batches" below): rows in increasing id order, all of one
 * field, or all connections (pair: password and extra by slot).
 */
struct sq_queue {
	enum store_field f;
	int		 pair;
	struct sq_qrow	*rows;
	size_t		 n, cap, at;	/* at: the row the UPDATE is on */
	struct buf	 vals;		/* the values, locked memory */
	sqlite3_stmt	*field_st[STORE_FIELD_MAX], *pair_st;
};

struct sq {
	sqlite3		*db;
	char		*path;
	struct store_schema	 sch;
	char		*select_cols;	/* the SELECT list, in struct conn order */
	sqlite3_stmt	*get, *insert, *update, *del;
	int		 tx_aborted;	/* the open transaction was interrupted */
	struct sq_queue	 q;		/* updates not yet sent */
};

struct sq_iter {
	struct store_iter	 base;
	struct store		*s;
	sqlite3_stmt		*st;
	int			 is_var;
	char			*val;	/* value copy (locked), wiped per row */
	size_t			 val_cap;
	int			 has_flag;
	char			*name;	/* the row's name, copied */
	int			 failed;	/* SQLite code of a failed step: sticky */
};

static int queue_send(struct store *, struct err *);
static void queue_drop(struct sq_queue *);
static void queue_free(struct sq_queue *);
static int queue_functions(struct store *, struct err *);

/* -- errors -------------------------------------------------------------- */

static int
sq_fail(struct store *s, int rc, struct err *e, const char *what)
{
	struct sq *q = s->impl;
	int prim = rc & 0xff;
	const char *msg = q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc);

	switch (prim) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		err_set(e, ERR_DB, "database '%s' is locked: another process (an "
		    "Airflow scheduler or webserver?) holds it; %s failed and "
		    "nothing was changed", s->name, what);
		break;
	case SQLITE_READONLY:
	case SQLITE_PERM:
		err_set(e, ERR_DENIED, "database '%s' is read-only for this user; "
		    "%s failed and nothing was changed", s->name, what);
		break;
	case SQLITE_INTERRUPT:
		/* Whatever the transaction holds goes, as on PostgreSQL. */
		if (s->in_tx && !q->tx_aborted) {
			if (q->db != NULL && !sqlite3_get_autocommit(q->db))
				sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
			q->tx_aborted = 1;
		}
		err_set(e, ERR_INTERRUPTED, "database '%s': %s was interrupted%s",
		    s->name, what, s->in_tx ? "; the transaction was rolled back "
		    "and nothing was changed" : "");
		break;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		err_set(e, ERR_DB, "database '%s' is corrupt or not an SQLite "
		    "database (%s)", s->name, msg);
		break;
	default:
		err_set(e, ERR_DB, "database '%s': %s failed: %s", s->name, what,
		    msg);
	}
	return -1;
}

static int
exec_sql(struct store *s, const char *sql, const char *what, struct err *e)
{
	struct sq *q = s->impl;
	int rc = sqlite3_exec(q->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sq_fail(s, rc, e, what);
}

/* Writes and the commit of a transaction that was interrupted fail. */
static int
tx_check(struct store *s, struct err *e)
{
	struct sq *q = s->impl;

	if (!q->tx_aborted)
		return 0;
	err_set(e, ERR_INTERRUPTED, "database '%s': the transaction was "
	    "interrupted and rolled back; nothing was changed", s->name);
	return -1;
}

static int
prepare(struct store *s, const char *sql, sqlite3_stmt **st, struct err *e)
{
	struct sq *q = s->impl;
	int rc = sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL);

	return rc == SQLITE_OK ? 0 : sq_fail(s, rc, e, "preparing a statement");
}

/* -- opening ------------------------------------------------------------- */

/* The file path of a sqlite:// URL; caller frees. */
static char *
url_path(const char *url, struct err *e)
{
	const char *p = url + strlen("sqlite:");
	size_t len;
	char *path;

	if (strncmp(p, "///", 3) != 0 || p[3] == '\0' || p[3] == '?') {
		err_set(e, ERR_CONFIG, "cannot use database URL '%s': ferncon needs "
		    "a file, as sqlite:////absolute/path.db or "
		    "sqlite:///relative/path.db", url);
		return NULL;
	}
	p += 3;
	len = strcspn(p, "?");
	if ((path = strndup(p, len)) == NULL)
		err_nomem(e);
	return path;
}

/* 1 if the file and its directory are writable, 0 if not, -1 out of memory. */
static int
may_write(const char *path)
{
	char *dup = strdup(path);
	int ok;

	if (dup == NULL)
		return -1;
	ok = access(path, W_OK) == 0 && access(dirname(dup), W_OK | X_OK) == 0;
	free(dup);
	return ok;
}

static int
load_columns(struct store *s, struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(q->db, "PRAGMA table_info(connection)", -1, &st,
	    NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, e, "reading the schema");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);

		if (name != NULL)
			store_schema_note(&q->sch, name);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, rc, e, "reading the schema");
	q->select_cols = store_schema_select(&q->sch, s->name, "", "", e);
	return q->select_cols != NULL ? 0 : -1;
}

static int
load_version(struct store *s, struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(q->db, "SELECT version_num FROM alembic_version",
	    -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL &&
	    (s->alembic_head = strdup((const char *)sqlite3_column_text(st,
	    0))) == NULL) {
		sqlite3_finalize(st);
		return err_nomem(e);	/* not "an unknown version" */
	}
	sqlite3_finalize(st);
	store_schema_version(s, &q->sch);
	return 0;
}

static int sq_prepare_writes(struct store *s, struct err *e);
static const struct store_ops sqlite_ops;

int
store_sqlite_open(struct store *s, const char *url, const struct store_opts *o,
    struct err *e)
{
	struct sq *q;
	struct stat sb;
	int rc, flags;

	if ((q = calloc(1, sizeof *q)) == NULL) {
		err_nomem(e);
		return -1;
	}
	buf_init(&q->q.vals, 1);
	s->impl = q;
	s->ops = &sqlite_ops;
	if ((q->path = url_path(url, e)) == NULL)
		return -1;
	if ((s->name = strdup(q->path)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (stat(q->path, &sb) != 0) {
		err_set(e, ERR_DB, "cannot open database '%s': %s", q->path,
		    strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		err_set(e, ERR_DB, "cannot open database '%s': not a regular file",
		    q->path);
		return -1;
	}
	if (access(q->path, R_OK) != 0) {
		err_set(e, ERR_DB, "cannot open database '%s': %s", q->path,
		    strerror(errno));
		return -1;
	}
	/* Out of memory must not open the DB read-only and refuse writes later. */
	if ((rc = may_write(q->path)) < 0)
		return err_nomem(e);
	s->readonly = !rc;
	flags = (s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
	    SQLITE_OPEN_NOMUTEX;
	rc = sqlite3_open_v2(q->path, &q->db, flags, NULL);
	if (rc != SQLITE_OK) {
		err_set(e, ERR_DB, "cannot open database '%s': %s", q->path,
		    q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, o && o->busy_timeout_ms ? o->busy_timeout_ms :
	    5000);
	if (load_columns(s, e) != 0)
		return -1;
	if (!s->readonly && exec_sql(s, "PRAGMA foreign_keys=ON",
	    "setting foreign_keys", e) != 0)
		return -1;
	if (load_version(s, e) != 0)
		return -1;
	if (s->readonly)
		return 0;
	return queue_functions(s, e) == 0 ? sq_prepare_writes(s, e) : -1;
}

static void
sq_close(struct store *s)
{
	struct sq *q = s->impl;

	if (q == NULL)
		return;
	sqlite3_finalize(q->get);
	sqlite3_finalize(q->insert);
	sqlite3_finalize(q->update);
	sqlite3_finalize(q->del);
	queue_free(&q->q);
	sqlite3_close_v2(q->db);
	free(q->select_cols);
	free(q->path);
	free(q);
	s->impl = NULL;
}

static int
sq_has_table(struct store *s, const char *table)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	int found = 0;

	if (sqlite3_prepare_v2(q->db, "SELECT 1 FROM sqlite_master WHERE "
	    "type = 'table' AND name = ?", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) == SQLITE_OK)
		found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int
sq_begin(struct store *s, struct err *e)
{
	struct sq *q = s->impl;

	q->tx_aborted = 0;
	return exec_sql(s, "BEGIN IMMEDIATE", "starting a transaction", e);
}

static int
sq_commit(struct store *s, struct err *e)
{
	if (tx_check(s, e) != 0 || queue_send(s, e) != 0)
		return -1;
	return exec_sql(s, "COMMIT", "committing", e);
}

static void
sq_rollback(struct store *s)
{
	struct sq *q = s->impl;

	q->tx_aborted = 0;
	queue_drop(&q->q);
	if (!sqlite3_get_autocommit(q->db))
		sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
}

static void
sq_interrupt(struct store *s)
{
	struct sq *q = s->impl;

	if (q->db != NULL)
		sqlite3_interrupt(q->db);
}

/* -- rows ---------------------------------------------------------------- */

static int
col_text(struct conn *c, char **field, sqlite3_stmt *st, int i, struct err *e)
{
	const unsigned char *t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return conn_set(c, field, NULL, 0, e);
	t = sqlite3_column_text(st, i);
	return conn_set(c, field, (const char *)t, (size_t)sqlite3_column_bytes(st,
	    i), e);
}

/* Fill c from a row of the SELECT list built by load_columns(). */
static int
row_to_conn(sqlite3_stmt *st, struct conn *c, struct err *e)
{
	conn_reset(c);
	c->id = sqlite3_column_int64(st, 0);
	if (col_text(c, &c->conn_id, st, 1, e) != 0 ||
	    col_text(c, &c->conn_type, st, 2, e) != 0 ||
	    col_text(c, &c->description, st, 3 + COL_DESCRIPTION, e) != 0 ||
	    col_text(c, &c->host, st, 3 + COL_HOST, e) != 0 ||
	    col_text(c, &c->schema, st, 3 + COL_SCHEMA, e) != 0 ||
	    col_text(c, &c->login, st, 3 + COL_LOGIN, e) != 0 ||
	    col_text(c, &c->password, st, 3 + COL_PASSWORD, e) != 0 ||
	    col_text(c, &c->extra, st, 3 + COL_EXTRA, e) != 0 ||
	    col_text(c, &c->team_name, st, 3 + COL_TEAM_NAME, e) != 0)
		return -1;
	if (sqlite3_column_type(st, 3 + COL_PORT) != SQLITE_NULL) {
		c->has_port = 1;
		c->port = (long)sqlite3_column_int64(st, 3 + COL_PORT);
	}
	c->is_encrypted = sqlite3_column_int(st, 3 + COL_IS_ENCRYPTED) != 0;
	c->is_extra_encrypted = sqlite3_column_int(st,
	    3 + COL_IS_EXTRA_ENCRYPTED) != 0;
	return 0;
}

static int
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s == NULL ? sqlite3_bind_null(st, i) :
	    sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/*
 * Bind the writable columns of c in the order col_list() names them.
 * Returns the next parameter index, or -1.
 */
static int
bind_conn(struct sq *q, sqlite3_stmt *st, const struct conn *c)
{
	int i = 1, rc = SQLITE_OK;

	rc |= bind_text(st, i++, c->conn_id);
	rc |= bind_text(st, i++, c->conn_type);
	if (q->sch.has[COL_DESCRIPTION])
		rc |= bind_text(st, i++, c->description);
	if (q->sch.has[COL_HOST])
		rc |= bind_text(st, i++, c->host);
	if (q->sch.has[COL_SCHEMA])
		rc |= bind_text(st, i++, c->schema);
	if (q->sch.has[COL_LOGIN])
		rc |= bind_text(st, i++, c->login);
	if (q->sch.has[COL_PASSWORD])
		rc |= bind_text(st, i++, c->password);
	if (q->sch.has[COL_PORT])
		rc |= c->has_port ? sqlite3_bind_int64(st, i++, c->port) :
		    sqlite3_bind_null(st, i++);
	if (q->sch.has[COL_EXTRA])
		rc |= bind_text(st, i++, c->extra);
	if (q->sch.has[COL_IS_ENCRYPTED])
		rc |= sqlite3_bind_int(st, i++, c->is_encrypted ? 1 : 0);
	if (q->sch.has[COL_IS_EXTRA_ENCRYPTED])
		rc |= sqlite3_bind_int(st, i++, c->is_extra_encrypted ? 1 : 0);
	if (q->sch.has[COL_TEAM_NAME])
		rc |= bind_text(st, i++, c->team_name);
	return rc == SQLITE_OK ? i : -1;
}

/* The writable columns, as "a, b, c" or "a = ?, b = ?". */
static void
col_list(struct sq *q, struct buf *b, int assign)
{
	static const int order[] = { COL_DESCRIPTION, COL_HOST, COL_SCHEMA,
	    COL_LOGIN, COL_PASSWORD, COL_PORT, COL_EXTRA, COL_IS_ENCRYPTED,
	    COL_IS_EXTRA_ENCRYPTED, COL_TEAM_NAME };
	size_t i;

	buf_adds(b, assign ? "conn_id = ?, conn_type = ?" : "conn_id, conn_type");
	for (i = 0; i < sizeof order / sizeof order[0]; i++)
		if (q->sch.has[order[i]])
			buf_addf(b, assign ? ", \"%s\" = ?" : ", \"%s\"",
			    store_col_names[order[i]]);
}

static int
sq_prepare_writes(struct store *s, struct err *e)
{
	struct sq *q = s->impl;
	struct buf sql;
	int n = 0, rc = -1, i;

	buf_init(&sql, 0);
	buf_addf(&sql, "SELECT %s FROM connection WHERE conn_id = ?",
	    q->select_cols);
	if (buf_check(&sql, e) != 0 || prepare(s, buf_str(&sql), &q->get, e) != 0)
		goto out;
	buf_reset(&sql);
	buf_adds(&sql, "INSERT INTO connection (");
	col_list(q, &sql, 0);
	buf_adds(&sql, ") VALUES (?, ?");
	for (i = 0; i < COL_MAX; i++)
		n += q->sch.has[i];
	for (i = 0; i < n; i++)
		buf_adds(&sql, ", ?");
	buf_adds(&sql, ")");
	if (buf_check(&sql, e) != 0 ||
	    prepare(s, buf_str(&sql), &q->insert, e) != 0)
		goto out;
	buf_reset(&sql);
	buf_adds(&sql, "UPDATE connection SET ");
	col_list(q, &sql, 1);
	buf_adds(&sql, " WHERE id = ?");
	if (buf_check(&sql, e) != 0 ||
	    prepare(s, buf_str(&sql), &q->update, e) != 0 ||
	    prepare(s, "DELETE FROM connection WHERE conn_id = ?", &q->del, e) != 0)
		goto out;
	rc = 0;
out:
	buf_release(&sql);
	return rc;
}

/* Statements of a read-only store are prepared on first use. */
static int
ensure_get(struct store *s, struct err *e)
{
	struct sq *q = s->impl;
	struct buf sql;
	int rc;

	if (q->get != NULL)
		return 0;
	buf_init(&sql, 0);
	buf_addf(&sql, "SELECT %s FROM connection WHERE conn_id = ?",
	    q->select_cols);
	rc = buf_check(&sql, e) == 0 ? prepare(s, buf_str(&sql), &q->get, e) : -1;
	buf_release(&sql);
	return rc;
}

static int
sq_conn_get(struct store *s, const char *conn_id, struct conn *c,
    struct err *e)
{
	struct sq *q = s->impl;
	int rc, ret = -1;

	if (queue_send(s, e) != 0 || ensure_get(s, e) != 0)
		return -1;
	if (sqlite3_bind_text(q->get, 1, conn_id, -1, SQLITE_STATIC) != SQLITE_OK)
		return sq_fail(s, sqlite3_errcode(q->db), e, "reading a connection");
	rc = sqlite3_step(q->get);
	if (rc == SQLITE_ROW)
		ret = row_to_conn(q->get, c, e);
	else if (rc == SQLITE_DONE)
		store_conn_not_found(conn_id, e);
	else
		sq_fail(s, rc, e, "reading a connection");
	sqlite3_reset(q->get);
	sqlite3_clear_bindings(q->get);
	return ret;
}

static int
sq_conn_insert(struct store *s, struct conn *c, struct err *e)
{
	struct sq *q = s->impl;
	int rc;

	if (tx_check(s, e) != 0 || queue_send(s, e) != 0)
		return -1;
	if (bind_conn(q, q->insert, c) < 0) {
		sqlite3_reset(q->insert);
		return sq_fail(s, sqlite3_errcode(q->db), e, "adding a connection");
	}
	rc = sqlite3_step(q->insert);
	sqlite3_reset(q->insert);
	sqlite3_clear_bindings(q->insert);
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		err_set(e, ERR_INVALID, "A connection with `conn_id`=%s already "
		    "exists.", c->conn_id);
		return -1;
	}
	if (rc != SQLITE_DONE)
		return sq_fail(s, rc, e, "adding a connection");
	c->id = sqlite3_last_insert_rowid(q->db);
	return 0;
}

static int
sq_conn_update(struct store *s, const struct conn *c, struct err *e)
{
	struct sq *q = s->impl;
	int rc, i;

	if (tx_check(s, e) != 0 || queue_send(s, e) != 0)
		return -1;
	if ((i = bind_conn(q, q->update, c)) < 0 ||
	    sqlite3_bind_int64(q->update, i, c->id) != SQLITE_OK) {
		sqlite3_reset(q->update);
		return sq_fail(s, sqlite3_errcode(q->db), e, "updating a connection");
	}
	rc = sqlite3_step(q->update);
	sqlite3_reset(q->update);
	sqlite3_clear_bindings(q->update);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		err_set(e, ERR_INVALID, "A connection with `conn_id`=%s already "
		    "exists.", c->conn_id);
		return -1;
	}
	if (rc != SQLITE_DONE)
		return sq_fail(s, rc, e, "updating a connection");
	if (sqlite3_changes(q->db) != 1) {
		store_conn_not_found(c->conn_id, e);
		return -1;
	}
	return 0;
}

static int
sq_conn_delete(struct store *s, const char *conn_id, struct err *e)
{
	struct sq *q = s->impl;
	int rc;

	if (tx_check(s, e) != 0 || queue_send(s, e) != 0)
		return -1;
	sqlite3_bind_text(q->del, 1, conn_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(q->del);
	sqlite3_reset(q->del);
	sqlite3_clear_bindings(q->del);
	if (rc != SQLITE_DONE)
		return sq_fail(s, rc, e, "deleting a connection");
	if (sqlite3_changes(q->db) == 0) {
		store_conn_not_found(conn_id, e);
		return -1;
	}
	return 0;
}

static int
sq_conn_count(struct store *s, size_t *n, struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	int rc;

	if (queue_send(s, e) != 0)
		return -1;
	rc = sqlite3_prepare_v2(q->db, "SELECT count(*) FROM connection", -1, &st,
	    NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (size_t)sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : sq_fail(s, rc, e, "counting connections");
}

/* -- iterators ----------------------------------------------------------- */

/*
 * Step the iterator's statement. A failed step resets it (an interrupted
 * statement is then done with, and the store ready for the next query)
 * and the iterator keeps failing: a step after a reset would start the
 * query again from its first row.
 */
static int
it_step(struct sq_iter *it, const char *what, struct err *e)
{
	int rc;

	if (it->failed != 0)
		return sq_fail(it->s, it->failed, e, what);
	if (queue_send(it->s, e) != 0)
		return -1;
	rc = sqlite3_step(it->st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	it->failed = rc;
	sqlite3_reset(it->st);
	return sq_fail(it->s, rc, e, what);
}

static int
it_conn_next(struct store_iter *base, struct conn *c, struct err *e)
{
	struct sq_iter *it = (struct sq_iter *)base;
	int rc = it_step(it, "reading connections", e);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	return row_to_conn(it->st, c, e) == 0 ? 1 : -1;
}

static int
it_var_next(struct store_iter *base, struct store_var *v, struct err *e)
{
	struct sq_iter *it = (struct sq_iter *)base;
	int rc;
	size_t len;

	if (it->val != NULL)
		sodium_memzero(it->val, it->val_cap);
	rc = it_step(it, "reading variables", e);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	memset(v, 0, sizeof *v);
	v->id = sqlite3_column_int64(it->st, 0);
	v->key = (char *)sqlite3_column_text(it->st, 1);
	v->is_encrypted = sqlite3_column_int(it->st, 3) != 0;
	if (sqlite3_column_count(it->st) > 4)
		v->description = (char *)sqlite3_column_text(it->st, 4);
	if (sqlite3_column_type(it->st, 2) == SQLITE_NULL)
		return 1;
	len = (size_t)sqlite3_column_bytes(it->st, 2);
	if (len + 1 > it->val_cap) {
		sodium_free(it->val);
		it->val_cap = len + 1 < 256 ? 256 : len + 1;
		if ((it->val = sodium_malloc(it->val_cap)) == NULL) {
			it->val_cap = 0;
			err_nomem(e);
			return -1;
		}
	}
	memcpy(it->val, sqlite3_column_text(it->st, 2), len);
	it->val[len] = '\0';
	v->val = it->val;
	v->val_len = len;
	return 1;
}

/* Copy column i into the iterator's locked buffer; NULL stays NULL. */
static int
copy_value(struct sq_iter *it, int i, const char **out, size_t *len,
    struct err *e)
{
	size_t n;

	*out = NULL;
	*len = 0;
	if (sqlite3_column_type(it->st, i) == SQLITE_NULL)
		return 0;
	n = (size_t)sqlite3_column_bytes(it->st, i);
	if (n + 1 > it->val_cap) {
		sodium_free(it->val);
		it->val_cap = n + 1 < 256 ? 256 : n + 1;
		if ((it->val = sodium_malloc(it->val_cap)) == NULL) {
			it->val_cap = 0;
			err_nomem(e);
			return -1;
		}
	}
	memcpy(it->val, sqlite3_column_text(it->st, i), n);
	it->val[n] = '\0';
	*out = it->val;
	*len = n;
	return 0;
}

static int
it_field_next(struct store_iter *base, struct store_value *v, struct err *e)
{
	struct sq_iter *it = (struct sq_iter *)base;
	const unsigned char *name;
	int rc;

	if (it->val != NULL)
		sodium_memzero(it->val, it->val_cap);
	free(it->name);
	it->name = NULL;
	rc = it_step(it, "reading values", e);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -1;
	memset(v, 0, sizeof *v);
	v->id = sqlite3_column_int64(it->st, 0);
	if (copy_value(it, 1, &v->value, &v->len, e) != 0)
		return -1;
	v->flag = it->has_flag ? sqlite3_column_int(it->st, 2) != 0 : -1;
	if ((name = sqlite3_column_text(it->st, 3)) != NULL) {
		if ((it->name = strdup((const char *)name)) == NULL) {
			err_nomem(e);
			return -1;
		}
		v->name = it->name;
	}
	return 1;
}

static void
it_free(struct store_iter *base)
{
	struct sq_iter *it = (struct sq_iter *)base;

	sqlite3_finalize(it->st);
	sodium_free(it->val);
	free(it->name);
	free(it);
}

static const struct store_iter_ops sq_iter_ops = {
	it_conn_next, it_var_next, it_field_next, it_free
};

static struct sq_iter *
iter_new(struct store *s, struct err *e)
{
	struct sq_iter *it;

	if (queue_send(s, e) != 0)	/* a query sees every update */
		return NULL;
	if ((it = calloc(1, sizeof *it)) == NULL) {
		err_nomem(e);
		return NULL;
	}
	it->base.ops = &sq_iter_ops;
	it->s = s;
	return it;
}

static int
sq_conn_iter(struct store *s, const struct store_query *qu,
    struct store_iter **out, struct err *e)
{
	struct sq *q = s->impl;
	struct sq_iter *it;
	struct buf sql;
	int i = 1, rc;

	*out = NULL;
	if ((it = iter_new(s, e)) == NULL)
		return -1;
	buf_init(&sql, 0);
	buf_addf(&sql, "SELECT %s FROM connection WHERE 1", q->select_cols);
	if (qu != NULL && qu->after != NULL)
		buf_adds(&sql, " AND conn_id > ?");
	if (qu != NULL && qu->before != NULL)
		buf_adds(&sql, " AND conn_id < ?");
	if (qu != NULL && qu->match != NULL && *qu->match != '\0')
		buf_addf(&sql, " AND (instr(lower(conn_id), lower(?%d)) > 0 OR "
		    "instr(lower(conn_type), lower(?%d)) > 0%s)", 50, 50,
		    q->sch.has[COL_HOST] ? " OR instr(lower(host), lower(?50)) > 0" : "");
	buf_adds(&sql, qu != NULL && qu->desc ? " ORDER BY conn_id DESC" :
	    " ORDER BY conn_id");
	if (qu != NULL && qu->limit > 0)
		buf_addf(&sql, " LIMIT %zu", qu->limit);
	if (buf_check(&sql, e) != 0)
		goto fail;
	rc = sqlite3_prepare_v2(q->db, buf_str(&sql), -1, &it->st, NULL);
	if (rc != SQLITE_OK) {
		sq_fail(s, rc, e, "reading connections");
		goto fail;
	}
	if (qu != NULL && qu->after != NULL)
		sqlite3_bind_text(it->st, i++, qu->after, -1, SQLITE_TRANSIENT);
	if (qu != NULL && qu->before != NULL)
		sqlite3_bind_text(it->st, i++, qu->before, -1, SQLITE_TRANSIENT);
	if (qu != NULL && qu->match != NULL && *qu->match != '\0')
		sqlite3_bind_text(it->st, 50, qu->match, -1, SQLITE_TRANSIENT);
	buf_release(&sql);
	*out = &it->base;
	return 0;
fail:
	buf_release(&sql);
	it_free(&it->base);
	return -1;
}

static int
sq_var_iter(struct store *s, struct store_iter **out, struct err *e)
{
	struct sq *q = s->impl;
	struct sq_iter *it;
	int rc;

	*out = NULL;
	if ((it = iter_new(s, e)) == NULL)
		return -1;
	it->is_var = 1;
	rc = sqlite3_prepare_v2(q->db, "SELECT id, \"key\", val, is_encrypted "
	    "FROM variable ORDER BY id", -1, &it->st, NULL);
	if (rc != SQLITE_OK) {
		it_free(&it->base);
		return sq_fail(s, rc, e, "reading variables");
	}
	*out = &it->base;
	return 0;
}

/* One variable row written by sql, whose ?1..?4 are key, val, description, flag. */
static int
var_write(struct store *s, const char *sql, const char *what, const char *key,
    const char *val, size_t len, int is_encrypted, const char *description,
    struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	int rc;

	if (tx_check(s, e) != 0 || queue_send(s, e) != 0)
		return -1;
	rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, e, what);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, val, (int)len, SQLITE_STATIC);
	bind_text(st, 3, description);
	sqlite3_bind_int(st, 4, is_encrypted ? 1 : 0);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		err_set(e, ERR_INVALID, "a variable with key '%s' already exists",
		    key);
		return -1;
	}
	return rc == SQLITE_DONE ? 0 : sq_fail(s, rc, e, what);
}

static int
sq_var_insert(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	return var_write(s, "INSERT INTO variable (\"key\", val, description, "
	    "is_encrypted) VALUES (?1, ?2, ?3, ?4)", "adding a variable", key,
	    val, len, is_encrypted, description, e);
}

/* One page of variables in key order (store.c pages through them). */
static int
sq_var_list(struct store *s, const struct store_var_query *qu,
    struct store_iter **out, struct err *e)
{
	struct sq *q = s->impl;
	struct sq_iter *it;
	struct buf sql;
	int i = 1, rc;

	*out = NULL;
	if ((it = iter_new(s, e)) == NULL)
		return -1;
	it->is_var = 1;
	buf_init(&sql, 0);
	/* "key" has the BINARY collation: byte order, as PostgreSQL's "C". */
	buf_adds(&sql, "SELECT id, \"key\", val, is_encrypted, description "
	    "FROM variable WHERE 1");
	if (qu->after != NULL)
		buf_adds(&sql, " AND \"key\" > ?");
	if (qu->before != NULL)
		buf_adds(&sql, " AND \"key\" < ?");
	if (qu->key != NULL)
		buf_adds(&sql, " AND \"key\" = ?");
	if (qu->match != NULL)
		buf_adds(&sql, " AND instr(lower(\"key\"), lower(?)) > 0");
	buf_adds(&sql, qu->desc ? " ORDER BY \"key\" DESC" : " ORDER BY \"key\"");
	if (qu->limit > 0)
		buf_addf(&sql, " LIMIT %zu", qu->limit);
	if (buf_check(&sql, e) != 0)
		goto fail;
	rc = sqlite3_prepare_v2(q->db, buf_str(&sql), -1, &it->st, NULL);
	if (rc != SQLITE_OK) {
		sq_fail(s, rc, e, "reading variables");
		goto fail;
	}
	if (qu->after != NULL)
		sqlite3_bind_text(it->st, i++, qu->after, -1, SQLITE_TRANSIENT);
	if (qu->before != NULL)
		sqlite3_bind_text(it->st, i++, qu->before, -1, SQLITE_TRANSIENT);
	if (qu->key != NULL)
		sqlite3_bind_text(it->st, i++, qu->key, -1, SQLITE_TRANSIENT);
	if (qu->match != NULL)
		sqlite3_bind_text(it->st, i++, qu->match, -1, SQLITE_TRANSIENT);
	buf_release(&sql);
	*out = &it->base;
	return 0;
fail:
	buf_release(&sql);
	it_free(&it->base);
	return -1;
}

static int
sq_var_update(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	return var_write(s, "UPDATE variable SET val = ?2, description = ?3, "
	    "is_encrypted = ?4 WHERE \"key\" = ?1", "updating a variable", key,
	    val, len, is_encrypted, description, e);
}

static int
sq_var_delete(struct store *s, const char *key, struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	int rc;

	if (tx_check(s, e) != 0 || queue_send(s, e) != 0)
		return -1;
	rc = sqlite3_prepare_v2(q->db, "DELETE FROM variable WHERE \"key\" = ?",
	    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return sq_fail(s, rc, e, "deleting a variable");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sq_fail(s, rc, e, "deleting a variable");
	if (sqlite3_changes(q->db) == 0) {
		err_set(e, ERR_NOTFOUND, "Variable %s does not exist", key);
		return -1;
	}
	return 0;
}

static int
sq_field_iter(struct store *s, enum store_field f, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e)
{
	const struct store_field_sql *fs = &store_field_sql[f];
	struct sq *q = s->impl;
	struct sq_iter *it;
	struct buf sql;
	int rc;

	*out = NULL;
	if ((it = iter_new(s, e)) == NULL)
		return -1;
	it->has_flag = fs->flag != NULL;
	buf_init(&sql, 0);
	buf_addf(&sql, "SELECT id, %s, %s, %s FROM %s WHERE id > ? ORDER BY id",
	    fs->column, fs->flag ? fs->flag : "NULL", fs->name ? fs->name : "NULL",
	    fs->table);
	if (limit > 0)
		buf_addf(&sql, " LIMIT %zu", limit);
	if (buf_check(&sql, e) != 0)
		goto fail;
	rc = sqlite3_prepare_v2(q->db, buf_str(&sql), -1, &it->st, NULL);
	if (rc != SQLITE_OK) {
		sq_fail(s, rc, e, "reading values");
		goto fail;
	}
	sqlite3_bind_int64(it->st, 1, after_id);
	buf_release(&sql);
	*out = &it->base;
	return 0;
fail:
	buf_release(&sql);
	it_free(&it->base);
	return -1;
}

/* -- writes in batches --------------------------------------------------- */

/*
 * The lifecycle jobs update a page of rows at a time (store_field_update(),
 * store_conn_secrets_update()). One UPDATE per row made SQLite find each
 * row from the root of the table's B-tree, and step, reset and rebind a
 * statement for it: half of the time of a rotation's writes. The updates
 * are queued instead (store.h allows it), rows in increasing id order, and
 * sent as one UPDATE per batch that walks the batch's id range once:
 *
 *   UPDATE t SET col = ferncon_queued(id, 0, col), ... WHERE id >= ?1 AND
 *   id <= ?2 AND ferncon_queued_has(id)
 *
 * ferncon_queued_has() says whether a row of the range is queued (marking
 * it reached); ferncon_queued() gives a queued row's value or flag for a
 * slot, or the column's own value for a slot the row does not set. Both
 * are registered on this connection only, SQLITE_DIRECTONLY, so that no
 * trigger or view of the DB file can call them. The batch is sent when it
 * holds BATCH_ROWS rows or BATCH_BYTES of values, before any other use of
 * the store, and at commit; the UPDATE must change exactly the queued rows,
 * else the first row it did not reach is ERR_NOTFOUND. The values wait in
 * locked memory and are wiped once sent.
 */
#define BATCH_ROWS	1000
#define BATCH_BYTES	((size_t)1 << 20)

/*
 * The queued row with id, or NULL: the row the UPDATE was on or the next
 * one (it walks the ids in order), else a binary search.
 */
static struct sq_qrow *
queue_find(struct sq_queue *qu, int64_t id)
{
	size_t lo = 0, hi = qu->n, mid;

	if (qu->at < qu->n && qu->rows[qu->at].id == id)
		return &qu->rows[qu->at];
	if (qu->at + 1 < qu->n && qu->rows[qu->at + 1].id == id)
		return &qu->rows[++qu->at];
	while (lo < hi) {		/* rows are in increasing id order */
		mid = lo + (hi - lo) / 2;
		if (qu->rows[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < qu->n && qu->rows[lo].id == id) {
		qu->at = lo;
		return &qu->rows[lo];
	}
	return NULL;
}

/* ferncon_queued_has(id) */
static void
fn_queued_has(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct sq_queue *qu = sqlite3_user_data(cx);
	struct sq_qrow *r;

	(void)argc;
	r = queue_find(qu, sqlite3_value_int64(argv[0]));
	if (r != NULL)
		r->hit = 1;
	sqlite3_result_int(cx, r != NULL);
}

/*
 * ferncon_queued(id, what, current): what 0 and 1 are the value of slot
 * 0 (password, or the one field) and slot 1 (extra); 2 and 3 their flags.
 */
static void
fn_queued(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	struct sq_queue *qu = sqlite3_user_data(cx);
	struct sq_qrow *r = queue_find(qu, sqlite3_value_int64(argv[0]));
	int what = sqlite3_value_int(argv[1]), k = what & 1;

	(void)argc;
	if (r == NULL || !r->set[k])
		sqlite3_result_value(cx, argv[2]);
	else if (what >= 2)
		sqlite3_result_int(cx, r->flag[k]);
	else if (r->null[k])
		sqlite3_result_null(cx);
	else
		sqlite3_result_text(cx, (const char *)buf_str(&qu->vals) +
		    r->off[k], (int)r->len[k], SQLITE_STATIC);
}

static int
queue_functions(struct store *s, struct err *e)
{
	struct sq *q = s->impl;
	int fl = SQLITE_UTF8 | SQLITE_DIRECTONLY, rc;

	rc = sqlite3_create_function(q->db, "ferncon_queued_has", 1, fl, &q->q,
	    fn_queued_has, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(q->db, "ferncon_queued", 3, fl,
		    &q->q, fn_queued, NULL, NULL);
	return rc == SQLITE_OK ? 0 : sq_fail(s, rc, e, "registering functions");
}

/* Forget the queued updates (wiped). */
static void
queue_drop(struct sq_queue *qu)
{
	if (qu->vals.failed) {		/* out of memory: start afresh */
		buf_release(&qu->vals);
		buf_init(&qu->vals, 1);
	}
	buf_reset(&qu->vals);
	qu->n = 0;
	qu->at = 0;
}

static void
queue_free(struct sq_queue *qu)
{
	int i;

	for (i = 0; i < STORE_FIELD_MAX; i++)
		sqlite3_finalize(qu->field_st[i]);
	sqlite3_finalize(qu->pair_st);
	buf_release(&qu->vals);
	free(qu->rows);
}

/* The batch's UPDATE, prepared once per field (or for the pair). */
static int
queue_stmt(struct store *s, sqlite3_stmt **out, struct err *e)
{
	struct sq *q = s->impl;
	const struct store_field_sql *fs = &store_field_sql[q->q.f];
	sqlite3_stmt **st = q->q.pair ? &q->q.pair_st : &q->q.field_st[q->q.f];
	struct buf sql;
	int rc;

	if (*st == NULL) {
		buf_init(&sql, 0);
		if (q->q.pair)
			buf_adds(&sql, "UPDATE connection SET password = "
			    "ferncon_queued(id, 0, password), is_encrypted = "
			    "ferncon_queued(id, 2, is_encrypted), extra = "
			    "ferncon_queued(id, 1, extra), is_extra_encrypted = "
			    "ferncon_queued(id, 3, is_extra_encrypted)");
		else {
			buf_addf(&sql, "UPDATE %s SET %s = ferncon_queued(id, 0, "
			    "%s)", fs->table, fs->column, fs->column);
			if (fs->flag != NULL)
				buf_addf(&sql, ", %s = ferncon_queued(id, 2, %s)",
				    fs->flag, fs->flag);
		}
		buf_adds(&sql, " WHERE id >= ?1 AND id <= ?2 AND "
		    "ferncon_queued_has(id)");
		rc = buf_check(&sql, e) == 0 ? prepare(s, buf_str(&sql), st, e) : -1;
		buf_release(&sql);
		if (rc != 0)
			return -1;
	}
	*out = *st;
	return 0;
}

/* Send the queued updates, if any: 0, or -1 (the queue is dropped). */
static int
queue_send(struct store *s, struct err *e)
{
	struct sq *q = s->impl;
	struct sq_queue *qu = &q->q;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (qu->n == 0)
		return 0;
	if (tx_check(s, e) != 0 || queue_stmt(s, &st, e) != 0)
		goto fail;
	qu->at = 0;
	sqlite3_bind_int64(st, 1, qu->rows[0].id);
	sqlite3_bind_int64(st, 2, qu->rows[qu->n - 1].id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		sq_fail(s, rc, e, qu->pair ? "updating connections" :
		    "updating values");
		goto fail;
	}
	if ((size_t)sqlite3_changes64(q->db) != qu->n) {
		for (i = 0; i < qu->n && qu->rows[i].hit; i++)
			;
		if (i == qu->n)		/* a row changed twice: cannot be */
			i = 0;
		err_set(e, ERR_NOTFOUND, "no row %lld in %s",
		    (long long)qu->rows[i].id, qu->pair ? "connection" :
		    store_field_name(qu->f));
		goto fail;
	}
	queue_drop(qu);
	return 0;
fail:
	queue_drop(qu);
	return -1;
}

/*
 * Queue a row's update (slot 0, and slot 1 for the pair), first sending
 * the batch when the row cannot join it: another field, or an id not
 * above the last one.
 */
static int
queue_add(struct store *s, enum store_field f, int pair, int64_t id,
    const char *const val[2], const size_t len[2], const int flag[2],
    unsigned set, struct err *e)
{
	struct sq *q = s->impl;
	struct sq_queue *qu = &q->q;
	struct sq_qrow *r;
	int k;

	if (tx_check(s, e) != 0)
		return -1;
	if (qu->n > 0 && (qu->pair != pair || qu->f != f ||
	    id <= qu->rows[qu->n - 1].id) && queue_send(s, e) != 0)
		return -1;
	if (qu->n == qu->cap) {
		if ((r = buf_array_reserve(qu->rows, &qu->cap, qu->n + 1,
		    sizeof *qu->rows)) == NULL) {
			queue_drop(qu);
			return err_nomem(e);
		}
		qu->rows = r;
	}
	qu->f = f;
	qu->pair = pair;
	r = &qu->rows[qu->n];
	memset(r, 0, sizeof *r);
	r->id = id;
	for (k = 0; k < 2; k++) {
		if (!(set & (1u << k)))
			continue;
		r->set[k] = 1;
		r->flag[k] = flag[k] ? 1 : 0;
		r->null[k] = val[k] == NULL;
		r->off[k] = qu->vals.len;
		r->len[k] = val[k] == NULL ? 0 : len[k];
		if (r->len[k] > INT_MAX) {
			queue_drop(qu);
			err_set(e, ERR_INVALID, "a value of %zu bytes is too "
			    "large for SQLite", r->len[k]);
			return -1;
		}
		if (val[k] != NULL)
			buf_add(&qu->vals, val[k], len[k]);
	}
	if (buf_check(&qu->vals, e) != 0) {
		queue_drop(qu);
		return -1;
	}
	qu->n++;
	if (qu->n >= BATCH_ROWS || qu->vals.len >= BATCH_BYTES)
		return queue_send(s, e);
	return 0;
}

static int
sq_field_update(struct store *s, enum store_field f, int64_t id,
    const char *value, size_t len, int flag, struct err *e)
{
	const char *val[2] = { value, NULL };
	size_t l[2] = { len, 0 };
	int fl[2] = { flag, 0 };

	return queue_add(s, f, 0, id, val, l, fl, 1u, e);
}

static int
sq_conn_secrets_update(struct store *s, int64_t id, unsigned which,
    const char *password, size_t pwlen, int is_encrypted, const char *extra,
    size_t extralen, int is_extra_encrypted, struct err *e)
{
	const char *val[2] = { password, extra };
	size_t l[2] = { pwlen, extralen };
	int fl[2] = { is_encrypted, is_extra_encrypted };
	unsigned set = ((which & STORE_SET_PASSWORD) ? 1u : 0u) |
	    ((which & STORE_SET_EXTRA) ? 2u : 0u);

	return queue_add(s, STORE_CONN_PASSWORD, 1, id, val, l, fl, set, e);
}

static int
sq_field_count(struct store *s, enum store_field f, size_t *n, struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	char sql[128];
	int rc;

	if (queue_send(s, e) != 0)
		return -1;
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s",
	    store_field_sql[f].table);
	rc = sqlite3_prepare_v2(q->db, sql, -1, &st, NULL);
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (size_t)sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK ? 0 : sq_fail(s, rc, e, "counting rows");
}

/* store_int.h: text_rows (the reads of store_fab.c). */
static int
sq_text_rows(struct store *s, const char *sql, const char *const *params,
    int n, store_row_fn row, void *arg, struct err *e)
{
	struct sq *q = s->impl;
	sqlite3_stmt *st = NULL;
	const char *cols[8];
	char *text;
	int i, nc, rc = -1, step;

	if (queue_send(s, e) != 0)
		return -1;
	if ((text = store_sql_expand(sql, "", 0)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if ((step = sqlite3_prepare_v2(q->db, text, -1, &st, NULL)) != SQLITE_OK) {
		sq_fail(s, step, e, "reading Airflow's users and roles");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (bind_text(st, i + 1, params[i]) != SQLITE_OK) {
			sq_fail(s, SQLITE_NOMEM, e, "reading Airflow's users");
			goto out;
		}
	nc = sqlite3_column_count(st);
	if (nc > (int)(sizeof cols / sizeof cols[0]))
		nc = (int)(sizeof cols / sizeof cols[0]);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < nc; i++)
			cols[i] = (const char *)sqlite3_column_text(st, i);
		if (row(arg, cols, nc, e) != 0)
			goto out;
	}
	if (step != SQLITE_DONE) {
		sq_fail(s, step, e, "reading Airflow's users and roles");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	free(text);
	return rc;
}

static const struct store_ops sqlite_ops = {
	"sqlite",
	sq_close,
	sq_has_table,
	sq_begin,
	sq_commit,
	sq_rollback,
	sq_conn_iter,
	sq_conn_get,
	sq_conn_insert,
	sq_conn_update,
	sq_conn_delete,
	sq_conn_count,
	sq_var_iter,
	sq_var_insert,
	sq_field_iter,
	sq_field_update,
	sq_conn_secrets_update,
	sq_field_count,
	sq_interrupt,
	sq_text_rows,
	sq_var_list,
	sq_var_delete,
	NULL,		/* conn_secrets_iter: store.c's two iterators */
	sq_var_update,
};
