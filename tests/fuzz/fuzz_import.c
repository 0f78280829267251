/*
 * fuzz_import.c: `connections import` files (src/transfer.c,
 * src/transfer_tree.c, src/pyyaml.c), built three times with
 * IMPORT_NAME the file name whose extension picks the format
 * (fuzz_import_json, fuzz_import_yaml, fuzz_import_env). transfer_read()
 * takes a path, so the input is written to a private temporary file. The
 * first byte picks the Airflow version (2.10, 3.1.0, the newest rules).
 * Invariants, for a file that imports: every connection has a conn_id and
 * no two have the same one (Airflow's ConnectionNotUnique); every text
 * field is well-formed UTF-8 without NUL, as the file had to be. A refused
 * file says why.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "airflow.h"
#include "conn.h"
#include "err.h"
#include "fuzz.h"
#include "transfer.h"
#include "utf8.h"

#ifndef IMPORT_NAME
#error "build with -DIMPORT_NAME='\"connections.json\"' (or .yaml, .env)"
#endif

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static int
good_text(const char *s)
{
	return s == NULL ||
	    utf8_bad_at((const unsigned char *)s, strlen(s)) == strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct airflow_version versions[] = {
		{ 2, 10, 0 }, { 3, 1, 0 }, { 0, 0, 0 },
	};
	struct transfer_set set;
	struct err e;
	const struct conn *c;
	size_t i, j;

	if (size < 1)
		return 0;
	err_clear(&e);
	if (transfer_read(fuzz_file(IMPORT_NAME, data + 1, size - 1),
	    &versions[data[0] % 3], &set, &e) != 0) {
		FUZZ_CHECK(set.n == 0 && e.msg[0] != '\0',
		    "a refused file without a message, or with connections");
		return 0;
	}
	for (i = 0; i < set.n; i++) {
		c = set.conns[i];
		FUZZ_CHECK(c->conn_id != NULL, "a connection without conn_id");
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(set.conns[j]->conn_id, c->conn_id) != 0,
			    "two connections with one conn_id");
		FUZZ_CHECK(good_text(c->conn_id) && good_text(c->conn_type) &&
		    good_text(c->description) && good_text(c->host) &&
		    good_text(c->schema) && good_text(c->login) &&
		    good_text(c->password) && good_text(c->extra),
		    "a field that is not UTF-8");
	}
	transfer_set_free(&set);
	return 0;
}
