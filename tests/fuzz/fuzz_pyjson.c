/*
 * fuzz_pyjson.c: json.loads and json.dumps as Python has them
 * (src/pyjson.c). The first byte picks the dump options (indent, sorted
 * keys, ensure_ascii) and the reader (pyjson_loads(), or
 * pyjson_loads_kept(), which keeps \u0000 and lone surrogates), the rest
 * is JSON text. Invariants, for text that
 * loads: its dump loads again, and the dump of that is the same text
 * (the output re-parses to the same value); the one-line ensure_ascii
 * dump is ASCII.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "err.h"
#include "fuzz.h"
#include "pyjson.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static void
dump(const cJSON *v, const struct pyjson_opts *o, struct buf *out)
{
	struct err e;

	err_clear(&e);
	FUZZ_CHECK(pyjson_dumps(v, o, out, &e) == 0, "pyjson_dumps failed");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pyjson_opts o, plain = { -1, 0, 1 };
	struct buf d1, d2, a;
	cJSON *v, *back;
	cJSON *(*load)(const char *, size_t);
	size_t i;

	if (size < 1)
		return 0;
	o.indent = (data[0] & 3) == 3 ? -1 : data[0] & 3;
	o.sort_keys = (data[0] >> 2) & 1;
	o.ensure_ascii = (data[0] >> 3) & 1;
	load = (data[0] >> 4) & 1 ? pyjson_loads_kept : pyjson_loads;
	errno = 0;
	if ((v = load((const char *)data + 1, size - 1)) == NULL) {
		FUZZ_CHECK(errno == EINVAL, "a refused text without EINVAL");
		return 0;
	}
	buf_init(&d1, 1);
	buf_init(&d2, 1);
	buf_init(&a, 1);
	dump(v, &o, &d1);
	if ((back = load(buf_str(&d1), d1.len)) == NULL) {
		fprintf(stderr, "dump: %s\n", buf_str(&d1));
		fuzz_fail(__FILE__, __LINE__, "the dump does not load again");
	}
	dump(back, &o, &d2);
	if (d1.len != d2.len || memcmp(d1.p, d2.p, d1.len) != 0) {
		fprintf(stderr, "dump:  %s\nagain: %s\n", buf_str(&d1),
		    buf_str(&d2));
		fuzz_fail(__FILE__, __LINE__, "the dump re-parses to another value");
	}
	dump(v, &plain, &a);
	for (i = 0; i < a.len; i++)
		FUZZ_CHECK((unsigned char)a.p[i] < 0x80 && a.p[i] != '\n',
		    "an ensure_ascii dump that is not one ASCII line");
	buf_release(&d1);
	buf_release(&d2);
	buf_release(&a);
	pyjson_free(back);
	pyjson_free(v);
	return 0;
}
