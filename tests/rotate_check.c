/*
 * rotate_check.c: a fast reader of every token of a metadata DB, for
 * tests/crash_rotate.sh, which must check a 100 k-row DB after each of a
 * dozen kills (Python's cryptography, which made the reference, would take
 * a minute for that).
 *
 *   FERNET_KEY=k1,k2 rotate_check DB
 *
 * Opens the DB read-write with plain SQLite (so that a hot journal left by a
 * kill is rolled back, as Airflow's next connection would do) and prints one
 * line per token: connection password and extra and variable value whose
 * flag is set and which are not empty, and trigger kwargs that are not plain
 * `{...}` JSON:
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

int
main(int argc, char **argv)
{
	const char *ring = getenv("FERNET_KEY");
	unsigned char sha[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof sha + 1];
	struct keyring *kr = NULL;
	struct fernet_info info;
	struct err e;
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	uint8_t *plain = NULL;
	size_t cap = 0, n, i, len;
	const char *tok;
	int rc = 1;

	if (argc != 2 || ring == NULL) {
		fprintf(stderr, "usage: FERNET_KEY=k1,k2 rotate_check DB\n");
		return 2;
	}
	if (core_init(&e) != 0 ||
	    keyring_parse(&kr, ring, strlen(ring), NULL, &e) != 0) {
		fprintf(stderr, "rotate_check: %s\n", e.msg);
		return 1;
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		fprintf(stderr, "rotate_check: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		if (sqlite3_prepare_v2(db, queries[i][1], -1, &st, NULL) != SQLITE_OK)
			continue;	/* no such table in this layout */
		while (sqlite3_step(st) == SQLITE_ROW) {
			tok = (const char *)sqlite3_column_text(st, 1);
			len = (size_t)sqlite3_column_bytes(st, 1);
			if (fernet_plain_max(len) > cap) {
				sodium_free(plain);
				cap = fernet_plain_max(len);
				if ((plain = sodium_malloc(cap)) == NULL)
					goto out;
			}
			info.key_index = -1;
			info.timestamp = 0;
			strcpy(hex, "-");
			if (keyring_decrypt(kr, tok, len, plain, cap, &n, &info,
			    &e) == 0) {
				crypto_hash_sha256(sha, plain, n);
				sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
				sodium_memzero(plain, n);
			}
			printf("%s %lld %d %llu %s\n", queries[i][0],
			    (long long)sqlite3_column_int64(st, 0), info.key_index,
			    (unsigned long long)info.timestamp, hex);
		}
		sqlite3_finalize(st);
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	sodium_free(plain);
	keyring_free(kr);
	sqlite3_close(db);
	core_thread_cleanup();
	return rc;
}
