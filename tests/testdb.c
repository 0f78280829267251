/*
 * testdb.c: an Airflow metadata DB on SQLite or PostgreSQL for the unit
 * tests (see testdb.h). On PostgreSQL the test talks to the server with
 * libpq directly, never through ferncon's store, on one session kept for
 * the whole program (so that BEGIN and COMMIT given to tdb_exec() span the
 * calls between them, and a fill of many rows does not log in per row).
 */
#include "config.h"

#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <mysql.h>
#include <sodium.h>
#include <sqlite3.h>

#include "conn.h"
#include "keyring.h"
#include "myurl.h"
#include "testutil.h"

static const char *
pg_url(void)
{
	const char *u = getenv("FERNCON_TEST_PG_URL");

	return u != NULL && *u != '\0' ? u : NULL;
}

static const char *
my_url(void)
{
	const char *u = getenv("FERNCON_TEST_MY_URL");

	return u != NULL && *u != '\0' ? u : NULL;
}

int
tdb_pg(void)
{
	return pg_url() != NULL;
}

int
tdb_my(void)
{
	return !tdb_pg() && my_url() != NULL;
}

const char *
tdb_backend(void)
{
	return tdb_pg() ? "postgresql" : tdb_my() ? "mysql" : "sqlite";
}

/*
 * The test's own MySQL session: ANSI_QUOTES and PIPES_AS_CONCAT, so that
 * the SQL the suites share ("key", a || b) means the same as elsewhere.
 */
static MYSQL *
my_connect(void)
{
	struct myurl *u = NULL;
	struct err e;
	MYSQL *m = mysql_init(NULL);

	err_clear(&e);
	if (m == NULL || myurl_parse(my_url(), &u, &e) != 0 ||
	    myurl_apply(u, m, &e) != 0)
		fail_msg("cannot use the MySQL test URL: %s", e.msg);
	if (mysql_real_connect(m, myurl_host(u), myurl_user(u),
	    myurl_password(u), myurl_db(u), myurl_port(u), myurl_socket(u),
	    CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS) == NULL)
		fail_msg("cannot connect to the test server: %s", mysql_error(m));
	myurl_free(u);
	if (mysql_query(m, "SET SESSION sql_mode = 'ANSI_QUOTES,PIPES_AS_CONCAT,"
	    "STRICT_TRANS_TABLES', SESSION group_concat_max_len = 16777216") != 0)
		fail_msg("sql failed: %s", mysql_error(m));
	/* Big fills in one recursive statement: MySQL's or MariaDB's limit. */
	if (mysql_query(m, "SET SESSION cte_max_recursion_depth = 100000000") != 0)
		(void)mysql_query(m, "SET SESSION max_recursive_iterations = "
		    "100000000");
	return m;
}

static MYSQL *
my_session(void)
{
	static MYSQL *c;

	if (c != NULL && mysql_ping(c) == 0)
		return c;
	if (c != NULL)
		mysql_close(c);
	c = my_connect();
	return c;
}

/* Run sql (several statements allowed); with out, the first row's value. */
static void
my_run(MYSQL *m, const char *sql, char **out)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	int st;

	if (mysql_query(m, sql) != 0)
		fail_msg("sql failed: %s: %.200s", mysql_error(m), sql);
	do {
		if ((r = mysql_store_result(m)) != NULL) {
			if (out != NULL && *out == NULL &&
			    (row = mysql_fetch_row(r)) != NULL && row[0] != NULL)
				*out = strdup(row[0]);
			mysql_free_result(r);
		}
		if ((st = mysql_next_result(m)) > 0)
			fail_msg("sql failed: %s: %.200s", mysql_error(m), sql);
	} while (st == 0);
}

static const char *
schema_file(const char *layout)
{
	char rel[128];

	snprintf(rel, sizeof rel, "data/schema-%s%s.sql", tdb_pg() ? "pg-" :
	    tdb_my() ? "my-" : "", layout);
	return tu_srcpath(rel);
}

int
tdb_has_layout(const char *layout)
{
	return access(schema_file(layout), R_OK) == 0;
}

/* The test's own session (reconnected if the server ended it). */
static PGconn *
pg_session(void)
{
	static PGconn *c;

	if (c != NULL && PQstatus(c) == CONNECTION_OK)
		return c;
	PQfinish(c);
	c = PQconnectdb(pg_url());
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to the test server: %s", PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

static void
pg_exec(const char *sql)
{
	PGconn *c = pg_session();
	PGresult *r = PQexec(c, sql);

	if (PQresultStatus(r) != PGRES_COMMAND_OK &&
	    PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("sql failed: %s", PQerrorMessage(c));
	PQclear(r);
}

static void
sqlite_exec(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		fail_msg("cannot open %s", db);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql failed: %s", msg);
	sqlite3_close(h);
}

void
tdb_create(struct tdb *t, const char *dir, const char *layout)
{
	char *sql = tu_read(schema_file(layout), NULL);

	if (sql == NULL)
		fail_msg("no schema %s for %s", layout, tdb_backend());
	memset(t, 0, sizeof *t);
	if (tdb_pg()) {
		snprintf(t->url, sizeof t->url, "%s", pg_url());
		/* A fresh session state too: no open transaction, no SET left. */
		if (PQtransactionStatus(pg_session()) != PQTRANS_IDLE)
			pg_exec("ROLLBACK");
		pg_exec("RESET ALL; SET client_min_messages = warning");
		pg_exec("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
		pg_exec(sql);
	} else if (tdb_my()) {
		snprintf(t->url, sizeof t->url, "%s", my_url());
		my_run(my_session(), "ROLLBACK; SET FOREIGN_KEY_CHECKS = 0; "
		    "DROP TABLE IF EXISTS connection, variable, \"trigger\", log, "
		    "alembic_version, team; SET FOREIGN_KEY_CHECKS = 1", NULL);
		/* The schema files are in MySQL's own quoting (backquotes). */
		my_run(my_session(), sql, NULL);
	} else {
		snprintf(t->path, sizeof t->path, "%s/airflow.db", dir);
		snprintf(t->url, sizeof t->url, "sqlite:///%s", t->path);
		unlink(t->path);
		sqlite_exec(t->path, sql);
	}
	free(sql);
}

void
tdb_exec(const struct tdb *t, const char *sql)
{
	if (tdb_pg())
		pg_exec(sql);
	else if (tdb_my())
		my_run(my_session(), sql, NULL);
	else
		sqlite_exec(t->path, sql);
}

char *
tdb_query(const struct tdb *t, const char *sql)
{
	char *out = NULL;

	if (tdb_pg()) {
		PGconn *c = pg_session();
		PGresult *r = PQexec(c, sql);

		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("sql failed: %s", PQerrorMessage(c));
		if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
			out = strdup(PQgetvalue(r, 0, 0));
		PQclear(r);
	} else if (tdb_my()) {
		my_run(my_session(), sql, &out);
	} else {
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;

		if (sqlite3_open(t->path, &h) != SQLITE_OK ||
		    sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
			fail_msg("sql failed: %s", sqlite3_errmsg(h));
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) != SQLITE_NULL)
			out = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
	return out;
}

void
tdb_exec_params(const struct tdb *t, const char *sql, int n,
    const char *const *vals)
{
	if (tdb_pg()) {
		PGconn *c = pg_session();
		char *q = malloc(strlen(sql) * 4 + 1), *o = q;
		const char *s;
		PGresult *r;
		int k = 1;

		if (q == NULL)
			fail_msg("out of memory");
		for (s = sql; *s != '\0'; s++) {
			if (*s == '?')
				o += sprintf(o, "$%d", k++);
			else
				*o++ = *s;
		}
		*o = '\0';
		r = PQexecParams(c, q, n, NULL, vals, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK)
			fail_msg("sql failed: %s: %s", q, PQerrorMessage(c));
		PQclear(r);
		free(q);
	} else if (tdb_my()) {
		/* Each ? becomes a hex literal (NULL: NULL): no quoting to get wrong. */
		size_t cap = strlen(sql) + 64, len = 0, i;
		char *q = malloc(cap), *hex;
		const char *s;
		int k = 0;

		for (i = 0; i < (size_t)n; i++)
			cap += vals[i] ? 2 * strlen(vals[i]) + 16 : 8;
		if ((q = realloc(q, cap)) == NULL)
			fail_msg("out of memory");
		for (s = sql; *s != '\0'; s++) {
			if (*s != '?') {
				q[len++] = *s;
				continue;
			}
			if (k >= n || vals[k] == NULL) {
				len += (size_t)sprintf(q + len, "NULL");
			} else if (vals[k][0] == '\0') {
				len += (size_t)sprintf(q + len, "''");
			} else {
				hex = q + len + strlen("_utf8mb4 X'");
				len += (size_t)sprintf(q + len, "_utf8mb4 X'");
				sodium_bin2hex(hex, 2 * strlen(vals[k]) + 1,
				    (const unsigned char *)vals[k], strlen(vals[k]));
				len += 2 * strlen(vals[k]);
				q[len++] = '\'';
			}
			k++;
		}
		q[len] = '\0';
		my_run(my_session(), q, NULL);
		free(q);
	} else {
		sqlite3 *h = NULL;
		sqlite3_stmt *st = NULL;
		int i;

		if (sqlite3_open(t->path, &h) != SQLITE_OK ||
		    sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
			fail_msg("sql failed: %s: %s", sql, sqlite3_errmsg(h));
		for (i = 0; i < n; i++) {
			if (vals[i] == NULL)
				sqlite3_bind_null(st, i + 1);
			else
				sqlite3_bind_text(st, i + 1, vals[i], -1,
				    SQLITE_TRANSIENT);
		}
		if (sqlite3_step(st) != SQLITE_DONE)
			fail_msg("sql failed: %s: %s", sql, sqlite3_errmsg(h));
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
}

struct tdb_lock {
	PGconn	*pg;
	MYSQL	*my;
	sqlite3	*sq;
};

struct tdb_lock *
tdb_lock_writes(const struct tdb *t)
{
	struct tdb_lock *l = calloc(1, sizeof *l);
	PGresult *r;

	if (l == NULL)
		fail_msg("out of memory");
	if (tdb_pg()) {
		l->pg = PQconnectdb(pg_url());
		if (PQstatus(l->pg) != CONNECTION_OK)
			fail_msg("cannot connect: %s", PQerrorMessage(l->pg));
		r = PQexec(l->pg, "BEGIN; LOCK TABLE connection, variable, "
		    "\"trigger\" IN EXCLUSIVE MODE");
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fail_msg("lock failed: %s", PQerrorMessage(l->pg));
		PQclear(r);
	} else if (tdb_my()) {
		/*
		 * Every row and the gap after it locked, as a running Airflow's
		 * writes hold them: reads go on (InnoDB's snapshot), writes wait.
		 */
		l->my = my_connect();
		my_run(l->my, "START TRANSACTION; SELECT COUNT(*) FROM connection "
		    "FOR UPDATE; SELECT COUNT(*) FROM variable FOR UPDATE; "
		    "SELECT COUNT(*) FROM \"trigger\" FOR UPDATE", NULL);
	} else {
		if (sqlite3_open(t->path, &l->sq) != SQLITE_OK ||
		    sqlite3_exec(l->sq, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
		    SQLITE_OK)
			fail_msg("lock failed: %s", sqlite3_errmsg(l->sq));
	}
	return l;
}

void
tdb_unlock(struct tdb_lock *l)
{
	if (l == NULL)
		return;
	if (l->pg != NULL) {
		PQclear(PQexec(l->pg, "ROLLBACK"));
		PQfinish(l->pg);
	}
	if (l->my != NULL) {
		(void)mysql_rollback(l->my);
		mysql_close(l->my);
	}
	if (l->sq != NULL) {
		sqlite3_exec(l->sq, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(l->sq);
	}
	free(l);
}

char *
tdb_dump(const struct tdb *t)
{
	static const char *const sq[] = {
		"SELECT group_concat(id || '|' || conn_id || '|' || "
		"ifnull(password, '<null>') || '|' || ifnull(is_encrypted, '<n>') || "
		"'|' || ifnull(extra, '<null>') || '|' || "
		"ifnull(is_extra_encrypted, '<n>'), ';') FROM (SELECT * FROM "
		"connection ORDER BY id)",
		"SELECT group_concat(id || '|' || \"key\" || '|' || "
		"ifnull(val, '<null>') || '|' || ifnull(is_encrypted, '<n>'), ';') "
		"FROM (SELECT * FROM variable ORDER BY id)",
		"SELECT group_concat(id || '|' || kwargs, ';') FROM (SELECT * FROM "
		"\"trigger\" ORDER BY id)",
	};
	static const char *const pq[] = {
		"SELECT string_agg(id || '|' || conn_id || '|' || "
		"coalesce(password, '<null>') || '|' || "
		"coalesce(is_encrypted::int::text, '<n>') || '|' || "
		"coalesce(extra, '<null>') || '|' || "
		"coalesce(is_extra_encrypted::int::text, '<n>'), ';' ORDER BY id) "
		"FROM connection",
		"SELECT string_agg(id || '|' || \"key\" || '|' || "
		"coalesce(val, '<null>') || '|' || "
		"coalesce(is_encrypted::int::text, '<n>'), ';' ORDER BY id) "
		"FROM variable",
		"SELECT string_agg(id || '|' || kwargs, ';' ORDER BY id) FROM "
		"\"trigger\"",
	};
	static const char *const my[] = {
		"SELECT GROUP_CONCAT(id || '|' || conn_id || '|' || "
		"ifnull(password, '<null>') || '|' || ifnull(is_encrypted, '<n>') || "
		"'|' || ifnull(extra, '<null>') || '|' || "
		"ifnull(is_extra_encrypted, '<n>') ORDER BY id SEPARATOR ';') FROM "
		"connection",
		"SELECT GROUP_CONCAT(id || '|' || \"key\" || '|' || "
		"ifnull(val, '<null>') || '|' || ifnull(is_encrypted, '<n>') "
		"ORDER BY id SEPARATOR ';') FROM variable",
		"SELECT GROUP_CONCAT(id || '|' || kwargs ORDER BY id SEPARATOR ';') "
		"FROM \"trigger\"",
	};
	char *all = strdup(""), *part, *next;
	size_t i;

	for (i = 0; i < 3 && all != NULL; i++) {
		part = tdb_query(t, tdb_pg() ? pq[i] : tdb_my() ? my[i] : sq[i]);
		if (asprintf(&next, "%s#%s", all, part ? part : "") < 0)
			next = NULL;
		free(all);
		free(part);
		all = next;
	}
	if (all == NULL)
		fail_msg("out of memory");
	return all;
}

int
tdb_fx_setup(void **state, const char *keys, const char *layout)
{
	struct tdb_fx *f = calloc(1, sizeof *f);
	struct err e;

	assert_non_null(f);
	f->dir = tu_tmpdir();
	assert_int_equal(keyring_parse(&f->kr, keys, strlen(keys), NULL, &e), 0);
	if (layout != NULL)
		tdb_create(&f->t, f->dir, layout);
	*state = f;
	return 0;
}

int
tdb_fx_teardown(void **state)
{
	struct tdb_fx *f = *state;

	keyring_free(f->kr);
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

struct conn *
tdb_conn(const char *id, const char *type, const char *password)
{
	struct conn *c = conn_new();
	struct err e;

	assert_non_null(c);
	assert_int_equal(conn_set_str(c, &c->conn_id, id, &e), 0);
	assert_int_equal(conn_set_str(c, &c->conn_type, type, &e), 0);
	assert_int_equal(conn_set_str(c, &c->host, "db.example.com", &e), 0);
	if (password != NULL)
		assert_int_equal(conn_set_str(c, &c->password, password, &e), 0);
	return c;
}
