/*
 * testdb.h: an Airflow metadata DB for a unit test, on the backend that the
 * test run selects, so that one suite runs on both backends.
 *
 * By default the DB is an SQLite file in the test's temporary directory.
 * When the environment variable FERNCON_TEST_PG_URL names a PostgreSQL
 * database (tests/pg_server.sh starts a throwaway server and sets it), the
 * DB is that database: tdb_create() empties its `public` schema and loads
 * the PostgreSQL schema of the layout. The layout files are data/schema-
 * <layout>.sql (SQLite) and data/schema-pg-<layout>.sql (PostgreSQL); a
 * layout that a backend does not have is reported by tdb_has_layout().
 * SQL given to tdb_exec() must be valid on both (write flags as '0'/'1'
 * string literals: SQLite stores them as 0/1, PostgreSQL reads booleans).
 * Failures end the test through cmocka's fail_msg().
 */
#ifndef FERNCON_TESTDB_H
#define FERNCON_TESTDB_H

struct tdb {
	char	url[4200];	/* for store_open() */
	char	path[4096];	/* the SQLite file; "" on PostgreSQL */
};

/* 1 when the tests run against PostgreSQL. */
int tdb_pg(void);

/*
 * 1 when the tests run against MySQL (FERNCON_TEST_MY_URL, set by
 * tests/my_server.sh; data/schema-my-<layout>.sql, loaded by the test's own
 * libmariadb session, whose sql_mode has ANSI_QUOTES and PIPES_AS_CONCAT so
 * that the SQL the suites share means the same; tdb_lock_writes() takes
 * every row of the three tables FOR UPDATE in an open transaction).
 */
int tdb_my(void);

/* "sqlite", "postgresql" or "mysql". */
const char *tdb_backend(void);

/* 1 if the backend has a schema file for layout ("2.10", "3.2", ...). */
int tdb_has_layout(const char *layout);

/* A fresh, empty Airflow DB of layout; dir holds the SQLite file. */
void tdb_create(struct tdb *t, const char *dir, const char *layout);

/* Run SQL (several statements allowed) on the DB, outside ferncon. */
void tdb_exec(const struct tdb *t, const char *sql);

/* The one value of a one-row query, as text; caller frees. NULL for NULL. */
char *tdb_query(const struct tdb *t, const char *sql);

/*
 * Run one statement with n text parameters written "?" (NULL: SQL NULL);
 * on PostgreSQL they become $1..$n and take the column's type (so '0' and
 * '1' fill a boolean flag on both backends).
 */
void tdb_exec_params(const struct tdb *t, const char *sql, int n,
    const char *const *vals);

/*
 * Every secret column and flag of connection, variable and trigger, by id,
 * as one string (flags 0, 1 or <n> for NULL on both backends), to prove
 * that a refused or failed job changed nothing. Caller frees.
 */
char *tdb_dump(const struct tdb *t);

/*
 * Another process holding the DB's write lock, as a running Airflow would:
 * SQLite BEGIN IMMEDIATE on a second connection; PostgreSQL LOCK TABLE
 * connection, variable and trigger IN EXCLUSIVE MODE in an open
 * transaction (reads go on, writes wait). Released by tdb_unlock().
 */
struct tdb_lock;
struct tdb_lock *tdb_lock_writes(const struct tdb *t);
void tdb_unlock(struct tdb_lock *l);

/*
 * The store tests' fixture: a temporary directory, a key ring parsed from
 * keys (a comma-separated list), and a fresh DB of layout in it (layout
 * NULL: none yet; the test calls tdb_create() itself).
 */
struct tdb_fx {
	char		*dir;
	struct tdb	 t;
	struct keyring	*kr;
};

/* A cmocka setup's work: *state becomes a new struct tdb_fx. Returns 0. */
int tdb_fx_setup(void **state, const char *keys, const char *layout);

/* The matching teardown: frees the ring and removes the directory. */
int tdb_fx_teardown(void **state);

/*
 * A new connection for the store tests: conn_id id, conn_type type, host
 * db.example.com and password (NULL: none). Caller frees (conn_free()).
 */
struct conn *tdb_conn(const char *id, const char *type, const char *password);

#endif
