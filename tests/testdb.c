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
#include <sqlite3.h>

#include "testutil.h"

static const char *
pg_url(void)
{
	const char *u = getenv("FERNCON_TEST_PG_URL");

	return u != NULL && *u != '\0' ? u : NULL;
}

int
tdb_pg(void)
{
	return pg_url() != NULL;
}

const char *
tdb_backend(void)
{
	return tdb_pg() ? "postgresql" : "sqlite";
}

static const char *
schema_file(const char *layout)
{
	char rel[128];

	snprintf(rel, sizeof rel, "data/schema-%s%s.sql", tdb_pg() ? "pg-" : "",
	    layout);
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
	char *all = strdup(""), *part, *next;
	size_t i;

	for (i = 0; i < 3 && all != NULL; i++) {
		part = tdb_query(t, tdb_pg() ? pq[i] : sq[i]);
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
