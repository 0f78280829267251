/*
 * rotate_check.c: a fast reader of every token of a metadata DB, for
 * tests/crash_rotate.sh, which must check a 100 k-row DB after each of a
 * dozen kills (Python's cryptography, which made the reference, would take
 * a minute for that).
 *
 *   FERNET_KEY=k1,k2 rotate_check DB
 *   FERNET_KEY=k1,k2 AIRFLOW_DB_URL=URL rotate_check -
 *
 * DB is an SQLite file: it is opened read-write with plain SQLite (so that
 * a hot journal left by a kill is rolled back, as Airflow's next connection
 * would do). "-" reads the DB at the URL in AIRFLOW_DB_URL (PostgreSQL; the
 * URL holds the password, so it never goes through argv) through ferncon's
 * store (store.h), whose field pages give the values exactly as stored;
 * there the server has rolled back what a killed client left open.
 *
 * Prints one line per token: connection password and extra and variable
 * value whose flag is set and which are not empty, and trigger kwargs that
 * are not plain `{...}` JSON:
 *
 *   <field> <id> <key index or -1> <timestamp> <SHA-256 of the plaintext or ->
 *
 * in field then id order, the same fields as rotate_oracle.py's digest
 * (which has no key index column). Exits 0, or 1 on an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core.h"
#include "keyring.h"
#include "store.h"

static const char *const queries[][2] = {
	{ "connection.password", "SELECT id, password FROM connection WHERE "
	    "is_encrypted AND password != '' ORDER BY id" },
	{ "connection.extra", "SELECT id, extra FROM connection WHERE "
	    "is_extra_encrypted AND extra != '' ORDER BY id" },
	{ "variable.val", "SELECT id, val FROM variable WHERE is_encrypted AND "
	    "val != '' ORDER BY id" },
	{ "trigger.kwargs", "SELECT id, kwargs FROM \"trigger\" WHERE kwargs != "
	    "'' AND substr(kwargs, 1, 1) != '{' ORDER BY id" },
};

/* The plaintext buffer, grown as tokens need. */
struct plainbuf {
	uint8_t	*p;
	size_t	 cap;
};

/* Print the line of one token (len bytes); -1 when out of memory. */
static int
print_token(const char *field, long long id, const char *tok, size_t len,
    struct keyring *kr, struct plainbuf *pb)
{
	unsigned char sha[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof sha + 1];
	struct fernet_info info;
	struct err e;
	size_t n;

	if (fernet_plain_max(len) > pb->cap) {
		sodium_free(pb->p);
		pb->cap = fernet_plain_max(len);
		if ((pb->p = sodium_malloc(pb->cap)) == NULL) {
			pb->cap = 0;
			fprintf(stderr, "rotate_check: out of memory\n");
			return -1;
		}
	}
	info.key_index = -1;
	info.timestamp = 0;
	strcpy(hex, "-");
	if (keyring_decrypt(kr, tok, len, pb->p, pb->cap, &n, &info, &e) == 0) {
		crypto_hash_sha256(sha, pb->p, n);
		sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
		sodium_memzero(pb->p, n);
	}
	printf("%s %lld %d %llu %s\n", field, id, info.key_index,
	    (unsigned long long)info.timestamp, hex);
	return 0;
}

/* An SQLite file, read with plain SQLite. */
static int
check_sqlite(const char *path, struct keyring *kr, struct plainbuf *pb)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	size_t i;
	int rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "rotate_check: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		if (sqlite3_prepare_v2(db, queries[i][1], -1, &st, NULL) != SQLITE_OK)
			continue;	/* no such table in this layout */
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (print_token(queries[i][0], sqlite3_column_int64(st, 0),
			    (const char *)sqlite3_column_text(st, 1),
			    (size_t)sqlite3_column_bytes(st, 1), kr, pb) != 0) {
				sqlite3_finalize(st);
				goto out;
			}
		}
		sqlite3_finalize(st);
	}
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}

/* The DB at a URL, read through ferncon's store: the same rows and order. */
static int
check_store(const char *url, struct keyring *kr, struct plainbuf *pb)
{
	struct store *s = NULL;
	struct store_iter *it;
	struct store_value v;
	struct err e;
	int f, r, rc = -1;

	if (store_open(&s, url, NULL, &e) != 0) {
		fprintf(stderr, "rotate_check: %s\n", e.msg);
		return -1;
	}
	for (f = 0; f < STORE_FIELD_MAX; f++) {
		if (!store_field_exists(s, (enum store_field)f))
			continue;
		if (store_field_iter(s, (enum store_field)f, 0, 0, &it, &e) != 0) {
			fprintf(stderr, "rotate_check: %s\n", e.msg);
			goto out;
		}
		while ((r = store_field_next(it, &v, &e)) == 1) {
			if (v.value == NULL || v.len == 0)
				continue;
			if (f == STORE_TRIGGER_KWARGS ? v.value[0] == '{' : !v.flag)
				continue;
			if (print_token(store_field_name((enum store_field)f),
			    (long long)v.id, v.value, v.len, kr, pb) != 0) {
				r = -2;
				break;
			}
		}
		store_iter_free(it);
		if (r != 0) {
			if (r == -1)
				fprintf(stderr, "rotate_check: %s\n", e.msg);
			goto out;
		}
	}
	rc = 0;
out:
	store_close(s);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *ring = getenv("FERNET_KEY");
	const char *url = getenv("AIRFLOW_DB_URL");
	struct plainbuf pb = { NULL, 0 };
	struct keyring *kr = NULL;
	struct err e;
	int rc;

	if (argc != 2 || ring == NULL ||
	    (strcmp(argv[1], "-") == 0 && (url == NULL || *url == '\0'))) {
		fprintf(stderr, "usage: FERNET_KEY=k1,k2 rotate_check DB\n"
		    "       FERNET_KEY=k1,k2 AIRFLOW_DB_URL=URL rotate_check -\n");
		return 2;
	}
	if (core_init(&e) != 0 ||
	    keyring_parse(&kr, ring, strlen(ring), NULL, &e) != 0) {
		fprintf(stderr, "rotate_check: %s\n", e.msg);
		return 1;
	}
	if (strcmp(argv[1], "-") == 0)
		rc = check_store(url, kr, &pb);
	else
		rc = check_sqlite(argv[1], kr, &pb);
	if (rc == 0 && fflush(stdout) != 0)
		rc = -1;
	sodium_free(pb.p);
	keyring_free(kr);
	core_thread_cleanup();
	return rc == 0 ? 0 : 1;
}
