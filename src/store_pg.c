/*
 * store_pg.c: the PostgreSQL backend of the metadata store (store.h), on
 * libpq.
 *
 * The URL in sql_alchemy_conn is read by pgurl.c into libpq's connection
 * keywords, as SQLAlchemy's psycopg2 dialect reads it (several hosts
 * included); libpq's own defaults apply to what it leaves out. The
 * password stays in locked memory until libpq has it and is never in a
 * message: the store's name is user@host:port/db.
 *
 * [database] sql_alchemy_schema puts every table but alembic_version in that
 * schema (Airflow's metadata schema; alembic's own table stays on the
 * search_path): the schema is quoted with PQescapeIdentifier and prefixed to
 * every table name. Columns are found by name in pg_attribute, so the 2.x
 * and 3.x layouts both work; a NULL flag reads as false, flags are written
 * as booleans.
 *
 * Every statement is prepared once per session (PQprepare) and run with
 * parameters (PQexecPrepared); no value is ever put into SQL text. Rows
 * stream by keyset paging: connections by conn_id in byte order (COLLATE
 * "C", so that PostgreSQL orders as SQLite does whatever the database's
 * collation; plain conn_id when the column already sorts that way, which
 * lets the unique index serve the order), or, for an export
 * (store_query.db_order), by plain conn_id in the column's own collation,
 * as Airflow's export reads them (the index serves that order, and a
 * database's collation is deterministic, so conn_id > last pages it);
 * fields and variables by id. A page is at most PAGE_ROWS rows, so memory
 * does not grow with the table, and each page is a complete result, so
 * other statements may run between two rows. A listing longer than a page
 * in an order the index cannot give would sort the table once per page;
 * it sorts once, in a server-side cursor, and fetches its pages from there
 * (in the caller's transaction, or in a READ ONLY one that the iterator
 * begins and ends). A long export reads through the cursor too, so that
 * it is one snapshot of the table, as Airflow's one SELECT is. Secret
 * cells of a page are wiped before libpq frees it.
 *
 * The lifecycle's field updates are batched: store_field_update() queues
 * the row, and the queue goes to the server as one UPDATE ... FROM
 * unnest(ids, values, flags) (binary array parameters) when it holds
 * BATCH_ROWS rows or BATCH_BYTES bytes, or before any other statement, at
 * commit, or when the field changes; a rollback drops it. A queued row
 * whose id is gone, or any failure of the batch, is reported by the call
 * that sends it (store_commit() at the latest), and the transaction then
 * fails whole. One statement per page instead of one round trip per row is
 * what lets a rotation keep up with the server.
 *
 * Sessions run with lock_timeout (the busy timeout, 5 s by default): a lock
 * held by a running Airflow fails the statement with "database ... is
 * locked". Writes run in a transaction (store.c opens one when the caller
 * has none; BEGIN READ WRITE); single-row writes of connections and
 * variables also take a savepoint, so that a refused row (a duplicate
 * conn_id) leaves the caller's transaction usable, as on SQLite. Inside a
 * transaction the lifecycle's field pages are read FOR UPDATE, so that a
 * concurrent Airflow write cannot be lost under a rotation. A lost
 * connection fails the call with a clear message (PostgreSQL has rolled the
 * transaction back); outside a transaction the next call reconnects once.
 * A user without UPDATE on the connection table, or a read-only session
 * (a hot standby), makes a read-only store.
 *
 * store_interrupt() comes from another thread: PQcancel() on a PGcancel
 * that the owner makes at each connect and reconnect (PQgetCancel) and
 * swaps under cancel_lock. The owner arms the statements that may take
 * long (the prepared reads and writes, a cursor's DECLARE and FETCH): a
 * cancel is sent only while one is armed, and disarming takes the lock, so
 * the owner's next statement never starts while a cancel is on its way
 * (libpq's PQcancel() returns once the postmaster has signalled the
 * backend): a late cancel hits nothing. The statement fails with SQLSTATE
 * 57014, which, when a cancel of ours was sent, is ERR_INTERRUPTED; the
 * error has been read with the result, so the session is ready, and an
 * iterator's cursor transaction is ended when it is freed (a caller's
 * transaction is aborted: its commit fails, as every failed statement in
 * a PostgreSQL transaction makes it).
 *
 * The rows and the iterators are in store_pg_rows.c, the state they share
 * with this file in store_pg_int.h.
 */
#include "config.h"

#include "store_pg_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <sodium.h>

#include "buf.h"
#include "pgurl.h"

/* Queued field updates sent as one statement (see the top comment). */
#define BATCH_ROWS	1000
#define BATCH_BYTES	((size_t)1 << 20)

/* Type OIDs of the binary array parameters (pg_type.h). */
#define OID_BOOL	16
#define OID_INT8	20
#define OID_TEXT	25


static void queue_drop(struct pg *p);
static int session_where(struct pg *p);

/* -- errors -------------------------------------------------------------- */

/*
 * One line from a libpq or server message: the text after the last
 * "failed: " of the first line (libpq's "connection to server at ...
 * failed: "), without "FATAL:  ", double quotes made single, the first
 * letter lower-cased and no full stop, and libpq's hint (a tab-indented
 * second line) kept in parentheses.
 */
static void
clean_message(const char *msg, char *out, size_t cap)
{
	const char *p, *q, *nl, *hint = NULL;
	size_t len, hlen = 0, n;

	if (msg == NULL || *msg == '\0')
		msg = "unknown error";
	nl = strchr(msg, '\n');
	len = nl ? (size_t)(nl - msg) : strlen(msg);
	p = msg;
	while ((q = strstr(p, "failed: ")) != NULL && q < msg + len)
		p = q + strlen("failed: ");
	len -= (size_t)(p - msg);
	while (len >= 8 && (strncmp(p, "FATAL:  ", 8) == 0 ||
	    strncmp(p, "ERROR:  ", 8) == 0)) {
		p += 8;
		len -= 8;
	}
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '.'))
		len--;
	if (nl != NULL && nl[1] == '\t') {
		hint = nl + 2;
		hlen = strcspn(hint, "\n");
		while (hlen > 0 && hint[hlen - 1] == '.')
			hlen--;
	}
	if (hint != NULL)
		snprintf(out, cap, "%.*s (%.*s)", (int)len, p, (int)hlen, hint);
	else
		snprintf(out, cap, "%.*s", (int)len, p);
	if (cap > 0)
		out[0] = (char)tolower((unsigned char)out[0]);
	if (hint != NULL && (q = strchr(out, '(')) != NULL)
		out[q - out + 1] = (char)tolower((unsigned char)q[1]);
	for (n = 0; n < cap && out[n] != '\0'; n++)
		if (out[n] == '"')
			out[n] = '\'';
}

/* Where the block of libpq's message starting at b ends (hints included). */
static const char *
block_end(const char *b)
{
	const char *nl;

	for (nl = strchr(b, '\n'); nl != NULL && nl[1] == '\t';
	    nl = strchr(nl + 1, '\n'))
		;
	return nl != NULL ? nl + 1 : b + strlen(b);
}

/*
 * The server a block of libpq's message names, "h:p: " (from 'connection
 * to server at "h" (addr), port p failed: ') or "path: " (from 'on socket
 * "path" failed: '), into out; "" when it names none.
 */
static void
block_server(const char *block, char *out, size_t cap)
{
	const char *q, *r, *pt;

	out[0] = '\0';
	if ((q = strstr(block, " at \"")) != NULL &&
	    (r = strchr(q + 5, '"')) != NULL &&
	    (pt = strstr(r, ", port ")) != NULL) {
		pt += 7;
		snprintf(out, cap, "%.*s:%.*s: ", (int)(r - q - 5), q + 5,
		    (int)strspn(pt, "0123456789"), pt);
	} else if ((q = strstr(block, " on socket \"")) != NULL &&
	    (r = strchr(q + 12, '"')) != NULL) {
		snprintf(out, cap, "%.*s: ", (int)(r - q - 12), q + 12);
	}
}

/*
 * clean_message() for the error of a connection attempt. libpq tries
 * every host (and address) in turn and reports each failure as a block
 * 'connection to server at "h" (addr), port p failed: ...' (or 'on socket
 * "path" failed: ...'), with a tab-indented hint line; with several
 * blocks, each becomes "h:p: message" and they are joined with "; ", in
 * the order libpq tried them.
 */
static void
connect_message(const char *msg, char *out, size_t cap)
{
	const char *b, *next;
	char one[300], server[160];
	size_t used = 0;

	if (msg == NULL || *block_end(msg) == '\0') {
		clean_message(msg, out, cap);
		return;
	}
	out[0] = '\0';
	for (b = msg; *b != '\0' && used + 1 < cap; b = next) {
		next = block_end(b);
		snprintf(one, sizeof one, "%.*s", (int)(next - b), b);
		block_server(one, server, sizeof server);
		used += (size_t)snprintf(out + used, cap - used, "%s%s",
		    used > 0 ? "; " : "", server);
		if (used + 1 >= cap)
			break;
		clean_message(one, out + used, cap - used);
		used += strlen(out + used);
	}
}

static int
is_lost(struct pg *p, const char *state)
{
	if (PQstatus(p->conn) != CONNECTION_OK)
		return 1;
	return state != NULL && (strncmp(state, "08", 2) == 0 ||
	    strcmp(state, "57P01") == 0 || strcmp(state, "57P02") == 0 ||
	    strcmp(state, "57P03") == 0);
}

/* Map a failed result (or, r NULL, the connection's error) to e. */
int
store_pg_fail(struct store *s, const PGresult *r, const char *what,
    struct err *e)
{
	struct pg *p = s->impl;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	char msg[300];

	snprintf(p->state, sizeof p->state, "%s", state ? state : "");
	clean_message(primary ? primary : r ? PQresultErrorMessage(r) :
	    PQerrorMessage(p->conn), msg, sizeof msg);
	if (is_lost(p, state)) {
		if (strcmp(what, "committing") == 0)
			err_set(e, ERR_DB, "lost the connection to PostgreSQL at %s "
			    "while committing (%s): PostgreSQL commits a transaction "
			    "whole or not at all; check which before retrying",
			    p->where, msg);
		else if (s->in_tx || p->cursor_tx)
			err_set(e, ERR_DB, "lost the connection to PostgreSQL at %s "
			    "while %s (%s); the transaction was rolled back and "
			    "nothing was changed", p->where, what, msg);
		else
			err_set(e, ERR_DB, "lost the connection to PostgreSQL at %s "
			    "while %s (%s)", p->where, what, msg);
		return -1;
	}
	if (state == NULL)
		state = "";
	if (strcmp(state, "55P03") == 0) {
		err_set(e, ERR_DB, "database '%s' is locked: another process (an "
		    "Airflow scheduler or webserver?) holds a lock on it; %s failed "
		    "after waiting %d ms and nothing was changed", s->name, what,
		    p->lock_ms);
	} else if (strcmp(state, "40P01") == 0 || strcmp(state, "40001") == 0) {
		err_set(e, ERR_DB, "database '%s' is busy (%s): %s failed and "
		    "nothing was changed; try again", s->name, msg, what);
	} else if (strcmp(state, "42501") == 0 || strcmp(state, "25006") == 0) {
		err_set(e, ERR_DENIED, "database '%s' is read-only for this user "
		    "(%s); %s failed and nothing was changed", s->name, msg, what);
	} else if (strcmp(state, "42P01") == 0 || strcmp(state, "3F000") == 0 ||
	    strcmp(state, "42703") == 0) {
		err_set(e, ERR_DB, "database '%s': %s failed: %s (is it an Airflow "
		    "metadata database%s%s%s?)", s->name, what, msg,
		    p->schema ? ", in schema '" : "", p->schema ? p->schema : "",
		    p->schema ? "' ([database] sql_alchemy_schema)" : "");
	} else if (strcmp(state, "57014") == 0 && p->interrupted) {
		p->interrupted = 0;
		err_set(e, ERR_INTERRUPTED, "database '%s': %s was interrupted%s",
		    s->name, what, s->in_tx ? "; the transaction was rolled back "
		    "and nothing was changed" : "");
	} else if (strcmp(state, "57014") == 0) {
		err_set(e, ERR_DB, "database '%s': %s was cancelled (%s); nothing "
		    "was changed", s->name, what, msg);
	} else {
		err_set(e, ERR_DB, "database '%s': %s failed: %s", s->name, what, msg);
	}
	return -1;
}

/* -- statements ---------------------------------------------------------- */

/* A page of connections filtered by bits (PAGE_*), with LIMIT or not. */
void
store_pg_page_sql(struct pg *p, int bits, int limit, struct buf *b)
{
	const char *collate = bits & PAGE_DBORDER ? "" : p->collate;
	int k = 1;

	buf_addf(b, "SELECT %s FROM %sconnection WHERE true", p->select_cols,
	    p->qual);
	if (bits & PAGE_AFTER)
		buf_addf(b, " AND conn_id%s > $%d", collate, k++);
	if (bits & PAGE_BEFORE)
		buf_addf(b, " AND conn_id%s < $%d", collate, k++);
	if (bits & PAGE_MATCH) {
		buf_addf(b, " AND (strpos(lower(conn_id), lower($%d)) > 0 OR "
		    "strpos(lower(conn_type), lower($%d)) > 0", k, k);
		if (p->sch.has[COL_HOST])
			buf_addf(b, " OR strpos(lower(host), lower($%d)) > 0", k);
		buf_adds(b, ")");
		k++;
	}
	buf_addf(b, " ORDER BY conn_id%s%s", collate,
	    bits & PAGE_DESC ? " DESC" : "");
	if (limit)
		buf_addf(b, " LIMIT $%d", k);
}

/* The SQL of statement st. */
static void
stmt_sql(struct pg *p, int st, struct buf *b)
{
	static const int order[] = { COL_DESCRIPTION, COL_HOST, COL_SCHEMA,
	    COL_LOGIN, COL_PASSWORD, COL_PORT, COL_EXTRA, COL_IS_ENCRYPTED,
	    COL_IS_EXTRA_ENCRYPTED, COL_TEAM_NAME };
	const struct store_field_sql *fs;
	size_t i;
	int n;

	switch (st) {
	case ST_GET:
		buf_addf(b, "SELECT %s FROM %sconnection WHERE conn_id = $1",
		    p->select_cols, p->qual);
		return;
	case ST_INSERT:
		buf_addf(b, "INSERT INTO %sconnection (conn_id, conn_type", p->qual);
		for (i = 0; i < ARRAY_LEN(order); i++)
			if (p->sch.has[order[i]])
				buf_addf(b, ", \"%s\"", store_col_names[order[i]]);
		buf_adds(b, ") VALUES ($1, $2");
		for (i = 0, n = 3; i < ARRAY_LEN(order); i++)
			if (p->sch.has[order[i]])
				buf_addf(b, ", $%d", n++);
		buf_adds(b, ") RETURNING id");
		return;
	case ST_UPDATE:
		buf_addf(b, "UPDATE %sconnection SET conn_id = $1, conn_type = $2",
		    p->qual);
		for (i = 0, n = 3; i < ARRAY_LEN(order); i++)
			if (p->sch.has[order[i]])
				buf_addf(b, ", \"%s\" = $%d", store_col_names[order[i]], n++);
		buf_addf(b, " WHERE id = $%d", n);
		return;
	case ST_DELETE:
		buf_addf(b, "DELETE FROM %sconnection WHERE conn_id = $1", p->qual);
		return;
	case ST_COUNT:
		buf_addf(b, "SELECT count(*) FROM %sconnection", p->qual);
		return;
	case ST_VAR_PAGE:
		buf_addf(b, "SELECT id, \"key\", val, is_encrypted FROM %svariable "
		    "WHERE id > $1 ORDER BY id LIMIT $2", p->qual);
		return;
	case ST_VAR_LIST:
	case ST_VAR_LIST_DESC:
		/* Byte order, as SQLite's BINARY "key" and the console expect. */
		buf_addf(b, "SELECT id, \"key\", val, is_encrypted, description "
		    "FROM %svariable WHERE ($1::text IS NULL OR \"key\"%s > $1) "
		    "AND ($2::text IS NULL OR \"key\"%s < $2) AND "
		    "($3::text IS NULL OR strpos(lower(\"key\"), lower($3)) > 0) "
		    "AND ($4::text IS NULL OR \"key\" = $4) ORDER BY \"key\"%s%s "
		    "LIMIT $5::bigint", p->qual, p->collate, p->collate, p->collate,
		    st == ST_VAR_LIST_DESC ? " DESC" : "");
		return;
	case ST_VAR_DELETE:
		buf_addf(b, "DELETE FROM %svariable WHERE \"key\" = $1", p->qual);
		return;
	case ST_VAR_UPDATE:
		buf_addf(b, "UPDATE %svariable SET val = $2, description = $3, "
		    "is_encrypted = $4 WHERE \"key\" = $1", p->qual);
		return;
	case ST_VAR_INSERT:
		buf_addf(b, "INSERT INTO %svariable (\"key\", val, description, "
		    "is_encrypted) VALUES ($1, $2, $3, $4)", p->qual);
		return;
	case ST_SECRETS_UPDATE:
		/* ST_FIELD_UPDATE for both secrets; see store_pg_queue_send(). */
		buf_addf(b, "UPDATE %sconnection AS t SET "
		    "password = CASE WHEN v.sp THEN v.pw ELSE t.password END, "
		    "is_encrypted = CASE WHEN v.sp THEN v.pf ELSE "
		    "t.is_encrypted END, "
		    "extra = CASE WHEN v.se THEN v.ex ELSE t.extra END, "
		    "is_extra_encrypted = CASE WHEN v.se THEN v.ef ELSE "
		    "t.is_extra_encrypted END FROM unnest($1::bigint[], "
		    "$2::text[], $5::boolean[], $6::text[], $7::boolean[], "
		    "$8::boolean[], $9::boolean[]) AS "
		    "v(id, pw, pf, ex, ef, sp, se) WHERE t.id = v.id AND "
		    "t.id BETWEEN $3::bigint AND $4::bigint",
		    p->qual);
		return;
	default:
		break;
	}
	if (st == ST_SECRETS_PAGE || st == ST_SECRETS_LOCK) {
		/* One read (one lock) of a row for both secrets. */
		buf_addf(b, "SELECT id, password, is_encrypted, extra, "
		    "is_extra_encrypted, conn_id FROM %sconnection WHERE id > $1 "
		    "ORDER BY id LIMIT $2%s", p->qual,
		    st == ST_SECRETS_LOCK ? " FOR UPDATE" : "");
		return;
	}
	if (st >= ST_PAGE && st < ST_VAR_PAGE) {
		store_pg_page_sql(p, st - ST_PAGE, 1, b);
		return;
	}
	if (st < ST_FIELD_LOCK) {
		fs = &store_field_sql[st - ST_FIELD_PAGE];
	} else if (st < ST_FIELD_UPDATE) {
		fs = &store_field_sql[st - ST_FIELD_LOCK];
	} else if (st < ST_FIELD_COUNT) {
		fs = &store_field_sql[st - ST_FIELD_UPDATE];
		/*
		 * The id range ($3, $4: the batch's first and last id) keeps
		 * the plan on the primary key whatever the planner thinks of
		 * the join, so a batch costs its rows, not the table.
		 */
		if (fs->flag != NULL)
			buf_addf(b, "UPDATE %s%s AS t SET %s = v.val, %s = v.flag FROM "
			    "unnest($1::bigint[], $2::text[], $5::boolean[]) AS "
			    "v(id, val, flag) WHERE t.id = v.id AND t.id BETWEEN "
			    "$3::bigint AND $4::bigint", p->qual, fs->table,
			    fs->column, fs->flag);
		else
			buf_addf(b, "UPDATE %s%s AS t SET %s = v.val FROM "
			    "unnest($1::bigint[], $2::text[]) AS v(id, val) WHERE "
			    "t.id = v.id AND t.id BETWEEN $3::bigint AND $4::bigint",
			    p->qual, fs->table, fs->column);
		return;
	} else {
		fs = &store_field_sql[st - ST_FIELD_COUNT];
		buf_addf(b, "SELECT count(*) FROM %s%s", p->qual, fs->table);
		return;
	}
	buf_addf(b, "SELECT id, %s, %s, %s FROM %s%s WHERE id > $1 ORDER BY id "
	    "LIMIT $2%s", fs->column, fs->flag ? fs->flag : "NULL",
	    fs->name ? fs->name : "NULL", p->qual, fs->table,
	    st >= ST_FIELD_LOCK ? " FOR UPDATE" : "");
}

void
store_pg_stmt_text(struct pg *p, int st, struct buf *b)
{
	stmt_sql(p, st, b);
}

/* -- interrupting (see the top comment) ---------------------------------- */

/* A new session: a new cancel object (the old one names the old backend). */
static void
cancel_renew(struct pg *p)
{
	PGcancel *c = PQgetCancel(p->conn), *old;

	pthread_mutex_lock(&p->cancel_lock);
	old = p->cancel;
	p->cancel = c;
	pthread_mutex_unlock(&p->cancel_lock);
	PQfreeCancel(old);
}

/* The owner starts a statement that store_interrupt() may cancel. */
void
store_pg_cancel_arm(struct pg *p)
{
	pthread_mutex_lock(&p->cancel_lock);
	p->armed = 1;
	p->sent = 0;
	pthread_mutex_unlock(&p->cancel_lock);
}

/* It has ended: wait for a cancel on its way, note whether one was sent. */
void
store_pg_cancel_disarm(struct pg *p)
{
	pthread_mutex_lock(&p->cancel_lock);
	p->armed = 0;
	p->interrupted = p->sent;
	p->sent = 0;
	pthread_mutex_unlock(&p->cancel_lock);
}

static void
pg_interrupt(struct store *s)
{
	struct pg *p = s->impl;
	char msg[256];

	/*
	 * Again when asked again: a cancel that reached the backend before
	 * the statement did was ignored.
	 */
	pthread_mutex_lock(&p->cancel_lock);
	if (p->armed && p->cancel != NULL &&
	    PQcancel(p->cancel, msg, sizeof msg))
		p->sent = 1;
	pthread_mutex_unlock(&p->cancel_lock);
}

/* Run a statement of no parameters that is not prepared (session setup). */
int
store_pg_exec_simple(struct store *s, const char *sql, const char *what,
    struct err *e)
{
	struct pg *p = s->impl;
	PGresult *r;
	int rc = 0;

	if (store_pg_queue_send(s, e) != 0)
		return -1;
	r = PQexec(p->conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		rc = store_pg_fail(s, r, what, e);
	PQclear(r);
	return rc;
}

static int
session_setup(struct store *s, struct err *e)
{
	struct pg *p = s->impl;
	char sql[64];

	snprintf(sql, sizeof sql, "SET lock_timeout = %d", p->lock_ms);
	return store_pg_exec_simple(s, sql, "setting lock_timeout", e);
}

/*
 * Make sure the session is there: outside a transaction a lost connection
 * is re-established once (prepared statements are per session).
 */
static int
ensure_conn(struct store *s, const char *what, struct err *e)
{
	struct pg *p = s->impl;
	char msg[480];

	if (PQstatus(p->conn) == CONNECTION_OK)
		return 0;
	if (s->in_tx || p->cursor_open)
		return store_pg_fail(s, NULL, what, e);
	PQreset(p->conn);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		connect_message(PQerrorMessage(p->conn), msg, sizeof msg);
		err_set(e, ERR_DB, "lost the connection to PostgreSQL at %s and "
		    "cannot reconnect: %s", p->where, msg);
		return -1;
	}
	/* With several hosts, libpq may have found another one. */
	if (session_where(p) != 0) {
		err_nomem(e);
		return -1;
	}
	memset(p->prepared, 0, sizeof p->prepared);
	cancel_renew(p);
	return session_setup(s, e);
}

/*
 * Prepare st if this session has not, then run it. Parameters are text
 * except those with fmts[i] = 1, sent as lens[i] raw bytes (a text
 * column's binary form), so a value need not be NUL-terminated. Returns the
 * result (PQclear it), or NULL with e set.
 */
static PGresult *
run_once(struct store *s, int st, int n, const char *const *vals,
    const int *lens, const int *fmts, const char *what, struct err *e)
{
	struct pg *p = s->impl;
	char name[16];
	PGresult *r;
	ExecStatusType status;

	p->state[0] = '\0';
	p->interrupted = 0;
	if (ensure_conn(s, what, e) != 0 || store_pg_queue_send(s, e) != 0)
		return NULL;
	snprintf(name, sizeof name, "ferncon_%d", st);
	if (!p->prepared[st]) {
		struct buf sql;

		buf_init(&sql, 0);
		stmt_sql(p, st, &sql);
		if (buf_check(&sql, e) != 0) {
			buf_release(&sql);
			return NULL;
		}
		r = PQprepare(p->conn, name, buf_str(&sql), 0, NULL);
		buf_release(&sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			store_pg_fail(s, r, what, e);
			PQclear(r);
			return NULL;
		}
		PQclear(r);
		p->prepared[st] = 1;
	}
	store_pg_cancel_arm(p);
	r = PQexecPrepared(p->conn, name, n, vals, lens, fmts, 0);
	store_pg_cancel_disarm(p);
	status = PQresultStatus(r);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
		store_pg_fail(s, r, what, e);
		PQclear(r);
		return NULL;
	}
	return r;
}

/*
 * run_once(), and once more on a new session when the server went away
 * outside a transaction (a restart under a long-lived console): outside a
 * transaction every statement here is a read, so running it again is safe.
 */
PGresult *
store_pg_run(struct store *s, int st, int n, const char *const *vals, const int *lens,
    const int *fmts, const char *what, struct err *e)
{
	struct pg *p = s->impl;
	PGresult *r = run_once(s, st, n, vals, lens, fmts, what, e);

	if (r == NULL && !s->in_tx && !p->cursor_open &&
	    PQstatus(p->conn) != CONNECTION_OK)
		r = run_once(s, st, n, vals, lens, fmts, what, e);
	return r;
}

/* Rows a write changed. */
long
store_pg_changed(const PGresult *r)
{
	return strtol(PQcmdTuples((PGresult *)r), NULL, 10);
}

/* Wipe column col of every row of r (secret cells), then free r. */
void
store_pg_clear_wiped(PGresult *r, const int *cols, size_t ncols)
{
	int row, n;
	size_t i;

	if (r == NULL)
		return;
	n = PQntuples(r);
	for (row = 0; row < n; row++)
		for (i = 0; i < ncols; i++)
			if (cols[i] < PQnfields(r) && !PQgetisnull(r, row, cols[i]))
				sodium_memzero(PQgetvalue(r, row, cols[i]),
				    (size_t)PQgetlength(r, row, cols[i]));
	PQclear(r);
}

/* -- opening ------------------------------------------------------------- */

/* One value of a one-row, one-column query with one text parameter. */
static int
query_one(struct store *s, const char *sql, const char *param, char **out,
    const char *what, struct err *e)
{
	struct pg *p = s->impl;
	const char *vals[1] = { param };
	PGresult *r;
	int rc = 0;

	*out = NULL;
	if (store_pg_queue_send(s, e) != 0)
		return -1;
	r = PQexecParams(p->conn, sql, param ? 1 : 0, NULL, param ? vals : NULL,
	    NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = store_pg_fail(s, r, what, e);
	} else if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
		if ((*out = strdup(PQgetvalue(r, 0, 0))) == NULL) {
			err_nomem(e);
			rc = -1;
		}
	}
	PQclear(r);
	return rc;
}

/* The qualified, quoted name of table (schema prefix + quoted identifier). */
static char *
rel_name(struct pg *p, const char *table)
{
	char *id = PQescapeIdentifier(p->conn, table, strlen(table)), *out;

	if (id == NULL)
		return NULL;
	if (asprintf(&out, "%s%s", p->qual, id) < 0)
		out = NULL;
	PQfreemem(id);
	return out;
}

/* query_one() with $1 = the connection table's qualified name. */
static int
query_on_connection(struct store *s, const char *sql, char **out,
    const char *what, struct err *e)
{
	char *rel = rel_name(s->impl, "connection");
	int rc;

	*out = NULL;
	if (rel == NULL) {
		err_nomem(e);
		return -1;
	}
	rc = query_one(s, sql, rel, out, what, e);
	free(rel);
	return rc;
}

static int
load_columns(struct store *s, struct err *e)
{
	struct pg *p = s->impl;
	const char *vals[1];
	char *rel = rel_name(p, "connection"), where[512];
	PGresult *r = NULL;
	int row, rc = -1;

	if (rel == NULL) {
		err_nomem(e);
		goto out;
	}
	vals[0] = rel;
	r = PQexecParams(p->conn, "SELECT attname FROM pg_attribute WHERE "
	    "attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
	    1, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		store_pg_fail(s, r, "reading the schema", e);
		goto out;
	}
	for (row = 0; row < PQntuples(r); row++)
		store_schema_note(&p->sch, PQgetvalue(r, row, 0));
	if (p->schema != NULL)
		snprintf(where, sizeof where, " in schema '%s' ([database] "
		    "sql_alchemy_schema)", p->schema);
	p->select_cols = store_schema_select(&p->sch, s->name,
	    p->schema != NULL ? where : " on the search_path", p->schema != NULL ?
	    "" : " (or is it in another schema: [database] sql_alchemy_schema)",
	    e);
	if (p->select_cols != NULL)
		rc = 0;
out:
	PQclear(r);
	free(rel);
	return rc;
}

/*
 * Whether conn_id already sorts in byte order (collation C or POSIX, or
 * the database default when that is a libc C locale): then ORDER BY needs
 * no COLLATE "C" and the unique index serves keyset paging.
 */
static int
load_collation(struct store *s, struct err *e)
{
	struct pg *p = s->impl;
	char *v = NULL;
	int rc;

	rc = query_on_connection(s, PQserverVersion(p->conn) >= 150000 ?
	    "SELECT a.attcollation IN (950, 951) OR (a.attcollation = 100 AND "
	    "d.datcollate IN ('C', 'POSIX') AND d.datlocprovider = 'c') "
	    "FROM pg_attribute a, pg_database d WHERE a.attrelid = to_regclass($1) "
	    "AND a.attname = 'conn_id' AND d.datname = current_database()" :
	    "SELECT a.attcollation IN (950, 951) OR (a.attcollation = 100 AND "
	    "d.datcollate IN ('C', 'POSIX')) "
	    "FROM pg_attribute a, pg_database d WHERE a.attrelid = to_regclass($1) "
	    "AND a.attname = 'conn_id' AND d.datname = current_database()",
	    &v, "reading the schema", e);
	p->collate = v != NULL && strcmp(v, "t") == 0 ? "" : " COLLATE \"C\"";
	free(v);
	return rc;
}

/* Read-only unless the user may UPDATE connection in a writable session. */
static int
load_access(struct store *s, struct err *e)
{
	char *v = NULL;
	int rc;

	rc = query_on_connection(s, "SELECT has_table_privilege(to_regclass($1), "
	    "'UPDATE') AND current_setting('transaction_read_only') = 'off'", &v,
	    "reading privileges", e);
	s->readonly = rc == 0 && (v == NULL || strcmp(v, "t") != 0);
	free(v);
	return rc;
}

static int
load_version(struct store *s, struct err *e)
{
	struct pg *p = s->impl;
	char *rels[2] = { NULL, NULL }, *found = NULL, *sql = NULL;
	int rc = -1, i;

	/* Alembic's table is on the search_path; look in the schema too. */
	rels[0] = strdup("alembic_version");
	rels[1] = p->schema ? rel_name(p, "alembic_version") : NULL;
	for (i = 0; i < 2 && found == NULL; i++) {
		char *oid = NULL;

		if (rels[i] == NULL)
			continue;
		if (query_one(s, "SELECT to_regclass($1)::oid", rels[i], &oid,
		    "reading the Airflow version", e) != 0)
			goto out;
		if (oid != NULL)
			found = rels[i];
		free(oid);
	}
	if (found != NULL) {
		if (asprintf(&sql, "SELECT version_num FROM %s LIMIT 1", found) < 0) {
			sql = NULL;
			err_nomem(e);
			goto out;
		}
		if (query_one(s, sql, NULL, &s->alembic_head,
		    "reading the Airflow version", e) != 0)
			goto out;
	}
	store_schema_version(s, &p->sch);
	rc = 0;
out:
	free(sql);
	free(rels[0]);
	free(rels[1]);
	return rc;
}

/*
 * p->where of a connected session: host:port/db of the server that
 * answered (an IPv6 address in brackets). 0, or -1 out of memory.
 */
static int
session_where(struct pg *p)
{
	const char *host = PQhost(p->conn);
	struct buf b;

	buf_init(&b, 0);
	pgurl_host_name(&b, host ? host : "", host ? strlen(host) : 0);
	buf_addf(&b, ":%s/%s", PQport(p->conn), PQdb(p->conn));
	free(p->where);
	p->where = buf_detach(&b, NULL);
	return p->where != NULL ? 0 : -1;
}

/*
 * libpq's default notice processor prints the server's notices on stderr:
 * the WARNING each session gets when the server shuts down would be
 * written over the console's screen. ferncon's statements expect no
 * notice, and a lost session is the next statement's error.
 */
static void
quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static int
connect_db(struct store *s, const char *url, struct err *e)
{
	struct pg *p = s->impl;
	struct pgurl *u = NULL;
	char msg[480];
	int rc = -1;

	if (pgurl_parse(url, &u, e) != 0)
		goto out;
	/* Until connected, messages name the server as the URL does. */
	if ((p->where = strdup(pgurl_where(u))) == NULL ||
	    (s->name = strdup(p->where)) == NULL) {
		err_nomem(e);
		goto out;
	}
	/* expand_dbname 0: a database name is never read as a conninfo string. */
	p->conn = PQconnectdbParams(pgurl_keys(u), pgurl_values(u), 0);
	if (p->conn == NULL) {
		err_nomem(e);
		goto out;
	}
	/* Kept by PQreset(). */
	PQsetNoticeProcessor(p->conn, quiet_notice, NULL);
	cancel_renew(p);
	if (PQstatus(p->conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(p->conn);

		connect_message(m, msg, sizeof msg);
		err_set(e, strncmp(msg, "invalid ", 8) == 0 ? ERR_CONFIG : ERR_DB,
		    "cannot connect to PostgreSQL at %s: %s", p->where, msg);
		goto out;
	}
	/* Connected: the server that answered (of several, the one libpq kept). */
	free(s->name);
	s->name = NULL;
	if (session_where(p) != 0 ||
	    asprintf(&s->name, "%s@%s", PQuser(p->conn), p->where) < 0) {
		s->name = NULL;
		err_nomem(e);
		goto out;
	}
	rc = 0;
out:
	pgurl_free(u);		/* wipes the password copy */
	return rc;
}

/* store_int.h: text_rows (the reads of store_fab.c). */
static int
pg_text_rows(struct store *s, const char *sql, const char *const *params,
    int n, store_row_fn row, void *arg, struct err *e)
{
	struct pg *p = s->impl;
	const char *cols[8];
	char *text = NULL;
	PGresult *r = NULL;
	int i, j, nc, rc = -1;

	if (ensure_conn(s, "reading Airflow's users and roles", e) != 0 ||
	    store_pg_queue_send(s, e) != 0)
		return -1;
	if ((text = store_sql_expand(sql, p->qual, 1)) == NULL) {
		err_nomem(e);
		return -1;
	}
	store_pg_cancel_arm(p);
	r = PQexecParams(p->conn, text, n, NULL, params, NULL, NULL, 0);
	store_pg_cancel_disarm(p);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		store_pg_fail(s, r, "reading Airflow's users and roles", e);
		goto out;
	}
	nc = PQnfields(r);
	if (nc > (int)(sizeof cols / sizeof cols[0]))
		nc = (int)(sizeof cols / sizeof cols[0]);
	for (i = 0; i < PQntuples(r); i++) {
		for (j = 0; j < nc; j++)
			cols[j] = PQgetisnull(r, i, j) ? NULL : PQgetvalue(r, i, j);
		if (row(arg, cols, nc, e) != 0)
			goto out;
	}
	rc = 0;
out:
	/* ab_user.password among them: wiped. */
	if (r != NULL) {
		for (i = 0; i < PQntuples(r); i++)
			for (j = 0; j < PQnfields(r); j++)
				if (!PQgetisnull(r, i, j))
					sodium_memzero(PQgetvalue(r, i, j),
					    (size_t)PQgetlength(r, i, j));
		PQclear(r);
	}
	free(text);
	return rc;
}

static const struct store_ops pg_ops;

int
store_pg_open(struct store *s, const char *url, const struct store_opts *o,
    struct err *e)
{
	struct pg *p;
	const char *schema = o ? o->schema : NULL;

	if ((p = calloc(1, sizeof *p)) == NULL) {
		err_nomem(e);
		return -1;
	}
	pthread_mutex_init(&p->cancel_lock, NULL);
	s->impl = p;
	s->ops = &pg_ops;
	buf_init(&p->q.ids, 0);
	buf_init(&p->q.vals, 1);
	buf_init(&p->q.flags, 0);
	buf_init(&p->q.vals2, 1);
	buf_init(&p->q.flags2, 0);
	buf_init(&p->q.set_pw, 0);
	buf_init(&p->q.set_ex, 0);
	p->qual = NULL;
	p->collate = " COLLATE \"C\"";
	p->lock_ms = o && o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000;
	if (connect_db(s, url, e) != 0)
		return -1;
	/* Airflow ignores a blank sql_alchemy_schema (isspace()). */
	while (schema != NULL && isspace((unsigned char)*schema))
		schema++;
	if (schema != NULL && *schema != '\0') {
		char *id;

		schema = o->schema;
		if ((p->schema = strdup(schema)) == NULL ||
		    (id = PQescapeIdentifier(p->conn, schema, strlen(schema))) ==
		    NULL) {
			err_nomem(e);
			return -1;
		}
		if (asprintf(&p->qual, "%s.", id) < 0)
			p->qual = NULL;
		PQfreemem(id);
	} else {
		p->qual = strdup("");
	}
	if (p->qual == NULL) {
		err_nomem(e);
		return -1;
	}
	if (session_setup(s, e) != 0 || load_columns(s, e) != 0 ||
	    load_collation(s, e) != 0 || load_access(s, e) != 0 ||
	    load_version(s, e) != 0)
		return -1;
	return 0;
}

static void
pg_close(struct store *s)
{
	struct pg *p = s->impl;

	if (p == NULL)
		return;
	queue_drop(p);
	buf_release(&p->q.ids);
	buf_release(&p->q.vals);
	buf_release(&p->q.flags);
	buf_release(&p->q.vals2);
	buf_release(&p->q.flags2);
	buf_release(&p->q.set_pw);
	buf_release(&p->q.set_ex);
	PQfreeCancel(p->cancel);
	p->cancel = NULL;
	pthread_mutex_destroy(&p->cancel_lock);
	PQfinish(p->conn);
	free(p->where);
	free(p->qual);
	free(p->schema);
	free(p->select_cols);
	free(p);
	s->impl = NULL;
}

static int
pg_has_table(struct store *s, const char *table)
{
	struct pg *p = s->impl;
	char *rel, *v = NULL;
	struct err e;
	int found;

	if (ensure_conn(s, "looking for a table", &e) != 0 ||
	    (rel = rel_name(p, table)) == NULL)
		return 0;
	found = query_one(s, "SELECT to_regclass($1) IS NOT NULL", rel, &v,
	    "looking for a table", &e) == 0 && v != NULL && strcmp(v, "t") == 0;
	free(v);
	free(rel);
	return found;
}

static int
pg_begin(struct store *s, struct err *e)
{
	struct pg *p = s->impl;

	if (p->cursor_tx) {
		err_set(e, ERR_DB, "internal error: a transaction was started while "
		    "a listing of connections is still open");
		return -1;
	}
	if (ensure_conn(s, "starting a transaction", e) != 0)
		return -1;
	return store_pg_exec_simple(s, "BEGIN READ WRITE",
	    "starting a transaction", e);
}

static int
pg_commit(struct store *s, struct err *e)
{
	struct pg *p = s->impl;
	PGresult *r;
	int rc = 0;

	if (store_pg_queue_send(s, e) != 0)
		return -1;
	r = PQexec(p->conn, "COMMIT");
	/* A COMMIT of an aborted transaction "succeeds" as a ROLLBACK. */
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		rc = store_pg_fail(s, r, "committing", e);
	else if (strcmp(PQcmdStatus(r), "ROLLBACK") == 0) {
		err_set(e, ERR_DB, "database '%s': the transaction had failed and "
		    "was rolled back; nothing was changed", s->name);
		rc = -1;
	}
	PQclear(r);
	return rc;
}

static void
pg_rollback(struct store *s)
{
	struct pg *p = s->impl;

	queue_drop(p);
	if (PQstatus(p->conn) == CONNECTION_OK)
		PQclear(PQexec(p->conn, "ROLLBACK"));
}

/*
 * A savepoint around one row's write, so that a refused row does not abort
 * the transaction it runs in (PostgreSQL would; SQLite does not).
 */
int
store_pg_sp_begin(struct store *s, struct err *e)
{
	return store_pg_exec_simple(s, "SAVEPOINT ferncon_row",
	    "starting a write", e);
}

int
store_pg_sp_end(struct store *s, int rc, struct err *e)
{
	struct pg *p = s->impl;

	if (PQstatus(p->conn) != CONNECTION_OK)
		return -1;
	if (rc != 0) {
		PQclear(PQexec(p->conn, "ROLLBACK TO SAVEPOINT ferncon_row"));
		PQclear(PQexec(p->conn, "RELEASE SAVEPOINT ferncon_row"));
		return -1;
	}
	return store_pg_exec_simple(s, "RELEASE SAVEPOINT ferncon_row",
	    "finishing a write", e);
}

/* -- queued field updates ------------------------------------------------ */

static void
put32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
	    (unsigned char)(v >> 8), (unsigned char)v };

	buf_add(b, x, sizeof x);
}

/* The header of a one-dimensional binary array of n elements. */
static void
array_header(struct buf *b, size_t n, int has_null, uint32_t oid)
{
	put32(b, 1);
	put32(b, has_null ? 1 : 0);
	put32(b, oid);
	put32(b, (uint32_t)n);
	put32(b, 1);
}

static void
queue_drop(struct pg *p)
{
	buf_reset(&p->q.ids);
	buf_reset(&p->q.vals);
	buf_reset(&p->q.flags);
	buf_reset(&p->q.vals2);
	buf_reset(&p->q.flags2);
	buf_reset(&p->q.set_pw);
	buf_reset(&p->q.set_ex);
	p->q.n = 0;
	p->q.has_null = p->q.has_null2 = 0;
}

/* The first queued id that the table does not have, for the message. */
static int64_t
missing_id(struct store *s, const char *ids, int len)
{
	struct pg *p = s->impl;
	const struct store_field_sql *fs = &store_field_sql[p->q.f];
	const int fmt = 1;
	char *sql = NULL;
	int64_t id = -1;
	PGresult *r;

	if (asprintf(&sql, "SELECT x FROM unnest($1::bigint[]) AS x WHERE NOT "
	    "EXISTS (SELECT 1 FROM %s%s AS t WHERE t.id = x) LIMIT 1", p->qual,
	    fs->table) < 0)
		return -1;
	r = PQexecParams(p->conn, sql, 1, NULL, &ids, &len, &fmt, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	free(sql);
	return id;
}

/* Append a one-dimensional binary array of the n queued elements in src. */
static void
array_add(struct buf *b, size_t n, int has_null, uint32_t oid,
    const struct buf *src)
{
	array_header(b, n, has_null, oid);
	buf_add(b, buf_str(src), src->len);
}

/*
 * Send the queued updates as one statement. Every queued row must exist:
 * a missing one is ERR_NOTFOUND, and the transaction is failed. The queue
 * is empty afterwards either way. A pair queue
 * (pg_conn_secrets_update()) goes as ST_SECRETS_UPDATE, whose CASEs keep
 * the columns of a secret a row does not set.
 */
int
store_pg_queue_send(struct store *s, struct err *e)
{
	struct pg *p = s->impl;
	struct buf a[7];	/* ids vals flags vals2 flags2 set_pw set_ex */
	const char *v[9];
	char lo[32], hi[32];
	int lens[9], fmts[9] = { 1, 1, 0, 0, 1, 1, 1, 1, 1 }, n = 0, rc = -1;
	int has_flag, na, i;
	PGresult *r = NULL;

	if (p->q.n == 0 || p->q.sending)
		return 0;
	has_flag = p->q.pair || store_field_sql[p->q.f].flag != NULL;
	na = p->q.pair ? 7 : 3;
	for (i = 0; i < na; i++)
		buf_init(&a[i], i == 1 || i == 3);
	array_add(&a[0], p->q.n, 0, OID_INT8, &p->q.ids);
	array_add(&a[1], p->q.n, p->q.has_null, OID_TEXT, &p->q.vals);
	array_add(&a[2], p->q.n, 0, OID_BOOL, &p->q.flags);
	if (p->q.pair) {
		array_add(&a[3], p->q.n, p->q.has_null2, OID_TEXT, &p->q.vals2);
		array_add(&a[4], p->q.n, 0, OID_BOOL, &p->q.flags2);
		array_add(&a[5], p->q.n, 0, OID_BOOL, &p->q.set_pw);
		array_add(&a[6], p->q.n, 0, OID_BOOL, &p->q.set_ex);
	}
	for (i = 0; i < na; i++)
		if (buf_check(&a[i], e) != 0)
			goto out;
	v[n] = buf_str(&a[0]);
	lens[n++] = (int)a[0].len;
	v[n] = buf_str(&a[1]);
	lens[n++] = (int)a[1].len;
	snprintf(lo, sizeof lo, "%" PRId64, p->q.first_id);
	snprintf(hi, sizeof hi, "%" PRId64, p->q.last_id);
	v[n] = lo;
	lens[n++] = 0;
	v[n] = hi;
	lens[n++] = 0;
	if (has_flag) {
		v[n] = buf_str(&a[2]);
		lens[n++] = (int)a[2].len;
	}
	for (i = 3; i < na; i++) {
		v[n] = buf_str(&a[i]);
		lens[n++] = (int)a[i].len;
	}
	p->q.sending = 1;
	r = store_pg_run(s, p->q.pair ? ST_SECRETS_UPDATE :
	    ST_FIELD_UPDATE + (int)p->q.f, n, v, lens, fmts, "updating values",
	    e);
	p->q.sending = 0;
	if (r == NULL)
		goto out;
	if ((size_t)store_pg_changed(r) != p->q.n) {
		int64_t id = missing_id(s, v[0], lens[0]);

		err_set(e, ERR_NOTFOUND, "no row %lld in %s", (long long)id,
		    p->q.pair ? "connection" : store_field_name(p->q.f));
		/* Fail the transaction: part of the batch is written. */
		PQclear(PQexec(p->conn, "SELECT 1/0"));
		goto out;
	}
	rc = 0;
out:
	PQclear(r);
	for (i = 0; i < na; i++)
		buf_release(&a[i]);
	queue_drop(p);
	return rc;
}

/* Queue a text element (NULL: SQL NULL) and a bool element. */
static void
queue_value(struct buf *vals, struct buf *flags, int *has_null,
    const char *value, size_t len, int flag)
{
	unsigned char b = flag ? 1 : 0;

	if (value == NULL) {
		put32(vals, UINT32_MAX);	/* -1: NULL */
		*has_null = 1;
	} else {
		put32(vals, (uint32_t)len);
		buf_add(vals, value, len);
	}
	put32(flags, 1);
	buf_add(flags, &b, 1);
}

/* Queue row id's int8 element, after the checks common to both queues. */
static void
queue_id(struct pg *p, int64_t id)
{
	if (p->q.n == 0)
		p->q.first_id = id;
	p->q.last_id = id;
	put32(&p->q.ids, 8);
	put32(&p->q.ids, (uint32_t)((uint64_t)id >> 32));
	put32(&p->q.ids, (uint32_t)id);
}

/* After a row is queued: check the buffers, send a full queue. */
static int
queue_added(struct store *s, struct err *e)
{
	struct pg *p = s->impl;

	p->q.n++;
	if (buf_check(&p->q.ids, e) != 0 || buf_check(&p->q.vals, e) != 0 ||
	    buf_check(&p->q.flags, e) != 0 || buf_check(&p->q.vals2, e) != 0 ||
	    buf_check(&p->q.flags2, e) != 0 ||
	    buf_check(&p->q.set_pw, e) != 0 ||
	    buf_check(&p->q.set_ex, e) != 0) {
		queue_drop(p);
		return -1;
	}
	if (p->q.n >= BATCH_ROWS ||
	    p->q.vals.len + p->q.vals2.len >= BATCH_BYTES)
		return store_pg_queue_send(s, e);
	return 0;
}

static int
pg_conn_secrets_update(struct store *s, int64_t id, unsigned which,
    const char *password, size_t pwlen, int is_encrypted, const char *extra,
    size_t extralen, int is_extra_encrypted, struct err *e)
{
	struct pg *p = s->impl;
	unsigned char sp = (which & STORE_SET_PASSWORD) != 0;
	unsigned char se = (which & STORE_SET_EXTRA) != 0;

	/* Each row once per batch: ids come in increasing order. */
	if (p->q.n > 0 && (!p->q.pair || id <= p->q.last_id) &&
	    store_pg_queue_send(s, e) != 0)
		return -1;
	if ((sp && pwlen > INT32_MAX) || (se && extralen > INT32_MAX)) {
		err_set(e, ERR_INVALID, "a value of %zu bytes is too large for "
		    "PostgreSQL", sp && pwlen > INT32_MAX ? pwlen : extralen);
		return -1;
	}
	p->q.f = STORE_CONN_PASSWORD;	/* the table, for missing_id() */
	p->q.pair = 1;
	queue_id(p, id);
	queue_value(&p->q.vals, &p->q.flags, &p->q.has_null,
	    sp ? password : NULL, sp ? pwlen : 0, sp && is_encrypted);
	queue_value(&p->q.vals2, &p->q.flags2, &p->q.has_null2,
	    se ? extra : NULL, se ? extralen : 0, se && is_extra_encrypted);
	put32(&p->q.set_pw, 1);
	buf_add(&p->q.set_pw, &sp, 1);
	put32(&p->q.set_ex, 1);
	buf_add(&p->q.set_ex, &se, 1);
	return queue_added(s, e);
}

static int
pg_field_update(struct store *s, enum store_field f, int64_t id,
    const char *value, size_t len, int flag, struct err *e)
{
	struct pg *p = s->impl;

	/* One field per batch, each row once: ids come in increasing order. */
	if (p->q.n > 0 && (p->q.pair || p->q.f != f || id <= p->q.last_id) &&
	    store_pg_queue_send(s, e) != 0)
		return -1;
	if (len > INT32_MAX) {
		err_set(e, ERR_INVALID, "a value of %zu bytes is too large for "
		    "PostgreSQL", len);
		return -1;
	}
	p->q.f = f;
	p->q.pair = 0;
	queue_id(p, id);
	queue_value(&p->q.vals, &p->q.flags, &p->q.has_null, value, len, flag);
	return queue_added(s, e);
}

static int
pg_field_count(struct store *s, enum store_field f, size_t *n, struct err *e)
{
	return store_pg_count_rows(s, ST_FIELD_COUNT + (int)f, n, "counting rows",
	    e);
}

static const struct store_ops pg_ops = {
	"postgresql",
	pg_close,
	pg_has_table,
	pg_begin,
	pg_commit,
	pg_rollback,
	store_pg_conn_iter,
	store_pg_conn_get,
	store_pg_conn_insert,
	store_pg_conn_update,
	store_pg_conn_delete,
	store_pg_conn_count,
	store_pg_var_iter,
	store_pg_var_insert,
	store_pg_field_iter,
	pg_field_update,
	pg_conn_secrets_update,
	pg_field_count,
	pg_interrupt,
	pg_text_rows,
	store_pg_var_list,
	store_pg_var_delete,
	store_pg_conn_secrets_iter,
	store_pg_var_update,
};
