/*
 * test_store.c: the metadata store on Airflow's real layouts
 * (data/schema-*.sql: fresh 2.10, upgraded 2.x, 3.1 with team_id, 3.2 with
 * team_name), with conn_seal()/conn_decrypt() around it: write, read back,
 * update, keyset paging, delete; version detection; NULL flags; the
 * database's own conn_id order for an export (store_query.db_order); and the
 * bad inputs: a corrupt file, a DB with no connection table, a locked DB,
 * a URL that is not a file. Every failure leaves the DB as it was. And
 * store_interrupt() from another thread: a filtered read of a big table
 * fails with ERR_INTERRUPTED (never as "no rows"), the store then reads
 * as before, an interrupted transaction writes nothing, and an interrupt
 * of an idle store changes nothing.
 *
 * The same cases run on PostgreSQL when FERNCON_TEST_PG_URL is set
 * (tests/store_pg.sh starts a server; testdb.h), on the layouts that have
 * a data/schema-pg-*.sql; the SQLite-only cases (a corrupt file, a file
 * lock) have their PostgreSQL equivalents in test_store_pg.c.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "conn.h"
#include "core.h"
#include "keyring.h"
#include "store.h"
#include "testdb.h"
#include "testutil.h"

#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define K2 "Ef0rZ3oUCJ4EhJ_ez-5tAJh9lHQT7a8Bv9j7B8Ok8GM="

static const struct {
	const char	*name;
	int		 major, minor;
} layouts[] = {
	{ "2.10", 2, 10 }, { "2.x-upgraded", 2, 9 }, { "3.1", 3, 1 },
	{ "3.2", 3, 2 },
};

static void
exec_sql(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql failed: %s", msg);
	sqlite3_close(h);
}

/* A fresh DB of the layout, or the 2.10 layout if this backend lacks it. */
static void
make_db(struct tdb_fx *f, const char *layout)
{
	tdb_create(&f->t, f->dir, tdb_has_layout(layout) ? layout : "2.10");
}

static int
setup(void **state)
{
	return tdb_fx_setup(state, K1 "," K2, NULL);
}

static struct conn *
sample(const char *id, const char *password, const char *extra)
{
	struct conn *c = tdb_conn(id, "postgres", password);
	struct err e;

	assert_int_equal(conn_set_str(c, &c->login, "airflow", &e), 0);
	assert_int_equal(conn_set_str(c, &c->schema, "warehouse", &e), 0);
	assert_int_equal(conn_set_str(c, &c->description, "a sample", &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, extra, &e), 0);
	c->has_port = 1;
	c->port = 5432;
	return c;
}

/* Write, read back, update, page, delete: on every layout. */
static void
test_layouts_roundtrip(void **state)
{
	struct tdb_fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(layouts); i++) {
		const char *layout = layouts[i].name;
		struct store *s = NULL;
		struct store_iter *it = NULL;
		struct conn *c, got, old;
		struct err e;
		size_t n = 0;
		char id[32];
		int k, rc;

		if (!tdb_has_layout(layout))
			continue;
		memset(&got, 0, sizeof got);
		memset(&old, 0, sizeof old);
		make_db(f, layout);
		if (store_open(&s, f->t.url, NULL, &e) != 0)
			fail_msg("%s: %s", layout, e.msg);
		assert_false(store_readonly(s));
		assert_true(store_airflow_version(s)->major >= 2);

		/* Five rows, inserted out of order. */
		for (k = 4; k >= 0; k--) {
			snprintf(id, sizeof id, "conn_%d", k);
			c = sample(id, "s3cret", "{\"sslmode\": \"require\"}");
			assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
			assert_true(c->is_encrypted);
			assert_true(c->is_extra_encrypted);
			assert_int_equal(strncmp(c->password, "gAAAAA", 6), 0);
			if (store_conn_insert(s, c, &e) != 0)
				fail_msg("%s: insert: %s", layout, e.msg);
			assert_true(c->id > 0);
			conn_free(c);
		}
		/* A duplicate conn_id is refused with Airflow's message. */
		c = sample("conn_2", "x", NULL);
		assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
		assert_int_equal(store_conn_insert(s, c, &e), -1);
		assert_string_equal(e.msg,
		    "A connection with `conn_id`=conn_2 already exists.");
		conn_free(c);

		/* Read back and decrypt. */
		assert_int_equal(store_conn_get(s, "conn_3", &got, &e), 0);
		assert_int_equal(conn_decrypt(&got, f->kr, &e), 0);
		assert_string_equal(got.password, "s3cret");
		assert_string_equal(got.extra, "{\"sslmode\": \"require\"}");
		assert_string_equal(got.host, "db.example.com");
		assert_string_equal(got.description, "a sample");
		assert_int_equal(got.port, 5432);
		assert_int_equal(got.password_info.state, CONN_SECRET_ENCRYPTED);
		assert_int_equal(got.password_info.key_index, 0);

		/* Update with an empty password: the stored one is kept. */
		assert_int_equal(store_conn_get(s, "conn_3", &old, &e), 0);
		c = sample("conn_3", "", "{\"a\": 1}");
		c->id = old.id;
		assert_int_equal(conn_seal(c, &old, f->kr, &e), 0);
		assert_string_equal(c->password, old.password);
		assert_int_equal(store_conn_update(s, c, &e), 0);
		conn_free(c);
		assert_int_equal(store_conn_get(s, "conn_3", &got, &e), 0);
		assert_int_equal(conn_decrypt(&got, f->kr, &e), 0);
		assert_string_equal(got.password, "s3cret");
		assert_string_equal(got.extra, "{\"a\": 1}");

		/* Keyset paging: after conn_1, two rows, in conn_id order. */
		{
			struct store_query q = { "conn_1", 2, NULL, NULL, 0, 0 };

			assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
			assert_int_equal(store_iter_next(it, &got, &e), 1);
			assert_string_equal(got.conn_id, "conn_2");
			assert_int_equal(store_iter_next(it, &got, &e), 1);
			assert_string_equal(got.conn_id, "conn_3");
			assert_int_equal(store_iter_next(it, &got, &e), 0);
			store_iter_free(it);
		}
		/* Filter on conn_id, type or host, case-insensitively. */
		{
			struct store_query q = { NULL, 0, "CONN_4", NULL, 0, 0 };

			assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
			assert_int_equal(store_iter_next(it, &got, &e), 1);
			assert_string_equal(got.conn_id, "conn_4");
			assert_int_equal(store_iter_next(it, &got, &e), 0);
			store_iter_free(it);
		}
		/* Delete, then it is gone; deleting again says so. */
		assert_int_equal(store_conn_delete(s, "conn_0", &e), 0);
		assert_int_equal(store_conn_delete(s, "conn_0", &e), -1);
		assert_int_equal(e.code, ERR_NOTFOUND);
		assert_int_equal(store_conn_count(s, &n, &e), 0);
		assert_int_equal(n, 4);
		rc = store_conn_get(s, "conn_0", &got, &e);
		assert_int_equal(rc, -1);
		assert_int_equal(e.code, ERR_NOTFOUND);
		conn_clear(&got);
		conn_clear(&old);
		store_close(s);
	}
}

static void
test_versions(void **state)
{
	struct tdb_fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(layouts); i++) {
		struct store *s = NULL;
		struct err e;

		if (!tdb_has_layout(layouts[i].name))
			continue;
		make_db(f, layouts[i].name);
		assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
		if (store_airflow_version(s)->major != layouts[i].major ||
		    store_airflow_version(s)->minor != layouts[i].minor)
			fail_msg("%s: version %d.%d", layouts[i].name,
			    store_airflow_version(s)->major,
			    store_airflow_version(s)->minor);
		assert_non_null(store_alembic_head(s));
		assert_true(store_has_table(s, "variable"));
		assert_false(store_has_table(s, "no_such_table"));
		store_close(s);
	}
}

/* Rows written by an upgraded 2.x DB: NULL flags read as false. */
static void
test_null_flags_and_plaintext(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct conn c;
	struct err e;

	memset(&c, 0, sizeof c);
	make_db(f, "2.x-upgraded");
	tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, password, "
	    "extra, is_encrypted, is_extra_encrypted) VALUES ('legacy', 'http', "
	    "'plainpw', '{\"k\": \"v\"}', NULL, NULL)");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_conn_get(s, "legacy", &c, &e), 0);
	assert_false(c.is_encrypted);
	assert_false(c.is_extra_encrypted);
	assert_false(c.has_port);
	assert_int_equal(conn_decrypt(&c, f->kr, &e), 0);
	assert_int_equal(c.password_info.state, CONN_SECRET_PLAIN);
	assert_string_equal(c.password, "plainpw");
	conn_clear(&c);
	store_close(s);
}

/* A token no key opens: the field is marked, the rest is readable. */
static void
test_undecryptable_row(void **state)
{
	struct tdb_fx *f = *state;
	struct keyring *lost = NULL;
	struct store *s = NULL;
	struct conn *c, got;
	struct err e;

	memset(&got, 0, sizeof got);
	make_db(f, "2.10");
	assert_int_equal(keyring_parse(&lost,
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=", 44, NULL, &e), 0);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	c = sample("gone", "lostpw", NULL);
	assert_int_equal(conn_seal(c, NULL, lost, &e), 0);
	assert_int_equal(store_conn_insert(s, c, &e), 0);
	conn_free(c);
	assert_int_equal(store_conn_get(s, "gone", &got, &e), 0);
	assert_int_equal(conn_decrypt(&got, f->kr, &e), 0);
	assert_int_equal(got.password_info.state, CONN_SECRET_UNDECRYPTABLE);
	assert_null(got.password);
	assert_true(got.password_info.has_timestamp);
	assert_string_equal(got.host, "db.example.com");
	/* It can be deleted without any key. */
	assert_int_equal(store_conn_delete(s, "gone", &e), 0);
	conn_clear(&got);
	keyring_free(lost);
	store_close(s);
}

static void
test_no_encryption_mode(void **state)
{
	struct tdb_fx *f = *state;
	struct keyring *none = NULL;
	struct conn *c;
	struct err e;

	(void)f;
	assert_int_equal(keyring_parse(&none, "", 0, NULL, &e), 0);
	c = sample("plain", "pw", "{\"x\": 1}");
	assert_int_equal(conn_seal(c, NULL, none, &e), 0);
	assert_false(c->is_encrypted);
	assert_false(c->is_extra_encrypted);
	assert_string_equal(c->password, "pw");
	conn_free(c);
	/* An empty password is never stored; an empty extra is kept as "". */
	c = sample("empty", "", "");
	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	assert_null(c->password);
	assert_false(c->is_encrypted);
	assert_string_equal(c->extra, "");
	assert_false(c->is_extra_encrypted);
	conn_free(c);
	keyring_free(none);
}

static void
test_bad_databases(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct err e;
	char *path, url[4200];

	/* A file that is not SQLite. */
	path = tu_write(f->dir, "corrupt.db", "this is not a database, just text "
	    "that is long enough to look like a header..........................."
	    "....................................................", 0600);
	snprintf(url, sizeof url, "sqlite:///%s", path);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "corrupt or not an SQLite database"));
	assert_non_null(strstr(e.msg, path));
	free(path);

	/* An SQLite file that is not an Airflow DB. */
	snprintf(f->t.path, sizeof f->t.path, "%s/other.db", f->dir);
	exec_sql(f->t.path, "CREATE TABLE t (x)");
	snprintf(url, sizeof url, "sqlite:///%s", f->t.path);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "has no Airflow connection table"));

	/* A missing file is never created. */
	snprintf(url, sizeof url, "sqlite:///%s/missing.db", f->dir);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "No such file or directory"));
	snprintf(url, sizeof url, "%s/missing.db", f->dir);
	assert_int_equal(access(url, F_OK), -1);

	/* URLs that are not a file, and other schemes. */
	assert_int_equal(store_open(&s, "sqlite://", NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_int_equal(store_open(&s, "mssql+pyodbc://u:pw@h/db", NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_null(strstr(e.msg, "pw@"));
	/* A MySQL URL without a database is refused before connecting. */
	assert_int_equal(store_open(&s, "mysql://u:pw@h", NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_null(strstr(e.msg, "pw@"));
}

static void
test_locked_db(void **state)
{
	struct tdb_fx *f = *state;
	struct store_opts o = { 200, NULL };
	struct store *s = NULL;
	sqlite3 *other = NULL;
	struct conn *c;
	struct err e;
	size_t n = 99;

	make_db(f, "3.2");
	assert_int_equal(store_open(&s, f->t.url, &o, &e), 0);
	/* Another process (the scheduler) holds the write lock. */
	assert_int_equal(sqlite3_open(f->t.path, &other), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL),
	    SQLITE_OK);
	c = sample("blocked", "pw", NULL);
	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	assert_int_equal(store_conn_insert(s, c, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "is locked"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(other);
	/* Nothing was written; once the lock is gone the write works. */
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_conn_insert(s, c, &e), 0);
	conn_free(c);
	store_close(s);
}

static void
test_transaction_rollback(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct conn *c;
	struct err e;
	size_t n = 99;

	make_db(f, "2.10");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	c = sample("in_tx", "pw", NULL);
	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	assert_int_equal(store_conn_insert(s, c, &e), 0);
	store_rollback(s);
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 0);
	/* Closing with an open transaction rolls it back too. */
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_conn_insert(s, c, &e), 0);
	store_close(s);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 0);
	conn_free(c);
	store_close(s);
}

/*
 * db_order (connections export): the database's own ORDER BY conn_id, as
 * Airflow's export reads the table. On SQLite that is byte order; on
 * PostgreSQL the server's collation (store_pg.sh's DB is ICU en-US), so
 * what is expected comes from the server's ORDER BY.
 */
static void
test_db_order(void **state)
{
	static const char *const ids[] = { "b", "A", "_x", "a", "\xc3\xa9t\xc3\xa9",
	    "Z" };
	/* MySQL's utf8mb4_unicode_ci (Airflow's documented DB): 'A' is 'a'. */
	static const char *const my_ids[] = { "b", "A", "_x", "-a",
	    "\xc3\xa9t\xc3\xa9", "z" };
	struct tdb_fx *f = *state;
	struct store_query q = { NULL, 0, NULL, NULL, 0, 1 };
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct conn *c, got;
	struct err e;
	char list[128] = "", *want;
	size_t i;
	int rc;

	memset(&got, 0, sizeof got);
	make_db(f, "3.2");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	for (i = 0; i < ARRAY_LEN(ids); i++) {
		c = sample(tdb_my() ? my_ids[i] : ids[i], "pw", NULL);
		assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
		assert_int_equal(store_conn_insert(s, c, &e), 0);
		conn_free(c);
	}
	want = tdb_query(&f->t, tdb_pg() ? "SELECT string_agg(conn_id, ' ' ORDER "
	    "BY conn_id) FROM connection" : tdb_my() ? "SELECT GROUP_CONCAT("
	    "conn_id ORDER BY conn_id SEPARATOR ' ') FROM connection" :
	    "SELECT group_concat(conn_id, ' ') FROM (SELECT conn_id FROM "
	    "connection ORDER BY conn_id)");
	if (!tdb_pg() && !tdb_my())
		assert_string_equal(want, "A Z _x a b \xc3\xa9t\xc3\xa9");
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &got, &e)) == 1)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
		    list[0] ? " " : "", got.conn_id);
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_string_equal(list, want);
	free(want);
	conn_clear(&got);
	store_close(s);
}

/* -- store_interrupt() --------------------------------------------------- */

/* Rows of the big table: a filter that matches none reads them all. */
#define BIG_ROWS 400000

/* A read on its own thread; the test thread interrupts it. */
struct reader {
	struct store		*s;
	struct store_query	 q;
	pthread_mutex_t		 lock;
	int			 finished;	/* under lock */
	int			 rc;		/* -1, or 0 at the end of the rows */
	size_t			 rows;
	struct err		 e;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct store_iter *it = NULL;
	struct conn got;
	int rc;

	memset(&got, 0, sizeof got);
	err_clear(&r->e);
	rc = store_conn_iter(r->s, &r->q, &it, &r->e);
	while (rc == 0 && (rc = store_iter_next(it, &got, &r->e)) == 1)
		r->rows++;
	if (rc == 1)
		rc = 0;
	store_iter_free(it);
	conn_clear(&got);
	core_thread_cleanup();
	pthread_mutex_lock(&r->lock);
	r->rc = rc;
	r->finished = 1;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/*
 * Read q on a second thread and call store_interrupt() every 10 ms until
 * the read returns; *r holds what it returned.
 */
static void
read_interrupted(struct store *s, const struct store_query *q,
    struct reader *r)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pthread_t t;
	int finished = 0;

	memset(r, 0, sizeof *r);
	r->s = s;
	r->q = *q;
	pthread_mutex_init(&r->lock, NULL);
	assert_int_equal(pthread_create(&t, NULL, reader_main, r), 0);
	while (!finished) {
		nanosleep(&tick, NULL);
		store_interrupt(s);
		pthread_mutex_lock(&r->lock);
		finished = r->finished;
		pthread_mutex_unlock(&r->lock);
	}
	pthread_join(t, NULL);
	pthread_mutex_destroy(&r->lock);
}

/* The count of rows q reads on this thread, asserting that it worked. */
static size_t
read_all(struct store *s, const struct store_query *q, char *first,
    size_t cap)
{
	struct store_iter *it = NULL;
	struct conn got;
	struct err e;
	size_t n = 0;
	int rc;

	memset(&got, 0, sizeof got);
	assert_int_equal(store_conn_iter(s, q, &it, &e), 0);
	while ((rc = store_iter_next(it, &got, &e)) == 1)
		if (n++ == 0 && first != NULL)
			snprintf(first, cap, "%s", got.conn_id);
	if (rc != 0)
		fail_msg("read failed: %s", e.msg);
	store_iter_free(it);
	conn_clear(&got);
	return n;
}

static void
fill_big(struct tdb_fx *f)
{
	char sql[512];

	make_db(f, "2.10");
	/* One statement on every backend; conn_ids bulk_1 .. bulk_<n>. */
	if (tdb_my())
		snprintf(sql, sizeof sql, "INSERT INTO connection (conn_id, "
		    "conn_type, host) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
		    "SELECT i + 1 FROM n WHERE i < %d) SELECT 'bulk_' || i, 'http', "
		    "'h' || i FROM n", BIG_ROWS);
	else
		snprintf(sql, sizeof sql, "WITH RECURSIVE n(i) AS (SELECT 1 UNION "
		    "ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO connection "
		    "(conn_id, conn_type, host) SELECT 'bulk_' || i, 'http', 'h' || "
		    "i FROM n", BIG_ROWS);
	tdb_exec(&f->t, sql);
}

/* Insert a sealed sample connection id and expect n connections after it. */
static void
insert_counted(struct tdb_fx *f, struct store *s, const char *id, size_t n)
{
	struct conn *c = sample(id, "pw", NULL);
	struct err e;
	size_t got = 0;

	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	if (store_conn_insert(s, c, &e) != 0)
		fail_msg("insert %s: %s", id, e.msg);
	conn_free(c);
	assert_int_equal(store_conn_count(s, &got, &e), 0);
	assert_int_equal(got, n);
}

/*
 * A filter that matches nothing reads the whole table; interrupted, the
 * read fails with ERR_INTERRUPTED (not 0 rows), and the store then reads
 * and writes as before: without a limit (PostgreSQL reads through a
 * cursor in a transaction of the iterator's own) and with the console's
 * limit (keyset pages).
 */
static void
test_interrupt_read(void **state)
{
	struct tdb_fx *f = *state;
	struct store_query q = { NULL, 0, "no-such-conn", NULL, 0, 0 };
	struct store *s = NULL;
	struct reader r;
	struct err e;
	char first[64] = "";
	size_t n = 0, i;

	fill_big(f);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	for (i = 0; i < 2; i++) {
		q.match = "no-such-conn";
		q.limit = i == 0 ? 0 : 56;
		read_interrupted(s, &q, &r);
		if (r.rc != -1)
			fail_msg("the read returned %d (%zu rows) instead of "
			    "failing as interrupted", r.rc, r.rows);
		assert_int_equal(r.e.code, ERR_INTERRUPTED);
		assert_non_null(strstr(r.e.msg, "interrupted"));
		assert_int_equal(r.rows, 0);
		/* The same store reads as before. */
		assert_int_equal(store_conn_count(s, &n, &e), 0);
		assert_int_equal(n, BIG_ROWS);
		q.match = "bulk_12345";
		assert_int_equal(read_all(s, &q, first, sizeof first), 11);
		assert_string_equal(first, "bulk_12345");
	}
	/* And writes: no transaction of the read is left open. */
	insert_counted(f, s, "after_interrupt", BIG_ROWS + 1);
	store_close(s);
}

/*
 * Interrupting is for reads; a read interrupted inside a write transaction
 * aborts the whole transaction: the commit fails and nothing is written.
 */
static void
test_interrupt_tx(void **state)
{
	struct tdb_fx *f = *state;
	struct store_query q = { NULL, 0, "no-such-conn", NULL, 0, 0 };
	struct store *s = NULL;
	struct reader r;
	struct conn *c;
	struct err e;
	size_t n = 0;

	fill_big(f);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	c = sample("in_tx", "pw", NULL);
	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_conn_insert(s, c, &e), 0);
	read_interrupted(s, &q, &r);
	assert_int_equal(r.rc, -1);
	assert_int_equal(r.e.code, ERR_INTERRUPTED);
	assert_int_equal(store_commit(s, &e), -1);
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, BIG_ROWS);
	err_clear(&e);
	assert_int_equal(store_conn_get(s, "in_tx", c, &e), -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	conn_free(c);
	/* The next transaction works. */
	assert_int_equal(store_begin(s, &e), 0);
	insert_counted(f, s, "in_tx", BIG_ROWS + 1);
	assert_int_equal(store_commit(s, &e), 0);
	store_close(s);
}

/* store_interrupt() on a store that runs nothing changes nothing. */
static void
test_interrupt_idle(void **state)
{
	struct tdb_fx *f = *state;
	struct store_query q = { NULL, 0, NULL, NULL, 0, 0 };
	struct store *s = NULL;
	struct err e;
	char first[64] = "";
	size_t n = 0;
	int i;

	make_db(f, "2.10");
	store_interrupt(NULL);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	for (i = 0; i < 3; i++)
		store_interrupt(s);
	insert_counted(f, s, "idle", 1);
	store_interrupt(s);
	assert_int_equal(read_all(s, &q, first, sizeof first), 1);
	assert_string_equal(first, "idle");
	store_interrupt(s);
	assert_int_equal(store_begin(s, &e), 0);
	store_interrupt(s);
	assert_int_equal(store_conn_delete(s, "idle", &e), 0);
	assert_int_equal(store_commit(s, &e), 0);
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 0);
	store_close(s);
}

/* The lifecycle's view: page a field by id, update it in a transaction. */
static void
test_fields(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	int64_t last = 0;
	size_t n = 0, seen = 0;
	int k, rc;

	make_db(f, "2.x-upgraded");
	tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, password, "
	    "is_encrypted) VALUES ('a', 't', 'pa', '0'), ('b', 't', NULL, NULL), "
	    "('c', 't', 'pc', '1'); INSERT INTO variable (\"key\", val, "
	    "is_encrypted) VALUES ('v1', 'x', '0'); INSERT INTO \"trigger\" "
	    "(classpath, kwargs, created_date) VALUES ('p', '{}', '2024-01-01')");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	for (k = 0; k < STORE_FIELD_MAX; k++)
		assert_true(store_field_exists(s, (enum store_field)k));
	/* Pages of two by id: a, b, then c. */
	do {
		assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, last, 2, &it,
		    &e), 0);
		n = 0;
		while ((rc = store_field_next(it, &v, &e)) == 1) {
			assert_true(v.id > last);
			last = v.id;
			n++;
			seen++;
			if (strcmp(v.name, "b") == 0) {
				assert_null(v.value);
				assert_int_equal(v.flag, 0);
			}
		}
		assert_int_equal(rc, 0);
		store_iter_free(it);
	} while (n == 2);
	assert_int_equal(seen, 3);
	assert_int_equal(store_field_count(s, STORE_CONN_PASSWORD, &n, &e), 0);
	assert_int_equal(n, 3);
	/* Updates need a transaction, and roll back with it. */
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "new", 3, 1,
	    &e), -1);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "new", 3, 1,
	    &e), 0);
	assert_int_equal(store_field_update(s, STORE_TRIGGER_KWARGS, 1, "tok", 3, 0,
	    &e), 0);
	assert_int_equal(store_commit(s, &e), 0);
	/*
	 * A row that is not there is ERR_NOTFOUND, from the update or, on a
	 * backend that sends updates in batches (PostgreSQL), from the commit;
	 * either way nothing of that transaction is kept.
	 */
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 2, "lost", 4, 1,
	    &e), 0);
	rc = store_field_update(s, STORE_VAR_VAL, 99, "x", 1, 0, &e);
	if (rc == 0)
		rc = store_commit(s, &e);
	else
		store_rollback(s);
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg, "no row 99 in variable.val");
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 2, &it, &e), 0);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "new");
	assert_int_equal(v.flag, 1);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_null(v.value);
	assert_int_equal(v.flag, 0);
	store_iter_free(it);
	assert_int_equal(store_field_iter(s, STORE_TRIGGER_KWARGS, 0, 0, &it, &e), 0);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "tok");
	assert_int_equal(v.flag, -1);
	assert_null(v.name);
	store_iter_free(it);
	/* Both secrets of a connection in one write; the others stay. */
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_conn_secrets_update(s, 1, STORE_SET_EXTRA, "no",
	    2, 0, "ex1", 3, 1, &e), 0);
	assert_int_equal(store_conn_secrets_update(s, 3, STORE_SET_PASSWORD |
	    STORE_SET_EXTRA, "pw3", 3, 1, "ex3", 3, 1, &e), 0);
	assert_int_equal(store_commit(s, &e), 0);
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 0, &it, &e), 0);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "new");
	assert_int_equal(v.flag, 1);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "pw3");
	assert_int_equal(v.flag, 1);
	store_iter_free(it);
	assert_int_equal(store_field_iter(s, STORE_CONN_EXTRA, 0, 0, &it, &e), 0);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "ex1");
	assert_int_equal(v.flag, 1);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_null(v.value);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "ex3");
	assert_int_equal(v.flag, 1);
	store_iter_free(it);
	assert_int_equal(store_begin(s, &e), 0);
	rc = store_conn_secrets_update(s, 99, STORE_SET_PASSWORD |
	    STORE_SET_EXTRA, "x", 1, 1, "y", 1, 1, &e);
	if (rc == 0)
		rc = store_commit(s, &e);
	else
		store_rollback(s);
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	assert_string_equal(e.msg, "no row 99 in connection");
	store_close(s);
}

/*
 * Updates in batches (store.h: a backend may queue them; SQLite and
 * PostgreSQL send 1000 rows as one statement): rows over more than one
 * batch, a slot left as it is, a NULL value, a read in the same
 * transaction that must see every update queued before it, and a row that
 * is not there in the middle of a batch, which fails the whole
 * transaction.
 */
#define BATCH_TEST_ROWS	2500

static void
test_batched_updates(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_value v;
	struct conn *c;
	struct err e;
	char id[32], pw[32], ex[64];
	int64_t ids[BATCH_TEST_ROWS];
	size_t i, n;
	int rc;

	make_db(f, "2.10");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	for (i = 0; i < BATCH_TEST_ROWS; i++) {
		snprintf(id, sizeof id, "c%05zu", i);
		c = tdb_conn(id, "http", "old");
		assert_int_equal(conn_set_str(c, &c->extra, "{\"old\": 1}", &e), 0);
		assert_int_equal(store_conn_insert(s, c, &e), 0);
		conn_free(c);
	}
	assert_int_equal(store_commit(s, &e), 0);
	/* The ids, in id order. */
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 0, &it, &e),
	    0);
	for (n = 0; (rc = store_field_next(it, &v, &e)) == 1; n++)
		ids[n] = v.id;
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, BATCH_TEST_ROWS);

	/* Even rows: both secrets; odd rows: a NULL password, the extra kept. */
	assert_int_equal(store_begin(s, &e), 0);
	for (i = 0; i < n; i++) {
		snprintf(pw, sizeof pw, "pw-%zu", i);
		snprintf(ex, sizeof ex, "ex-%zu", i);
		if (i % 2 == 0)
			rc = store_conn_secrets_update(s, ids[i], STORE_SET_PASSWORD |
			    STORE_SET_EXTRA, pw, strlen(pw), 1, ex, strlen(ex), 0, &e);
		else
			rc = store_conn_secrets_update(s, ids[i], STORE_SET_PASSWORD,
			    NULL, 0, 0, NULL, 0, 0, &e);
		assert_int_equal(rc, 0);
	}
	/* Read in the same transaction: every update is there. */
	assert_int_equal(store_conn_secrets_iter(s, 0, 0, &it, &e), 0);
	for (i = 0; (rc = store_field_next(it, &v, &e)) == 1; i++) {
		size_t row = i / 2;

		assert_int_equal(v.id, ids[row]);
		snprintf(pw, sizeof pw, "pw-%zu", row);
		snprintf(ex, sizeof ex, "ex-%zu", row);
		if (i % 2 == 0 && row % 2 == 0) {		/* password, set */
			assert_string_equal(v.value, pw);
			assert_int_equal(v.flag, 1);
		} else if (i % 2 == 0) {			/* password, NULL */
			assert_null(v.value);
			assert_int_equal(v.flag, 0);
		} else if (row % 2 == 0) {			/* extra, set */
			assert_string_equal(v.value, ex);
			assert_int_equal(v.flag, 0);
		} else {					/* extra, kept */
			assert_string_equal(v.value, "{\"old\": 1}");
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(i, 2 * n);
	store_iter_free(it);
	assert_int_equal(store_commit(s, &e), 0);

	/* A row that is not there, after 1500 good ones: nothing is kept. */
	assert_int_equal(store_begin(s, &e), 0);
	for (i = 0; i < 1500; i++)
		assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, ids[i],
		    "lost", 4, 1, &e), 0);
	rc = store_field_update(s, STORE_CONN_PASSWORD, ids[n - 1] + 10, "x", 1,
	    1, &e);
	for (i = 1500; rc == 0 && i < n; i++)
		rc = store_field_update(s, STORE_CONN_PASSWORD, ids[i], "lost", 4,
		    1, &e);
	if (rc == 0)
		rc = store_commit(s, &e);
	else
		store_rollback(s);
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	snprintf(ex, sizeof ex, "no row %lld in connection.password",
	    (long long)(ids[n - 1] + 10));
	assert_string_equal(e.msg, ex);
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 0, &it, &e),
	    0);
	for (i = 0; (rc = store_field_next(it, &v, &e)) == 1; i++)
		if (i % 2 == 0)
			assert_string_not_equal(v.value, "lost");
		else
			assert_null(v.value);
	assert_int_equal(rc, 0);
	store_iter_free(it);
	store_close(s);
}

/*
 * SQLite: the functions that feed a batch's UPDATE are ferncon's own
 * (SQLITE_DIRECTONLY): a trigger in the DB file that calls one fails, so
 * a hostile file cannot reach a queued value.
 */
static void
test_batch_functions_direct_only(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	int rc;

	make_db(f, "2.10");
	tdb_exec(&f->t, "INSERT INTO variable (\"key\", val, is_encrypted) "
	    "VALUES ('v1', 'x', 0); CREATE TABLE leak (v TEXT); CREATE TRIGGER "
	    "t AFTER UPDATE ON variable BEGIN INSERT INTO leak VALUES "
	    "(ferncon_queued(new.id, 0, 'none')); END");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	rc = store_field_update(s, STORE_VAR_VAL, 1, "secret", 6, 0, &e);
	if (rc == 0)
		rc = store_commit(s, &e);
	else
		store_rollback(s);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "unsafe use of ferncon_queued()"));
	assert_int_equal(store_field_iter(s, STORE_VAR_VAL, 0, 0, &it, &e), 0);
	assert_int_equal(store_field_next(it, &v, &e), 1);
	assert_string_equal(v.value, "x");
	store_iter_free(it);
	store_close(s);
}

int
main(void)
{
	/* Both backends. */
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, tdb_fx_teardown)
#define BOTH_BACKENDS \
	T(test_layouts_roundtrip), T(test_versions), \
	T(test_null_flags_and_plaintext), T(test_undecryptable_row), \
	T(test_no_encryption_mode), T(test_transaction_rollback), \
	T(test_fields), T(test_db_order), T(test_interrupt_read), \
	T(test_interrupt_tx), T(test_interrupt_idle), T(test_batched_updates)
	const struct CMUnitTest pg_tests[] = { BOTH_BACKENDS };
	/* SQLite: the same, plus the file's own failures. */
	const struct CMUnitTest tests[] = {
		BOTH_BACKENDS,
		T(test_bad_databases),
		T(test_locked_db),
		T(test_batch_functions_direct_only),
	};
#undef BOTH_BACKENDS
#undef T
	int rc;

	tu_init();
	if (tdb_pg() || tdb_my())
		rc = cmocka_run_group_tests_name(tdb_pg() ? "store (postgresql)" :
		    "store (mysql)", pg_tests, NULL, NULL);
	else
		rc = cmocka_run_group_tests_name("store", tests, NULL, NULL);
	core_thread_cleanup();
	return rc;
}
