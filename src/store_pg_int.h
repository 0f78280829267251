/*
 * store_pg_int.h: the state of the PostgreSQL backend, shared by its files
 * (private to src/store_pg*.c): store_pg.c (errors, statements, sessions,
 * transactions, cancel, the batched field updates) and store_pg_rows.c
 * (rows of the connection and variable tables, and the iterators that page
 * through them). The rest of ferncon sees the backend through store_int.h.
 */
#ifndef FERNCON_STORE_PG_INT_H
#define FERNCON_STORE_PG_INT_H

#include <pthread.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "buf.h"
#include "store_int.h"

/* Rows fetched per statement when streaming. */
#define PAGE_ROWS 1000

/* The prepared statements; per-field ones take STORE_FIELD_MAX slots. */
enum stmt {
	ST_GET, ST_INSERT, ST_UPDATE, ST_DELETE, ST_COUNT,
	ST_PAGE,		/* connections: + PAGE_* bits of the query */
	ST_VAR_PAGE = ST_PAGE + 32, ST_VAR_INSERT,
	ST_FIELD_PAGE,
	ST_FIELD_LOCK = ST_FIELD_PAGE + STORE_FIELD_MAX,
	ST_FIELD_UPDATE = ST_FIELD_LOCK + STORE_FIELD_MAX,
	ST_FIELD_COUNT = ST_FIELD_UPDATE + STORE_FIELD_MAX,
	ST_SECRETS_UPDATE = ST_FIELD_COUNT + STORE_FIELD_MAX,
	ST_VAR_LIST, ST_VAR_LIST_DESC,	/* a page of variables in key order */
	ST_VAR_DELETE,
	ST_SECRETS_PAGE,	/* both secrets of a page of connections */
	ST_SECRETS_LOCK,	/* ... FOR UPDATE, in a transaction */
	ST_VAR_UPDATE,
	ST_MAX
};

struct pg {
	PGconn		*conn;
	char		*where;		/* host:port/db, for messages */
	char		*qual;		/* "schema". or "" */
	char		*schema;	/* as configured, for messages; NULL: none */
	struct store_schema	 sch;
	char		*select_cols;	/* the SELECT list, in struct conn order */
	const char	*collate;	/* " COLLATE \"C\"" or "" */
	int		 lock_ms;
	char		 state[6];	/* SQLSTATE of the last failure */
	int		 cursor_open;	/* an iterator holds ferncon_cursor */
	int		 cursor_tx;	/* ... in a transaction it began */
	unsigned char	 prepared[ST_MAX];
	/*
	 * Queued field updates: field f, rows in id order; or, with pair,
	 * both secrets of connections (vals/flags the password, vals2/flags2
	 * the extra, set_pw/set_ex which of them each row sets).
	 */
	struct {
		enum store_field	 f;
		int			 pair;
		size_t			 n;
		int64_t			 last_id;
		struct buf		 ids;	/* int8[] elements, binary */
		struct buf		 vals;	/* text[] elements (locked memory) */
		struct buf		 flags;	/* bool[] elements */
		struct buf		 vals2, flags2, set_pw, set_ex;
		int64_t			 first_id;
		int			 has_null, has_null2;
		int			 sending;
	} q;
	/*
	 * store_interrupt(). Under cancel_lock: cancel (replaced by the owner
	 * at each (re)connect, used by the interrupting thread), armed (the
	 * owner is in a statement that may be cancelled), sent (a cancel was
	 * sent for that statement). interrupted belongs to the owner: the last
	 * armed statement had a cancel sent (read by pg_fail()).
	 */
	pthread_mutex_t	 cancel_lock;
	PGcancel	*cancel;
	int		 armed;
	int		 sent;
	int		 interrupted;
};

/* What a page of connections filters on (added to ST_PAGE). */
#define PAGE_AFTER	1	/* conn_id > $ */
#define PAGE_BEFORE	2	/* conn_id < $ */
#define PAGE_MATCH	4	/* substring of conn_id, conn_type or host */
#define PAGE_DESC	8	/* ORDER BY conn_id DESC */
#define PAGE_DBORDER	16	/* the column's collation, not COLLATE "C" */

enum it_kind { IT_CONN, IT_VAR, IT_FIELD, IT_SECRETS };

struct pg_iter {
	struct store_iter	 base;
	struct store		*s;
	enum it_kind		 kind;
	enum store_field	 f;
	int			 st;		/* the page statement */
	PGresult		*res;		/* the current page */
	int			 row, nrows;
	int			 done;		/* no page after this one */
	size_t			 left;		/* rows still wanted; SIZE_MAX: all */
	char			*after;		/* conn_id > after, or NULL */
	char			*before;	/* conn_id < before, or NULL */
	int64_t			 after_id;	/* id of the last row */
	char			*match;
	int			 cursor;	/* reading through the cursor */
	int			 own_tx;	/* the cursor's transaction is ours */
	char			*val;		/* value copy (locked), wiped per row */
	size_t			 val_cap;
	char			*val2;		/* IT_SECRETS: the extra's copy */
	size_t			 val2_cap;
	int			 half;		/* IT_SECRETS: the extra is next */
	enum err_code		 failed;	/* a page failed: the iterator stays failed */
};

/* -- store_pg.c ---------------------------------------------------------- */

/*
 * Map a failed result (or, r NULL, the connection's error) to e: a
 * message naming the server and what, the code from the SQLSTATE (a lost
 * connection, a lock timeout, a cancel of ours). Returns -1.
 */
int store_pg_fail(struct store *s, const PGresult *r, const char *what,
    struct err *e);

/* The SQL of statement st (enum stmt), as it is prepared. */
void store_pg_stmt_text(struct pg *p, int st, struct buf *b);

/* The SQL of a page of connections filtered by bits (PAGE_*), with LIMIT or not. */
void store_pg_page_sql(struct pg *p, int bits, int limit, struct buf *b);

/*
 * The owner starts, and ends, a statement that store_interrupt() may
 * cancel (the top comment of store_pg.c says how).
 */
void store_pg_cancel_arm(struct pg *p);
void store_pg_cancel_disarm(struct pg *p);

/* Run a statement of no parameters that is not prepared. 0, or -1 with e set. */
int store_pg_exec_simple(struct store *s, const char *sql, const char *what,
    struct err *e);

/*
 * Run prepared statement st with n parameters (lens and fmts may be NULL
 * for text), preparing it on first use, and once more on a new session
 * when the server went away outside a transaction. The result (caller
 * clears it), or NULL with e set.
 */
PGresult *store_pg_run(struct store *s, int st, int n,
    const char *const *vals, const int *lens, const int *fmts,
    const char *what, struct err *e);

/* Rows a write changed. */
long store_pg_changed(const PGresult *r);

/* Wipe the secret columns cols of every row of r, then free r. */
void store_pg_clear_wiped(PGresult *r, const int *cols, size_t ncols);

/*
 * A savepoint around one row's write, so that a refused row does not
 * abort the transaction it runs in (PostgreSQL would; SQLite does not):
 * store_pg_sp_begin() before it, store_pg_sp_end() with the write's rc
 * after (released, or rolled back to on failure). 0, or -1 with e set.
 */
int store_pg_sp_begin(struct store *s, struct err *e);
int store_pg_sp_end(struct store *s, int rc, struct err *e);

/*
 * Send the queued field updates as one statement (every queued row must
 * exist; the queue is empty afterwards either way). 0, or -1 with e set.
 */
int store_pg_queue_send(struct store *s, struct err *e);

/* -- store_pg_rows.c: the backend's operations on rows (store_int.h) ----- */

int store_pg_conn_get(struct store *s, const char *conn_id, struct conn *c,
    struct err *e);
int store_pg_conn_insert(struct store *s, struct conn *c, struct err *e);
int store_pg_conn_update(struct store *s, const struct conn *c, struct err *e);
int store_pg_conn_delete(struct store *s, const char *conn_id, struct err *e);
int store_pg_conn_count(struct store *s, size_t *n, struct err *e);
int store_pg_conn_iter(struct store *s, const struct store_query *q,
    struct store_iter **out, struct err *e);
int store_pg_var_iter(struct store *s, struct store_iter **out, struct err *e);
int store_pg_var_insert(struct store *s, const char *key, const char *val,
    size_t len, int is_encrypted, const char *description, struct err *e);
int store_pg_var_list(struct store *s, const struct store_var_query *q,
    struct store_iter **out, struct err *e);
int store_pg_var_delete(struct store *s, const char *key, struct err *e);
int store_pg_var_update(struct store *s, const char *key, const char *val,
    size_t len, int is_encrypted, const char *description, struct err *e);
int store_pg_field_iter(struct store *s, enum store_field f, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e);
int store_pg_conn_secrets_iter(struct store *s, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e);

/* *n: the rows counted by statement st (a COUNT(*)). 0, or -1 with e set. */
int store_pg_count_rows(struct store *s, int st, size_t *n, const char *what,
    struct err *e);

#endif
