/*
 * fuzz_baseline.c: the audit's baseline and ignore files
 * (src/audit_baseline.c). The first byte picks the file (bit 0: an ignore
 * file, else a baseline), the rest is its text, written to a private
 * temporary file since both loaders take a path. One engine serves every
 * input: its sets are emptied after each (audit_int.h). Invariants: every
 * string "fingerprint" of a baseline's findings (a JSON report, or a bare
 * array) is in the set afterwards, with the secret_hash of its first
 * occurrence; an ignore file gives at most one fingerprint a line; a
 * refused file says why.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "audit_int.h"
#include "err.h"
#include "fuzz.h"

static struct audit *engine;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	engine = fuzz_audit_new();
	return 0;
}

/* The baseline's fingerprints, read with cJSON as a user's tool would. */
static void
check_baseline(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size);
	cJSON *root = cJSON_Parse(text), *list, *item, *fp, *hash, *prev;
	const struct fpent *ent;

	list = cJSON_IsArray(root) ? root :
	    cJSON_GetObjectItemCaseSensitive(root, "findings");
	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(item, list) {
			fp = cJSON_GetObjectItemCaseSensitive(item, "fingerprint");
			if (!cJSON_IsString(fp))
				continue;
			ent = audit_fpset_get(&engine->baseline, fp->valuestring);
			FUZZ_CHECK(ent != NULL, "a baseline fingerprint is missing");
			/* the first finding with this fingerprint gives the hash */
			for (prev = list->child; prev != item; prev = prev->next) {
				cJSON *pf = cJSON_GetObjectItemCaseSensitive(prev,
				    "fingerprint");

				if (cJSON_IsString(pf) &&
				    strcmp(pf->valuestring, fp->valuestring) == 0)
					break;
			}
			if (prev != item)
				continue;
			hash = cJSON_GetObjectItemCaseSensitive(item, "secret_hash");
			if (cJSON_IsString(hash))
				FUZZ_CHECK(ent->hash != NULL &&
				    strcmp(ent->hash, hash->valuestring) == 0,
				    "a baseline hash is not the finding's");
			else
				FUZZ_CHECK(ent->hash == NULL, "a hash from nowhere");
		}
	}
	cJSON_Delete(root);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	const char *path;
	size_t lines = 1, i;
	int ignore, rc;

	if (size < 1)
		return 0;
	ignore = data[0] & 1;
	data++;
	size--;
	path = fuzz_file(ignore ? "ignore.txt" : "baseline.json", data, size);
	err_clear(&e);
	rc = ignore ? audit_load_ignore(engine, path, &e) :
	    audit_load_baseline(engine, path, &e);
	if (rc != 0) {
		FUZZ_CHECK(e.msg[0] != '\0', "a refused file without a message");
	} else if (ignore) {
		for (i = 0; i < size; i++)
			lines += data[i] == '\n';
		FUZZ_CHECK(engine->ignore.n <= lines,
		    "more fingerprints than lines");
	} else {
		check_baseline(data, size);
	}
	audit_fpset_release(&engine->baseline);
	audit_fpset_release(&engine->ignore);
	engine->have_baseline = 0;
	engine->have_ignore = 0;
	return 0;
}
