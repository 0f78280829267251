/*
 * test_store_pg.c: what only the PostgreSQL store has, against a real
 * server (tests/store_pg.sh starts one and sets FERNCON_TEST_PG_URL and
 * PG_HOST, PG_PORT, PG_USER, PG_PASSWORD, PG_DB; FERNCON_TEST_PG_ADMIN_URL
 * for the superuser). The SQLite-only cases of test_store.c have their
 * equivalents here: a refused connection (a closed port), a bad password,
 * a missing database and a missing table instead of a corrupt file; a
 * table lock held by another session instead of a file lock; a user
 * without UPDATE instead of a read-only file; and a connection lost in the
 * middle of a transaction (pg_terminate_backend from another session),
 * which must give a clear message and leave nothing half-written. Also:
 * the URL forms and query options, SQLAlchemy's multi-host URLs (what
 * libpq gets for each form, checked without a server against what the
 * psycopg2 dialect of SQLAlchemy 2.0 and 1.4 makes of it; failover from a
 * refused host to the server; every host named in a failure; the forms
 * SQLAlchemy refuses), sql_alchemy_schema, byte order of conn_id whatever
 * the database collation, the database's own order for an export (the
 * test DB's ICU collation; keyset pages in it), streaming across pages,
 * and a refused row that leaves the caller's transaction usable.
 * Without FERNCON_TEST_PG_URL only the URL cases run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "conn.h"
#include "core.h"
#include "buf.h"
#include "keyring.h"
#include "pgurl.h"
#include "store_int.h"
#include "testdb.h"
#include "testutil.h"

#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="

static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL)
		fail_msg("%s is not set (run through tests/store_pg.sh)", name);
	return v;
}

/* The password of PG_PASSWORD, %-encoded as a URL needs it. */
static void
encode(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s != '\0' && n + 4 < cap; s++) {
		if (strchr("@:/%?#[]", *s) != NULL)
			n += (size_t)snprintf(out + n, cap - n, "%%%02X",
			    (unsigned char)*s);
		else
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* scheme://user:password@host:port/db?query (password NULL: none). */
static void
make_url(char *out, size_t cap, const char *scheme, const char *password,
    const char *port, const char *db, const char *query)
{
	char enc[256];

	if (password != NULL)
		encode(password, enc, sizeof enc);
	snprintf(out, cap, "%s://%s%s%s@%s:%s/%s%s%s", scheme, env("PG_USER"),
	    password ? ":" : "", password ? enc : "", env("PG_HOST"),
	    port ? port : env("PG_PORT"), db ? db : env("PG_DB"),
	    query ? "?" : "", query ? query : "");
}

static PGconn *
other_session(void)
{
	PGconn *c = PQconnectdb(env("FERNCON_TEST_PG_URL"));

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect: %s", PQerrorMessage(c));
	return c;
}

static void
other_exec(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("sql failed: %s", PQerrorMessage(c));
	PQclear(r);
}

static int
setup(void **state)
{
	return tdb_fx_setup(state, K1, "3.2");
}

static struct conn *
sample(struct tdb_fx *f, const char *id, const char *password)
{
	struct conn *c = tdb_conn(id, "postgres", password);
	struct err e;

	assert_int_equal(conn_seal(c, NULL, f->kr, &e), 0);
	return c;
}

static void
insert(struct tdb_fx *f, struct store *s, const char *id)
{
	struct conn *c = sample(f, id, "pw");
	struct err e;

	if (store_conn_insert(s, c, &e) != 0)
		fail_msg("insert %s: %s", id, e.msg);
	conn_free(c);
}

static size_t
count(struct tdb_fx *f, const char *sql)
{
	char *v = tdb_query(&f->t, sql);
	size_t n = v ? (size_t)strtoull(v, NULL, 10) : 0;

	free(v);
	return n;
}

/* -- connecting ---------------------------------------------------------- */

static void
test_url_forms(void **state)
{
	static const char *const schemes[] = { "postgresql", "postgresql+psycopg2",
	    "postgres" };
	const char *pw = env("PG_PASSWORD");
	struct store *s = NULL;
	struct err e;
	char url[1024], want[512];
	size_t i;

	(void)state;
	snprintf(want, sizeof want, "%s@%s:%s/%s", env("PG_USER"), env("PG_HOST"),
	    env("PG_PORT"), env("PG_DB"));
	for (i = 0; i < ARRAY_LEN(schemes); i++) {
		make_url(url, sizeof url, schemes[i], pw, NULL, NULL,
		    "sslmode=disable&connect_timeout=5&application_name=ferncon-test");
		if (store_open(&s, url, NULL, &e) != 0)
			fail_msg("%s: %s", schemes[i], e.msg);
		assert_string_equal(store_backend(s), "postgresql");
		/* The name for messages: user@host:port/db, never the password. */
		assert_string_equal(store_name(s), want);
		assert_false(store_readonly(s));
		assert_int_equal(store_airflow_version(s)->major, 3);
		assert_int_equal(store_airflow_version(s)->minor, 2);
		assert_string_equal(store_alembic_head(s), "6222ce48e289");
		assert_true(store_has_table(s, "variable"));
		assert_true(store_has_table(s, "trigger"));
		assert_false(store_has_table(s, "no_such_table"));
		store_close(s);
	}
	/* The password may come from libpq's own sources (PGPASSWORD). */
	make_url(url, sizeof url, "postgresql", NULL, NULL, NULL, NULL);
	setenv("PGPASSWORD", pw, 1);
	assert_int_equal(store_open(&s, url, NULL, &e), 0);
	store_close(s);
	unsetenv("PGPASSWORD");
	/* Query options reach libpq: this server has no SSL. */
	make_url(url, sizeof url, "postgresql", pw, NULL, NULL, "sslmode=require");
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "SSL"));
	make_url(url, sizeof url, "postgresql", pw, NULL, NULL, "no_such_option=1");
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "invalid connection option 'no_such_option'"));
	assert_null(strstr(e.msg, pw));
}

static void
test_connect_errors(void **state)
{
	const char *pw = env("PG_PASSWORD");
	struct store *s = NULL;
	struct err e;
	char url[1024], want[512], port[16];
	PGconn *c;
	PGresult *r;

	(void)state;
	/* A bad password: one clear line naming the user, not the password. */
	make_url(url, sizeof url, "postgresql", "not-the-password@:/", NULL, NULL,
	    NULL);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	snprintf(want, sizeof want, "cannot connect to PostgreSQL at %s:%s/%s: "
	    "password authentication failed for user '%s'", env("PG_HOST"),
	    env("PG_PORT"), env("PG_DB"), env("PG_USER"));
	assert_string_equal(e.msg, want);
	assert_null(strstr(e.msg, "not-the-password"));
	assert_null(strchr(e.msg, '\n'));

	/* A refused connection: a port where nothing listens. */
	c = other_session();
	r = PQexec(c, "SELECT 1");	/* just to hold a session */
	PQclear(r);
	snprintf(port, sizeof port, "%d", atoi(env("PG_PORT")) == 1 ? 2 : 1);
	make_url(url, sizeof url, "postgresql", pw, port, NULL, NULL);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	snprintf(want, sizeof want, "cannot connect to PostgreSQL at %s:%s/%s: "
	    "connection refused", env("PG_HOST"), port, env("PG_DB"));
	if (strncmp(e.msg, want, strlen(want)) != 0)
		fail_msg("got: %s", e.msg);
	assert_null(strstr(e.msg, pw));
	PQfinish(c);

	/* A missing database. */
	make_url(url, sizeof url, "postgresql", pw, NULL, "no_such_db", NULL);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "database 'no_such_db' does not exist"));

	/* A database without Airflow's tables. */
	make_url(url, sizeof url, "postgresql", pw, NULL, "postgres", NULL);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "has no Airflow connection table"));
	assert_null(strstr(e.msg, pw));

	/* A URL ferncon cannot read. */
	assert_int_equal(store_open(&s, "postgresql+psycopg2:/nohost", NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
}

/* A table that disappears under a running store: a clear message. */
static void
test_missing_table(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	size_t n;

	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	tdb_exec(&f->t, "DROP TABLE variable");
	assert_false(store_field_exists(s, STORE_VAR_VAL));
	assert_int_equal(store_field_count(s, STORE_VAR_VAL, &n, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "relation 'variable' does not exist"));
	assert_non_null(strstr(e.msg, "Airflow metadata database"));
	assert_int_equal(store_field_iter(s, STORE_VAR_VAL, 0, 0, &it, &e), 0);
	assert_int_equal(store_field_next(it, &v, &e), -1);
	store_iter_free(it);
	/* The store still works for what exists. */
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	store_close(s);
}

/* -- several hosts (SQLAlchemy's multi-host URLs) ------------------------ */

/*
 * What libpq gets for a URL, without a server: the keywords after
 * ferncon's three defaults, and the name messages use. The expected
 * values are what SQLAlchemy 2.0's psycopg2 dialect hands psycopg2
 * (create_connect_args() with _split_multihost_from_url()), and 1.4.46's
 * where it agrees.
 */
static void
check_url(const char *url, const char *want_kw, const char *want_where)
{
	static const char defaults[] = "fallback_application_name=ferncon "
	    "connect_timeout=10 client_encoding=UTF8 ";
	char *kw = NULL, *where = NULL;
	struct err e;

	if (pgurl_keywords(url, &kw, &where, &e) != 0)
		fail_msg("%s: %s", url, e.msg);
	assert_int_equal(strncmp(kw, defaults, strlen(defaults)), 0);
	if (strcmp(kw + strlen(defaults), want_kw) != 0 ||
	    strcmp(where, want_where) != 0)
		fail_msg("%s:\n  got  %s | %s\n  want %s | %s", url,
		    kw + strlen(defaults), where, want_kw, want_where);
	free(kw);
	free(where);
}

/* A URL that SQLAlchemy refuses too: ERR_CONFIG, the password never shown. */
static void
check_url_refused(const char *url, const char *want)
{
	char *kw = (char *)"x", *where = (char *)"x";
	struct err e;

	assert_int_equal(pgurl_keywords(url, &kw, &where, &e), -1);
	assert_null(kw);
	assert_null(where);
	assert_int_equal(e.code, ERR_CONFIG);
	if (strstr(e.msg, want) == NULL)
		fail_msg("%s: got '%s', want '%s'", url, e.msg, want);
	assert_null(strstr(e.msg, "s3cr3t"));
}

static void
test_url_hosts(void **state)
{
	(void)state;
	unsetenv("PGHOST");
	unsetenv("PGPORT");
	unsetenv("PGDATABASE");
	/* host=h:p repeated: libpq's host and port lists. */
	check_url("postgresql://u:s3cr3t@/db?host=HostA:5433&host=HostB:5432",
	    "dbname=db user=u password=<set> host=HostA,HostB port=5433,5432",
	    "HostA:5433,HostB:5432/db");
	/* A host without a port gets libpq's default; the netloc's is dropped. */
	check_url("postgresql+psycopg2://u:s3cr3t@ignored:7/db?host=a:5433&host=b",
	    "host=a,b port=5433, dbname=db user=u password=<set>",
	    "a:5433,b:5432/db");
	check_url("postgresql://u@/db?host=a&host=b&host=c",
	    "dbname=db user=u host=a,b,c port=,,", "a:5432,b:5432,c:5432/db");
	/* One host=name:port (2.0; 1.4 hands libpq "name:port" unsplit). */
	check_url("postgresql://u:s3cr3t@/airflow?host=127.0.0.1:6543",
	    "dbname=airflow user=u password=<set> host=127.0.0.1 port=6543",
	    "127.0.0.1:6543/airflow");
	check_url("postgresql://u@x:7/db?host=db-1.example.com:6543",
	    "host=db-1.example.com port=6543 dbname=db user=u",
	    "db-1.example.com:6543/db");
	/* ... with no digits after the ':': the netloc's port stays. */
	check_url("postgresql://u@x:7/db?host=h1:", "host=h1 port=7 dbname=db user=u",
	    "h1:7/db");
	/* One host= without a port replaces the netloc host, keeps its port. */
	check_url("postgresql://u@x:7/db?host=127.0.0.1",
	    "host=127.0.0.1 port=7 dbname=db user=u", "127.0.0.1:7/db");
	/* SQLAlchemy's other form, as is; ports paired by libpq. */
	check_url("postgresql://u@/db?host=h1,h2&port=5433,5434",
	    "dbname=db user=u port=5433,5434 host=h1,h2", "h1:5433,h2:5434/db");
	check_url("postgresql://u@/db?host=h1,h2&port=5433",
	    "dbname=db user=u port=5433 host=h1,h2", "h1:5433,h2:5433/db");
	/* host=h1,h2 without port=: libpq's default for each (2.0). */
	check_url("postgresql://u@x:7/db?host=h1,h2",
	    "host=h1,h2 port=, dbname=db user=u", "h1:5432,h2:5432/db");
	/* A Unix socket directory: no ':', no split. */
	check_url("postgresql://u@/db?host=/var/run/postgresql&host=h2:5433",
	    "dbname=db user=u host=/var/run/postgresql,h2 port=,5433",
	    "/var/run/postgresql:5432,h2:5433/db");
	check_url("postgresql://u@/db?host=%2Ftmp%2Fpg%3A1",
	    "dbname=db user=u host=/tmp/pg:1", "'/tmp/pg:1':5432/db");
	/* IPv6: in the netloc in brackets, in the query bare or as a list. */
	check_url("postgresql://u@[::1]:5433/db", "host=::1 port=5433 dbname=db user=u",
	    "[::1]:5433/db");
	check_url("postgresql://u@/db?host=::1,fe80::1%25eth0&port=5433,5434",
	    "dbname=db user=u port=5433,5434 host=::1,fe80::1%eth0",
	    "[::1]:5433,[fe80::1%eth0]:5434/db");
	/* One "[::1]:5432" is no name:port for SQLAlchemy: libpq gets it whole. */
	check_url("postgresql://u@/db?host=[::1]:5432",
	    "dbname=db user=u host=[::1]:5432", "'[::1]:5432':5432/db");
	/* host=name:port with port=: not split (libpq will not resolve it). */
	check_url("postgresql://u@/db?host=h1:1&port=5", "dbname=db user=u port=5 "
	    "host=h1:1", "'h1:1':5/db");
	/* What SQLAlchemy refuses. */
	check_url_refused("postgresql://u:s3cr3t@/db?host=h1:5433&host=h2&port=5432",
	    "Can't mix 'multihost' formats together");
	check_url_refused("postgresql://u:s3cr3t@/db?host=[::1]:5432&host=h2:5433",
	    "host '[::1]:5432' of its query has more than one ':'");
	check_url_refused("postgresql://u:s3cr3t@/db?host=h1:abc&host=h2",
	    "the port of host 'h1:abc' of its query is not a number");
}

/* The test server through SQLAlchemy's multi-host forms; libpq fails over. */
static void
test_multihost(void **state)
{
	const char *pw = env("PG_PASSWORD"), *host = env("PG_HOST");
	const char *port = env("PG_PORT");
	struct store *s = NULL;
	struct err e;
	char enc[256], url[1024], want[512], dead[16], dead2[16];

	(void)state;
	encode(pw, enc, sizeof enc);
	/* Ports where nothing listens. */
	snprintf(dead, sizeof dead, "%d", atoi(port) == 1 ? 2 : 1);
	snprintf(dead2, sizeof dead2, "%d", atoi(port) == 3 ? 4 : 3);
	snprintf(want, sizeof want, "%s@%s:%s/%s", env("PG_USER"), host, port,
	    env("PG_DB"));

	/* One ?host=h:port, the netloc empty (SQLAlchemy 2.0's reading). */
	snprintf(url, sizeof url, "postgresql://%s:%s@/%s?host=%s:%s",
	    env("PG_USER"), enc, env("PG_DB"), host, port);
	if (store_open(&s, url, NULL, &e) != 0)
		fail_msg("%s", e.msg);
	assert_string_equal(store_name(s), want);
	store_close(s);

	/* Two hosts, the first refuses: libpq goes on to the second. */
	snprintf(url, sizeof url, "postgresql+psycopg2://%s:%s@/%s?host=%s:%s&"
	    "host=%s:%s&connect_timeout=5", env("PG_USER"), enc, env("PG_DB"), host,
	    dead, host, port);
	if (store_open(&s, url, NULL, &e) != 0)
		fail_msg("%s", e.msg);
	/* The name is the server that answered. */
	assert_string_equal(store_name(s), want);
	assert_false(store_readonly(s));
	store_close(s);

	/* SQLAlchemy's other form: a refused TCP host, then the socket directory. */
	snprintf(url, sizeof url, "postgresql://%s:%s@/%s?host=%s,%s&port=%s,%s",
	    env("PG_USER"), enc, env("PG_DB"), host, env("PG_SOCKDIR"), dead, port);
	if (store_open(&s, url, NULL, &e) != 0)
		fail_msg("%s", e.msg);
	snprintf(want, sizeof want, "%s@%s:%s/%s", env("PG_USER"),
	    env("PG_SOCKDIR"), port, env("PG_DB"));
	assert_string_equal(store_name(s), want);
	store_close(s);

	/* Every host refuses: each is named, with its own reason. */
	snprintf(url, sizeof url, "postgresql://%s:%s@/%s?host=%s:%s&host=%s:%s",
	    env("PG_USER"), enc, env("PG_DB"), host, dead, host, dead2);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	snprintf(want, sizeof want, "cannot connect to PostgreSQL at %s:%s,%s:%s/%s: "
	    "%s:%s: connection refused", host, dead, host, dead2, env("PG_DB"),
	    host, dead);
	if (strncmp(e.msg, want, strlen(want)) != 0)
		fail_msg("got: %s", e.msg);
	snprintf(want, sizeof want, "; %s:%s: connection refused", host, dead2);
	if (strstr(e.msg, want) == NULL)
		fail_msg("got: %s", e.msg);
	assert_null(strstr(e.msg, pw));
	assert_null(strstr(e.msg, enc));
	assert_null(strchr(e.msg, '\n'));

	/* A refused host, then a bad password: both reasons, no password. */
	snprintf(url, sizeof url, "postgresql://%s:wrong-s3cr3t@/%s?host=%s:%s&"
	    "host=%s:%s", env("PG_USER"), env("PG_DB"), host, dead, host, port);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	snprintf(want, sizeof want, "; %s:%s: password authentication failed for "
	    "user '%s'", host, port, env("PG_USER"));
	if (strstr(e.msg, want) == NULL)
		fail_msg("got: %s", e.msg);
	assert_null(strstr(e.msg, "wrong-s3cr3t"));

	/* Mixing SQLAlchemy's two forms: refused before connecting. */
	snprintf(url, sizeof url, "postgresql://%s:%s@/%s?host=%s:%s&host=%s&port=%s",
	    env("PG_USER"), enc, env("PG_DB"), host, dead, host, port);
	assert_int_equal(store_open(&s, url, NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_string_equal(e.msg, "cannot use database URL (sql_alchemy_conn): its "
	    "query has host= more than once and port= too, which SQLAlchemy "
	    "refuses: \"Can't mix 'multihost' formats together\"; use "
	    "host=h1,h2&port=p1,p2 or host=h1:p1&host=h2:p2");
	assert_null(strstr(e.msg, pw));
}

/* -- sql_alchemy_schema -------------------------------------------------- */

static void
test_schema_option(void **state)
{
	struct tdb_fx *f = *state;
	struct store_opts o = { 0, "Airflow Meta" };
	struct store *s = NULL;
	struct conn got;
	struct err e;
	char *sql, *stmt;
	size_t n = 9;

	memset(&got, 0, sizeof got);
	/* Airflow's tables in their own schema (a name that needs quoting). */
	sql = tu_read(tu_srcpath("data/schema-pg-2.10.sql"), NULL);
	assert_non_null(sql);
	assert_true(asprintf(&stmt, "DROP SCHEMA IF EXISTS \"Airflow Meta\" CASCADE; "
	    "CREATE SCHEMA \"Airflow Meta\"; SET search_path TO \"Airflow Meta\"; "
	    "%s", sql) > 0);
	tdb_exec(&f->t, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
	tdb_exec(&f->t, stmt);
	free(stmt);
	free(sql);
	/* Without the option the tables are not on the search_path. */
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "sql_alchemy_schema"));
	/* A blank option is no option, as in Airflow. */
	o.schema = "  ";
	assert_int_equal(store_open(&s, f->t.url, &o, &e), -1);
	o.schema = "Airflow Meta";
	if (store_open(&s, f->t.url, &o, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(store_airflow_version(s)->major, 2);
	assert_int_equal(store_airflow_version(s)->minor, 10);
	assert_true(store_has_table(s, "variable"));
	insert(f, s, "in_schema");
	assert_int_equal(store_conn_get(s, "in_schema", &got, &e), 0);
	assert_int_equal(conn_decrypt(&got, f->kr, &e), 0);
	assert_string_equal(got.password, "pw");
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_field_count(s, STORE_CONN_PASSWORD, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM \"Airflow Meta\".connection"), 1);
	store_close(s);
	/* A schema that does not exist. */
	o.schema = "nope\"; DROP TABLE x; --";
	assert_int_equal(store_open(&s, f->t.url, &o, &e), -1);
	assert_non_null(strstr(e.msg, "has no Airflow connection table in schema"));
	conn_clear(&got);
	tdb_exec(&f->t, "DROP SCHEMA \"Airflow Meta\" CASCADE");
}

/* -- order and streaming ------------------------------------------------- */

static void
check_order(struct store *s, const struct store_query *q, const char *want)
{
	struct store_iter *it = NULL;
	struct conn c;
	struct err e;
	char got[256] = "";
	int rc;

	memset(&c, 0, sizeof c);
	assert_int_equal(store_conn_iter(s, q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		strncat(got, c.conn_id, sizeof got - strlen(got) - 2);
		strcat(got, " ");
	}
	assert_int_equal(rc, 0);
	store_iter_free(it);
	conn_clear(&c);
	assert_string_equal(got, want);
}

/* conn_id in byte order (as SQLite), whatever the database's collation. */
static void
test_byte_order(void **state)
{
	static const char *const ids[] = { "a", "B", "_z", "Z9", "\xc3\xa9t\xc3\xa9",
	    "b" };
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	size_t i;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct store_query all = { NULL, 0, NULL, NULL, 0, 0 };
		struct store_query after = { "Z9", 2, NULL, NULL, 0, 0 };
		struct store_query last = { NULL, 2, NULL, NULL, 1, 0 };
		struct store_query before = { NULL, 2, NULL, "_z", 1, 0 };
		struct store_query match = { NULL, 0, "Z", NULL, 0, 0 };
		struct err e;

		/* Pass 1: the column's own collation is "C" (index order). */
		if (pass == 1)
			tdb_exec(&f->t, "TRUNCATE connection; ALTER TABLE connection "
			    "ALTER COLUMN conn_id TYPE VARCHAR(250) COLLATE \"C\"");
		assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
		for (i = 0; i < ARRAY_LEN(ids); i++)
			insert(f, s, ids[i]);
		check_order(s, &all, "B Z9 _z a b \xc3\xa9t\xc3\xa9 ");
		check_order(s, &after, "_z a ");
		check_order(s, &last, "\xc3\xa9t\xc3\xa9 b ");
		check_order(s, &before, "Z9 B ");
		check_order(s, &match, "Z9 _z ");
		store_close(s);
	}
}

/*
 * store_var_list() of the 1207 var_N of test_streaming, more than a page:
 * byte order ("var_10" before "var_2") read through one sorted cursor
 * (store_pg_var_list()) with a limit, descending, a filter, a start
 * after a key, other statements between rows; the listing's transaction
 * is over at the end (a write works).
 */
static void
check_var_listing(struct store *s)
{
	struct store_var_query q;
	struct store_iter *it = NULL;
	struct store_var v;
	struct err e;
	char last[64] = "";
	size_t n = 0, total;
	int rc;

	memset(&q, 0, sizeof q);
	assert_int_equal(store_var_list(s, &q, &it, &e), 0);
	while ((rc = store_var_next(it, &v, &e)) == 1) {
		assert_true(strcmp(v.key, last) > 0);
		snprintf(last, sizeof last, "%s", v.key);
		if (++n == 700) {
			assert_int_equal(store_conn_count(s, &total, &e), 0);
			assert_int_equal(total, 1207);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1207);
	assert_string_equal(last, "var_999");
	store_iter_free(it);
	q.limit = 1100;
	q.desc = 1;
	n = 0;
	assert_int_equal(store_var_list(s, &q, &it, &e), 0);
	while ((rc = store_var_next(it, &v, &e)) == 1)
		if (n++ == 0)
			assert_string_equal(v.key, "var_999");
	assert_int_equal(n, 1100);
	store_iter_free(it);
	memset(&q, 0, sizeof q);
	q.match = "VAR_12";	/* var_12, var_120..129, var_1200..1207 */
	q.after = "var_120";
	n = 0;
	assert_int_equal(store_var_list(s, &q, &it, &e), 0);
	while ((rc = store_var_next(it, &v, &e)) == 1)
		n++;
	assert_int_equal(n, 17);	/* var_1200..1207, var_121..129 */
	store_iter_free(it);
	assert_int_equal(store_var_insert(s, "after_listing", "x", 1, 0, NULL,
	    &e), 0);
	assert_int_equal(store_var_delete(s, "after_listing", &e), 0);
}

/* More rows than a page: every row once, in order, memory per page. */
static void
test_streaming(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_query q = { NULL, 0, NULL, NULL, 0, 0 };
	struct store_value v;
	struct store_var var;
	struct conn c;
	struct err e;
	char last[64] = "";
	int64_t last_id = 0;
	size_t n = 0;
	int rc;

	memset(&c, 0, sizeof c);
	tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, password, "
	    "is_encrypted, is_extra_encrypted) SELECT 'bulk_' || "
	    "lpad(i::text, 5, '0'), 'http', 'pw' || i, false, false FROM "
	    "generate_series(1, 1207) AS i; INSERT INTO variable (\"key\", val, "
	    "is_encrypted) SELECT 'var_' || i, 'v' || i, false FROM "
	    "generate_series(1, 1207) AS i");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		assert_true(strcmp(c.conn_id, last) > 0);
		snprintf(last, sizeof last, "%s", c.conn_id);
		n++;
		/* Other statements may run between rows. */
		if (n == 600) {
			size_t total;

			assert_int_equal(store_conn_count(s, &total, &e), 0);
			assert_int_equal(total, 1207);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1207);
	store_iter_free(it);
	/* A limit across pages, and a filter across pages. */
	q.limit = 600;
	n = 0;
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1)
		n++;
	assert_int_equal(n, 600);
	assert_string_equal(c.conn_id, "bulk_00600");
	store_iter_free(it);
	q.limit = 1100;		/* more than a page: the sorted cursor */
	n = 0;
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1)
		n++;
	assert_int_equal(n, 1100);
	assert_string_equal(c.conn_id, "bulk_01100");
	store_iter_free(it);
	q.limit = 0;
	q.desc = 1;
	n = 0;
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1)
		if (n++ == 0)
			assert_string_equal(c.conn_id, "bulk_01207");
	assert_int_equal(n, 1207);
	assert_string_equal(c.conn_id, "bulk_00001");
	store_iter_free(it);
	/* The listing's transaction is over: writes work again. */
	insert(f, s, "after_listing");
	assert_int_equal(store_conn_delete(s, "after_listing", &e), 0);
	q.desc = 0;
	q.match = "BULK_01";
	n = 0;
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1)
		n++;
	assert_int_equal(n, 208);	/* bulk_01000 to bulk_01207 */
	store_iter_free(it);
	/* Fields and variables page by id. */
	n = 0;
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 0, &it, &e), 0);
	while ((rc = store_field_next(it, &v, &e)) == 1) {
		assert_true(v.id > last_id);
		last_id = v.id;
		assert_int_equal(v.flag, 0);
		assert_non_null(v.name);
		n++;
	}
	assert_int_equal(n, 1207);
	store_iter_free(it);
	n = 0;
	assert_int_equal(store_var_iter(s, &it, &e), 0);
	while ((rc = store_var_next(it, &var, &e)) == 1) {
		assert_int_equal(strncmp(var.key, "var_", 4), 0);
		assert_int_equal(var.val[0], 'v');
		n++;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 1207);
	store_iter_free(it);
	check_var_listing(s);
	conn_clear(&c);
	store_close(s);
}

/* The conn_ids of a space-separated list, split in place (at most max). */
static size_t
split_ids(char *list, char **tok, size_t max)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(list, " ", &save); t != NULL && n < max;
	    t = strtok_r(NULL, " ", &save))
		tok[n++] = t;
	return n;
}

/*
 * db_order: the database's own ORDER BY conn_id (an export, as Airflow
 * reads it), which the test DB's ICU collation makes differ from byte
 * order; after, before, desc, limit and match compare in that collation
 * too. What is expected comes from the server's own ORDER BY.
 */
static void
test_db_order(void **state)
{
	static const char *const ids[] = { "a", "B", "_z", "Z9", "\xc3\xa9t\xc3\xa9",
	    "b" };
	static const char bytes[] = "B Z9 _z a b \xc3\xa9t\xc3\xa9 ";
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	size_t i;
	int pass, icu;
	char *list, *prov, *tok[8], want[256];

	prov = tdb_query(&f->t, "SELECT datlocprovider FROM pg_database WHERE "
	    "datname = current_database()");
	icu = prov != NULL && strcmp(prov, "i") == 0;
	free(prov);
	for (pass = 0; pass < 2; pass++) {
		struct store_query q = { NULL, 0, NULL, NULL, 0, 1 };
		struct store_query byte_q = { NULL, 0, NULL, NULL, 0, 0 };
		struct err e;

		/* Pass 1: the column's own collation is "C": byte order is its order. */
		if (pass == 1)
			tdb_exec(&f->t, "TRUNCATE connection; ALTER TABLE connection "
			    "ALTER COLUMN conn_id TYPE VARCHAR(250) COLLATE \"C\"");
		assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
		for (i = 0; i < ARRAY_LEN(ids); i++)
			insert(f, s, ids[i]);
		/* The server's ORDER BY conn_id, as Airflow's export reads it. */
		list = tdb_query(&f->t, "SELECT string_agg(conn_id, ' ' ORDER BY "
		    "conn_id) || ' ' FROM connection");
		check_order(s, &q, list);
		check_order(s, &byte_q, bytes);	/* the console's order is kept */
		if (pass == 0 && icu)
			assert_string_not_equal(list, bytes);
		if (pass == 1)
			assert_string_equal(list, bytes);
		assert_int_equal(split_ids(list, tok, ARRAY_LEN(tok)), 6);
		/* Keyset paging in that order, both ways. */
		q.after = tok[1];
		q.limit = 2;
		snprintf(want, sizeof want, "%s %s ", tok[2], tok[3]);
		check_order(s, &q, want);
		q.after = NULL;
		q.desc = 1;
		snprintf(want, sizeof want, "%s %s ", tok[5], tok[4]);
		check_order(s, &q, want);
		q.before = tok[4];
		snprintf(want, sizeof want, "%s %s ", tok[3], tok[2]);
		check_order(s, &q, want);
		/* A filter keeps the order: "_z" and "Z9", as the server sorts them. */
		q.before = NULL;
		q.desc = 0;
		q.limit = 0;
		q.match = "Z";
		want[0] = '\0';
		for (i = 0; i < 6; i++)
			if (strpbrk(tok[i], "zZ") != NULL)
				snprintf(want + strlen(want), sizeof want - strlen(want),
				    "%s ", tok[i]);
		check_order(s, &q, want);
		free(list);
		store_close(s);
	}
	if (!icu)
		skip();		/* no ICU: the orders could not be told apart */
}

/*
 * An export longer than a page: every row once, in the server's order,
 * pages at a time, other statements between rows, and one snapshot (a row
 * another session adds meanwhile is not in it, as in Airflow's one SELECT).
 */
static void
test_db_order_streaming(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_query q = { NULL, 0, NULL, NULL, 0, 1 };
	struct buf got;
	struct conn c;
	struct err e;
	char *want;
	size_t n = 0;
	int rc;

	memset(&c, 0, sizeof c);
	buf_init(&got, 0);
	/* Bulk_00001, bulk_00002, ...: ICU sorts them by number, bytes by case. */
	tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, password, "
	    "is_encrypted, is_extra_encrypted) SELECT CASE WHEN i % 2 = 0 THEN "
	    "'bulk_' ELSE 'Bulk_' END || lpad(i::text, 5, '0'), 'http', 'pw' || i, "
	    "false, false FROM generate_series(1, 2345) AS i");
	want = tdb_query(&f->t, "SELECT string_agg(conn_id, ' ' ORDER BY conn_id) "
	    "FROM connection");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_conn_iter(s, &q, &it, &e), 0);
	while ((rc = store_iter_next(it, &c, &e)) == 1) {
		buf_addf(&got, "%s%s", n ? " " : "", c.conn_id);
		if (++n == 1500) {
			size_t total;

			/* Another session (Airflow) adds a row; ours reads on. */
			tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, "
			    "is_encrypted, is_extra_encrypted) VALUES "
			    "('added_while_exporting', 'http', false, false)");
			assert_int_equal(store_conn_count(s, &total, &e), 0);
			assert_int_equal(total, 2346);
		}
	}
	assert_int_equal(rc, 0);
	store_iter_free(it);
	assert_int_equal(n, 2345);
	assert_int_equal(buf_check(&got, &e), 0);
	assert_string_equal(buf_str(&got), want);
	/* The export's transaction is over: writes work again. */
	insert(f, s, "after_export");
	buf_release(&got);
	free(want);
	conn_clear(&c);
	store_close(s);
}

/* -- concurrency and failure --------------------------------------------- */

/* Airflow holds a lock: the write waits lock_timeout, then a clear message. */
static void
test_locked(void **state)
{
	struct tdb_fx *f = *state;
	struct store_opts o = { 300, NULL };
	struct store *s = NULL;
	struct tdb_lock *lock;
	struct conn *c;
	struct err e;
	size_t n = 99;

	char *before, *after;

	before = tdb_dump(&f->t);
	assert_int_equal(store_open(&s, f->t.url, &o, &e), 0);
	lock = tdb_lock_writes(&f->t);
	c = sample(f, "blocked", "pw");
	assert_int_equal(store_conn_insert(s, c, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "is locked"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	/* Reading is not blocked by that lock. */
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 0);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(before);
	free(after);
	tdb_unlock(lock);
	assert_int_equal(store_conn_insert(s, c, &e), 0);
	conn_free(c);
	store_close(s);
}

/* A refused row inside a transaction leaves the transaction usable. */
static void
test_refused_row_in_transaction(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct conn *c;
	struct err e;

	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	insert(f, s, "x");
	c = sample(f, "x", "pw");
	assert_int_equal(store_conn_insert(s, c, &e), -1);
	assert_string_equal(e.msg, "A connection with `conn_id`=x already exists.");
	assert_int_equal(e.code, ERR_INVALID);
	conn_free(c);
	assert_int_equal(store_var_insert(s, "k", "v", 1, 0, NULL, &e), 0);
	assert_int_equal(store_var_insert(s, "k", "w", 1, 0, NULL, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	insert(f, s, "y");
	assert_int_equal(store_commit(s, &e), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM connection"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM variable"), 1);
	store_close(s);
}

/* A user who may only read: a read-only store, writes refused. */
static void
test_readonly_user(void **state)
{
	struct tdb_fx *f = *state;
	const char *admin = getenv("FERNCON_TEST_PG_ADMIN_URL");
	struct store *s = NULL;
	struct conn *c;
	struct err e;
	char url[1024], sql[512];
	PGconn *a;
	int rc;

	if (admin == NULL)
		skip();
	a = PQconnectdb(admin);
	if (PQstatus(a) != CONNECTION_OK)
		fail_msg("cannot connect as admin: %s", PQerrorMessage(a));
	snprintf(sql, sizeof sql, "SET client_min_messages = warning; "
	    "DROP ROLE IF EXISTS ferncon_viewer; "
	    "CREATE ROLE ferncon_viewer LOGIN PASSWORD 'viewer-pw'");
	other_exec(a, sql);
	PQfinish(a);
	tdb_exec(&f->t, "GRANT USAGE ON SCHEMA public TO ferncon_viewer; "
	    "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ferncon_viewer");
	snprintf(url, sizeof url, "postgresql://ferncon_viewer:viewer-pw@%s:%s/%s",
	    env("PG_HOST"), env("PG_PORT"), env("PG_DB"));
	if (store_open(&s, url, NULL, &e) != 0)
		fail_msg("%s", e.msg);
	assert_true(store_readonly(s));
	c = sample(f, "nope", "pw");
	assert_int_equal(store_conn_insert(s, c, &e), -1);
	assert_int_equal(e.code, ERR_DENIED);
	assert_non_null(strstr(e.msg, "read-only"));
	assert_int_equal(store_begin(s, &e), -1);
	conn_free(c);
	store_close(s);
	/*
	 * Privileges differ per table: a user who may update connection but
	 * not variable gets the server's refusal as a clear message (at the
	 * commit, which sends the batched update).
	 */
	{
		const char *const v[] = { "k", "v", "0" };

		tdb_exec(&f->t, "GRANT UPDATE ON connection TO ferncon_viewer");
		tdb_exec_params(&f->t, "INSERT INTO variable (\"key\", val, "
		    "is_encrypted) VALUES (?, ?, ?)", 3, v);
	}
	assert_int_equal(store_open(&s, url, NULL, &e), 0);
	assert_false(store_readonly(s));
	assert_int_equal(store_begin(s, &e), 0);
	rc = store_field_update(s, STORE_VAR_VAL, 1, "x", 1, 0, &e);
	if (rc == 0)
		rc = store_commit(s, &e);
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, ERR_DENIED);
	assert_non_null(strstr(e.msg, "permission denied"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	store_rollback(s);
	store_close(s);
	tdb_exec(&f->t, "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM "
	    "ferncon_viewer; REVOKE ALL ON SCHEMA public FROM ferncon_viewer");
}

/*
 * The server ends the session in the middle of a transaction (a restart,
 * a DBA's pg_terminate_backend): the call fails with a clear message, the
 * transaction is gone whole, and the next call outside a transaction
 * reconnects.
 */
static void
test_lost_connection(void **state)
{
	struct tdb_fx *f = *state;
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	size_t n = 0;
	int rc;
	char *before, *after;
	PGconn *other;

	tdb_exec(&f->t, "INSERT INTO connection (conn_id, conn_type, password, "
	    "is_encrypted, is_extra_encrypted) SELECT 'c' || i, 'http', 'old' || i, "
	    "false, false FROM generate_series(1, 50) AS i");
	before = tdb_query(&f->t, "SELECT string_agg(password, ',' ORDER BY id) "
	    "FROM connection");
	assert_int_equal(store_open(&s, f->t.url, NULL, &e), 0);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_iter(s, STORE_CONN_PASSWORD, 0, 20, &it, &e), 0);
	while ((rc = store_field_next(it, &v, &e)) == 1) {
		assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, v.id, "new",
		    3, 1, &e), 0);
		n++;
	}
	store_iter_free(it);
	assert_int_equal(n, 20);
	/* The first 20 reach the server (a read sends the batch). */
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	/* Another session ends ours, half way through. */
	other = other_session();
	other_exec(other, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE application_name = 'ferncon' AND usename = current_user AND "
	    "pid <> pg_backend_pid()");
	PQfinish(other);
	rc = store_field_update(s, STORE_CONN_PASSWORD, 21, "new", 3, 1, &e);
	if (rc == 0)	/* batched: sent by the next call */
		rc = store_field_update(s, STORE_CONN_PASSWORD, 22, "new", 3, 1, &e);
	if (rc == 0)
		rc = store_conn_count(s, &n, &e);
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "lost the connection to PostgreSQL at"));
	assert_non_null(strstr(e.msg, "rolled back and nothing was changed"));
	assert_null(strstr(e.msg, env("PG_PASSWORD")));
	assert_null(strchr(e.msg, '\n'));
	/* Still in the (dead) transaction: no silent reconnect inside it. */
	assert_int_equal(store_conn_count(s, &n, &e), -1);
	assert_int_equal(store_commit(s, &e), -1);
	/* Nothing half-written. */
	after = tdb_query(&f->t, "SELECT string_agg(password, ',' ORDER BY id) FROM "
	    "connection");
	assert_string_equal(after, before);
	/* Outside a transaction the store reconnects. */
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 50);
	assert_int_equal(store_begin(s, &e), 0);
	assert_int_equal(store_field_update(s, STORE_CONN_PASSWORD, 1, "x", 1, 0, &e),
	    0);
	assert_int_equal(store_commit(s, &e), 0);
	/* Killed while idle (a server restart under the console): the next
	 * read runs on a new session, with no error. */
	other = other_session();
	other_exec(other, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
	    "WHERE application_name = 'ferncon' AND usename = current_user AND "
	    "pid <> pg_backend_pid()");
	PQfinish(other);
	assert_int_equal(store_conn_count(s, &n, &e), 0);
	assert_int_equal(n, 50);
	free(before);
	free(after);
	store_close(s);
}

int
main(void)
{
	/* Without a server: the URL cases only. */
	const struct CMUnitTest url_tests[] = {
		cmocka_unit_test(test_url_hosts),
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_hosts),
		cmocka_unit_test_setup_teardown(test_url_forms, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_multihost, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_connect_errors, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_missing_table, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_schema_option, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_byte_order, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_streaming, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_db_order, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_db_order_streaming, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_refused_row_in_transaction, setup,
		    tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_readonly_user, setup, tdb_fx_teardown),
		cmocka_unit_test_setup_teardown(test_lost_connection, setup, tdb_fx_teardown),
	};
	int rc;

	tu_init();
	if (!tdb_pg())
		rc = cmocka_run_group_tests_name("store_pg (no server: the URL "
		    "cases only; tests/store_pg.sh runs the rest)", url_tests, NULL,
		    NULL);
	else
		rc = cmocka_run_group_tests_name("store_pg", tests, NULL, NULL);
	core_thread_cleanup();
	return rc;
}
