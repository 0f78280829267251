/*
 * test_store_my.c: what only the MySQL store has, against a real server
 * (tests/store_my.sh starts MariaDB's and sets FERNCON_TEST_MY_URL, and
 * FERNCON_TEST_MY_ADMIN_URL for root). The URL forms of each SQLAlchemy
 * MySQL driver (checked without a server against what the dialect's
 * create_connect_args() hands the driver: lib/sqlalchemy/dialects/mysql/
 * mysqldb.py, pymysql.py, mysqlconnector.py); conn_ids that differ only in
 * case or in '_' against '-' in a utf8mb3_bin column (a DB upgraded from
 * 1.x) and in the utf8mb4_unicode_ci column of a fresh DB, paged both ways
 * in byte order and in the column's collation, compared with the server's
 * own ORDER BY; a lock held past the timeout; a user who may only read; a
 * search stopped by store_interrupt() (KILL QUERY from a second session);
 * a session killed in the middle of a transaction; the batched upsert of
 * rows read FOR UPDATE (doc/mysql.md section 5): each row gets its own
 * values whatever its conn_id's case, a row another session deletes
 * cannot come back, one this session deletes fails the transaction by the
 * count, and the tables where an INSERT could do more are written by
 * UPDATE ... JOIN. Without FERNCON_TEST_MY_URL only the URL cases run.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mysql.h>

#include "conn.h"
#include "core.h"
#include "keyring.h"
#include "myurl.h"
#include "store.h"
#include "testdb.h"
#include "testutil.h"

#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="

/* -- URLs (no server) ---------------------------------------------------- */

static void
check_url(const char *url, const char *want)
{
	char *got = NULL;
	struct err e;

	if (myurl_describe(url, &got, &e) != 0)
		fail_msg("%s: %s", url, e.msg);
	if (strcmp(got, want) != 0)
		fail_msg("%s:\n  got  %s\n  want %s", url, got, want);
	free(got);
}

static void
check_refused(const char *url, const char *want)
{
	char *got = (char *)"x";
	struct err e;

	assert_int_equal(myurl_describe(url, &got, &e), -1);
	assert_null(got);
	assert_int_equal(e.code, ERR_CONFIG);
	if (strstr(e.msg, want) == NULL)
		fail_msg("%s: got '%s', want '%s'", url, e.msg, want);
	assert_null(strstr(e.msg, "s3cr3t"));
}

static void
test_url_forms(void **state)
{
	(void)state;
	/* make_url(): user and password %-decoded, database the path. */
	check_url("mysql://airflow:s3cr3t%40x@db.example.com:3307/airflow",
	    "driver=mysqldb host=db.example.com port=3307 user=airflow "
	    "password=<set> db=airflow socket=- charset=utf8mb4 tls=preferred "
	    "where=db.example.com:3307/airflow");
	check_url("mysql+mysqldb://u@h/d?charset=utf8mb4",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=preferred where=h:3306/d");
	/* unix_socket goes to the driver as is (mysqldb, pymysql, connector). */
	check_url("mysql+pymysql://u:s3cr3t@localhost/airflow?unix_socket=/run/"
	    "mysqld/mysqld.sock",
	    "driver=pymysql host=localhost port=0 user=u password=<set> "
	    "db=airflow socket=/run/mysqld/mysqld.sock charset=utf8mb4 "
	    "tls=preferred where=/run/mysqld/mysqld.sock/airflow");
	check_url("mysql+mysqlconnector://u:s3cr3t@[::1]:3306/a",
	    "driver=mysqlconnector host=::1 port=3306 user=u password=<set> db=a "
	    "socket=- charset=utf8mb4 tls=preferred where=[::1]:3306/a");
	/*
	 * TLS. mysqldb.py gathers ssl_ca/cert/key/capath/cipher/check_hostname
	 * into the driver's ssl dict; a certificate option makes libmariadb
	 * require TLS. ssl_mode is mysqlclient's own keyword.
	 */
	check_url("mysql://u@h/d?ssl_ca=/etc/ca.pem&ssl_cert=/etc/c.pem&"
	    "ssl_key=/etc/k.pem",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=required ca=/etc/ca.pem cert=/etc/c.pem "
	    "key=/etc/k.pem where=h:3306/d");
	check_url("mysql://u@h/d?ssl_mode=VERIFY_IDENTITY&ssl_ca=/etc/ca.pem",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=verify ca=/etc/ca.pem where=h:3306/d");
	check_url("mysql://u@h/d?ssl_mode=REQUIRED",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=required where=h:3306/d");
	check_url("mysql://u@h/d?ssl_mode=disabled&ssl_ca=/x",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=off ca=/x where=h:3306/d");
	check_url("mysql://u@h/d?ssl_check_hostname=true&ssl_ca=/x",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=verify ca=/x where=h:3306/d");
	/* PyMySQL checks the certificate whenever it has a CA. */
	check_url("mysql+pymysql://u@h/d?ssl_ca=/x",
	    "driver=pymysql host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=verify ca=/x where=h:3306/d");
	check_url("mysql+pymysql://u@h/d?ssl_ca=/x&ssl_disabled=1",
	    "driver=pymysql host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=off ca=/x where=h:3306/d");
	check_url("mysql+mysqlconnector://u@h/d?ssl_verify_cert=true&ssl_ca=/x",
	    "driver=mysqlconnector host=h port=0 user=u password=- db=d "
	    "socket=- charset=utf8mb4 tls=verify ca=/x where=h:3306/d");
	/*
	 * Read line by line against SQLAlchemy 2.0 (rel_2_0_52) and the
	 * drivers. mysqldb.py create_connect_args() (201-252) coerces only
	 * compress, the timeouts, client_flag, local_infile, use_unicode,
	 * charset and ssl_check_hostname, gathers ssl_ca/key/cert/capath/
	 * cipher/check_hostname into opts["ssl"] (228-242) and passes every
	 * other option on as the URL's string; pymysql.py (148-155) is the same
	 * function. So PyMySQL 1.0.2 (pymysql/connections.py, Debian's
	 * python3-pymysql) gets ssl_disabled, ssl_verify_cert and
	 * ssl_verify_identity as strings: "if not ssl_disabled" (267) makes any
	 * value turn TLS off, and a verify option rebuilds its ssl dict from
	 * its own ssl_ca/ssl_cert/ssl_key keywords (268-279), None since
	 * SQLAlchemy moved them: the URL's CA, certificate and key are dropped,
	 * _create_ssl_ctx() (362-385) then checks no host name (no CA) and the
	 * certificate only for verify_mode "required", "1", "true", "yes".
	 */
	check_url("mysql+pymysql://u@h/d?ssl_ca=/x&ssl_disabled=false",
	    "driver=pymysql host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=off ca=/x where=h:3306/d");
	check_url("mysql+pymysql://u@h/d?ssl_ca=/x&ssl_cert=/c&ssl_key=/k&"
	    "ssl_verify_cert=true",
	    "driver=pymysql host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=verify where=h:3306/d");
	check_url("mysql+pymysql://u@h/d?ssl_ca=/x&ssl_verify_identity=true",
	    "driver=pymysql host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=required where=h:3306/d");
	check_url("mysql+pymysql://u@h/d?ssl_verify_cert=on",
	    "driver=pymysql host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8mb4 tls=required where=h:3306/d");
	/*
	 * mysqlconnector.py create_connect_args() (172-219) coerces
	 * ssl_verify_cert to bool (191) but neither ssl_disabled nor
	 * ssl_verify_identity. mysql-connector-python (a5fdd713, lib/mysql/
	 * connector/): abstracts.py takes ssl_disabled as given (674-675),
	 * refuses ssl_key without ssl_cert (719-724) and turns TLS off on a
	 * Unix socket (703-705); network.py sets check_hostname from
	 * ssl_verify_identity's truth (576).
	 */
	check_url("mysql+mysqlconnector://u@h/d?ssl_ca=/x&ssl_disabled=false",
	    "driver=mysqlconnector host=h port=0 user=u password=- db=d "
	    "socket=- charset=utf8mb4 tls=off ca=/x where=h:3306/d");
	check_url("mysql+mysqlconnector://u@h/d?ssl_verify_identity=false",
	    "driver=mysqlconnector host=h port=0 user=u password=- db=d "
	    "socket=- charset=utf8mb4 tls=verify where=h:3306/d");
	check_url("mysql+mysqlconnector://u@localhost/d?unix_socket=/s&ssl_ca=/x",
	    "driver=mysqlconnector host=localhost port=0 user=u password=- "
	    "db=d socket=/s charset=utf8mb4 tls=off ca=/x where=/s/d");
	check_refused("mysql+mysqlconnector://u:s3cr3t@h/d?ssl_key=/k",
	    "one of ssl_key and ssl_cert");
	check_refused("mysql+mysqlconnector://u:s3cr3t@h/d?ssl_verify_cert=maybe",
	    "is not a boolean");
	/* Options that change nothing ferncon does are accepted. */
	check_url("mysql://u@h/d?charset=utf8&compress=true&local_infile=1",
	    "driver=mysqldb host=h port=0 user=u password=- db=d socket=- "
	    "charset=utf8 tls=preferred where=h:3306/d");

	/* What a driver would refuse (TypeError) is refused. */
	check_refused("mysql+pymysql://u:s3cr3t@h/d?ssl_mode=REQUIRED",
	    "option 'ssl_mode' is not one that the pymysql driver takes");
	check_refused("mysql://u:s3cr3t@h/d?sslmode=require",
	    "option 'sslmode' is not one that the mysqldb driver takes");
	check_refused("mysql+mysqlconnector://u:s3cr3t@h/d?ssl_capath=/x",
	    "option 'ssl_capath' is not one");
	check_refused("mysql+oursql://u:s3cr3t@h/d", "unsupported MySQL driver");
	check_refused("mysql://u:s3cr3t@h:99999/d", "is not a port number");
	check_refused("mysql://u:s3cr3t@h:x/d", "is not a port number");
	check_refused("mysql://u:s3cr3t@h/d?ssl_mode=SOMETIMES", "unknown ssl_mode");
	check_refused("mysql://u:s3cr3t@h/d?ssl_check_hostname=maybe",
	    "is not a boolean");
	check_refused("mysql://u:s3cr3t@h/d?charset=latin1", "charset 'latin1'");
	check_refused("mysql://u:s3cr3t@h/d?ssl_ca=/a&ssl_ca=/b", "twice");
	check_refused("mysql://u:s3cr3t@h/d?connect_timeout=soon",
	    "not a number of seconds");
}

/* -- with a server ------------------------------------------------------- */

static int
setup_layout(void **state, const char *layout)
{
	return tdb_fx_setup(state, K1, layout);
}

static int
setup(void **state)
{
	return setup_layout(state, "3.2");
}

static int
setup_upgraded(void **state)
{
	return setup_layout(state, "2.x-upgraded");
}

static struct conn *
sample(struct tdb_fx *f, const char *id, const char *password)
{
	struct conn *c = tdb_conn(id, "mysql", password);
	struct err e;

	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	return c;
}

static int
try_insert(struct tdb_fx *f, struct store *s, const char *id, struct err *e)
{
	struct conn *c = sample(f, id, "pw");
	int rc = store_conn_insert(s, c, e);

	conn_free(c);
	return rc;
}

static void
insert(struct tdb_fx *f, struct store *s, const char *id)
{
	struct err e;

	if (try_insert(f, s, id, &e) != 0)
		fail_msg("insert %s: %s", id, e.msg);
}

/*
 * Every conn_id of q, read in pages of page rows (keyset: after/before the
 * last one seen), joined by ' '.
 */
static void
read_paged(struct store *s, int db_order, int desc, size_t page, char *out,
    size_t cap)
{
	char last[300] = "";
	struct conn c;
	struct err e;
	int got;

	memset(&c, 0, sizeof c);
	out[0] = '\0';
	do {
		struct store_query q = { NULL, page, NULL, NULL, desc, db_order };
		struct store_iter *it = NULL;
		int rc;

		if (last[0] != '\0') {
			if (desc)
				q.before = last;
			else
				q.after = last;
		}
		assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
		got = 0;
		while ((rc = store_iter_next(it, &c, &e)) == 1) {
			got++;
			snprintf(last, sizeof last, "%s", c.conn_id);
			strncat(out, c.conn_id, cap - strlen(out) - 2);
			strcat(out, " ");
		}
		if (rc != 0)
			fail_msg("%s", e.msg);
		store_iter_free(it);
	} while (got == (int)page);
	conn_clear(&c);
}

/* The server's own order of conn_id (the column's collation or bytes). */
static void
server_order(struct tdb_fx *f, const char *order, char *out, size_t cap)
{
	char sql[256], *v;

	snprintf(sql, sizeof sql, "SELECT GROUP_CONCAT(conn_id ORDER BY %s "
	    "SEPARATOR ' ') FROM connection", order);
	v = tdb_query(&f->t, sql);
	snprintf(out, cap, "%s ", v ? v : "");
	free(v);
}

/*
 * The same conn_ids but for case and '_' against '-', as a DB upgraded
 * from 1.x keeps them apart (utf8mb3_bin): each listed once, in byte order
 * (pages of every size) and in the column's order for an export.
 */
static void
test_case_and_dash(void **state)
{
	static const char *const ids[] = { "ab_c", "ab-c", "AB_C", "Ab-c", "ab_C",
	    "abc", "ab", "ab_c_", "AB-C", "a\xc3\xa9", "A\xc3\x89", "_ab", "-ab" };
	struct tdb_fx *f = *state;
	char want[1024], got[1024], wantdb[1024];
	struct store *s = NULL;
	struct err e;
	size_t i, page;

	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	for (i = 0; i < ARRAY_LEN(ids); i++)
		insert(f, s, ids[i]);
	server_order(f, "CAST(conn_id AS BINARY)", want, sizeof want);
	server_order(f, "conn_id", wantdb, sizeof wantdb);
	for (page = 1; page <= ARRAY_LEN(ids) + 1; page++) {
		read_paged(s, 0, 0, page, got, sizeof got);
		assert_string_equal(got, want);
		read_paged(s, 1, 0, page, got, sizeof got);
		assert_string_equal(got, wantdb);
	}
	/* Backwards (the console's page up): the same rows, reversed. */
	read_paged(s, 0, 1, 2, got, sizeof got);
	assert_int_equal(strlen(got), strlen(want));
	/* A duplicate in the column's collation is refused as Airflow's. */
	assert_int_equal(try_insert(f, s, "ab_c", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	store_close(s);
}

/*
 * A fresh DB (utf8mb4_unicode_ci): 'ab_c' and 'AB_C' are one conn_id to
 * MySQL, as to Airflow there; '_' and '-' are not. The export lists in the
 * collation's order, the listing in byte order, each row once.
 */
static void
test_case_insensitive(void **state)
{
	static const char *const ids[] = { "ab_c", "ab-c", "Abc", "abd", "ABE",
	    "a\xc3\xa9", "b", "_x", "-x" };
	struct tdb_fx *f = *state;
	char want[1024], got[1024];
	struct store *s = NULL;
	struct conn c;
	struct err e;
	size_t i, page;

	memset(&c, 0, sizeof c);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	for (i = 0; i < ARRAY_LEN(ids); i++)
		insert(f, s, ids[i]);
	assert_int_equal(try_insert(f, s, "AB_C", &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	/* Read by another case: the column's collation finds it. */
	assert_int_equal(store_conn_get(s, "ABD", &c, &e), 0);
	assert_string_equal(c.conn_id, "abd");
	conn_clear(&c);
	for (page = 1; page <= 4; page++) {
		server_order(f, "conn_id", want, sizeof want);
		read_paged(s, 1, 0, page, got, sizeof got);
		assert_string_equal(got, want);
		server_order(f, "CAST(conn_id AS BINARY)", want, sizeof want);
		read_paged(s, 0, 0, page, got, sizeof got);
		assert_string_equal(got, want);
	}
	store_close(s);
}

/* More than a page in an export: one snapshot, every row once. */
static void
test_export_streaming(void **state)
{
	struct tdb_fx *f = *state;
	struct store_query q = { NULL, 0, NULL, NULL, 0, 1 };
	struct store_iter *it = NULL;
	struct store *s = NULL;
	struct conn c;
	struct err e;
	char id[32], prev[32] = "";
	int i, rc, n = 0;

	memset(&c, 0, sizeof c);
	tdb_exec(&f->t, "START TRANSACTION");
	for (i = 0; i < 2500; i++) {
		char sql[200];

		snprintf(sql, sizeof sql, "INSERT INTO connection (conn_id, "
		    "conn_type, is_encrypted, is_extra_encrypted) VALUES "
		    "('c%c%05d', 'http', 0, 0)", i % 2 ? 'A' : 'a', i);
		tdb_exec(&f->t, sql);
	}
	tdb_exec(&f->t, "COMMIT");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		/* Rows written meanwhile are not seen (one snapshot). */
		if (n == 10)
			tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, "
			    "is_encrypted, is_extra_encrypted) VALUES ('ca99999', "
			    "'http', 0, 0)");
		snprintf(id, sizeof id, "%s", c.conn_id);
		/* Case-insensitive order: digits decide, never the case. */
		assert_true(strcasecmp(prev, id) < 0);
		snprintf(prev, sizeof prev, "%s", id);
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 2500);
	store_iter_free(it);
	conn_clear(&c);
	store_close(s);
}

static void
test_locked(void **state)
{
	struct tdb_fx *f = *state;
	struct store_opts o = { 1000, NULL };
	struct store *s = NULL;
	struct tdb_lock *lock;
	struct err e;
	size_t n = 99;
	char *before, *after;

	assert_int_equal(store_open(&s, f->t.url, &o, &e), 0);
	insert(f, s, "first");
	before = tdb_dump(&f->t);
	lock = tdb_lock_writes(&f->t);
	assert_int_equal(try_insert(f, s, "blocked", &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "is locked"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	/* A rotation's batch in a transaction: the commit fails whole. */
	assert_int_equal(store_begin(s, &e), 0);
	if (store_field_update(s, STORE_CONN_PASSWORD, 1, "x", 1, 0, &e) == 0)
		assert_int_equal(store_commit(s, &e), -1);
	else
		store_rollback(s);
	assert_non_null(strstr(e.msg, "is locked"));
	/* Reading is not blocked by that lock. */
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 1);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(before);
	free(after);
	tdb_unlock(lock);
	insert(f, s, "blocked");
	store_close(s);
}

/* A failed statement inside a transaction fails the whole transaction. */
static void
test_failed_transaction(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct err e;
	char *v;

	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	insert(f, s, "x");
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "new", 3, 0,
	    &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 99, "gone", 4,
	    0, &e), 0);
	assert_int_equal(store_commit(s, &e), -1);
	assert_int_equal(e.code, ERR_NOTFOUND);
	v = tdb_query(&f->t, "SELECT password FROM connection WHERE id = 1");
	assert_string_not_equal(v, "new");
	free(v);
	/* A refused duplicate leaves the transaction usable (as on SQLite). */
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(try_insert(f, s, "x", &e), -1);
	insert(f, s, "y");
	assert_int_equal(store_commit(s, &e), 0);
	v = tdb_query(&f->t, "SELECT COUNT(*) FROM connection");
	assert_string_equal(v, "2");
	free(v);
	store_close(s);
}

/* root's session (FERNCON_TEST_MY_ADMIN_URL). */
static MYSQL *
admin(void)
{
	const char *url = getenv("FERNCON_TEST_MY_ADMIN_URL");
	struct myurl *u = NULL;
	struct err e;
	MYSQL *m = mysql_init(NULL);

	if (url == NULL || myurl_parse(url, &u, &e) != 0 ||
	    myurl_apply(u, m, &e) != 0 ||
	    mysql_real_connect(m, myurl_host(u), myurl_user(u),
	    myurl_password(u), myurl_db(u), myurl_port(u), myurl_socket(u),
	    CLIENT_MULTI_STATEMENTS) == NULL)
		fail_msg("cannot connect as root: %s", mysql_error(m));
	myurl_free(u);
	return m;
}

static void
admin_exec(MYSQL *m, const char *sql)
{
	MYSQL_RES *r;
	int st;

	if (mysql_query(m, sql) != 0)
		fail_msg("sql failed: %s: %s", mysql_error(m), sql);
	do {
		if ((r = mysql_store_result(m)) != NULL)
			mysql_free_result(r);
		if ((st = mysql_next_result(m)) > 0)
			fail_msg("sql failed: %s", mysql_error(m));
	} while (st == 0);
}

/* A URL for user:password on the test server (the test URL's host/port). */
static void
user_url(char *out, size_t cap, const char *user, const char *password)
{
	const char *url = getenv("FERNCON_TEST_MY_URL");
	const char *at = strrchr(url, '@');

	snprintf(out, cap, "mysql://%s:%s%s", user, password, at);
}

static void
test_readonly_user(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	char url[1024];
	struct err e;
	MYSQL *a = admin();

	admin_exec(a, "DROP USER IF EXISTS 'ferncon_viewer'@'%'; CREATE USER "
	    "'ferncon_viewer'@'%' IDENTIFIED BY 'viewer-pw'; GRANT SELECT ON "
	    "airflow.* TO 'ferncon_viewer'@'%'");
	user_url(url, sizeof url, "ferncon_viewer", "viewer-pw");
	if (store_open(&s, url, NULL, &e) != 0)
		fail_msg("%s", e.msg);
	assert_true(store_readonly(s));
	assert_int_equal(try_insert(f, s, "nope", &e), -1);
	assert_int_equal(e.code, ERR_DENIED);
	assert_non_null(strstr(e.msg, "read-only"));
	assert_int_equal(store_begin(s, &e), -1);
	store_close(s);
	/* UPDATE on connection but not on variable: the server's refusal. */
	tdb_exec(&f->t, "INSERT INTO variable (\"key\", val, is_encrypted) VALUES "
	    "('k', 'v', 0)");
	admin_exec(a, "GRANT UPDATE ON airflow.connection TO "
	    "'ferncon_viewer'@'%'");
	assert_int_equal(store_open(&s, url, NULL, &e), 0);
	assert_false(store_readonly(s));
	assert_int_equal(store_begin(s, &e), 0);
	if (store_field_update(s, STORE_VAR_VAL, 1, "x", 1, 0, &e) == 0)
		assert_int_equal(store_commit(s, &e), -1);
	else
		store_rollback(s);
	assert_int_equal(e.code, ERR_DENIED);
	assert_non_null(strstr(e.msg, "nothing was changed"));
	store_close(s);
	admin_exec(a, "DROP USER 'ferncon_viewer'@'%'");
	mysql_close(a);
}

/* -- batched writes: upserts ------------------------------------------- */

/* The server's count of a statement kind (SHOW GLOBAL STATUS, as root). */
static long
com_count(MYSQL *a, const char *var)
{
	char sql[128];
	MYSQL_RES *r = NULL;
	MYSQL_ROW row;
	long n = -1;

	snprintf(sql, sizeof sql, "SHOW GLOBAL STATUS LIKE '%s'", var);
	if (mysql_query(a, sql) != 0 || (r = mysql_store_result(a)) == NULL)
		fail_msg("%s: %s", sql, mysql_error(a));
	if ((row = mysql_fetch_row(r)) != NULL && row[1] != NULL)
		n = strtol(row[1], NULL, 10);
	mysql_free_result(r);
	return n;
}

/* Statements of each kind the server ran since the last call. */
struct coms {
	long	insert, update_multi;
};

static void
coms_delta(MYSQL *a, struct coms *since, struct coms *d)
{
	struct coms now = { com_count(a, "Com_insert"),
	    com_count(a, "Com_update_multi") };

	d->insert = now.insert - since->insert;
	d->update_multi = now.update_multi - since->update_multi;
	*since = now;
}

/* Rows of connection: conn_id, both secrets and flags, by id, as one string. */
static char *
conn_rows(struct tdb_fx *f)
{
	return tdb_query(&f->t, "SELECT GROUP_CONCAT(CONCAT_WS(':', id, conn_id, "
	    "IFNULL(password, '-'), IFNULL(is_encrypted, '-'), IFNULL(extra, '-'), "
	    "IFNULL(is_extra_encrypted, '-')) ORDER BY id SEPARATOR ' ') FROM "
	    "connection");
}

/*
 * Read connection.password of every row FOR UPDATE in a new transaction
 * (the rotation's read) and queue for each row i of ids: only the
 * password, only the extra or both (by i % 3), "p<id>"/"e<id>" with the
 * flag set. The caller commits.
 */
static void
write_read_rows(struct store *s, size_t nids)
{
	struct store_iter *it = NULL;
	struct store_value v;
	int64_t ids[64];
	size_t n = 0, i;
	char pw[32], ex[32];
	struct err e;
	int rc;

	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 0, &it, &e),
	    0);
	while ((rc = store_field_next(it, &v, &e)) == 1 && n < ARRAY_LEN(ids))
		ids[n++] = v.id;
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, nids);
	for (i = 0; i < n; i++) {
		unsigned which = i % 3 == 0 ? STORE_SET_PASSWORD : i % 3 == 1 ?
		    STORE_SET_EXTRA : STORE_SET_PASSWORD | STORE_SET_EXTRA;

		snprintf(pw, sizeof pw, "p%lld", (long long)ids[i]);
		snprintf(ex, sizeof ex, "e%lld", (long long)ids[i]);
		if (store_conn_secrets_update(s, ids[i], which, pw, strlen(pw), 1,
		    ex, strlen(ex), 1, &e) != 0)
			fail_msg("update %lld: %s", (long long)ids[i], e.msg);
	}
}

/*
 * conn_ids that differ only in case or in '_' against '-' (both kept
 * apart by a utf8mb3_bin column, the second by utf8mb4_unicode_ci too):
 * a batch of rows read FOR UPDATE goes as one INSERT ... ON DUPLICATE KEY
 * UPDATE of each row's own id and conn_id, and each row gets its own new
 * values (the secret not written keeps its value and flag), no row is
 * added, AUTO_INCREMENT does not move.
 */
static void
check_upsert_names(struct tdb_fx *f, const char *const *ids, size_t n)
{
	struct store *s = NULL;
	struct coms c = { 0, 0 }, d;
	struct err e;
	char sql[256], want[1024], *got, *ai0, *ai1;
	size_t i;
	MYSQL *a = admin();

	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO connection (conn_id, "
		    "conn_type, password, extra, is_encrypted, is_extra_encrypted) "
		    "VALUES ('%s', 'http', 'oldp', 'olde', 0, 0)", ids[i]);
		tdb_exec(&f->t, sql);
	}
	ai0 = tdb_query(&f->t, "SELECT AUTO_INCREMENT FROM information_schema."
	    "TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'connection'");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	write_read_rows(s, n);
	coms_delta(a, &c, &d);
	assert_int_equal(store_commit(s, &e), 0);
	coms_delta(a, &c, &d);
	assert_int_equal(d.insert, 1);
	assert_int_equal(d.update_multi, 0);
	want[0] = '\0';
	for (i = 0; i < n; i++) {
		int id = (int)i + 1;

		if (i % 3 == 0)
			snprintf(sql, sizeof sql, "%d:%s:p%d:1:olde:0", id, ids[i], id);
		else if (i % 3 == 1)
			snprintf(sql, sizeof sql, "%d:%s:oldp:0:e%d:1", id, ids[i], id);
		else
			snprintf(sql, sizeof sql, "%d:%s:p%d:1:e%d:1", id, ids[i], id,
			    id);
		if (i > 0)
			strcat(want, " ");
		strcat(want, sql);
	}
	got = conn_rows(f);
	assert_string_equal(got, want);
	ai1 = tdb_query(&f->t, "SELECT AUTO_INCREMENT FROM information_schema."
	    "TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'connection'");
	assert_string_equal(ai0, ai1);
	free(got);
	free(ai0);
	free(ai1);
	store_close(s);
	mysql_close(a);
}

static void
test_upsert_case_and_dash(void **state)
{
	static const char *const ids[] = { "ab_c", "AB_C", "ab-c", "Ab-C", "abc",
	    "a\xc3\xa9", "A\xc3\x89" };

	check_upsert_names(*state, ids, ARRAY_LEN(ids));
}

static void
test_upsert_case_insensitive(void **state)
{
	static const char *const ids[] = { "ab_c", "ab-c", "Abd", "a\xc3\xa9",
	    "ab" };

	check_upsert_names(*state, ids, ARRAY_LEN(ids));
}

/* Three connections: a, b, c (ids 1 to 3), password and extra "old". */
static void
three_rows(struct tdb_fx *f)
{
	tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, password, "
	    "extra, is_encrypted, is_extra_encrypted) VALUES ('a', 'http', 'old', "
	    "'old', 0, 0), ('b', 'http', 'old', 'old', 0, 0), ('c', 'http', "
	    "'old', 'old', 0, 0)");
}

/*
 * A row deleted between pages cannot come back. The rows of a page read
 * FOR UPDATE cannot be deleted or renamed by another session (it waits for
 * the lock); a row after the page can, and the next page does not see it.
 * A row this session itself deletes after reading it (no rotation does) is
 * caught by the upsert's count: the transaction fails whole.
 */
static void
test_upsert_deleted_row(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	char *before, *got;
	int rc, n = 0;
	MYSQL *a = admin();

	three_rows(f);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 2, &it, &e),
	    0);
	while ((rc = store_field_next(it, &v, &e)) == 1)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(n, 2);
	store_iter_free(it);
	admin_exec(a, "SET SESSION innodb_lock_wait_timeout = 1");
	assert_int_not_equal(mysql_query(a, "DELETE FROM airflow.connection WHERE "
	    "id = 2"), 0);
	assert_int_equal(mysql_errno(a), 1205);	/* ER_LOCK_WAIT_TIMEOUT */
	assert_int_not_equal(mysql_query(a, "UPDATE airflow.connection SET "
	    "conn_id = 'z' WHERE id = 1"), 0);
	assert_int_equal(mysql_errno(a), 1205);
	admin_exec(a, "DELETE FROM airflow.connection WHERE id = 3");
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 2, 2, &it, &e),
	    0);
	assert_int_equal(store_field_next(it, &v, &e), 0);
	store_iter_free(it);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "new1", 4, 1,
	    &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 2, "new2", 4, 1,
	    &e), 0);
	assert_int_equal(store_commit(s, &e), 0);
	got = conn_rows(f);
	assert_string_equal(got, "1:a:new1:1:old:0 2:b:new2:1:old:0");
	free(got);

	/* Deleted by this session after the read: the count sees the insert. */
	before = conn_rows(f);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 0, &it, &e),
	    0);
	while ((rc = store_field_next(it, &v, &e)) == 1)
		;
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(store_conn_delete(s, "b", &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "x1", 2, 1,
	    &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 2, "x2", 2, 1,
	    &e), 0);
	assert_int_equal(store_commit(s, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "counted 3 changes, not 2 a row"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	store_rollback(s);
	got = conn_rows(f);
	assert_string_equal(got, before);
	free(got);
	free(before);
	store_close(s);
	mysql_close(a);
}

/*
 * Where an INSERT could do more than an UPDATE, the batch goes as UPDATE
 * ... JOIN instead, with the same result: a trigger on the table (a
 * BEFORE INSERT trigger would fire for every row), another NOT NULL column
 * without a default, another unique key, a user without INSERT.
 */
static void
test_upsert_refused(void **state)
{
	static const char *const ddl[] = {
		"CREATE TRIGGER conn_audit BEFORE INSERT ON connection FOR EACH ROW "
		    "SET NEW.description = 'inserted'",
		"ALTER TABLE connection ADD COLUMN owner INTEGER NOT NULL",
		"ALTER TABLE connection ADD UNIQUE KEY conn_host_uq (host)",
		NULL,
	};
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct coms c = { 0, 0 }, d;
	struct err e;
	char url[1024], *got;
	size_t i;
	MYSQL *a = admin();

	admin_exec(a, "DROP USER IF EXISTS 'ferncon_upd'@'%'; CREATE USER "
	    "'ferncon_upd'@'%' IDENTIFIED BY 'upd-pw'; GRANT SELECT, UPDATE ON "
	    "airflow.* TO 'ferncon_upd'@'%'");
	user_url(url, sizeof url, "ferncon_upd", "upd-pw");
	three_rows(f);
	for (i = 0; i < ARRAY_LEN(ddl); i++) {
		if (ddl[i] != NULL)
			tdb_exec(&f->t, ddl[i]);
		assert_int_equal(store_open(&s, ddl[i] != NULL ? f->t.url : url,
		    NULL, &e), 0);
		write_read_rows(s, 3);
		coms_delta(a, &c, &d);
		assert_int_equal(store_commit(s, &e), 0);
		coms_delta(a, &c, &d);
		assert_int_equal(d.insert, 0);
		assert_int_equal(d.update_multi, 1);
		got = conn_rows(f);
		assert_string_equal(got, "1:a:p1:1:old:0 2:b:old:0:e2:1 "
		    "3:c:p3:1:e3:1");
		free(got);
		store_close(s);
		tdb_exec(&f->t, "UPDATE connection SET password = 'old', extra = "
		    "'old', is_encrypted = 0, is_extra_encrypted = 0");
		if (i == 0)
			tdb_exec(&f->t, "DROP TRIGGER conn_audit");
		else if (i == 1)
			tdb_exec(&f->t, "ALTER TABLE connection DROP COLUMN owner");
		else if (i == 2)
			tdb_exec(&f->t, "ALTER TABLE connection DROP KEY conn_host_uq");
	}
	/* With none of these the same batch is an upsert. */
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	write_read_rows(s, 3);
	coms_delta(a, &c, &d);
	assert_int_equal(store_commit(s, &e), 0);
	coms_delta(a, &c, &d);
	assert_int_equal(d.insert, 1);
	store_close(s);
	admin_exec(a, "DROP USER 'ferncon_upd'@'%'");
	mysql_close(a);
}

struct stopper {
	struct store	*s;
	int		 done;
	pthread_mutex_t	 lock;
};

/* Interrupt until the owner's call has returned (store.h: again if early). */
static void *
stopper_run(void *arg)
{
	struct stopper *st = arg;
	int done;

	for (;;) {
		usleep(100 * 1000);
		pthread_mutex_lock(&st->lock);
		done = st->done;
		if (!done)
			store_interrupt(st->s);
		pthread_mutex_unlock(&st->lock);
		if (done)
			return NULL;
	}
}

/*
 * The general log of the test's own server, as a table: cleared and on,
 * then off. sorted_statements() counts the statements it holds that sort
 * by CAST(col AS BINARY): a text query once, a prepared one once (its
 * Execute).
 */
static void
log_start(MYSQL *a)
{
	admin_exec(a, "SET GLOBAL general_log = 0; SET GLOBAL log_output = "
	    "'TABLE'; TRUNCATE TABLE mysql.general_log; SET GLOBAL general_log = 1");
}

static long
sorted_statements(MYSQL *a, const char *col)
{
	char sql[300];
	MYSQL_RES *r;
	MYSQL_ROW row;
	long n;

	admin_exec(a, "SET GLOBAL general_log = 0");
	snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM mysql.general_log WHERE "
	    "command_type IN ('Query', 'Execute') AND argument LIKE "
	    "'%%ORDER BY CAST(%s AS BINARY)%%'", col);
	if (mysql_query(a, sql) != 0 || (r = mysql_store_result(a)) == NULL)
		fail_msg("reading the general log: %s", mysql_error(a));
	row = r != NULL ? mysql_fetch_row(r) : NULL;
	n = row != NULL && row[0] != NULL ? strtol(row[0], NULL, 10) : -1;
	mysql_free_result(r);
	return n;
}

#define LONG_ROWS 2500	/* three pages */

/*
 * A listing of more than a page in byte order sorts once, in a server-side
 * cursor (store_my.c, "Order"), where keyset pages would each scan and sort
 * the table: every row once, in the order of the server's own ORDER BY
 * CAST(... AS BINARY), both ways; one statement that sorts; other
 * statements run on the session between two pages; a row deleted after
 * the cursor opened is passed over, one added is not listed.
 */
static void
test_long_listing_cursor(void **state)
{
	static const char lead[] = "Aa_-Zz";
	struct tdb_fx *f = *state;
	struct store_var_query vq;
	struct store_iter *it = NULL;
	struct store *s = NULL;
	struct store_var v;
	struct conn c;
	struct err e;
	char *want = NULL, *got, sql[300], prev[64];
	MYSQL *a = admin();
	size_t cap = LONG_ROWS * 12 + 16;
	int i, rc, n, desc;

	memset(&c, 0, sizeof c);
	got = calloc(1, cap);
	assert_non_null(got);
	tdb_exec(&f->t, "SET SESSION group_concat_max_len = 1048576");
	tdb_exec(&f->t, "START TRANSACTION");
	for (i = 0; i < LONG_ROWS; i++) {
		snprintf(sql, sizeof sql, "INSERT INTO connection (conn_id, "
		    "conn_type, is_encrypted, is_extra_encrypted) VALUES "
		    "('%c%05d', 'http', 0, 0)", lead[i % 6], LONG_ROWS - i);
		tdb_exec(&f->t, sql);
		snprintf(sql, sizeof sql, "INSERT INTO variable (`key`, val, "
		    "is_encrypted) VALUES ('%c%05d', 'v%d', 0)", lead[(i + 1) % 6],
		    i, i);
		tdb_exec(&f->t, sql);
	}
	tdb_exec(&f->t, "COMMIT");
	want = tdb_query(&f->t, "SELECT GROUP_CONCAT(conn_id ORDER BY "
	    "CAST(conn_id AS BINARY) SEPARATOR ' ') FROM connection");
	assert_non_null(want);
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);

	/* Connections, ascending: the byte order, one sort (not one a page). */
	log_start(a);
	assert_int_equal(store_conn_iter(s, NULL, &it, &e), 0);
	n = 0;
	got[0] = '\0';
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		if (n > 0)
			strcat(got, " ");
		strcat(got, c.conn_id);
		n++;
	}
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, LONG_ROWS);
	assert_string_equal(got, want);
	assert_int_equal(sorted_statements(a, "conn_id"), 1);

	/* Descending, with statements between the pages. */
	desc = 1;
	{
		struct store_query q = { NULL, 0, NULL, NULL, desc, 0 };

		assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	}
	n = 0;
	prev[0] = '\0';
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		if (n > 0)
			assert_true(strcmp(c.conn_id, prev) < 0);
		snprintf(prev, sizeof prev, "%s", c.conn_id);
		if (n == 1500) {
			struct conn g;

			/* The session is free between two pages. */
			memset(&g, 0, sizeof g);
			assert_int_equal(store_conn_get(s, "A02500", &g, &e), 0);
			conn_clear(&g);
			/* On the last page, not read yet: passed over. */
			tdb_exec(&f->t, "DELETE FROM connection WHERE conn_id = "
			    "'-02497'");
			/* Added after the cursor opened: not listed. */
			tdb_exec(&f->t, "INSERT INTO connection (conn_id, "
			    "conn_type, is_encrypted, is_extra_encrypted) VALUES "
			    "('0new', 'http', 0, 0)");
		}
		assert_string_not_equal(c.conn_id, "0new");
		assert_string_not_equal(c.conn_id, "-02497");
		n++;
	}
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, LONG_ROWS - 1);

	/* Variables (store.c's pager asks for every row): the same. */
	free(want);
	want = tdb_query(&f->t, "SELECT GROUP_CONCAT(`key` ORDER BY "
	    "CAST(`key` AS BINARY) SEPARATOR ' ') FROM variable");
	assert_non_null(want);
	memset(&vq, 0, sizeof vq);
	log_start(a);
	assert_int_equal(store_var_list(s, &vq, &it, &e), 0);
	n = 0;
	got[0] = '\0';
	while ((rc = store_var_next(it, &v, &e)) == 1) {
		if (n > 0)
			strcat(got, " ");
		strcat(got, v.key);
		n++;
	}
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, LONG_ROWS);
	assert_string_equal(got, want);
	assert_int_equal(sorted_statements(a, "\"key\""), 1);
	/* A limit of two pages and a bit, after a key: the first ones. */
	vq.after = "-00004";
	vq.limit = 2100;
	assert_int_equal(store_var_list(s, &vq, &it, &e), 0);
	n = 0;
	prev[0] = '\0';
	while ((rc = store_var_next(it, &v, &e)) == 1) {
		assert_true(strcmp(v.key, "-00004") > 0);
		assert_true(strcmp(v.key, prev) > 0);
		snprintf(prev, sizeof prev, "%s", v.key);
		n++;
	}
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, 2100);

	conn_clear(&c);
	free(want);
	free(got);
	store_close(s);
	mysql_close(a);
}

/*
 * A search that waits (another session holds LOCK TABLES connection WRITE,
 * so even a read waits, up to the 60 s lock timeout) is stopped by
 * store_interrupt() from another thread: ERR_INTERRUPTED, and the store
 * works on afterwards.
 */
static void
test_interrupt_search(void **state)
{
	struct tdb_fx *f = *state;
	struct store_opts o = { 60000, NULL };
	/* A page of 50, and every row (a cursor: store_my.c, "Order"). */
	static const size_t limits[] = { 50, 0 };
	struct store_iter *it = NULL;
	struct stopper st;
	struct store *s = NULL;
	struct conn c;
	struct err e;
	pthread_t th;
	MYSQL *a = admin();
	size_t n, k;
	int rc;

	memset(&c, 0, sizeof c);
	assert_int_equal(store_open(&s, f->t.url, &o, &e), 0);
	insert(f, s, "haystack-needle");
	for (k = 0; k < ARRAY_LEN(limits); k++) {
		struct store_query q = { NULL, limits[k], "needle", NULL, 0, 0 };

		admin_exec(a, "LOCK TABLES airflow.connection WRITE");
		st.s = s;
		st.done = 0;
		pthread_mutex_init(&st.lock, NULL);
		assert_int_equal(pthread_create(&th, NULL, stopper_run, &st), 0);
		assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
		rc = store_iter_next(it, &c, &e);
		pthread_mutex_lock(&st.lock);
		st.done = 1;
		pthread_mutex_unlock(&st.lock);
		pthread_join(th, NULL);
		pthread_mutex_destroy(&st.lock);
		assert_int_equal(rc, -1);
		if (e.code != ERR_INTERRUPTED)
			fail_msg("limit %zu: want interrupted, got: %s", limits[k],
			    e.msg);
		/* The iterator stays failed; the store goes on. */
		assert_int_equal(store_iter_next(it, &c, &e), -1);
		store_iter_free(it);
		admin_exec(a, "UNLOCK TABLES");
		assert_int_equal(store_conn_count(s, &n, &e), 0);
		assert_int_equal(n, 1);
	}
	conn_clear(&c);
	store_close(s);
	mysql_close(a);
}

/*
 * The server kills the session in the middle of a transaction: a clear
 * message, nothing half-written, and outside a transaction the next call
 * reconnects.
 */
static void
test_lost_connection(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct err e;
	char sql[128], *before, *after, *id;
	MYSQL *a = admin();
	size_t n = 0;
	int rc;

	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	insert(f, s, "one");
	insert(f, s, "two");
	before = tdb_dump(&f->t);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "x", 1, 0,
	    &e), 0);
	id = tdb_query(&f->t, "SELECT MAX(ID) FROM information_schema.PROCESSLIST "
	    "WHERE USER = 'airflow' AND ID <> CONNECTION_ID()");
	assert_non_null(id);
	snprintf(sql, sizeof sql, "KILL %s", id);
	free(id);
	admin_exec(a, sql);
	rc = store_field_update(s, STORE_CONN_PASSWORD, 2, "y", 1, 0, &e);
	if (rc == 0)
		rc = store_commit(s, &e);
	else
		store_rollback(s);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(e.msg, "lost the connection to MySQL"));
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 2);
	free(before);
	free(after);
	store_close(s);
	mysql_close(a);
}

static void
test_connect_errors(void **state)
{
	struct store *s = NULL;
	char url[1024];
	struct err e;

	(void)state;
	user_url(url, sizeof url, "airflow", "wrong-s3cr3t");
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "cannot connect to MySQL at"));
	assert_null(strstr(e.msg, "s3cr3t"));
	assert_int_equal(store_open(&s, "mysql://u:s3cr3t@127.0.0.1:1/airflow",
	    NULL, &e), -1);
	assert_non_null(strstr(e.msg, "127.0.0.1:1/airflow"));
	assert_null(strstr(e.msg, "s3cr3t"));
	assert_int_equal(store_open(&s, "mysql://u:s3cr3t@127.0.0.1:1", NULL, &e),
	    -1);
	assert_int_equal(e.code, ERR_CONFIG);
}

/* A database without Airflow's tables. */
static void
test_missing_table(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct err e;

	tdb_exec(&f->t, "SET FOREIGN_KEY_CHECKS = 0; DROP TABLE connection; "
	    "SET FOREIGN_KEY_CHECKS = 1");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "is it an Airflow metadata database"));
}

int
main(void)
{
	const struct CMUnitTest url_tests[] = {
		cmocka_unit_test(test_url_forms),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_forms),
		cmocka_unit_test_setup_teardown(test_connect_errors, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_table, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_case_and_dash, setup_upgraded,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_case_insensitive, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_export_streaming, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_long_listing_cursor, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_failed_transaction, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_user, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_search, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_lost_connection, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_upsert_case_and_dash,
		    setup_upgraded, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_upsert_case_insensitive, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_upsert_deleted_row, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_upsert_refused, setup,
		    tdb_fx_teardown),
	};
	int rc;

	tu_init();
	if (!tdb_my())
		rc = cmocka_run_group_tests_name("store_my (no server: the URL "
		    "cases only; tests/store_my.sh runs the rest)", url_tests, NULL,
		    NULL);
	else
		rc = cmocka_run_group_tests_name("store_my", tests, NULL, NULL);
	core_thread_cleanup();
	return rc;
}
