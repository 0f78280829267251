/*
 * floor_bench.c: the floor of a rotation on this machine and DB: the rows
 * `rotate-fernet-key` reads and writes, read and written through ferncon's
 * own store layer in one transaction with no cryptography at all (each
 * encrypted value written back with one byte changed, as SQLite does not
 * write a cell that is byte for byte the same), then read back once, as
 * the check after COMMIT does. bench/rotate_bench.py,
 * bench/pg_rotate_bench.sh and bench/my_rotate_bench.sh print it beside
 * ferncon's times, so that the distance to the limit is visible
 * (doc/perf.md section 4, doc/mysql.md section 5). Not a test.
 *
 *   floor_bench URL        (sqlite:///path, postgresql://... or mysql://...)
 *
 * Prints "floor: values N write S s commit S s read-back S s".
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "store.h"

#define PAGE	2000

struct val {
	int64_t	 id;
	char	*v[2];
	size_t	 len[2];
	int	 flag[2];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, const struct err *e)
{
	fprintf(stderr, "floor_bench: %s: %s\n", what, e->msg);
	exit(1);
}

static void
take(struct val *x, int k, const struct store_value *v)
{
	x->flag[k] = v->value != NULL && v->len > 0 && v->flag == 1;
	x->v[k] = NULL;
	x->len[k] = 0;
	if (!x->flag[k])
		return;
	if ((x->v[k] = malloc(v->len)) == NULL) {
		fprintf(stderr, "floor_bench: out of memory\n");
		exit(1);
	}
	memcpy(x->v[k], v->value, v->len);
	x->v[k][v->len / 2] ^= 1;	/* SQLite skips writing an identical cell */
	x->len[k] = v->len;
}

/*
 * One page of a table after id `after`: n rows read into page. A
 * connection's two secrets come from one read of the row, as the rotation
 * reads them (store_conn_secrets_iter(): a password, then its extra).
 */
static size_t
read_page(struct store *s, const enum store_field *f, int nf, int64_t after,
    struct val *page)
{
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	size_t n = 0;
	int k, rc;

	if ((nf == 2 ? store_conn_secrets_iter(s, after, PAGE, &it, &e) :
	    store_field_iter(s, f[0], after, PAGE, &it, &e)) != 0)
		die("read", &e);
	for (;;) {
		for (k = 0; k < nf; k++) {
			if ((rc = store_field_next(it, &v, &e)) < 0)
				die("read", &e);
			if (rc == 0)
				goto out;
			page[n].id = v.id;
			take(&page[n], k, &v);
		}
		n++;
	}
out:
	store_iter_free(it);
	return n;
}

/* Read and write back a table's encrypted values; the count written. */
static size_t
table(struct store *s, const enum store_field *f, int nf, struct val *page)
{
	int64_t after = 0;
	size_t n, i, done = 0;
	struct err e;
	int k;

	do {
		n = read_page(s, f, nf, after, page);
		for (i = 0; i < n; i++) {
			struct val *x = &page[i];

			if (nf == 2 && (x->flag[0] || x->flag[1])) {
				if (store_conn_secrets_update(s, x->id,
				    (x->flag[0] ? STORE_SET_PASSWORD : 0) |
				    (x->flag[1] ? STORE_SET_EXTRA : 0), x->v[0],
				    x->len[0], 1, x->v[1], x->len[1], 1, &e) != 0)
					die("write", &e);
			} else if (nf == 1 && x->flag[0] &&
			    store_field_update(s, f[0], x->id, x->v[0], x->len[0],
			    1, &e) != 0)
				die("write", &e);
			for (k = 0; k < nf; k++) {
				done += x->flag[k];
				free(x->v[k]);
			}
			after = x->id;
		}
	} while (n == PAGE);
	return done;
}

/*
 * Read every value of a field once (the read-back; pair: both secrets of
 * the connection table in one read, as the check after COMMIT reads them);
 * bytes seen.
 */
static size_t
read_back(struct store *s, enum store_field f, int pair)
{
	struct store_iter *it = NULL;
	struct store_value v;
	struct err e;
	size_t bytes = 0;
	int rc;

	if ((pair ? store_conn_secrets_iter(s, 0, 0, &it, &e) :
	    store_field_iter(s, f, 0, 0, &it, &e)) != 0)
		die("read back", &e);
	while ((rc = store_field_next(it, &v, &e)) == 1)
		bytes += v.len;
	if (rc < 0)
		die("read back", &e);
	store_iter_free(it);
	return bytes;
}

int
main(int argc, char **argv)
{
	static const enum store_field conn[2] = { STORE_CONN_PASSWORD,
	    STORE_CONN_EXTRA };
	static const enum store_field var[1] = { STORE_VAR_VAL };
	struct store_opts so = { 0, NULL };
	struct store *s;
	struct val *page;
	struct err e;
	double t0, t1, t2, t3;
	size_t n = 0, bytes = 0;
	int f, pair;

	if (argc != 2) {
		fprintf(stderr, "usage: floor_bench URL\n");
		return 2;
	}
	if (sodium_init() < 0 || (page = calloc(PAGE, sizeof *page)) == NULL)
		return 1;
	if (store_open(&s, argv[1], &so, &e) != 0)
		die("open", &e);
	t0 = now();
	if (store_begin(s, &e) != 0)
		die("begin", &e);
	n += table(s, conn, 2, page);
	if (store_field_exists(s, STORE_VAR_VAL))
		n += table(s, var, 1, page);
	t1 = now();
	if (store_commit(s, &e) != 0)
		die("commit", &e);
	t2 = now();
	pair = store_field_exists(s, STORE_CONN_PASSWORD) &&
	    store_field_exists(s, STORE_CONN_EXTRA);
	if (pair)
		bytes += read_back(s, STORE_CONN_PASSWORD, 1);
	for (f = pair ? STORE_VAR_VAL : 0; f < STORE_FIELD_MAX; f++)
		if (store_field_exists(s, (enum store_field)f))
			bytes += read_back(s, (enum store_field)f, 0);
	t3 = now();
	printf("floor: values %zu write %.3f s commit %.3f s read-back %.3f s "
	    "(%zu bytes)\n", n, t1 - t0, t2 - t1, t3 - t2, bytes);
	store_close(s);
	free(page);
	return 0;
}
