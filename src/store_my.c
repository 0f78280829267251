/*
 * store_my.c: the MySQL backend of the metadata store (store.h), on
 * libmariadb (the MariaDB/MySQL client library); doc/mysql.md says what
 * it does and how it was tested.
 *
 * The URL is read by myurl.c as SQLAlchemy's dialect for its driver reads
 * it. The password stays in locked memory (the myurl, kept for reconnecting
 * and for the interrupting connection) and is never in a message: the
 * store's name is user@host:port/db.
 *
 * SQL: the session runs with ANSI_QUOTES added to its sql_mode, so the
 * quoted identifiers the backends share ("key", "trigger") mean the same
 * here. No value is put into SQL as text: every value goes in as a hex
 * literal (libsodium's sodium_bin2hex) with the character set introducer of
 * the column it meets (_utf8mb4 X'...', or the conn_id column's own
 * charset), so no escaping or client character set can change what the
 * server reads; SQL holding a secret is built in locked memory and wiped.
 * Columns are found by name in information_schema, so the 2.x and 3.x
 * layouts both work; flags read 0/1 (a NULL flag as false).
 *
 * Order: connections list in byte order (CAST(conn_id AS BINARY), as
 * SQLite and PostgreSQL's COLLATE "C" list them) and, for an export
 * (store_query.db_order), in the column's own collation (plain ORDER BY
 * conn_id, as Airflow reads them; the unique index gives that order). The
 * keyset comparison of each page is made in SQL in that same order, so
 * conn_ids that differ only in case or in '_' against '-' (a utf8mb3_bin
 * column of a DB upgraded from 1.x holds both) neither vanish nor repeat.
 * A page is at most PAGE_ROWS rows, fetched whole (mysql_store_result), so
 * other statements may run between two rows; secret cells are wiped before
 * a page is freed. No index gives byte order, so a listing of more than a
 * page sorts once instead of once a page: the ids of all its rows come from
 * a read-only server-side cursor (a prepared statement, fetched PAGE_ROWS
 * at a time; the session is free between fetches), and each page's rows
 * are read by id, in the cursor's order (cursor_fill(); doc/mysql.md
 * section 2). An export longer than a page reads in one consistent
 * snapshot (START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY), as
 * Airflow's single SELECT does.
 *
 * Transactions: InnoDB. The session sets innodb_lock_wait_timeout and
 * lock_wait_timeout to the busy timeout (whole seconds, at least 1); a lock
 * held past it fails the statement with "database ... is locked". MySQL
 * rolls back only the failed statement; ferncon's transactions must fail
 * whole, so any failure inside one (but a refused duplicate row) marks it
 * failed, and its commit rolls it back and fails. A user without UPDATE on
 * the connection table, or a read-only server, makes a read-only store.
 *
 * The lifecycle's field updates are batched: store_field_update() queues
 * the row and the queue goes as one statement of up to BATCH_ROWS rows or
 * BATCH_BYTES bytes, before any other statement and at commit. A row this
 * transaction has read FOR UPDATE (its id and name, conn_id or key, are
 * kept for the last NAME_PAGES pages read so) goes in a multi-row INSERT
 * ... ON DUPLICATE KEY UPDATE of its own id and name, about twice as fast
 * on the server as the UPDATE ... JOIN; it is safe (doc/mysql.md section
 * 5): the lock keeps the row, its id and its name until COMMIT, so every
 * row meets its own primary key and no row can be inserted; a table is
 * written so only if nothing else an INSERT does could differ (upsert_ok():
 * InnoDB, no trigger, no CHECK, no other unique key, no other NOT NULL
 * column without a default but conn_type, the INSERT privilege), and the
 * count proves it per statement: 2 per row updated, 1 per row inserted, so
 * anything but 2 a row fails the transaction. Any other row goes as one
 * UPDATE ... JOIN (SELECT ... UNION ALL ...); the session has
 * CLIENT_FOUND_ROWS (as SQLAlchemy's MySQL dialects set it), so the count
 * of matched rows tells a queued id that is gone: ERR_NOTFOUND, the
 * transaction fails.
 *
 * store_interrupt() comes from another thread: under cancel_lock, while
 * the owner is in a statement (armed), it opens a second session with the
 * same URL and sends KILL QUERY <the owner's connection id>. Disarming
 * takes the lock, so the owner's next statement never starts while a kill
 * is on its way; a KILL QUERY that reaches a session between statements is
 * dropped by the server when its next statement starts. The statement
 * fails with ER_QUERY_INTERRUPTED (1317): ERR_INTERRUPTED.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>
#include <sodium.h>

#include "buf.h"
#include "myurl.h"
#include "store_int.h"

#define PAGE_ROWS	1000
#define BATCH_ROWS	1000
#define BATCH_BYTES	((size_t)1 << 20)
#define NAME_PAGES	8	/* pages of names kept for upserts */

/* The tables a field update may upsert into (upsert_tables[]). */
enum tab { TAB_NONE, TAB_CONN, TAB_VAR, TAB_MAX };

/* The ids and names of one page read FOR UPDATE (ids ascending). */
struct names {
	enum tab	 tab;		/* TAB_NONE: an empty slot */
	size_t		 n;
	int64_t		*id;
	size_t		*off;		/* into text; SIZE_MAX: no name */
	char		*text;
};

struct my {
	MYSQL		*m;
	struct myurl	*u;
	char		*where;		/* host:port/db, for messages */
	char		 cs[32];	/* conn_id's character set, for introducers */
	struct store_schema	 sch;
	char		*select_cols;
	int		 lock_s;	/* lock wait timeout, seconds */
	int		 lock_ms;
	unsigned	 errnum;	/* of the last failure */
	int		 tx_failed;	/* a statement of the open transaction failed */
	int		 snap_open;	/* an iterator holds its snapshot transaction */
	int		 cursors;	/* server-side cursors open (iterators') */
	/* Queued field updates (see the top comment). */
	struct {
		enum store_field f;
		int		 pair;
		size_t		 n;
		int64_t		 first_id, last_id;
		struct buf	 sql;	/* the rows (locked memory) */
		int		 up;	/* rows of an upsert, not UNION ALL */
		int		 sending;
	} q;
	/* Names of the rows read FOR UPDATE, for upserts (top comment). */
	struct names	 names[NAME_PAGES];
	unsigned	 names_next;
	int		 up_ok[TAB_MAX];	/* upsert_ok(): -1 not known yet */
	/* store_interrupt(): armed, sent under cancel_lock; see the top comment. */
	pthread_mutex_t	 cancel_lock;
	unsigned long	 thread_id;
	int		 armed, sent, interrupted;
};

static int queue_send(struct store *s, struct err *e);

/* -- errors -------------------------------------------------------------- */

static int
is_lost(unsigned n)
{
	return n == CR_SERVER_GONE_ERROR || n == CR_SERVER_LOST ||
	    n == CR_CONN_HOST_ERROR || n == ER_CONNECTION_KILLED ||
	    n == 4031;	/* ER_CLIENT_INTERACTION_TIMEOUT (MySQL 8) */
}

/* Map error n (server or client), with its message, to e; returns -1. */
static int
my_fail_n(struct store *s, unsigned n, const char *error, const char *what,
    struct err *e)
{
	struct my *p = s->impl;
	char msg[300];

	snprintf(msg, sizeof msg, "%s", error);
	p->errnum = n;
	if (s->in_tx && n != ER_DUP_ENTRY)
		p->tx_failed = 1;
	if (is_lost(n)) {
		if (strcmp(what, "committing") == 0)
			err_set(e, ERR_DB, "lost the connection to MySQL at %s while "
			    "committing (%s): MySQL commits a transaction whole or not "
			    "at all; check which before retrying", p->where, msg);
		else if (s->in_tx || p->snap_open)
			err_set(e, ERR_DB, "lost the connection to MySQL at %s while "
			    "%s (%s); the transaction was rolled back and nothing was "
			    "changed", p->where, what, msg);
		else
			err_set(e, ERR_DB, "lost the connection to MySQL at %s while "
			    "%s (%s)", p->where, what, msg);
	} else if (n == ER_LOCK_WAIT_TIMEOUT) {
		err_set(e, ERR_DB, "database '%s' is locked: another process (an "
		    "Airflow scheduler or webserver?) holds a lock on it; %s failed "
		    "after waiting %d ms and nothing was changed", s->name, what,
		    p->lock_s * 1000);
	} else if (n == ER_LOCK_DEADLOCK) {
		err_set(e, ERR_DB, "database '%s' is busy (%s): %s failed and "
		    "nothing was changed; try again", s->name, msg, what);
	} else if (n == ER_TABLEACCESS_DENIED_ERROR ||
	    n == ER_COLUMNACCESS_DENIED_ERROR || n == ER_OPTION_PREVENTS_STATEMENT ||
	    n == ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION) {
		err_set(e, ERR_DENIED, "database '%s' is read-only for this user "
		    "(%s); %s failed and nothing was changed", s->name, msg, what);
	} else if (n == ER_NO_SUCH_TABLE || n == ER_BAD_FIELD_ERROR ||
	    n == ER_NO_DB_ERROR) {
		err_set(e, ERR_DB, "database '%s': %s failed: %s (is it an Airflow "
		    "metadata database?)", s->name, what, msg);
	} else if (n == ER_QUERY_INTERRUPTED && p->interrupted) {
		p->interrupted = 0;
		err_set(e, ERR_INTERRUPTED, "database '%s': %s was interrupted%s",
		    s->name, what, s->in_tx ? "; the transaction was rolled back "
		    "and nothing was changed" : "");
	} else if (n == ER_QUERY_INTERRUPTED) {
		err_set(e, ERR_DB, "database '%s': %s was cancelled (%s); nothing "
		    "was changed", s->name, what, msg);
	} else {
		err_set(e, ERR_DB, "database '%s': %s failed: %s", s->name, what, msg);
	}
	return -1;
}

/* Map the session's last error to e; returns -1. */
static int
my_fail(struct store *s, const char *what, struct err *e)
{
	struct my *p = s->impl;

	return my_fail_n(s, mysql_errno(p->m), mysql_error(p->m), what, e);
}

/* -- values in SQL ------------------------------------------------------- */

/*
 * Append a value as intro X'hex' (NULL: NULL). The hex of a secret is as
 * secret as the value: b must be a locked buffer then.
 */
static void
add_value(struct buf *b, const char *intro, const char *v, size_t len)
{
	char hex[513];
	size_t i, n;

	if (v == NULL) {
		buf_adds(b, "NULL");
		return;
	}
	if (len == 0) {
		buf_addf(b, "%s''", intro);
		return;
	}
	buf_addf(b, "%sX'", intro);
	for (i = 0; i < len; i += n) {
		n = len - i < 256 ? len - i : 256;
		sodium_bin2hex(hex, sizeof hex, (const unsigned char *)v + i, n);
		buf_add(b, hex, 2 * n);
	}
	sodium_memzero(hex, sizeof hex);
	buf_addc(b, '\'');
}

static void
add_text(struct buf *b, const char *v)
{
	add_value(b, "_utf8mb4 ", v, v ? strlen(v) : 0);
}

/* A conn_id in the column's own character set (its collation applies). */
static void
add_conn_id(struct my *p, struct buf *b, const char *v)
{
	char intro[40];

	snprintf(intro, sizeof intro, "_%s ", p->cs);
	add_value(b, intro, v, strlen(v));
}

/* -- statements ---------------------------------------------------------- */

static void
cancel_arm(struct my *p)
{
	pthread_mutex_lock(&p->cancel_lock);
	p->armed = 1;
	p->sent = 0;
	pthread_mutex_unlock(&p->cancel_lock);
}

static void
cancel_disarm(struct my *p)
{
	pthread_mutex_lock(&p->cancel_lock);
	p->armed = 0;
	p->interrupted = p->sent;
	p->sent = 0;
	pthread_mutex_unlock(&p->cancel_lock);
}

static int connect_session(struct store *s, struct err *e);

/*
 * Run sql (len bytes); with res, store its result there (caller frees).
 * Outside a transaction a lost session is re-established and the statement
 * run once more (every statement outside a transaction is a read or a
 * write that did not happen). 0, or -1 with e set.
 */
static int
run(struct store *s, const struct buf *sql, MYSQL_RES **res, const char *what,
    struct err *e)
{
	struct my *p = s->impl;
	int tries, rc;

	if (res != NULL)
		*res = NULL;
	if (buf_check(sql, e) != 0)
		return -1;
	if (queue_send(s, e) != 0)
		return -1;
	if (s->in_tx && p->tx_failed) {
		err_set(e, ERR_DB, "database '%s': %s: the transaction had failed "
		    "earlier; nothing was changed", s->name, what);
		return -1;
	}
	/* A reconnect that failed earlier is tried again, once per call. */
	if (p->m == NULL && connect_session(s, e) != 0)
		return -1;
	for (tries = 0; tries < 2; tries++) {
		p->errnum = 0;
		p->interrupted = 0;
		cancel_arm(p);
		rc = mysql_real_query(p->m, buf_str(sql), (unsigned long)sql->len);
		if (rc == 0 && res != NULL &&
		    (*res = mysql_store_result(p->m)) == NULL &&
		    mysql_field_count(p->m) > 0)
			rc = -1;
		cancel_disarm(p);
		if (rc == 0)
			return 0;
		if (tries > 0 || s->in_tx || p->snap_open || p->cursors > 0 ||
		    !is_lost(mysql_errno(p->m)))
			break;
		/* Reconnect once; a failure to is reported as such. */
		mysql_close(p->m);
		p->m = NULL;
		if (connect_session(s, e) != 0)
			return -1;
	}
	return my_fail(s, what, e);
}

/* run() of a constant statement. */
static int
run_str(struct store *s, const char *sql, MYSQL_RES **res, const char *what,
    struct err *e)
{
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, sql);
	rc = run(s, &b, res, what, e);
	buf_release(&b);
	return rc;
}

/* Wipe the columns cols of every row of r, then free r. */
static void
free_wiped(MYSQL_RES *r, const int *cols, size_t ncols)
{
	MYSQL_ROW row;
	unsigned long *len;
	size_t i;

	if (r == NULL)
		return;
	mysql_data_seek(r, 0);
	while ((row = mysql_fetch_row(r)) != NULL) {
		len = mysql_fetch_lengths(r);
		for (i = 0; i < ncols; i++)
			if (row[cols[i]] != NULL)
				sodium_memzero(row[cols[i]], len[cols[i]]);
	}
	mysql_free_result(r);
}

/* The first value of a one-row result as a new string (NULL: none). */
static int
query_one(struct store *s, const struct buf *sql, char **out, const char *what,
    struct err *e)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	*out = NULL;
	if (run(s, sql, &r, what, e) != 0)
		return -1;
	if (r != NULL && (row = mysql_fetch_row(r)) != NULL && row[0] != NULL &&
	    (*out = strdup(row[0])) == NULL) {
		mysql_free_result(r);
		err_nomem(e);
		return -1;
	}
	mysql_free_result(r);
	return 0;
}

/* -- names of locked rows (upserts) -------------------------------------- */

static enum tab
tab_of(enum store_field f)
{
	if (f == STORE_CONN_PASSWORD || f == STORE_CONN_EXTRA)
		return TAB_CONN;
	return f == STORE_VAR_VAL ? TAB_VAR : TAB_NONE;
}

static void
names_free(struct names *nm)
{
	free(nm->id);
	free(nm->off);
	free(nm->text);
	memset(nm, 0, sizeof *nm);
}

/* Forget every name: the transaction that locked the rows is over. */
static void
names_clear(struct my *p)
{
	size_t i;

	for (i = 0; i < NAME_PAGES; i++)
		names_free(&p->names[i]);
	p->names_next = 0;
}

/*
 * Keep the ids and names (column 3) of a page of field f just read FOR
 * UPDATE, in the oldest slot. Out of memory, the page is not kept (its
 * rows go by UPDATE ... JOIN). Leaves r at its first row.
 */
static void
names_note(struct my *p, enum store_field f, MYSQL_RES *r)
{
	struct names *nm;
	MYSQL_ROW row;
	unsigned long *len;
	size_t n = (size_t)mysql_num_rows(r), i = 0, bytes = 0;

	if (tab_of(f) == TAB_NONE || n == 0)
		return;
	nm = &p->names[p->names_next++ % NAME_PAGES];
	names_free(nm);
	while ((row = mysql_fetch_row(r)) != NULL) {
		len = mysql_fetch_lengths(r);
		bytes += (row[3] != NULL ? len[3] : 0) + 1;
	}
	nm->id = calloc(n, sizeof *nm->id);
	nm->off = calloc(n, sizeof *nm->off);
	nm->text = malloc(bytes);
	mysql_data_seek(r, 0);
	if (nm->id == NULL || nm->off == NULL || nm->text == NULL) {
		names_free(nm);
		return;
	}
	for (bytes = 0; i < n && (row = mysql_fetch_row(r)) != NULL; i++) {
		len = mysql_fetch_lengths(r);
		nm->id[i] = row[0] != NULL ? strtoll(row[0], NULL, 10) : -1;
		nm->off[i] = SIZE_MAX;
		if (row[3] == NULL || memchr(row[3], '\0', len[3]) != NULL)
			continue;
		memcpy(nm->text + bytes, row[3], len[3]);
		nm->text[bytes + len[3]] = '\0';
		nm->off[i] = bytes;
		bytes += len[3] + 1;
	}
	mysql_data_seek(r, 0);
	nm->tab = tab_of(f);
	nm->n = i;
}

/* The name of row id of f's table, if this transaction read it locked. */
static const char *
names_find(struct my *p, enum store_field f, int64_t id)
{
	const struct names *nm;
	size_t i, lo, hi, mid;

	for (i = 0; i < NAME_PAGES; i++) {
		nm = &p->names[i];
		if (nm->tab != tab_of(f) || nm->n == 0 || id < nm->id[0] ||
		    id > nm->id[nm->n - 1])
			continue;
		for (lo = 0, hi = nm->n; lo < hi;) {
			mid = lo + (hi - lo) / 2;
			if (nm->id[mid] < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < nm->n && nm->id[lo] == id && nm->off[lo] != SIZE_MAX)
			return nm->text + nm->off[lo];
	}
	return NULL;
}

/* -- sessions ------------------------------------------------------------ */

static int
session_setup(struct store *s, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_addf(&b, "SET SESSION sql_mode = CONCAT_WS(',', "
	    "NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES'), "
	    "SESSION innodb_lock_wait_timeout = %d, SESSION lock_wait_timeout = %d",
	    p->lock_s, p->lock_s);
	rc = run(s, &b, NULL, "setting up the session", e);
	buf_release(&b);
	return rc;
}

/* A new session on p->u (p->m NULL). 0, or -1 with e set. */
static MYSQL *
session_open(const struct myurl *u, struct err *e)
{
	MYSQL *m = mysql_init(NULL);

	if (m == NULL) {
		err_nomem(e);
		return NULL;
	}
	if (myurl_apply(u, m, e) != 0) {
		mysql_close(m);
		return NULL;
	}
	if (mysql_real_connect(m, myurl_host(u), myurl_user(u),
	    myurl_password(u), myurl_db(u), myurl_port(u), myurl_socket(u),
	    CLIENT_FOUND_ROWS) == NULL) {
		err_set(e, ERR_DB, "cannot connect to MySQL at %s: %s",
		    myurl_where(u), mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

static int
connect_session(struct store *s, struct err *e)
{
	struct my *p = s->impl;
	MYSQL *m;

	if ((m = session_open(p->u, e)) == NULL)
		return -1;
	pthread_mutex_lock(&p->cancel_lock);
	p->m = m;
	p->thread_id = mysql_thread_id(m);
	pthread_mutex_unlock(&p->cancel_lock);
	return session_setup(s, e);
}

static int
load_columns(struct store *s, struct err *e)
{
	struct my *p = s->impl;
	MYSQL_RES *r;
	MYSQL_ROW row;
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, "SELECT COLUMN_NAME, CHARACTER_SET_NAME FROM "
	    "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
	    "TABLE_NAME = 'connection'");
	rc = run(s, &b, &r, "reading the schema", e);
	buf_release(&b);
	if (rc != 0)
		return -1;
	while ((row = mysql_fetch_row(r)) != NULL) {
		if (row[0] == NULL)
			continue;
		store_schema_note(&p->sch, row[0]);
		/* An identifier-safe charset name for the introducer. */
		if (strcmp(row[0], "conn_id") == 0 && row[1] != NULL &&
		    strspn(row[1], "abcdefghijklmnopqrstuvwxyz0123456789") ==
		    strlen(row[1]) && strlen(row[1]) < sizeof p->cs)
			snprintf(p->cs, sizeof p->cs, "%s", row[1]);
	}
	mysql_free_result(r);
	p->select_cols = store_schema_select(&p->sch, s->name,
	    " in the URL's database", "", e);
	return p->select_cols != NULL ? 0 : -1;
}

/*
 * Read-only unless the user may UPDATE connection on a writable server:
 * an UPDATE of no row is checked for both and changes nothing.
 */
static int
load_access(struct store *s, struct err *e)
{
	struct my *p = s->impl;
	struct err ignored;
	unsigned n;

	err_clear(&ignored);
	if (run_str(s, "UPDATE connection SET id = id WHERE 1 = 0", NULL,
	    "reading privileges", &ignored) == 0)
		return 0;
	n = p->errnum;
	if (n == ER_TABLEACCESS_DENIED_ERROR || n == ER_COLUMNACCESS_DENIED_ERROR ||
	    n == ER_OPTION_PREVENTS_STATEMENT ||
	    n == ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION) {
		s->readonly = 1;
		return 0;
	}
	err_set(e, ignored.code, "%s", ignored.msg);
	return -1;
}

static int my_has_table(struct store *s, const char *table);

static int
load_version(struct store *s, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	int rc = 0;

	if (my_has_table(s, "alembic_version")) {
		buf_init(&b, 0);
		buf_adds(&b, "SELECT version_num FROM alembic_version LIMIT 1");
		rc = query_one(s, &b, &s->alembic_head, "reading the Airflow version",
		    e);
		buf_release(&b);
	}
	if (rc == 0)
		store_schema_version(s, &p->sch);
	return rc;
}

static const struct store_ops my_ops;

int
store_my_open(struct store *s, const char *url, const struct store_opts *o,
    struct err *e)
{
	struct my *p;

	if ((p = calloc(1, sizeof *p)) == NULL) {
		err_nomem(e);
		return -1;
	}
	pthread_mutex_init(&p->cancel_lock, NULL);
	s->impl = p;
	s->ops = &my_ops;
	buf_init(&p->q.sql, 1);
	p->up_ok[TAB_CONN] = p->up_ok[TAB_VAR] = -1;
	snprintf(p->cs, sizeof p->cs, "utf8mb4");
	p->lock_ms = o && o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000;
	p->lock_s = (p->lock_ms + 999) / 1000;
	if (myurl_parse(url, &p->u, e) != 0)
		return -1;
	if ((p->where = strdup(myurl_where(p->u))) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (asprintf(&s->name, "%s@%s", myurl_user(p->u) ? myurl_user(p->u) :
	    "", p->where) < 0) {
		s->name = NULL;
		err_nomem(e);
		return -1;
	}
	if (myurl_db(p->u) == NULL) {
		err_set(e, ERR_CONFIG, "the MySQL URL names no database "
		    "(sql_alchemy_conn: mysql://user:password@host/DATABASE)");
		return -1;
	}
	if (connect_session(s, e) != 0 || load_columns(s, e) != 0 ||
	    load_access(s, e) != 0 || load_version(s, e) != 0)
		return -1;
	return 0;
}

static void
my_close(struct store *s)
{
	struct my *p = s->impl;

	if (p == NULL)
		return;
	buf_release(&p->q.sql);
	names_clear(p);
	if (p->m != NULL)
		mysql_close(p->m);
	pthread_mutex_destroy(&p->cancel_lock);
	myurl_free(p->u);
	free(p->where);
	free(p->select_cols);
	free(p);
	s->impl = NULL;
}

static int
my_has_table(struct store *s, const char *table)
{
	struct buf b;
	char *v = NULL;
	struct err e;
	int found;

	err_clear(&e);
	buf_init(&b, 0);
	buf_adds(&b, "SELECT COUNT(*) FROM information_schema.TABLES WHERE "
	    "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ");
	add_text(&b, table);
	found = query_one(s, &b, &v, "looking for a table", &e) == 0 &&
	    v != NULL && strcmp(v, "0") != 0;
	free(v);
	buf_release(&b);
	return found;
}

static int
my_begin(struct store *s, struct err *e)
{
	struct my *p = s->impl;

	if (p->snap_open) {
		err_set(e, ERR_DB, "internal error: a transaction was started while "
		    "a listing of connections is still open");
		return -1;
	}
	p->tx_failed = 0;
	names_clear(p);
	return run_str(s, "START TRANSACTION READ WRITE", NULL,
	    "starting a transaction", e);
}

static int
my_commit(struct store *s, struct err *e)
{
	struct my *p = s->impl;

	names_clear(p);
	if (queue_send(s, e) != 0)
		return -1;
	if (p->tx_failed) {
		err_set(e, ERR_DB, "database '%s': the transaction had failed and "
		    "was rolled back; nothing was changed", s->name);
		return -1;
	}
	return run_str(s, "COMMIT", NULL, "committing", e);
}

static void
my_rollback(struct store *s)
{
	struct my *p = s->impl;

	buf_reset(&p->q.sql);
	p->q.n = 0;
	p->tx_failed = 0;
	names_clear(p);
	if (p->m != NULL)
		(void)mysql_rollback(p->m);
}

static void
my_interrupt(struct store *s)
{
	struct my *p = s->impl;
	struct err e;
	MYSQL *k;
	char sql[64];

	err_clear(&e);
	pthread_mutex_lock(&p->cancel_lock);
	if (p->armed && (k = session_open(p->u, &e)) != NULL) {
		snprintf(sql, sizeof sql, "KILL QUERY %lu", p->thread_id);
		if (mysql_query(k, sql) == 0)
			p->sent = 1;
		mysql_close(k);
	}
	pthread_mutex_unlock(&p->cancel_lock);
}

/* -- rows ---------------------------------------------------------------- */

static const int conn_secret_cols[] = { 3 + COL_PASSWORD, 3 + COL_EXTRA };

static int
col_text(struct conn *c, char **field, MYSQL_ROW row, const unsigned long *len,
    int i, struct err *e)
{
	return conn_set(c, field, row[i], row[i] ? (size_t)len[i] : 0, e);
}

static int
col_bool(MYSQL_ROW row, int i)
{
	return row[i] != NULL && strtol(row[i], NULL, 10) != 0;
}

static int
row_to_conn(MYSQL_ROW row, const unsigned long *len, struct conn *c,
    struct err *e)
{
	int rc = 0;
	size_t i;

	conn_reset(c);
	c->id = strtoll(row[0], NULL, 10);
	if (col_text(c, &c->conn_id, row, len, 1, e) != 0 ||
	    col_text(c, &c->conn_type, row, len, 2, e) != 0 ||
	    col_text(c, &c->description, row, len, 3 + COL_DESCRIPTION, e) != 0 ||
	    col_text(c, &c->host, row, len, 3 + COL_HOST, e) != 0 ||
	    col_text(c, &c->schema, row, len, 3 + COL_SCHEMA, e) != 0 ||
	    col_text(c, &c->login, row, len, 3 + COL_LOGIN, e) != 0 ||
	    col_text(c, &c->password, row, len, 3 + COL_PASSWORD, e) != 0 ||
	    col_text(c, &c->extra, row, len, 3 + COL_EXTRA, e) != 0 ||
	    col_text(c, &c->team_name, row, len, 3 + COL_TEAM_NAME, e) != 0)
		rc = -1;
	if (rc == 0 && row[3 + COL_PORT] != NULL) {
		c->has_port = 1;
		c->port = strtol(row[3 + COL_PORT], NULL, 10);
	}
	c->is_encrypted = col_bool(row, 3 + COL_IS_ENCRYPTED);
	c->is_extra_encrypted = col_bool(row, 3 + COL_IS_EXTRA_ENCRYPTED);
	for (i = 0; i < ARRAY_LEN(conn_secret_cols); i++)
		if (row[conn_secret_cols[i]] != NULL)
			sodium_memzero(row[conn_secret_cols[i]],
			    len[conn_secret_cols[i]]);
	return rc;
}

static int
my_conn_get(struct store *s, const char *conn_id, struct conn *c,
    struct err *e)
{
	struct my *p = s->impl;
	MYSQL_RES *r;
	MYSQL_ROW row;
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	buf_addf(&b, "SELECT %s FROM connection WHERE conn_id = ", p->select_cols);
	add_conn_id(p, &b, conn_id);
	if (run(s, &b, &r, "reading a connection", e) == 0) {
		if ((row = mysql_fetch_row(r)) == NULL)
			store_conn_not_found(conn_id, e);
		else
			rc = row_to_conn(row, mysql_fetch_lengths(r), c, e);
		free_wiped(r, conn_secret_cols, ARRAY_LEN(conn_secret_cols));
	}
	buf_release(&b);
	return rc;
}

/* The writable columns of c, "col = value" (set) or values in order (!set). */
static const int write_order[] = { COL_DESCRIPTION, COL_HOST, COL_SCHEMA,
    COL_LOGIN, COL_PASSWORD, COL_PORT, COL_EXTRA, COL_IS_ENCRYPTED,
    COL_IS_EXTRA_ENCRYPTED, COL_TEAM_NAME };

static void
conn_values(struct my *p, const struct conn *c, struct buf *b, int set)
{
	const char *v;
	size_t i;

	if (set)
		buf_adds(b, "conn_id = ");
	add_text(b, c->conn_id);
	buf_adds(b, set ? ", conn_type = " : ", ");
	add_text(b, c->conn_type);
	for (i = 0; i < ARRAY_LEN(write_order); i++) {
		int col = write_order[i];

		if (!p->sch.has[col])
			continue;
		buf_adds(b, ", ");
		if (set)
			buf_addf(b, "\"%s\" = ", store_col_names[col]);
		switch (col) {
		case COL_PORT:
			if (c->has_port)
				buf_addf(b, "%ld", c->port);
			else
				buf_adds(b, "NULL");
			continue;
		case COL_IS_ENCRYPTED:
			buf_adds(b, c->is_encrypted ? "1" : "0");
			continue;
		case COL_IS_EXTRA_ENCRYPTED:
			buf_adds(b, c->is_extra_encrypted ? "1" : "0");
			continue;
		case COL_DESCRIPTION: v = c->description; break;
		case COL_HOST: v = c->host; break;
		case COL_SCHEMA: v = c->schema; break;
		case COL_LOGIN: v = c->login; break;
		case COL_PASSWORD: v = c->password; break;
		case COL_EXTRA: v = c->extra; break;
		default: v = c->team_name; break;
		}
		add_text(b, v);
	}
}

static int
my_conn_insert(struct store *s, struct conn *c, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	size_t i;
	int rc;

	buf_init(&b, 1);
	buf_adds(&b, "INSERT INTO connection (conn_id, conn_type");
	for (i = 0; i < ARRAY_LEN(write_order); i++)
		if (p->sch.has[write_order[i]])
			buf_addf(&b, ", \"%s\"", store_col_names[write_order[i]]);
	buf_adds(&b, ") VALUES (");
	conn_values(p, c, &b, 0);
	buf_adds(&b, ")");
	rc = run(s, &b, NULL, "adding a connection", e);
	buf_release(&b);
	if (rc != 0) {
		if (p->errnum == ER_DUP_ENTRY)
			err_set(e, ERR_INVALID, "A connection with `conn_id`=%s "
			    "already exists.", c->conn_id);
		return -1;
	}
	c->id = (int64_t)mysql_insert_id(p->m);
	return 0;
}

static int
my_conn_update(struct store *s, const struct conn *c, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	int rc;

	buf_init(&b, 1);
	buf_adds(&b, "UPDATE connection SET ");
	conn_values(p, c, &b, 1);
	buf_addf(&b, " WHERE id = %" PRId64, c->id);
	rc = run(s, &b, NULL, "updating a connection", e);
	buf_release(&b);
	if (rc != 0) {
		if (p->errnum == ER_DUP_ENTRY)
			err_set(e, ERR_INVALID, "A connection with `conn_id`=%s "
			    "already exists.", c->conn_id);
		return -1;
	}
	if (mysql_affected_rows(p->m) != 1) {
		store_conn_not_found(c->conn_id, e);
		return -1;
	}
	return 0;
}

static int
my_conn_delete(struct store *s, const char *conn_id, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, "DELETE FROM connection WHERE conn_id = ");
	add_conn_id(p, &b, conn_id);
	rc = run(s, &b, NULL, "deleting a connection", e);
	buf_release(&b);
	if (rc == 0 && mysql_affected_rows(p->m) == 0) {
		store_conn_not_found(conn_id, e);
		rc = -1;
	}
	return rc;
}

static int
count_rows(struct store *s, const char *table, size_t *n, const char *what,
    struct err *e)
{
	struct buf b;
	char *v = NULL;
	int rc;

	buf_init(&b, 0);
	buf_addf(&b, "SELECT COUNT(*) FROM %s", table);
	rc = query_one(s, &b, &v, what, e);
	buf_release(&b);
	*n = v != NULL ? (size_t)strtoull(v, NULL, 10) : 0;
	free(v);
	return rc;
}

static int
my_conn_count(struct store *s, size_t *n, struct err *e)
{
	return count_rows(s, "connection", n, "counting connections", e);
}

static int
my_field_count(struct store *s, enum store_field f, size_t *n, struct err *e)
{
	return count_rows(s, store_field_sql[f].table, n, "counting rows", e);
}

static int
my_var_insert(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	int rc;

	buf_init(&b, 1);
	buf_adds(&b, "INSERT INTO variable (\"key\", val, description, "
	    "is_encrypted) VALUES (");
	add_text(&b, key);
	buf_adds(&b, ", ");
	add_value(&b, "_utf8mb4 ", val, len);
	buf_adds(&b, ", ");
	add_text(&b, description);
	buf_addf(&b, ", %d)", is_encrypted ? 1 : 0);
	rc = run(s, &b, NULL, "adding a variable", e);
	buf_release(&b);
	if (rc != 0 && p->errnum == ER_DUP_ENTRY)
		err_set(e, ERR_INVALID, "a variable with key '%s' already exists",
		    key);
	return rc;
}

/* store_int.h: var_update (the row keeps its id). */
static int
my_var_update(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	struct buf b;
	int rc;

	buf_init(&b, 1);
	buf_adds(&b, "UPDATE variable SET val = ");
	add_value(&b, "_utf8mb4 ", val, len);
	buf_adds(&b, ", description = ");
	add_text(&b, description);
	buf_addf(&b, ", is_encrypted = %d WHERE CAST(\"key\" AS BINARY) = ",
	    is_encrypted ? 1 : 0);
	add_value(&b, "_binary ", key, strlen(key));
	rc = run(s, &b, NULL, "updating a variable", e);
	buf_release(&b);
	return rc;
}

/* -- iterators ----------------------------------------------------------- */

/*
 * IT_PAIR: store_conn_secrets_iter(), both secrets of a connection from
 * one read of its row (one SELECT a page, FOR UPDATE in a transaction):
 * the password, then the extra of the same row.
 */
enum it_kind { IT_CONN, IT_VAR, IT_FIELD, IT_PAIR };

/* A row of a cursor's page at its position in the listing (cursor_fill()). */
struct cur_slot {
	int64_t		 id;
	size_t		 pos;
	MYSQL_ROW	 row;		/* NULL: the row is gone */
};

struct my_iter {
	struct store_iter	 base;
	struct store		*s;
	enum it_kind		 kind;
	enum store_field	 f;
	MYSQL_RES		*res;
	MYSQL_ROW		 row;
	unsigned long		*len;
	int			 done;
	size_t			 left;		/* SIZE_MAX: all */
	char			*after, *before, *match;
	char			*key;		/* store_var_list(): key = */
	int			 varlist;	/* store_var_list(): one page */
	int			 desc, db_order, lock;
	int			 snapshot;	/* read in its own snapshot */
	int			 own_snap;	/* ... which it began */
	int64_t			 after_id;
	char			*val;		/* locked copy of a value */
	size_t			 val_cap;
	char			*val2;		/* IT_PAIR: the extra's */
	size_t			 val2_cap;
	int			 turn;		/* IT_PAIR: 1, the extra is next */
	enum err_code		 failed;
	/* A long listing in byte order: ids from a server-side cursor. */
	int			 cursor;	/* read so (my_conn_iter, my_var_list) */
	MYSQL_STMT		*cur;		/* the ids, in listing order */
	int			 cur_open;	/* executed: counted in p->cursors */
	int64_t			 cur_id;	/* bound to the cursor's column */
	struct cur_slot		*slots;		/* the page's ids and rows, PAGE_ROWS */
	size_t			 nids;
	size_t			 slot_at;	/* the next position */
	unsigned long		*lens;		/* their lengths, ncols each */
};

static void
iter_clear_page(struct my_iter *it)
{
	static const int one[] = { 1 }, two[] = { 2 };

	if (it->res == NULL)
		return;
	static const int pair[] = { 1, 4 };

	if (it->kind == IT_CONN)
		free_wiped(it->res, conn_secret_cols, ARRAY_LEN(conn_secret_cols));
	else if (it->kind == IT_PAIR)
		free_wiped(it->res, pair, ARRAY_LEN(pair));
	else
		free_wiped(it->res, it->kind == IT_VAR ? two : one, 1);
	it->res = NULL;
}

/* The columns of a variable listing (store_var_list()). */
static const char var_list_cols[] =
    "id, \"key\", val, is_encrypted, description";

/* The rows of the ids of a cursor's page (slots_fill() puts them in order). */
static void
cursor_page_sql(struct my_iter *it, struct buf *b)
{
	struct my *p = it->s->impl;
	size_t i;

	buf_addf(b, "SELECT %s FROM %s WHERE id IN (", it->kind == IT_VAR ?
	    var_list_cols : p->select_cols, it->kind == IT_VAR ? "variable" :
	    "connection");
	for (i = 0; i < it->nids; i++)
		buf_addf(b, "%s%" PRId64, i ? ", " : "", it->slots[i].id);
	buf_adds(b, ")");
}

/*
 * The SQL of the iterator's next page of want rows; with ids, the SQL of
 * its cursor instead: the ids of every row of the listing, in its order
 * (want 0: no LIMIT).
 */
static void
page_sql(struct my_iter *it, size_t want, int ids, struct buf *b)
{
	struct my *p = it->s->impl;
	const struct store_field_sql *fs;
	const char *col = it->db_order ? "conn_id" : "CAST(conn_id AS BINARY)";
	char limit[40] = "";

	if (want > 0)
		snprintf(limit, sizeof limit, " LIMIT %zu", want);
	if (it->kind == IT_VAR && it->varlist) {
		/* One page in byte order; store.c pages by key. */
		buf_addf(b, "SELECT %s FROM variable WHERE 1 = 1", ids ? "id" :
		    var_list_cols);
		if (it->after != NULL) {
			buf_adds(b, " AND CAST(\"key\" AS BINARY) > ");
			add_value(b, "_binary ", it->after, strlen(it->after));
		}
		if (it->before != NULL) {
			buf_adds(b, " AND CAST(\"key\" AS BINARY) < ");
			add_value(b, "_binary ", it->before, strlen(it->before));
		}
		if (it->key != NULL) {
			buf_adds(b, " AND CAST(\"key\" AS BINARY) = ");
			add_value(b, "_binary ", it->key, strlen(it->key));
		}
		if (it->match != NULL) {
			buf_adds(b, " AND LOCATE(LOWER(");
			add_text(b, it->match);
			buf_adds(b, "), LOWER(\"key\")) > 0");
		}
		buf_addf(b, " ORDER BY CAST(\"key\" AS BINARY)%s%s",
		    it->desc ? " DESC" : "", limit);
		return;
	}
	if (it->kind == IT_VAR) {
		buf_addf(b, "SELECT id, \"key\", val, is_encrypted FROM variable "
		    "WHERE id > %" PRId64 " ORDER BY id LIMIT %zu", it->after_id,
		    want);
		return;
	}
	if (it->kind == IT_PAIR) {
		buf_addf(b, "SELECT id, password, is_encrypted, conn_id, extra, "
		    "is_extra_encrypted FROM connection WHERE id > %" PRId64
		    " ORDER BY id LIMIT %zu%s", it->after_id, want,
		    it->lock ? " FOR UPDATE" : "");
		return;
	}
	if (it->kind == IT_FIELD) {
		fs = &store_field_sql[it->f];
		buf_addf(b, "SELECT id, %s, %s, %s FROM %s WHERE id > %" PRId64
		    " ORDER BY id LIMIT %zu%s", fs->column,
		    fs->flag ? fs->flag : "NULL", fs->name ? fs->name : "NULL",
		    fs->table, it->after_id, want, it->lock ? " FOR UPDATE" : "");
		return;
	}
	buf_addf(b, "SELECT %s FROM connection WHERE 1 = 1", ids ? "id" :
	    p->select_cols);
	if (it->after != NULL) {
		buf_addf(b, " AND %s > ", col);
		if (it->db_order)
			add_conn_id(p, b, it->after);
		else
			add_value(b, "_binary ", it->after, strlen(it->after));
	}
	if (it->before != NULL) {
		buf_addf(b, " AND %s < ", col);
		if (it->db_order)
			add_conn_id(p, b, it->before);
		else
			add_value(b, "_binary ", it->before, strlen(it->before));
	}
	if (it->match != NULL) {
		/* Airflow's search: a case-insensitive substring. */
		buf_adds(b, " AND (LOCATE(LOWER(");
		add_text(b, it->match);
		buf_adds(b, "), LOWER(conn_id)) > 0 OR LOCATE(LOWER(");
		add_text(b, it->match);
		buf_adds(b, "), LOWER(conn_type)) > 0");
		if (p->sch.has[COL_HOST]) {
			buf_adds(b, " OR LOCATE(LOWER(");
			add_text(b, it->match);
			buf_adds(b, "), LOWER(host)) > 0");
		}
		buf_adds(b, ")");
	}
	buf_addf(b, " ORDER BY %s%s%s", col, it->desc ? " DESC" : "", limit);
}

/* The cursor's error as my_fail()'s; returns -1. */
static int
cursor_fail(struct my_iter *it, const char *what, struct err *e)
{
	return my_fail_n(it->s, mysql_stmt_errno(it->cur),
	    mysql_stmt_error(it->cur), what, e);
}

/*
 * Open the listing's cursor (see the top comment): the ids of its rows in
 * its order, sorted once by the server, which keeps them and hands them
 * out PAGE_ROWS at a time. 0, or -1 with e set.
 */
static int
cursor_open(struct my_iter *it, const char *what, struct err *e)
{
	struct store *s = it->s;
	struct my *p = s->impl;
	unsigned long type = CURSOR_TYPE_READ_ONLY, rows = PAGE_ROWS;
	MYSQL_BIND bind;
	struct buf b;
	int rc = -1;

	if (queue_send(s, e) != 0)
		return -1;
	if (p->m == NULL && connect_session(s, e) != 0)
		return -1;
	if ((it->slots = calloc(PAGE_ROWS, sizeof *it->slots)) == NULL ||
	    (it->cur = mysql_stmt_init(p->m)) == NULL)
		return err_nomem(e);
	buf_init(&b, 0);
	page_sql(it, it->left == SIZE_MAX ? 0 : it->left, 1, &b);
	if (buf_check(&b, e) != 0)
		goto out;
	memset(&bind, 0, sizeof bind);
	bind.buffer_type = MYSQL_TYPE_LONGLONG;
	bind.buffer = &it->cur_id;
	p->errnum = 0;
	p->interrupted = 0;
	cancel_arm(p);
	rc = mysql_stmt_attr_set(it->cur, STMT_ATTR_CURSOR_TYPE, &type) ||
	    mysql_stmt_attr_set(it->cur, STMT_ATTR_PREFETCH_ROWS, &rows) ||
	    mysql_stmt_prepare(it->cur, buf_str(&b), (unsigned long)b.len) ||
	    mysql_stmt_bind_result(it->cur, &bind) ||
	    mysql_stmt_execute(it->cur) ? -1 : 0;
	cancel_disarm(p);
	if (rc != 0)
		cursor_fail(it, what, e);
	else
		it->cur_open = 1;
	p->cursors += it->cur_open;
out:
	buf_release(&b);
	return rc;
}

/*
 * The next ids of the cursor, at most want, into it->slots at their
 * positions in the listing. 0, or -1 with e set.
 */
static int
cursor_fetch(struct my_iter *it, size_t want, const char *what,
    struct err *e)
{
	struct my *p = it->s->impl;
	int rc = 0;

	it->nids = 0;
	if (it->cur == NULL && cursor_open(it, what, e) != 0)
		return -1;
	p->errnum = 0;
	p->interrupted = 0;
	cancel_arm(p);
	while (it->nids < want && (rc = mysql_stmt_fetch(it->cur)) == 0) {
		it->slots[it->nids].id = it->cur_id;
		it->slots[it->nids].pos = it->nids;
		it->slots[it->nids].row = NULL;
		it->nids++;
	}
	cancel_disarm(p);
	if (rc != 0 && rc != MYSQL_NO_DATA)
		return cursor_fail(it, what, e);
	return 0;
}

static void
cursor_close(struct my_iter *it)
{
	struct my *p = it->s->impl;

	if (it->cur != NULL) {
		mysql_stmt_close(it->cur);
		it->cur = NULL;
		p->cursors -= it->cur_open;
		it->cur_open = 0;
	}
	free(it->slots);
	free(it->lens);
	it->slots = NULL;
	it->lens = NULL;
}

static int
slot_cmp(const void *a, const void *b)
{
	const struct cur_slot *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int
slot_pos_cmp(const void *a, const void *b)
{
	const struct cur_slot *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Put the rows of a cursor's page (it->res, in the server's order) at
 * their positions in the listing: slots sorted by id find each row, then
 * by position give them out. The lengths are copied, since
 * mysql_fetch_lengths() gives the last row's only. 0, or -1 (e set).
 */
static int
slots_fill(struct my_iter *it, struct err *e)
{
	unsigned ncols = mysql_num_fields(it->res);
	struct cur_slot key, *sl;
	unsigned long *len;
	MYSQL_ROW row;

	free(it->lens);
	if ((it->lens = calloc(it->nids, ncols * sizeof *it->lens)) == NULL)
		return err_nomem(e);
	qsort(it->slots, it->nids, sizeof *it->slots, slot_cmp);
	while ((row = mysql_fetch_row(it->res)) != NULL) {
		len = mysql_fetch_lengths(it->res);
		key.id = strtoll(row[0], NULL, 10);
		sl = bsearch(&key, it->slots, it->nids, sizeof *it->slots,
		    slot_cmp);
		if (sl == NULL)
			continue;	/* not asked for: cannot be */
		sl->row = row;
		memcpy(it->lens + sl->pos * ncols, len, ncols * sizeof *len);
	}
	qsort(it->slots, it->nids, sizeof *it->slots, slot_pos_cmp);
	it->slot_at = 0;
	return 0;
}

/* The next row of a cursor's page into it->row: 1, or 0 when used up. */
static int
slot_next(struct my_iter *it)
{
	unsigned ncols = mysql_num_fields(it->res);

	while (it->slot_at < it->nids) {
		struct cur_slot *sl = &it->slots[it->slot_at++];

		if (sl->row != NULL) {
			it->row = sl->row;
			it->len = it->lens + sl->pos * ncols;
			return 1;
		}
	}
	return 0;
}

/*
 * iter_fill() of a cursor: the rows of its next ids, by id, in the
 * cursor's order. A row deleted since the cursor was opened is not
 * there; a page of only such rows is passed over.
 */
static int
cursor_fill(struct my_iter *it, size_t want, const char *what,
    struct err *e)
{
	struct store *s = it->s;
	struct buf b;
	int rc;

	for (;;) {
		if (cursor_fetch(it, want, what, e) != 0)
			goto fail;
		if (it->nids < want)
			it->done = 1;
		if (it->left != SIZE_MAX)
			it->left -= it->nids;
		if (it->nids == 0)
			return 0;
		buf_init(&b, 0);
		cursor_page_sql(it, &b);
		rc = run(s, &b, &it->res, what, e);
		buf_release(&b);
		if (rc != 0 || slots_fill(it, e) != 0)
			goto fail;
		if (slot_next(it))
			return 1;
		iter_clear_page(it);
		if (it->done || it->left == 0)
			return 0;
	}
fail:
	it->failed = e != NULL && e->code != ERR_NONE ? e->code : ERR_DB;
	return -1;
}

/* 1 with a row in it->row, 0 at the end, -1 with e set. */
static int
iter_fill(struct my_iter *it, const char *what, struct err *e)
{
	struct store *s = it->s;
	struct my *p = s->impl;
	struct buf b;
	size_t want;
	int rc;

	if (it->res != NULL && it->cursor) {
		if (slot_next(it))
			return 1;
	} else if (it->res != NULL &&
	    (it->row = mysql_fetch_row(it->res)) != NULL) {
		it->len = mysql_fetch_lengths(it->res);
		return 1;
	}
	iter_clear_page(it);
	if (it->failed != ERR_NONE) {
		err_set(e, it->failed, "database '%s': %s stopped at an earlier "
		    "error", s->name, what);
		return -1;
	}
	if (it->done || it->left == 0)
		return 0;
	if (it->snapshot && !it->own_snap && !s->in_tx) {
		if (run_str(s, "START TRANSACTION WITH CONSISTENT SNAPSHOT, "
		    "READ ONLY", NULL, what, e) != 0)
			goto fail;
		it->own_snap = p->snap_open = 1;
	}
	want = it->left < PAGE_ROWS ? it->left : PAGE_ROWS;
	if (it->cursor)
		return cursor_fill(it, want, what, e);
	buf_init(&b, 0);
	page_sql(it, want, 0, &b);
	rc = run(s, &b, &it->res, what, e);
	buf_release(&b);
	if (rc != 0)
		goto fail;
	if ((it->kind == IT_FIELD || it->kind == IT_PAIR) && it->lock &&
	    s->in_tx)
		names_note(p, it->f, it->res);
	if (mysql_num_rows(it->res) < want || it->varlist)
		it->done = 1;
	if (it->left != SIZE_MAX)
		it->left -= (size_t)mysql_num_rows(it->res);
	if ((it->row = mysql_fetch_row(it->res)) == NULL)
		return 0;
	it->len = mysql_fetch_lengths(it->res);
	return 1;
fail:
	it->failed = e != NULL && e->code != ERR_NONE ? e->code : ERR_DB;
	return -1;
}

static int
it_conn_next(struct store_iter *base, struct conn *c, struct err *e)
{
	struct my_iter *it = (struct my_iter *)base;
	char **bound;
	int rc;

	if ((rc = iter_fill(it, "reading connections", e)) != 1)
		return rc;
	/* The next page starts past this row, compared by the server. */
	bound = it->desc ? &it->before : &it->after;
	free(*bound);
	if ((*bound = strndup(it->row[1], it->len[1])) == NULL) {
		err_nomem(e);
		return -1;
	}
	return row_to_conn(it->row, it->len, c, e) != 0 ? -1 : 1;
}

/* Copy column col into the locked buffer *buf (of *cap bytes); wipe the cell. */
static int
copy_cell(struct my_iter *it, int col, char **buf, size_t *cap,
    const char **out, size_t *len, struct err *e)
{
	size_t n;

	*out = NULL;
	*len = 0;
	if (it->row[col] == NULL)
		return 0;
	n = it->len[col];
	if (n + 1 > *cap) {
		sodium_free(*buf);
		*cap = n + 1 < 256 ? 256 : n + 1;
		if ((*buf = sodium_malloc(*cap)) == NULL) {
			*cap = 0;
			err_nomem(e);
			return -1;
		}
	}
	memcpy(*buf, it->row[col], n);
	(*buf)[n] = '\0';
	sodium_memzero(it->row[col], n);
	*out = *buf;
	*len = n;
	return 0;
}

/* copy_cell() into the iterator's value buffer. */
static int
copy_value(struct my_iter *it, int col, const char **out, size_t *len,
    struct err *e)
{
	return copy_cell(it, col, &it->val, &it->val_cap, out, len, e);
}

static int
it_var_next(struct store_iter *base, struct store_var *v, struct err *e)
{
	struct my_iter *it = (struct my_iter *)base;
	const char *val;
	size_t len;
	int rc;

	if (it->val != NULL)
		sodium_memzero(it->val, it->val_cap);
	if ((rc = iter_fill(it, "reading variables", e)) != 1)
		return rc;
	memset(v, 0, sizeof *v);
	v->id = strtoll(it->row[0], NULL, 10);
	v->key = it->row[1];
	v->is_encrypted = col_bool(it->row, 3);
	if (it->varlist)
		v->description = it->row[4];
	if (copy_value(it, 2, &val, &len, e) != 0)
		return -1;
	v->val = (char *)val;
	v->val_len = len;
	it->after_id = v->id;
	return 1;
}

static int
it_field_next(struct store_iter *base, struct store_value *v, struct err *e)
{
	struct my_iter *it = (struct my_iter *)base;
	int rc;

	if (it->kind == IT_PAIR && it->turn == 1) {
		/* The extra of the row whose password was given last. */
		it->turn = 0;
		memset(v, 0, sizeof *v);
		v->id = it->after_id;
		v->flag = col_bool(it->row, 5);
		v->name = it->row[3];
		return copy_cell(it, 4, &it->val2, &it->val2_cap, &v->value,
		    &v->len, e) != 0 ? -1 : 1;
	}
	if (it->val != NULL)
		sodium_memzero(it->val, it->val_cap);
	if (it->val2 != NULL)
		sodium_memzero(it->val2, it->val2_cap);
	if ((rc = iter_fill(it, "reading values", e)) != 1)
		return rc;
	memset(v, 0, sizeof *v);
	v->id = strtoll(it->row[0], NULL, 10);
	if (copy_value(it, 1, &v->value, &v->len, e) != 0)
		return -1;
	v->flag = store_field_sql[it->f].flag != NULL ? col_bool(it->row, 2) : -1;
	v->name = it->row[3];
	it->after_id = v->id;
	it->turn = it->kind == IT_PAIR;
	return 1;
}

static void
it_free(struct store_iter *base)
{
	struct my_iter *it = (struct my_iter *)base;
	struct my *p = it->s->impl;

	iter_clear_page(it);
	cursor_close(it);
	if (it->own_snap) {
		if (p->m != NULL)
			(void)mysql_commit(p->m);
		p->snap_open = 0;
	}
	sodium_free(it->val);
	sodium_free(it->val2);
	free(it->after);
	free(it->before);
	free(it->match);
	free(it->key);
	free(it);
}

static const struct store_iter_ops my_iter_ops = {
	it_conn_next, it_var_next, it_field_next, it_free
};

static struct my_iter *
iter_new(struct store *s, enum it_kind kind, struct err *e)
{
	struct my_iter *it = calloc(1, sizeof *it);

	if (it == NULL) {
		err_nomem(e);
		return NULL;
	}
	it->base.ops = &my_iter_ops;
	it->s = s;
	it->kind = kind;
	it->left = SIZE_MAX;
	return it;
}

static int
my_conn_iter(struct store *s, const struct store_query *q,
    struct store_iter **out, struct err *e)
{
	struct my *p = s->impl;
	struct my_iter *it;

	*out = NULL;
	if ((it = iter_new(s, IT_CONN, e)) == NULL)
		return -1;
	if (q != NULL) {
		if ((q->after != NULL && (it->after = strdup(q->after)) == NULL) ||
		    (q->before != NULL &&
		    (it->before = strdup(q->before)) == NULL) ||
		    (q->match != NULL && *q->match != '\0' &&
		    (it->match = strdup(q->match)) == NULL)) {
			err_nomem(e);
			it_free(&it->base);
			return -1;
		}
		it->desc = q->desc;
		it->db_order = q->db_order;
		if (q->limit > 0)
			it->left = q->limit;
	}
	/* An export of more than a page: one snapshot, as Airflow's SELECT. */
	it->snapshot = it->db_order && !p->snap_open &&
	    (it->left == SIZE_MAX || it->left > PAGE_ROWS);
	/* A listing of more than a page in byte order: one sort, a cursor. */
	it->cursor = !it->db_order &&
	    (it->left == SIZE_MAX || it->left > PAGE_ROWS);
	*out = &it->base;
	return 0;
}

static int
my_var_iter(struct store *s, struct store_iter **out, struct err *e)
{
	struct my_iter *it;

	*out = NULL;
	if ((it = iter_new(s, IT_VAR, e)) == NULL)
		return -1;
	*out = &it->base;
	return 0;
}

/* A field (IT_FIELD) or secrets (IT_PAIR) iterator by id. */
static int
id_iter(struct store *s, enum it_kind kind, enum store_field f,
    int64_t after_id, size_t limit, struct store_iter **out, struct err *e)
{
	struct my_iter *it;

	*out = NULL;
	if ((it = iter_new(s, kind, e)) == NULL)
		return -1;
	it->f = f;
	/* In a transaction, rows are locked as read (no lost Airflow write). */
	it->lock = s->in_tx;
	it->after_id = after_id;
	if (limit > 0)
		it->left = limit;
	*out = &it->base;
	return 0;
}

static int
my_field_iter(struct store *s, enum store_field f, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e)
{
	return id_iter(s, IT_FIELD, f, after_id, limit, out, e);
}

/* store_int.h: conn_secrets_iter (IT_PAIR). */
static int
my_conn_secrets_iter(struct store *s, int64_t after_id, size_t limit,
    struct store_iter **out, struct err *e)
{
	return id_iter(s, IT_PAIR, STORE_CONN_PASSWORD, after_id, limit, out, e);
}

/* -- queued field updates ------------------------------------------------ */

/*
 * An upsert into a table: the columns it gives (the row's id and name,
 * the values and flags, and a dummy for every other NOT NULL column
 * without a default, which only an insert would use) and what a duplicate
 * id sets. A connection row may carry one secret or both: the other is
 * NULL and keeps its value and flag (a written value is never NULL:
 * upsert_name()).
 */
static const struct upsert_table {
	const char	*table;
	const char	*name;		/* the name column, a string literal */
	const char	*cols;		/* as given, in SQL */
	const char	*lits;		/* the same as string literals */
	int		 ncols;
	const char	*set;
} upsert_tables[TAB_MAX] = {
	{ NULL, NULL, NULL, NULL, 0, NULL },
	{ "connection", "'conn_id'", "id, conn_id, conn_type, password, "
	    "is_encrypted, extra, is_extra_encrypted", "'id', 'conn_id', "
	    "'conn_type', 'password', 'is_encrypted', 'extra', "
	    "'is_extra_encrypted'", 7,
	    "password = COALESCE(VALUES(password), password), "
	    "is_encrypted = IF(VALUES(password) IS NULL, is_encrypted, "
	    "VALUES(is_encrypted)), "
	    "extra = COALESCE(VALUES(extra), extra), "
	    "is_extra_encrypted = IF(VALUES(extra) IS NULL, is_extra_encrypted, "
	    "VALUES(is_extra_encrypted))" },
	{ "variable", "'key'", "id, \"key\", val, is_encrypted", "'id', 'key', "
	    "'val', 'is_encrypted'", 4,
	    "val = VALUES(val), is_encrypted = VALUES(is_encrypted)" },
};

/*
 * A statement whose failure leaves the transaction as it was (a check of
 * the schema or of a privilege, which changes nothing): 0 and its first
 * value in *out (may be NULL), or -1.
 */
static int
probe(struct my *p, const struct buf *sql, char **out)
{
	MYSQL_RES *r;
	MYSQL_ROW row;

	*out = NULL;
	if (p->m == NULL || mysql_real_query(p->m, buf_str(sql),
	    (unsigned long)sql->len) != 0)
		return -1;
	if ((r = mysql_store_result(p->m)) == NULL)
		return mysql_field_count(p->m) > 0 ? -1 : 0;
	if ((row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		*out = strdup(row[0]);
	mysql_free_result(r);
	return 0;
}

/*
 * 1 if an upsert into table t can only update (doc/mysql.md section 5):
 * an InnoDB table whose primary key is id, whose only other unique key is
 * its name, with no trigger (an INSERT's would fire), no CHECK constraint
 * (checked on the row an insert would make), every column the upsert
 * gives and no other NOT NULL column without a default (an INSERT needs a
 * value for it even when it updates), and the INSERT privilege on those
 * columns (an INSERT of no row tells, changing nothing). Asked once per
 * store; 0 when unsure.
 */
static int
upsert_ok(struct store *s, enum tab t)
{
	struct my *p = s->impl;
	const struct upsert_table *u = &upsert_tables[t];
	static const char where[] = "WHERE TABLE_SCHEMA = DATABASE() AND "
	    "TABLE_NAME = ";
	struct err ignored;
	struct buf b;
	char *v = NULL;
	int i, ok;

	if (p->up_ok[t] >= 0)
		return p->up_ok[t];
	buf_init(&b, 0);
	buf_addf(&b, "SELECT (SELECT COUNT(*) FROM information_schema.TABLES "
	    "%s'%s' AND ENGINE = 'InnoDB') = 1", where, u->table);
	buf_addf(&b, " AND (SELECT COUNT(*) FROM information_schema.COLUMNS "
	    "%s'%s' AND COLUMN_NAME IN (%s)) = %d", where, u->table, u->lits,
	    u->ncols);
	buf_addf(&b, " AND (SELECT COUNT(*) FROM information_schema.COLUMNS "
	    "%s'%s' AND COLUMN_NAME NOT IN (%s) AND IS_NULLABLE = 'NO' AND "
	    "COLUMN_DEFAULT IS NULL AND EXTRA NOT LIKE '%%auto_increment%%' AND "
	    "EXTRA NOT LIKE '%%GENERATED%%') = 0", where, u->table, u->lits);
	buf_addf(&b, " AND (SELECT COUNT(*) FROM information_schema.STATISTICS "
	    "%s'%s' AND INDEX_NAME = 'PRIMARY' AND COLUMN_NAME = 'id' AND "
	    "SEQ_IN_INDEX = 1) = 1", where, u->table);
	buf_addf(&b, " AND (SELECT COUNT(*) FROM information_schema.STATISTICS "
	    "%s'%s' AND NON_UNIQUE = 0 AND (SEQ_IN_INDEX > 1 OR COLUMN_NAME NOT "
	    "IN ('id', %s))) = 0", where, u->table, u->name);
	buf_addf(&b, " AND (SELECT COUNT(*) FROM information_schema."
	    "TABLE_CONSTRAINTS %s'%s' AND CONSTRAINT_TYPE = 'CHECK') = 0", where,
	    u->table);
	buf_addf(&b, " AND (SELECT COUNT(*) FROM information_schema.TRIGGERS "
	    "WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = "
	    "'%s') = 0", u->table);
	ok = buf_check(&b, &ignored) == 0 && probe(p, &b, &v) == 0 && v != NULL &&
	    strcmp(v, "1") == 0;
	free(v);
	v = NULL;
	if (ok) {
		buf_reset(&b);
		buf_addf(&b, "INSERT INTO %s (%s) SELECT NULL", u->table, u->cols);
		for (i = 1; i < u->ncols; i++)
			buf_adds(&b, ", NULL");
		buf_adds(&b, " FROM DUAL WHERE 1 = 0");
		ok = buf_check(&b, &ignored) == 0 && probe(p, &b, &v) == 0;
		free(v);
	}
	buf_release(&b);
	/* A lost session is not an answer: ask again next time. */
	if (p->m != NULL && is_lost(mysql_errno(p->m)))
		return 0;
	p->up_ok[t] = ok;
	return ok;
}

/*
 * The name to upsert row id of f with, or NULL to update it by UPDATE ...
 * JOIN: only a row this transaction read FOR UPDATE, in a table where an
 * upsert can only update, with a value to write.
 */
static const char *
upsert_name(struct store *s, enum store_field f, int64_t id, int has_values)
{
	struct my *p = s->impl;
	const char *name;

	if (!s->in_tx || !has_values || tab_of(f) == TAB_NONE ||
	    (name = names_find(p, f, id)) == NULL)
		return NULL;
	return upsert_ok(s, tab_of(f)) ? name : NULL;
}

/* The first queued id the table lacks (for a message), or -1. */
static long long
queue_missing(struct my *p, const char *table)
{
	struct err ignored;
	struct buf b;
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	long long id = -1;

	buf_init(&b, 1);
	buf_adds(&b, "SELECT v.id FROM (");
	buf_add(&b, buf_str(&p->q.sql), p->q.sql.len);
	buf_addf(&b, ") AS v LEFT JOIN %s AS t ON t.id = v.id WHERE t.id IS "
	    "NULL ORDER BY v.id LIMIT 1", table);
	if (buf_check(&b, &ignored) == 0 &&
	    mysql_real_query(p->m, buf_str(&b), (unsigned long)b.len) == 0 &&
	    (r = mysql_store_result(p->m)) != NULL &&
	    (row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
		id = strtoll(row[0], NULL, 10);
	mysql_free_result(r);
	buf_release(&b);
	return id;
}

/* The statement of the queue: an upsert, or UPDATE ... JOIN. */
static void
queue_sql(struct my *p, struct buf *b)
{
	const struct store_field_sql *fs = &store_field_sql[p->q.f];
	const struct upsert_table *u = &upsert_tables[tab_of(p->q.f)];

	if (p->q.up) {
		buf_addf(b, "INSERT INTO %s (%s) VALUES ", u->table, u->cols);
		buf_add(b, buf_str(&p->q.sql), p->q.sql.len);
		buf_addf(b, " ON DUPLICATE KEY UPDATE %s", u->set);
		return;
	}
	buf_addf(b, "UPDATE %s AS t JOIN (", p->q.pair ? "connection" : fs->table);
	buf_add(b, buf_str(&p->q.sql), p->q.sql.len);
	if (p->q.pair)
		buf_adds(b, ") AS v ON t.id = v.id SET "
		    "t.password = IF(v.sp, v.val, t.password), "
		    "t.is_encrypted = IF(v.sp, v.flag, t.is_encrypted), "
		    "t.extra = IF(v.se, v.val2, t.extra), "
		    "t.is_extra_encrypted = IF(v.se, v.flag2, t.is_extra_encrypted)");
	else if (fs->flag != NULL)
		buf_addf(b, ") AS v ON t.id = v.id SET t.%s = v.val, t.%s = v.flag",
		    fs->column, fs->flag);
	else
		buf_addf(b, ") AS v ON t.id = v.id SET t.%s = v.val", fs->column);
	/*
	 * The batch's id range keeps the plan on the primary key (a range of
	 * t, then the derived table): a batch costs its rows, not the table.
	 */
	buf_addf(b, " WHERE t.id BETWEEN %" PRId64 " AND %" PRId64, p->q.first_id,
	    p->q.last_id);
}

/*
 * Send the queue. Every queued row must exist: an UPDATE ... JOIN counts
 * the rows it matched (CLIENT_FOUND_ROWS), an upsert 2 for each row it
 * updated and 1 for each row it inserted or left as it was, so anything
 * but 2 a row fails the transaction (the values written are new tokens:
 * a row left as it was cannot be told from an inserted one).
 */
static int
queue_send(struct store *s, struct err *e)
{
	struct my *p = s->impl;
	const char *table = p->q.pair || tab_of(p->q.f) == TAB_CONN ?
	    "connection" : store_field_sql[p->q.f].table;
	const char *what = p->q.pair ? "connection" : store_field_name(p->q.f);
	size_t n = p->q.n;
	my_ulonglong got;
	struct buf b;
	int rc = -1;

	if (n == 0 || p->q.sending)
		return 0;
	buf_init(&b, 1);
	queue_sql(p, &b);
	p->q.n = 0;
	p->q.sending = 1;
	if (run(s, &b, NULL, "updating values", e) != 0)
		goto out;
	got = mysql_affected_rows(p->m);
	if (p->q.up && got != 2 * (my_ulonglong)n) {
		err_set(e, ERR_DB, "database '%s': a write of %zu rows of %s "
		    "counted %llu changes, not 2 a row: a row was inserted or "
		    "left as it was; the transaction was rolled back and nothing "
		    "was changed", s->name, n, what, (unsigned long long)got);
		p->tx_failed = 1;
		goto out;
	}
	if (!p->q.up && got != (my_ulonglong)n) {
		err_set(e, ERR_NOTFOUND, "no row %lld in %s",
		    queue_missing(p, table), what);
		p->tx_failed = 1;
		goto out;
	}
	rc = 0;
out:
	p->q.sending = 0;
	buf_reset(&p->q.sql);
	buf_release(&b);
	return rc;
}

/*
 * Start a queued row (flushing a queue of another kind or form, or an id
 * out of order): its id and, for an upsert (name not NULL), its name; the
 * caller adds its values. The queue is empty before it when p->q.n is 0.
 */
static int
queue_row(struct store *s, enum store_field f, int pair, int64_t id,
    const char *name, struct err *e)
{
	struct my *p = s->impl;
	int up = name != NULL;

	if (p->q.n > 0 && (p->q.pair != pair || p->q.f != f || p->q.up != up ||
	    id <= p->q.last_id) && queue_send(s, e) != 0)
		return -1;
	if (s->in_tx && p->tx_failed) {
		err_set(e, ERR_DB, "database '%s': the transaction had failed "
		    "earlier; nothing was changed", s->name);
		return -1;
	}
	if (p->q.n == 0)
		p->q.first_id = id;
	p->q.f = f;
	p->q.pair = pair;
	p->q.up = up;
	p->q.last_id = id;
	if (!up) {
		buf_addf(&p->q.sql, p->q.n == 0 ? "SELECT %" PRId64 " AS id, " :
		    " UNION ALL SELECT %" PRId64 ", ", id);
		return 0;
	}
	buf_addf(&p->q.sql, "%s(%" PRId64 ", ", p->q.n == 0 ? "" : ", ", id);
	if (tab_of(f) == TAB_CONN) {
		add_conn_id(p, &p->q.sql, name);
		buf_adds(&p->q.sql, ", ''");	/* conn_type: an insert's only */
	} else
		add_text(&p->q.sql, name);
	return 0;
}

static int
queue_added(struct store *s, struct err *e)
{
	struct my *p = s->impl;

	p->q.n++;
	if (buf_check(&p->q.sql, e) != 0) {
		buf_reset(&p->q.sql);
		p->q.n = 0;
		return -1;
	}
	if (p->q.n >= BATCH_ROWS || p->q.sql.len >= BATCH_BYTES)
		return queue_send(s, e);
	return 0;
}

static int
my_field_update(struct store *s, enum store_field f, int64_t id,
    const char *value, size_t len, int flag, struct err *e)
{
	struct my *p = s->impl;
	const char *name = upsert_name(s, f, id, value != NULL);

	if (queue_row(s, f, 0, id, name, e) != 0)
		return -1;
	if (name != NULL && f == STORE_CONN_EXTRA)
		buf_adds(&p->q.sql, ", NULL, 0");
	buf_adds(&p->q.sql, name != NULL ? ", " : "");
	add_value(&p->q.sql, "_utf8mb4 ", value, len);
	if (name == NULL)
		buf_addf(&p->q.sql, p->q.n == 0 ? " AS val, %d AS flag" : ", %d",
		    flag ? 1 : 0);
	else
		buf_addf(&p->q.sql, ", %d%s)", flag ? 1 : 0,
		    f == STORE_CONN_PASSWORD ? ", NULL, 0" : "");
	return queue_added(s, e);
}

static int
my_conn_secrets_update(struct store *s, int64_t id, unsigned which,
    const char *password, size_t pwlen, int is_encrypted, const char *extra,
    size_t extralen, int is_extra_encrypted, struct err *e)
{
	struct my *p = s->impl;
	int sp = (which & STORE_SET_PASSWORD) != 0;
	int se = (which & STORE_SET_EXTRA) != 0;
	const char *name = upsert_name(s, STORE_CONN_PASSWORD, id,
	    (!sp || password != NULL) && (!se || extra != NULL));
	int first;

	if (queue_row(s, STORE_CONN_PASSWORD, 1, id, name, e) != 0)
		return -1;
	first = p->q.n == 0 && name == NULL;
	buf_adds(&p->q.sql, name != NULL ? ", " : "");
	add_value(&p->q.sql, "_utf8mb4 ", sp ? password : NULL, pwlen);
	buf_addf(&p->q.sql, first ? " AS val, %d AS flag, " : ", %d, ",
	    sp && is_encrypted);
	add_value(&p->q.sql, "_utf8mb4 ", se ? extra : NULL, extralen);
	if (name != NULL)
		buf_addf(&p->q.sql, ", %d)", se && is_extra_encrypted);
	else
		buf_addf(&p->q.sql, first ? " AS val2, %d AS flag2, %d AS sp, "
		    "%d AS se" : ", %d, %d, %d", se && is_extra_encrypted, sp, se);
	return queue_added(s, e);
}

/* store_int.h: var_list, one page of q (store.c pages by key). */
static int
my_var_list(struct store *s, const struct store_var_query *q,
    struct store_iter **out, struct err *e)
{
	struct my_iter *it;

	*out = NULL;
	if ((it = iter_new(s, IT_VAR, e)) == NULL)
		return -1;
	it->varlist = 1;
	it->desc = q->desc;
	it->left = q->limit > 0 ? q->limit : SIZE_MAX;
	/*
	 * Every row wanted, when more than a page, from one cursor: a
	 * keyset page in byte order would sort the table each time (store.h,
	 * struct store_var_query's total).
	 */
	if (q->key == NULL && q->total > PAGE_ROWS) {
		it->cursor = 1;
		it->left = q->total;
	}
	if ((q->after != NULL && (it->after = strdup(q->after)) == NULL) ||
	    (q->before != NULL && (it->before = strdup(q->before)) == NULL) ||
	    (q->key != NULL && (it->key = strdup(q->key)) == NULL) ||
	    (q->match != NULL && (it->match = strdup(q->match)) == NULL)) {
		it_free(&it->base);
		err_nomem(e);
		return -1;
	}
	*out = &it->base;
	return 0;
}

/* store_int.h: var_delete. */
static int
my_var_delete(struct store *s, const char *key, struct err *e)
{
	struct my *p = s->impl;
	struct buf b;
	int rc;

	buf_init(&b, 0);
	buf_adds(&b, "DELETE FROM variable WHERE CAST(\"key\" AS BINARY) = ");
	add_value(&b, "_binary ", key, strlen(key));
	rc = run(s, &b, NULL, "deleting a variable", e);
	buf_release(&b);
	if (rc == 0 && mysql_affected_rows(p->m) == 0) {
		err_set(e, ERR_NOTFOUND, "Variable %s does not exist", key);
		rc = -1;
	}
	return rc;
}

/*
 * store_int.h: text_rows (the reads of store_fab.c). MySQL takes no
 * parameters here (values go in as hex literals, as everywhere in this
 * backend): each '?' of the expanded SQL becomes its parameter's literal.
 */
static int
my_text_rows(struct store *s, const char *sql, const char *const *params,
    int n, store_row_fn row, void *arg, struct err *e)
{
	const char *cols[8];
	MYSQL_RES *r = NULL;
	MYSQL_ROW mr;
	unsigned long *len;
	struct buf b;
	char *text, *q;
	int i, k = 0, nc, rc = -1;

	buf_init(&b, 1);
	if ((text = store_sql_expand(sql, "", 0)) == NULL) {
		err_nomem(e);
		goto out;
	}
	for (q = text; *q != '\0'; q++) {
		if (*q != '?') {
			buf_addc(&b, *q);
			continue;
		}
		add_text(&b, k < n ? params[k] : NULL);
		k++;
	}
	if (run(s, &b, &r, "reading Airflow's users and roles", e) != 0)
		goto out;
	nc = r != NULL ? (int)mysql_num_fields(r) : 0;
	if (nc > (int)(sizeof cols / sizeof cols[0]))
		nc = (int)(sizeof cols / sizeof cols[0]);
	while (r != NULL && (mr = mysql_fetch_row(r)) != NULL) {
		for (i = 0; i < nc; i++)
			cols[i] = mr[i];
		if (row(arg, cols, nc, e) != 0)
			goto out;
	}
	rc = 0;
out:
	/* ab_user.password among them: wiped. */
	if (r != NULL) {
		nc = (int)mysql_num_fields(r);
		mysql_data_seek(r, 0);
		while ((mr = mysql_fetch_row(r)) != NULL) {
			len = mysql_fetch_lengths(r);
			for (i = 0; i < nc; i++)
				if (mr[i] != NULL)
					sodium_memzero(mr[i], len[i]);
		}
		mysql_free_result(r);
	}
	free(text);
	buf_release(&b);
	return rc;
}

static const struct store_ops my_ops = {
	"mysql",
	my_close,
	my_has_table,
	my_begin,
	my_commit,
	my_rollback,
	my_conn_iter,
	my_conn_get,
	my_conn_insert,
	my_conn_update,
	my_conn_delete,
	my_conn_count,
	my_var_iter,
	my_var_insert,
	my_field_iter,
	my_field_update,
	my_conn_secrets_update,
	my_field_count,
	my_interrupt,
	my_text_rows,
	my_var_list,
	my_var_delete,
	my_conn_secrets_iter,
	my_var_update,
};
