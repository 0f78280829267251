/*
 * store.h: Airflow's metadata DB behind one interface.
 *
 * A store is opened from a SQLAlchemy-style URL (sql_alchemy_conn). The
 * SQLite backend (store_sqlite.c) is the embedded default; the PostgreSQL
 * backend (store_pg.c, libpq) and the MySQL backend (store_my.c,
 * libmariadb; doc/mysql.md) sit behind the same calls. Rows go in and out *as stored*: a
 * struct conn read from the store holds the password and extra exactly as
 * the DB has them (a Fernet token when the flag is set, else plain text),
 * and conn_decrypt()/conn_seal() (conn.h) turn them into plaintext and back.
 * The store never sees a key.
 *
 * Schema tolerance (doc/airflow-compat.md sections 1.2 to 1.4): columns are
 * found by name, so the fresh 2.10 layout, the upgraded 2.x layout (other
 * column order, NULL flags), 3.1's team_id and 3.2's team_name all work; a
 * NULL flag reads as false; flags are written as 0/1 (booleans on
 * PostgreSQL). The Airflow version comes from alembic_version when present.
 *
 * Concurrency: a running Airflow (scheduler, API server) may use the same
 * DB. SQLite waits up to the busy timeout for a lock (PostgreSQL as long,
 * lock_timeout) and then fails with a clear "database ... is locked"
 * message; every write runs in a transaction, so a failed or interrupted
 * action leaves the DB as it was. When the user may not write the DB, it
 * is opened read-only and writes fail with ERR_DENIED.
 */
#ifndef FERNCON_STORE_H
#define FERNCON_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "airflow.h"
#include "compiler.h"
#include "conn.h"
#include "err.h"

struct store;
struct store_iter;

struct store_opts {
	int		 busy_timeout_ms;	/* 0: 5000 */
	const char	*schema;		/* [database] sql_alchemy_schema (PostgreSQL) */
};

/* -- lifecycle ----------------------------------------------------------- */

/*
 * Open the metadata DB at url (sqlite:///relative, sqlite:////absolute,
 * postgresql://..., read as SQLAlchemy's psycopg2 dialect reads it, its
 * multi-host forms included: store_pg.c; mysql://, mysql+mysqldb://,
 * mysql+pymysql://, mysql+mysqlconnector://, read as the dialect of that
 * driver hands it over: store_my.c). opts may be NULL. Checks that
 * it is an Airflow metadata DB (a `connection` table with conn_id).
 * Returns 0 with *out set (free with store_close()), or -1 with e set
 * (ERR_DB, or ERR_CONFIG for a URL that cannot be used); the message names
 * the DB but never a password from the URL.
 */
int store_open(struct store **out, const char *url, const struct store_opts *opts,
    struct err *e) ATTR_WUR;

/* Roll back an open transaction and close. NULL does nothing. */
void store_close(struct store *s);

/*
 * Stop the query that s is running, from another thread: the one thread
 * that may call store_interrupt() while the store's own thread (the owner,
 * the only one that runs queries on s) is inside a store call. The
 * interrupted call fails with ERR_INTERRUPTED; an iterator that was
 * interrupted keeps failing so (free it), and a store_iter_next() never
 * reports an interrupted read as the end of the rows. When s runs no
 * statement the call does nothing: the next query runs as usual (so an
 * interrupt that comes just before a statement starts, or just after it
 * ended, is lost; a caller that must stop the next query too interrupts
 * again). After an interrupt the store is ready for the next call: SQLite
 * resets the statement, PostgreSQL's "canceling statement" error is read
 * and the read's own cursor transaction rolled back.
 *
 * It is meant for reads. An interrupted call inside a transaction
 * (store_begin()) aborts the whole transaction on both backends: later
 * writes in it fail, store_commit() fails and nothing of it is written;
 * store_rollback() ends it. A single write outside a transaction is
 * rolled back with its own transaction.
 *
 * SQLite: sqlite3_interrupt(). PostgreSQL: PQcancel() on a cancel object
 * made at each (re)connect, swapped under a mutex of the store; it is sent
 * only while the owner is inside a statement, and the owner does not start
 * its next statement before a cancel in flight has been delivered, so a
 * late cancel never stops a later statement. It waits for the server's
 * postmaster to take the request (one round trip; libpq's PQcancel()
 * waits as long as connecting does when the server cannot be reached).
 *
 * Must not run at the same time as store_close(s) (the caller orders them,
 * e.g. under a lock of its own). NULL does nothing.
 */
void store_interrupt(struct store *s);

/* -- what it is ---------------------------------------------------------- */

/* "sqlite", "postgresql" or "mysql". */
const char *store_backend(const struct store *s);

/* The DB for messages: a file path, or host/db (never a password). */
const char *store_name(const struct store *s);

/* 1 if opened read-only because the user may not write it. */
int store_readonly(const struct store *s);

/* The Airflow version (major 0 when unknown). */
const struct airflow_version *store_airflow_version(const struct store *s);

/*
 * Take v as the exact Airflow version (a setting names it: several
 * releases share one alembic head). 0, or -1 with e set to ERR_CONFIG when
 * the DB's head cannot have been written by v.
 */
int store_assume_version(struct store *s, const struct airflow_version *v,
    struct err *e) ATTR_WUR;

/* The alembic head, or NULL when the DB has none. */
const char *store_alembic_head(const struct store *s);

/* 1 if the table exists (e.g. "variable", "trigger"). */
int store_has_table(struct store *s, const char *table);

/* -- transactions -------------------------------------------------------- */

/*
 * Begin a write transaction (on SQLite BEGIN IMMEDIATE, so the write lock
 * is taken now, waiting up to the busy timeout), commit, roll back. The
 * single-row writes below run in their own transaction when none is open.
 */
int store_begin(struct store *s, struct err *e) ATTR_WUR;
int store_commit(struct store *s, struct err *e) ATTR_WUR;
void store_rollback(struct store *s);

/* -- connections --------------------------------------------------------- */

/*
 * Which connections to read, in conn_id order (descending with desc).
 * Keyset paging both ways: the next page of an ascending list is
 * { after = last, limit = n }; the page before the first row shown is
 * { before = first, desc = 1, limit = n } (rows come nearest first); the
 * last page is { desc = 1, limit = n }. after and before may be combined.
 * Backends must honour every field (SQL: conn_id > ?, conn_id < ?,
 * ORDER BY conn_id [DESC], LIMIT n), comparing conn_id as their ORDER
 * BY orders it: in byte order on both backends (PostgreSQL uses COLLATE
 * "C", so that it lists as SQLite does whatever the database's collation).
 *
 * db_order asks for the database's own ORDER BY conn_id instead, the order
 * in which Airflow's `connections export` reads the table
 * (select(Connection).order_by(Connection.conn_id)) and so writes its json
 * and env files. On SQLite that is byte order anyway (Airflow's column has
 * the BINARY collation): nothing changes. On PostgreSQL it is the column's
 * collation (the database's: en_US, ICU, ...), with no COLLATE; after and
 * before then compare in that collation too, and the rows still stream
 * (pages in the order the unique index on conn_id gives; more than a page
 * through a server-side cursor, so that the export is one snapshot as
 * Airflow's one SELECT is). The console and `connections list` leave it
 * 0: byte order on both backends.
 */
struct store_query {
	const char	*after;		/* conn_id > after (keyset paging), or NULL */
	size_t		 limit;		/* 0: no limit */
	const char	*match;		/* substring of conn_id, conn_type or host, or NULL */
	const char	*before;	/* conn_id < before, or NULL */
	int		 desc;		/* 1: ORDER BY conn_id DESC */
	int		 db_order;	/* 1: the DB's collation, not byte order */
};

/*
 * Start reading connections (as stored). q may be NULL (all). The rows
 * stream from the DB: memory does not grow with the table. Free the
 * iterator with store_iter_free() before the next write.
 */
int store_conn_iter(struct store *s, const struct store_query *q,
    struct store_iter **out, struct err *e) ATTR_WUR;

/*
 * The next row into c (conn_reset() first, so c's locked buffers are
 * reused). Returns 1 with a row, 0 at the end, -1 with e set.
 */
int store_iter_next(struct store_iter *it, struct conn *c, struct err *e) ATTR_WUR;

/* NULL does nothing. */
void store_iter_free(struct store_iter *it);

/*
 * Read one connection by conn_id into c (as stored). Returns 0, or -1 with
 * e set (ERR_NOTFOUND when there is none).
 */
int store_conn_get(struct store *s, const char *conn_id, struct conn *c,
    struct err *e) ATTR_WUR;

/*
 * Insert c (as stored; its id is ignored and set from the DB on success).
 * A duplicate conn_id is ERR_INVALID ("A connection with `conn_id`=x
 * already exists.").
 */
int store_conn_insert(struct store *s, struct conn *c, struct err *e) ATTR_WUR;

/* Update the row with c->id to c (as stored), every column. */
int store_conn_update(struct store *s, const struct conn *c, struct err *e) ATTR_WUR;

/* Delete by conn_id; never decrypts. ERR_NOTFOUND when there is none. */
int store_conn_delete(struct store *s, const char *conn_id, struct err *e) ATTR_WUR;

/* Number of connections. */
int store_conn_count(struct store *s, size_t *n, struct err *e) ATTR_WUR;

/* -- variables ----------------------------------------------------------- */

/* One variable as stored. */
struct store_var {
	int64_t	 id;
	char	*key;
	char	*val;		/* as stored: token or plain text; caller wipes */
	size_t	 val_len;
	int	 is_encrypted;
	char	*description;	/* store_var_list() only; NULL otherwise */
};

/*
 * Read variables in id order, one at a time (streaming). The strings in v
 * are valid until the next call; the val is wiped by the next call and by
 * store_iter_free(). Returns 1 with a row, 0 at the end, -1 with e set.
 */
int store_var_iter(struct store *s, struct store_iter **out, struct err *e) ATTR_WUR;
int store_var_next(struct store_iter *it, struct store_var *v, struct err *e) ATTR_WUR;

/*
 * Insert a variable (val as stored, len bytes; description may be NULL).
 * A duplicate key is ERR_INVALID.
 */
int store_var_insert(struct store *s, const char *key, const char *val,
    size_t len, int is_encrypted, const char *description,
    struct err *e) ATTR_WUR;

/*
 * Which variables store_var_list() reads, in key order (descending with
 * desc), compared in byte order on every backend (PostgreSQL: COLLATE
 * "C"): keyset paging as struct store_query for connections. key asks for
 * the one row with that key; match for keys holding it (case-insensitive).
 */
struct store_var_query {
	const char	*after;		/* key > after, or NULL */
	const char	*before;	/* key < before, or NULL */
	const char	*match;		/* substring of key, or NULL */
	const char	*key;		/* key = key, or NULL */
	size_t		 limit;		/* 0: no limit */
	int		 desc;
	/*
	 * Set by store.c for a backend's page only: the rows wanted from
	 * this page on (SIZE_MAX: all). A backend may return them all as one
	 * page, past limit (PostgreSQL and MySQL do, through a server-side
	 * cursor, where keyset pages would each sort the table); store.c then
	 * asks no more.
	 */
	size_t		 total;
};

/*
 * Start reading variables (as stored, with their description) in key
 * order; read them with store_var_next(). q may be NULL (all). Rows come
 * a page at a time (keyset paging done here over the backend's pages), so
 * memory does not grow with the table. Free with store_iter_free() before
 * the next write.
 */
int store_var_list(struct store *s, const struct store_var_query *q,
    struct store_iter **out, struct err *e) ATTR_WUR;

/* Delete the variable with key. ERR_NOTFOUND when there is none. */
int store_var_delete(struct store *s, const char *key, struct err *e) ATTR_WUR;

/*
 * Update the variable with key in place, as Airflow 3's upsert does on a
 * key that exists (val as stored, len bytes; description, NULL for none,
 * and is_encrypted replaced; the row keeps its id). The caller has checked
 * that the key exists (store_var_list() with q.key), in the same
 * transaction: a key that is not there changes nothing and is no error.
 */
int store_var_update(struct store *s, const char *key, const char *val,
    size_t len, int is_encrypted, const char *description,
    struct err *e) ATTR_WUR;

/* -- encrypted fields, for the lifecycle jobs ---------------------------- */

/* Every value Airflow encrypts, one kind per column. */
enum store_field {
	STORE_CONN_PASSWORD,	/* connection.password, flag is_encrypted */
	STORE_CONN_EXTRA,	/* connection.extra, flag is_extra_encrypted */
	STORE_VAR_VAL,		/* variable.val, flag is_encrypted */
	STORE_TRIGGER_KWARGS,	/* trigger.kwargs, no flag (always a token, or legacy {...}) */
	STORE_FIELD_MAX
};

/* One stored value of a field. Valid until the next call; wiped then. */
struct store_value {
	int64_t		 id;
	const char	*name;	/* conn_id, variable key, or NULL for triggers */
	const char	*value;	/* as stored; NULL for SQL NULL */
	size_t		 len;
	int		 flag;	/* the flag column (NULL reads 0); -1 for triggers */
};

/* "connection.password" and so on, for reports. */
const char *store_field_name(enum store_field f);

/*
 * 1 if the field's table exists in this DB (trigger is absent before 2.1,
 * variable in odd test DBs).
 */
int store_field_exists(struct store *s, enum store_field f);

/*
 * Page through a field by id: rows with id > after_id, in id order, at most
 * limit (0: all). Streaming: call again with the last id seen for the next
 * page. Each value is copied into locked memory that the next call wipes.
 */
int store_field_iter(struct store *s, enum store_field f, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e) ATTR_WUR;
int store_field_next(struct store_iter *it, struct store_value *v,
    struct err *e) ATTR_WUR;

/*
 * Page through both secrets of the connection table by id (rows with id >
 * after_id, in id order, at most limit rows; 0: all), for a job that
 * writes each connection once: store_field_next() gives a row's password
 * (STORE_CONN_PASSWORD), then its extra (same id), then the next row's
 * password. The two values of a row stay valid together, until the call
 * after the extra's. One read of the table where two field iterators read
 * it twice: in a transaction, PostgreSQL and MySQL lock each row once (FOR
 * UPDATE).
 */
int store_conn_secrets_iter(struct store *s, int64_t after_id, size_t limit,
    struct store_iter **out, struct err *e) ATTR_WUR;

/*
 * Set the value (len bytes) and flag of row id (flag ignored for triggers).
 * Runs in the open transaction (store_begin() first: the lifecycle jobs
 * update many rows in one transaction). ERR_NOTFOUND when no row has id.
 * The value is copied: the caller may reuse its memory on return. A backend
 * may queue updates and send them together (PostgreSQL sends a page of
 * them as one statement); a failure of a queued update (ERR_NOTFOUND
 * included) is then reported by the next call on the store, store_commit()
 * at the latest, and the transaction fails whole. A value must differ from
 * the row's (the jobs write new tokens): MySQL's batched write of rows the
 * transaction read counts the rows it changed, and a row left as it was
 * fails the transaction there (doc/mysql.md section 5).
 */
int store_field_update(struct store *s, enum store_field f, int64_t id,
    const char *value, size_t len, int flag, struct err *e) ATTR_WUR;

/*
 * The two secrets of connection row id in one write (one UPDATE, one new
 * row version, instead of one per field): which is STORE_SET_PASSWORD,
 * STORE_SET_EXTRA or both; the password and is_encrypted, the extra and
 * is_extra_encrypted of the bits not in which are left as they are. Same
 * rules as store_field_update(): in the open transaction, values copied,
 * possibly queued (a failure then reported by the next call, store_commit()
 * at the latest), ERR_NOTFOUND when no row has id.
 */
#define STORE_SET_PASSWORD	1u
#define STORE_SET_EXTRA		2u
int store_conn_secrets_update(struct store *s, int64_t id, unsigned which,
    const char *password, size_t pwlen, int is_encrypted, const char *extra,
    size_t extralen, int is_extra_encrypted, struct err *e) ATTR_WUR;

/* Rows in the field's table. */
int store_field_count(struct store *s, enum store_field f, size_t *n,
    struct err *e) ATTR_WUR;

/* -- Airflow's users and roles (store_fab.c) ---------------------------- */

/*
 * A row of a read of Airflow's own tables: ncols columns as text (NULL for
 * SQL NULL). 0 to go on, -1 to stop with e set.
 */
typedef int (*store_row_fn)(void *arg, const char *const *cols, int ncols,
    struct err *e);

/*
 * Whether s holds FAB's tables: ab_user, ab_role, ab_user_role,
 * ab_permission, ab_view_menu, ab_permission_view, ab_permission_view_role
 * (Airflow 2.10's, or the 3.x FAB provider's). 1 yes, 0 not all of them.
 */
int store_fab_present(struct store *s);

/*
 * The FAB user named username, compared as FAB's find_user() does it
 * (case-insensitively): row gets (id, active, has_password) once, or
 * never when there is none. 0, or -1 with e set.
 */
int store_fab_user(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e) ATTR_WUR;

/*
 * The role names of username, one row (name) each, in name order. 0, or
 * -1 with e set.
 */
int store_fab_roles(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e) ATTR_WUR;

/*
 * The permissions of username's roles on the resources Connections and
 * Variables: rows (permission, resource), e.g. ("can_read",
 * "Connections"). 0, or -1 with e set.
 */
int store_fab_perms(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e) ATTR_WUR;

/*
 * ab_user.password of username (a werkzeug hash, or NULL), one row; the
 * caller wipes it. 0, or -1 with e set.
 */
int store_fab_password(struct store *s, const char *username,
    store_row_fn row, void *arg, struct err *e) ATTR_WUR;

#endif
