/*
 * fernet_bench.c: how fast ferncon rotates Fernet tokens, for bench/run.
 *
 *   BENCH_NEW=k BENCH_OLD=k fernet_bench FILE
 *
 * Reads the tokens (one per line, made by bench/py_fernet_rotate.py under
 * the old key), rotates each with the ring new,old (MultiFernet.rotate
 * semantics: decrypt with any key, re-encrypt under the first with the
 * original timestamp), checks one result, and prints the rate. Single
 * thread; the timing covers only the rotation loop, like the Python side.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "keyring.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char keys[200], *buf = NULL, **toks = NULL, out[512];
	const char *kn = getenv("BENCH_NEW"), *ko = getenv("BENCH_OLD");
	struct keyring *kr = NULL;
	struct fernet_info info;
	struct err e;
	size_t n = 0, i, len = 0, olen;
	FILE *f;
	double t0, dt;
	long sz;

	if (argc != 2 || kn == NULL || ko == NULL || sodium_init() < 0)
		return 2;
	snprintf(keys, sizeof keys, "%s,%s", kn, ko);
	if (keyring_parse(&kr, keys, strlen(keys), NULL, &e) != 0) {
		fprintf(stderr, "fernet_bench: %s\n", e.msg);
		return 2;
	}
	if ((f = fopen(argv[1], "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)sz + 1)) == NULL ||
	    fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		return 2;
	fclose(f);
	buf[sz] = '\0';
	for (i = 0; i < (size_t)sz; i++)
		n += buf[i] == '\n';
	if ((toks = calloc(n + 1, sizeof *toks)) == NULL)
		return 2;
	n = 0;
	for (char *p = strtok(buf, "\n"); p != NULL; p = strtok(NULL, "\n"))
		toks[n++] = p;

	t0 = now();
	for (i = 0; i < n; i++) {
		if (keyring_rotate(kr, toks[i], strlen(toks[i]), out, sizeof out,
		    &olen, &info, &e) != 0) {
			fprintf(stderr, "fernet_bench: token %zu: %s\n", i, e.msg);
			return 1;
		}
		len += olen;
	}
	dt = now() - t0;
	/* The last result opens with the primary key alone. */
	if (keyring_which(kr, out, olen, &info) != 0)
		return 1;
	printf("ferncon tokens/s: %.0f\n", (double)n / dt);
	free(toks);
	free(buf);
	keyring_free(kr);
	fernet_thread_cleanup();
	return len > 0 ? 0 : 1;
}
