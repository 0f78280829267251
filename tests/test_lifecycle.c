/*
 * test_lifecycle.c: the lifecycle jobs (src/lifecycle.c) on real Airflow
 * layouts: preflight counts per field and per key with token ages, the
 * rows no key opens and the plaintext `{...}` trigger rows named; rotation
 * with MultiFernet.rotate semantics (value and timestamp kept, a new token
 * under the primary key, flags unchanged, flag-false and legacy rows left
 * byte for byte) and its verify pass; the refusal on an undecryptable row
 * and --skip-undecryptable; encrypt-plaintext (only flag-false rows, Airflow's
 * empty-value rules); encryption off; cancel from the progress callback and
 * from the flag (rolled back, the runner usable again); progress numbers;
 * paging by id with tiny pages, a value larger than a page's budget and 1 to
 * 5 threads; verify catching a value under the old key; probe; a DB whose
 * writes are locked by another session. Every refusal leaves the DB byte for
 * byte as it was. (Python's cryptography checks the same results in
 * cli_rotate.sh.)
 *
 * Every case runs on both backends (testdb.h): on SQLite by default, and on
 * PostgreSQL when FERNCON_TEST_PG_URL is set (tests/lifecycle_pg.sh starts
 * a server). The layouts a backend has no data/schema-*.sql for are skipped
 * by name. The test's own SQL is portable: flags are written as '0'/'1' and
 * read through FLAG() as 0, 1 or n (NULL); lists are built row by row in
 * id order.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fernet.h"
#include "keyring.h"
#include "lifecycle.h"
#include "store.h"
#include "testdb.h"
#include "testutil.h"

#define NEW	"NzVS4uzedlSSsi5zcBkgRU74p3Lwpls7OgXcMjpqmvQ="
#define OLD	"J0ko2S8zneUztoNflj4W7e4GIRjJdil0LvsKi8Smzac="
#define LOST	"rXQ3l_ppHmv7GxTozrVQnDskCGCaNk8jG9ApUgy0Jl0="
#define RING	NEW "," OLD

#define T_OLD	1500000000u	/* 2017 */
#define T_NEW	1700000000u	/* 2023 */
#define T_LOST	1615766400u	/* 2021-03-15 */

/* A flag column as '0', '1' or 'n' (NULL) on both backends. */
#define FLAG(col) \
	"CASE WHEN " col " IS NULL THEN 'n' WHEN " col " THEN '1' ELSE '0' END"

struct fx {
	char		 *dir;
	struct tdb	  t;		/* on the backend of the run */
	struct store	 *s;
	struct lifecycle *lc;
};

/* -- fixtures ------------------------------------------------------------ */

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->dir = tu_tmpdir();
	tdb_create(&f->t, f->dir, "3.2");
	*state = f;
	return 0;
}

static void
fx_close(struct fx *f)
{
	lifecycle_free(f->lc);
	f->lc = NULL;
	store_close(f->s);
	f->s = NULL;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	fx_close(f);
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* Open the store and a runner with the key list ring. */
static void
fx_open(struct fx *f, const char *ring, const struct lifecycle_opts *o)
{
	struct store_opts so = { 300, NULL };
	struct err e;

	fx_close(f);
	if (store_open(&f->s, f->t.url, &so, &e) != 0)
		fail_msg("store_open: %s", e.msg);
	if (lifecycle_new(&f->lc, f->s, ring, strlen(ring), o, &e) != 0)
		fail_msg("lifecycle_new: %s", e.msg);
}

/* A token of msg under key at time ts (static buffer, valid until the next call). */
static const char *
tok(const char *key, const char *msg, uint64_t ts)
{
	static char out[8192];
	struct keyring *kr;
	struct err e;
	size_t n;

	assert_int_equal(keyring_parse(&kr, key, strlen(key), NULL, &e), 0);
	assert_int_equal(fernet_encrypt(keyring_keys(kr)[0], msg, strlen(msg), ts,
	    NULL, out, sizeof out, &n, &e), 0);
	keyring_free(kr);
	return out;
}

static void
insert_conn(struct fx *f, const char *id, const char *pw, int pw_flag,
    const char *extra, int ex_flag)
{
	const char *v[5] = { id, pw, pw_flag ? "1" : "0", extra,
	    ex_flag ? "1" : "0" };

	tdb_exec_params(&f->t, "INSERT INTO connection (conn_id, conn_type, "
	    "password, is_encrypted, extra, is_extra_encrypted) VALUES "
	    "(?, 'postgres', ?, ?, ?, ?)", 5, v);
}

static void
insert_var(struct fx *f, const char *key, const char *val, int flag)
{
	const char *v[3] = { key, val, flag ? "1" : "0" };

	tdb_exec_params(&f->t, "INSERT INTO variable (\"key\", val, "
	    "is_encrypted) VALUES (?, ?, ?)", 3, v);
}

static void
insert_trigger(struct fx *f, const char *kwargs)
{
	const char *v[1] = { kwargs };

	tdb_exec_params(&f->t, "INSERT INTO \"trigger\" (classpath, kwargs, "
	    "created_date) VALUES ('x.Trigger', ?, '2026-05-01 11:00:00')",
	    1, v);
}

/* The one column of the one row q returns (caller frees; NULL for SQL NULL). */
static char *
value_of(struct fx *f, const char *q)
{
	char *n, *count;

	if (asprintf(&count, "SELECT count(*) FROM (%s) AS q", q) < 0)
		abort();
	n = tdb_query(&f->t, count);
	if (n == NULL || strcmp(n, "1") != 0)
		fail_msg("%s: %s rows, not one", q, n ? n : "no");
	free(n);
	free(count);
	return tdb_query(&f->t, q);
}

/*
 * expr of every row of table in id order, joined by sep (caller frees): what
 * group_concat() gives on SQLite and string_agg() on PostgreSQL, asked row by
 * row so that the SQL is the same on both. expr must not be NULL.
 */
static char *
list_of(struct fx *f, const char *expr, const char *table, const char *sep)
{
	char q[512], *n, *v, *all, *next;
	long i, rows;

	snprintf(q, sizeof q, "SELECT count(*) FROM %s", table);
	n = tdb_query(&f->t, q);
	assert_non_null(n);
	rows = atol(n);
	free(n);
	all = strdup("");
	for (i = 0; i < rows && all != NULL; i++) {
		snprintf(q, sizeof q, "SELECT %s FROM %s ORDER BY id LIMIT 1 "
		    "OFFSET %ld", expr, table, i);
		v = tdb_query(&f->t, q);
		if (v == NULL)
			fail_msg("%s: NULL in row %ld", q, i);
		if (asprintf(&next, "%s%s%s", all, i > 0 ? sep : "", v) < 0)
			next = NULL;
		free(all);
		free(v);
		all = next;
	}
	assert_non_null(all);
	return all;
}

/* Open a token with ring: key index (or -1), plaintext into buf, timestamp. */
static int
open_token(const char *ring, const char *t, char *buf, size_t cap, uint64_t *ts)
{
	struct keyring *kr;
	struct fernet_info info;
	struct err e;
	size_t n = 0;
	int rc;

	assert_int_equal(keyring_parse(&kr, ring, strlen(ring), NULL, &e), 0);
	rc = keyring_decrypt(kr, t, strlen(t), (uint8_t *)buf, cap - 1, &n, &info,
	    &e);
	keyring_free(kr);
	if (rc != 0)
		return -1;
	buf[n] = '\0';
	if (ts != NULL)
		*ts = info.timestamp;
	return info.key_index;
}

/* Assert that the value of q opens with key alone to want, stamped ts. */
static void
assert_sealed(struct fx *f, const char *q, const char *key, const char *want,
    uint64_t ts)
{
	char *v = value_of(f, q), buf[4096];
	uint64_t got_ts = 0;

	assert_non_null(v);
	if (open_token(key, v, buf, sizeof buf, &got_ts) != 0)
		fail_msg("%s: does not open with the expected key alone", q);
	assert_string_equal(buf, want);
	if (ts != 0)
		assert_int_equal(got_ts, ts);
	free(v);
}

/*
 * The mixed DB: ids in insertion order.
 *   connection 1 c_old:   password under OLD, extra under NEW
 *   connection 2 c_plain: password plain (flag 0), extra NULL
 *   connection 3 c_lost:  password under LOST (no key opens it)
 *   connection 4 c_empty: password "" with flag 1, extra "" with flag 0
 *   variable 1 v_old: under OLD;  2 v_plain: plain;  3 v_empty: "" flag 0
 *   trigger 1: under NEW;  2: legacy {...};  3: under LOST
 */
static void
fill_mixed(struct fx *f, int with_lost)
{
	char pw1[200], ex1[300];

	snprintf(pw1, sizeof pw1, "%s", tok(OLD, "s3cret-pw", T_OLD));
	snprintf(ex1, sizeof ex1, "%s", tok(NEW, "{\"token\": \"abc\"}", T_NEW));
	insert_conn(f, "c_old", pw1, 1, ex1, 1);
	insert_conn(f, "c_plain", "plainpw", 0, NULL, 0);
	if (with_lost)
		insert_conn(f, "c_lost", tok(LOST, "gone", T_LOST), 1, NULL, 0);
	insert_conn(f, "c_empty", "", 1, "", 0);
	insert_var(f, "v_old", tok(OLD, "var-secret", T_OLD + 5), 1);
	insert_var(f, "v_plain", "plain value", 0);
	insert_var(f, "v_empty", "", 0);
	insert_trigger(f, tok(NEW, "{\"__var\": {}}", T_NEW + 7));
	insert_trigger(f, "{\"__type\": \"dict\", \"__var\": {}}");
	if (with_lost)
		insert_trigger(f, tok(LOST, "{}", T_LOST));
}

/* -- preflight ----------------------------------------------------------- */

static void
test_preflight(void **state)
{
	struct fx *f = *state;
	struct lifecycle_preflight pf;
	struct err e;
	char what[400];

	fill_mixed(f, 1);
	fx_open(f, RING, NULL);
	assert_int_equal(lifecycle_key_count(f->lc), 2);
	assert_int_equal(lifecycle_preflight(f->lc, T_OLD + 1, &pf, &e), 0);
	assert_int_equal(pf.nkeys, 2);
	assert_true(pf.present[STORE_TRIGGER_KWARGS]);
	/* connection.password: old, plain, lost, empty */
	assert_int_equal(pf.field[STORE_CONN_PASSWORD].rows, 4);
	assert_int_equal(pf.field[STORE_CONN_PASSWORD].per_key[1], 1);
	assert_int_equal(pf.field[STORE_CONN_PASSWORD].plaintext, 1);
	assert_int_equal(pf.field[STORE_CONN_PASSWORD].undecryptable, 1);
	assert_int_equal(pf.field[STORE_CONN_PASSWORD].empty, 1);
	assert_int_equal(pf.field[STORE_CONN_PASSWORD].stale, 1);
	/* connection.extra: new, NULL, NULL, "" */
	assert_int_equal(pf.field[STORE_CONN_EXTRA].per_key[0], 1);
	assert_int_equal(pf.field[STORE_CONN_EXTRA].empty, 3);
	/* variable.val: old, plain, "" with flag 0 (Airflow encrypts "") */
	assert_int_equal(pf.field[STORE_VAR_VAL].per_key[1], 1);
	assert_int_equal(pf.field[STORE_VAR_VAL].plaintext, 2);
	/* trigger.kwargs: new, legacy, lost */
	assert_int_equal(pf.field[STORE_TRIGGER_KWARGS].per_key[0], 1);
	assert_int_equal(pf.field[STORE_TRIGGER_KWARGS].plaintext, 1);
	assert_int_equal(pf.field[STORE_TRIGGER_KWARGS].undecryptable, 1);
	/* totals */
	assert_int_equal(pf.tokens, 4);
	assert_int_equal(pf.plaintext, 3);
	assert_int_equal(pf.legacy, 1);
	assert_int_equal(pf.undecryptable, 2);
	assert_int_equal(pf.stale, 1);
	assert_int_equal(pf.oldest[1], T_OLD);
	assert_int_equal(pf.newest[1], T_OLD + 5);
	assert_int_equal(pf.oldest[0], T_NEW);
	assert_int_equal(pf.newest[0], T_NEW + 7);
	/* the rows no key opens, named */
	assert_int_equal(pf.nbad, 2);
	lifecycle_row_format(&pf.bad[0], what, sizeof what);
	assert_string_equal(what, "connection.password of 'c_lost' (id 3)");
	lifecycle_row_format(&pf.bad[1], what, sizeof what);
	assert_string_equal(what, "trigger.kwargs of trigger 3");
	assert_int_equal(pf.nlegacy_rows, 1);
	assert_int_equal(pf.legacy_rows[0].id, 2);
}

/* -- rotate -------------------------------------------------------------- */

static void
test_rotate(void **state)
{
	struct fx *f = *state;
	struct lifecycle_result r;
	struct err e;
	char *before_pw, *before_ex, *before_trig, *v;

	fill_mixed(f, 0);
	before_pw = value_of(f, "SELECT password FROM connection WHERE id = 1");
	before_ex = value_of(f, "SELECT extra FROM connection WHERE id = 1");
	before_trig = value_of(f, "SELECT kwargs FROM \"trigger\" WHERE id = 1");
	fx_open(f, RING, NULL);
	err_clear(&e);
	if (lifecycle_rotate(f->lc, 0, &r, &e) != 0)
		fail_msg("rotate: %s", e.msg);
	assert_true(r.committed);
	assert_false(r.cancelled);
	assert_int_equal(r.changed[STORE_CONN_PASSWORD], 1);
	assert_int_equal(r.changed[STORE_CONN_EXTRA], 1);
	assert_int_equal(r.changed[STORE_VAR_VAL], 1);
	assert_int_equal(r.changed[STORE_TRIGGER_KWARGS], 1);
	assert_int_equal(r.total_changed, 4);
	assert_int_equal(r.total_skipped, 0);
	assert_int_equal(r.legacy, 1);
	/* value and timestamp kept, primary key alone opens it */
	assert_sealed(f, "SELECT password FROM connection WHERE id = 1", NEW,
	    "s3cret-pw", T_OLD);
	assert_sealed(f, "SELECT extra FROM connection WHERE id = 1", NEW,
	    "{\"token\": \"abc\"}", T_NEW);
	assert_sealed(f, "SELECT val FROM variable WHERE id = 1", NEW,
	    "var-secret", T_OLD + 5);
	assert_sealed(f, "SELECT kwargs FROM \"trigger\" WHERE id = 1", NEW,
	    "{\"__var\": {}}", T_NEW + 7);
	/* a fresh token even for values already under the primary key */
	v = value_of(f, "SELECT password FROM connection WHERE id = 1");
	assert_string_not_equal(v, before_pw);
	free(v);
	v = value_of(f, "SELECT extra FROM connection WHERE id = 1");
	assert_string_not_equal(v, before_ex);
	free(v);
	v = value_of(f, "SELECT kwargs FROM \"trigger\" WHERE id = 1");
	assert_string_not_equal(v, before_trig);
	free(v);
	/* flags unchanged; flag-false, empty and legacy rows byte for byte */
	v = list_of(f, FLAG("is_encrypted") " || " FLAG("is_extra_encrypted"),
	    "connection", ",");
	assert_string_equal(v, "11,00,10");
	free(v);
	v = value_of(f, "SELECT password FROM connection WHERE id = 2");
	assert_string_equal(v, "plainpw");
	free(v);
	v = value_of(f, "SELECT val || '|' || " FLAG("is_encrypted") " FROM "
	    "variable WHERE id = 2");
	assert_string_equal(v, "plain value|0");
	free(v);
	v = value_of(f, "SELECT kwargs FROM \"trigger\" WHERE id = 2");
	assert_string_equal(v, "{\"__type\": \"dict\", \"__var\": {}}");
	free(v);
	/* the verify pass */
	assert_true(r.verify.ok);
	assert_false(r.verify.changed);
	assert_int_equal(r.verify.checked, 4);
	assert_int_equal(r.verify.primary, 4);
	assert_int_equal(r.verify.other + r.verify.undecryptable, 0);
	/* the one pass was its own preflight: which key opened what */
	assert_int_equal(r.preflight.tokens, 4);
	assert_int_equal(r.preflight.field[STORE_CONN_PASSWORD].per_key[1], 1);
	assert_int_equal(r.preflight.field[STORE_CONN_EXTRA].per_key[0], 1);
	assert_int_equal(r.preflight.field[STORE_VAR_VAL].per_key[1], 1);
	assert_int_equal(r.preflight.field[STORE_TRIGGER_KWARGS].per_key[0], 1);
	assert_int_equal(r.preflight.field[STORE_CONN_PASSWORD].plaintext, 1);
	assert_int_equal(r.preflight.field[STORE_CONN_PASSWORD].rows, 3);
	assert_int_equal(r.preflight.oldest[1], T_OLD);
	assert_int_equal(r.preflight.undecryptable, 0);
	free(before_pw);
	free(before_ex);
	free(before_trig);
}

static void
test_rotate_undecryptable(void **state)
{
	struct fx *f = *state;
	struct lifecycle_result r;
	struct err e;
	char *before, *after, *v;

	fill_mixed(f, 1);
	before = tdb_dump(&f->t);
	fx_open(f, RING, NULL);
	err_clear(&e);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "connection.password of 'c_lost' (id 3)"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	assert_false(r.committed);
	assert_int_equal(r.total_changed, 0);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(after);
	/* Rolled back on the first; then every such value named. */
	assert_int_equal(r.preflight.undecryptable, 2);
	assert_int_equal(r.preflight.nbad, 2);
	assert_string_equal(r.preflight.bad[0].name, "c_lost");
	assert_int_equal(r.preflight.bad[1].field, STORE_TRIGGER_KWARGS);

	/* --skip-undecryptable: rotated around them, named, left as they are. */
	v = value_of(f, "SELECT password FROM connection WHERE id = 3");
	err_clear(&e);
	if (lifecycle_rotate(f->lc, LIFECYCLE_SKIP_UNDECRYPTABLE, &r, &e) != 0)
		fail_msg("rotate --skip-undecryptable: %s", e.msg);
	assert_int_equal(r.total_changed, 4);
	assert_int_equal(r.total_skipped, 2);
	assert_int_equal(r.skipped[STORE_CONN_PASSWORD], 1);
	assert_int_equal(r.skipped[STORE_TRIGGER_KWARGS], 1);
	assert_int_equal(r.nskipped_rows, 2);
	assert_string_equal(r.skipped_rows[0].name, "c_lost");
	after = value_of(f, "SELECT password FROM connection WHERE id = 3");
	assert_string_equal(after, v);
	assert_true(r.verify.ok);
	assert_int_equal(r.verify.undecryptable, 2);
	assert_int_equal(r.verify.primary, 4);
	free(after);
	free(before);
	free(v);
}

/* -- encrypt-plaintext --------------------------------------------------- */

static void
test_encrypt(void **state)
{
	struct fx *f = *state;
	struct lifecycle_result r;
	struct err e;
	char *v, *pw_before, *trig_before;
	uint64_t t0 = (uint64_t)time(NULL);

	fill_mixed(f, 1);
	pw_before = value_of(f, "SELECT password FROM connection WHERE id = 1");
	trig_before = list_of(f, "kwargs", "\"trigger\"", ";");
	fx_open(f, RING, NULL);
	if (lifecycle_encrypt(f->lc, &r, &e) != 0)
		fail_msg("encrypt: %s", e.msg);
	assert_true(r.committed);
	assert_int_equal(r.changed[STORE_CONN_PASSWORD], 1);
	assert_int_equal(r.changed[STORE_CONN_EXTRA], 0);
	assert_int_equal(r.changed[STORE_VAR_VAL], 2);
	assert_int_equal(r.total_changed, 3);
	assert_sealed(f, "SELECT password FROM connection WHERE id = 2", NEW,
	    "plainpw", 0);
	assert_sealed(f, "SELECT val FROM variable WHERE id = 2", NEW,
	    "plain value", 0);
	assert_sealed(f, "SELECT val FROM variable WHERE id = 3", NEW, "", 0);
	{
		char buf[256];
		uint64_t ts = 0;

		v = value_of(f, "SELECT password FROM connection WHERE id = 2");
		assert_int_equal(open_token(NEW, v, buf, sizeof buf, &ts), 0);
		assert_true(ts >= t0 && ts <= (uint64_t)time(NULL));
		free(v);
	}
	v = list_of(f, FLAG("is_encrypted") " || " FLAG("is_extra_encrypted"),
	    "connection", ",");
	assert_string_equal(v, "11,10,10,10");
	free(v);
	v = list_of(f, FLAG("is_encrypted"), "variable", ",");
	assert_string_equal(v, "1,1,1");
	free(v);
	/* flag-true rows, empty connection values and triggers untouched */
	v = value_of(f, "SELECT password FROM connection WHERE id = 1");
	assert_string_equal(v, pw_before);
	free(v);
	v = value_of(f, "SELECT password || '|' || extra FROM connection WHERE "
	    "id = 4");
	assert_string_equal(v, "|");
	free(v);
	v = list_of(f, "kwargs", "\"trigger\"", ";");
	assert_string_equal(v, trig_before);
	free(v);
	/* a second run finds nothing to do */
	assert_int_equal(lifecycle_encrypt(f->lc, &r, &e), 0);
	assert_int_equal(r.total_changed, 0);
	free(pw_before);
	free(trig_before);
}

static void
test_encryption_off(void **state)
{
	struct fx *f = *state;
	struct lifecycle_preflight pf;
	struct lifecycle_result r;
	struct err e;
	char *before, *after;

	fill_mixed(f, 0);
	before = tdb_dump(&f->t);
	fx_open(f, "", NULL);
	assert_int_equal(lifecycle_key_count(f->lc), 0);
	assert_int_equal(lifecycle_encrypt(f->lc, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "encryption is off"));
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "encryption is off"));
	/* preflight still works: every token is one no key opens */
	assert_int_equal(lifecycle_preflight(f->lc, 0, &pf, &e), 0);
	assert_int_equal(pf.undecryptable, 4);
	assert_int_equal(pf.plaintext, 3);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(before);
	free(after);

	/* a malformed key list */
	fx_close(f);
	assert_int_equal(store_open(&f->s, f->t.url, NULL, &e), 0);
	assert_int_equal(lifecycle_new(&f->lc, f->s, NEW ",", strlen(NEW ","),
	    NULL, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_null(strstr(e.msg, NEW));
}

/* -- cancel and progress ------------------------------------------------- */

struct rec {
	int				 calls;
	int				 cancel_at;	/* return 1 on this call of ROTATE */
	int				 rotate_calls;
	volatile sig_atomic_t		*flag;		/* or set this */
	enum lifecycle_phase		 phases[64];
	int				 nphases;
	size_t				 last_done, last_total;
	int				 monotonic;
};

static int
record(const struct lifecycle_progress *p, void *arg)
{
	struct rec *r = arg;

	r->calls++;
	if (r->nphases == 0 || r->phases[r->nphases - 1] != p->phase) {
		if (r->nphases < 64)
			r->phases[r->nphases++] = p->phase;
		r->last_done = 0;
	}
	if (p->done < r->last_done || p->done > p->total)
		r->monotonic = 0;
	r->last_done = p->done;
	r->last_total = p->total;
	if (p->phase == LIFECYCLE_ROTATE && ++r->rotate_calls == r->cancel_at) {
		if (r->flag != NULL) {
			*r->flag = 1;
			return 0;
		}
		return 1;
	}
	return 0;
}

/*
 * n connections conn_<i> (password "password-<i>" under key, flag 1, extra
 * NULL) and n variables var_<i> (the same value), stamped T_OLD + i: one SQL
 * text in one transaction (the tokens need no quoting).
 */
static void
fill_many(struct fx *f, int n, const char *key)
{
	char pw[32], *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int i;

	assert_non_null(m);
	fputs("BEGIN;\n", m);
	for (i = 0; i < n; i++) {
		snprintf(pw, sizeof pw, "password-%d", i);
		fprintf(m, "INSERT INTO connection (conn_id, conn_type, "
		    "password, is_encrypted, extra, is_extra_encrypted) VALUES "
		    "('conn_%05d', 'postgres', '%s', '1', NULL, '0');\n", i,
		    tok(key, pw, T_OLD + (uint64_t)i));
		fprintf(m, "INSERT INTO variable (\"key\", val, is_encrypted) "
		    "VALUES ('var_%05d', '%s', '1');\n", i,
		    tok(key, pw, T_OLD + (uint64_t)i));
	}
	fputs("COMMIT;\n", m);
	assert_int_equal(fclose(m), 0);
	tdb_exec(&f->t, text);
	free(text);
}

static void
test_cancel(void **state)
{
	struct fx *f = *state;
	struct lifecycle_opts o;
	struct lifecycle_result r;
	struct rec rc;
	static volatile sig_atomic_t flag;
	struct err e;
	char *before, *after;

	fill_many(f, 60, OLD);
	before = tdb_dump(&f->t);
	memset(&o, 0, sizeof o);
	memset(&rc, 0, sizeof rc);
	o.progress = record;
	o.progress_arg = &rc;
	o.interval_ms = 1;
	o.page_rows = 4;
	o.threads = 2;
	rc.cancel_at = 2;	/* the first call after the phase's start */
	fx_open(f, RING, &o);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), -1);
	assert_true(r.cancelled);
	assert_false(r.committed);
	assert_non_null(strstr(e.msg, "cancelled"));
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(after);

	/* The flag, as a signal handler or the console's Esc would set it. */
	memset(&rc, 0, sizeof rc);
	rc.cancel_at = 2;
	rc.flag = &flag;
	o.cancel = &flag;
	fx_open(f, RING, &o);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), -1);
	assert_true(r.cancelled);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(after);

	/* The same runner works again afterwards. */
	flag = 0;
	rc.cancel_at = -1;
	if (lifecycle_rotate(f->lc, 0, &r, &e) != 0)
		fail_msg("rotate after cancel: %s", e.msg);
	assert_int_equal(r.total_changed, 120);
	assert_true(r.verify.ok);
	free(before);
}

static void
test_progress(void **state)
{
	struct fx *f = *state;
	struct lifecycle_opts o;
	struct lifecycle_result r;
	struct rec rc;
	struct err e;

	fill_many(f, 50, OLD);
	memset(&o, 0, sizeof o);
	memset(&rc, 0, sizeof rc);
	rc.monotonic = 1;
	o.progress = record;
	o.progress_arg = &rc;
	o.interval_ms = 1;
	o.page_rows = 7;
	fx_open(f, RING, &o);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	assert_true(rc.monotonic);
	assert_int_equal(rc.nphases, 3);
	assert_int_equal(rc.phases[0], LIFECYCLE_ROTATE);
	assert_int_equal(rc.phases[1], LIFECYCLE_COMMIT);
	assert_int_equal(rc.phases[2], LIFECYCLE_VERIFY);
	/* the verify phase ends with done == total == rows of all fields
	   (connections count once per field: password and extra) */
	assert_int_equal(rc.last_total, 150);
	assert_int_equal(rc.last_done, 150);
	assert_int_equal(r.rows, 150);

	/* A long interval: only the forced calls (start and end of phases). */
	memset(&rc, 0, sizeof rc);
	o.interval_ms = 60000;
	fx_open(f, RING, &o);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	assert_true(rc.calls <= 6);
}

/* -- paging, threads, big values ----------------------------------------- */

static void
test_paging_threads(void **state)
{
	struct fx *f = *state;
	static const unsigned threads[] = { 1, 2, 5 };
	struct lifecycle_opts o;
	struct lifecycle_result r;
	struct lifecycle_preflight pf;
	struct err e;
	char *big, *v;
	size_t i, n = 3u << 20;

	fill_many(f, 150, OLD);
	/*
	 * Airflow's extra is TEXT on MySQL (64 KiB): there the column is made
	 * LONGTEXT so that the batch's byte budget is exercised all the same.
	 */
	if (tdb_my())
		tdb_exec(&f->t, "ALTER TABLE connection MODIFY extra LONGTEXT");
	/* A 3 MiB extra: bigger than a page's byte budget. */
	big = malloc(n + 1);
	assert_non_null(big);
	memset(big, 'x', n);
	big[n] = '\0';
	{
		struct keyring *kr;
		char *t = malloc(fernet_token_len(n) + 1);
		size_t tl;

		assert_non_null(t);
		assert_int_equal(keyring_parse(&kr, OLD, strlen(OLD), NULL, &e), 0);
		assert_int_equal(fernet_encrypt(keyring_keys(kr)[0], big, n, T_OLD,
		    NULL, t, fernet_token_len(n) + 1, &tl, &e), 0);
		insert_conn(f, "conn_big", NULL, 0, t, 1);
		keyring_free(kr);
		free(t);
	}
	for (i = 0; i < ARRAY_LEN(threads); i++) {
		memset(&o, 0, sizeof o);
		o.page_rows = 7;
		o.threads = threads[i];
		fx_open(f, i % 2 ? OLD "," NEW : RING, &o);
		assert_int_equal(lifecycle_threads(f->lc), threads[i]);
		assert_int_equal(lifecycle_preflight(f->lc, 0, &pf, &e), 0);
		assert_int_equal(pf.tokens, 301);
		assert_int_equal(pf.undecryptable, 0);
		if (lifecycle_rotate(f->lc, 0, &r, &e) != 0)
			fail_msg("rotate with %u threads: %s", threads[i], e.msg);
		assert_int_equal(r.total_changed, 301);
		assert_true(r.verify.ok);
		assert_int_equal(r.verify.primary, 301);
	}
	/* After an odd number of ring flips the values sit under NEW. */
	assert_sealed(f, "SELECT password FROM connection WHERE conn_id = "
	    "'conn_00149'", NEW, "password-149", T_OLD + 149);
	assert_sealed(f, "SELECT val FROM variable WHERE \"key\" = 'var_00000'",
	    NEW, "password-0", T_OLD);
	v = value_of(f, "SELECT extra FROM connection WHERE conn_id = 'conn_big'");
	{
		char *plain = malloc(n + 64);
		struct keyring *kr;
		struct fernet_info info;
		size_t pl;

		assert_non_null(plain);
		assert_int_equal(keyring_parse(&kr, NEW, strlen(NEW), NULL, &e), 0);
		assert_int_equal(keyring_decrypt(kr, v, strlen(v), (uint8_t *)plain,
		    n + 64, &pl, &info, &e), 0);
		assert_int_equal(pl, n);
		assert_memory_equal(plain, big, n);
		assert_int_equal(info.timestamp, T_OLD);
		keyring_free(kr);
		free(plain);
	}
	free(v);
	free(big);
}

/* -- verify -------------------------------------------------------------- */

static void
test_verify_catches_old_key(void **state)
{
	struct fx *f = *state;
	struct lifecycle_verify vf;
	struct lifecycle_result r;
	struct err e;
	const char *late[1];

	fill_mixed(f, 0);
	fx_open(f, RING, NULL);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	assert_true(r.verify.ok);
	/* A process still on the old key list writes a variable. */
	late[0] = tok(OLD, "late", T_NEW);
	tdb_exec_params(&f->t, "UPDATE variable SET val = ? WHERE id = 1", 1,
	    late);
	assert_int_equal(lifecycle_verify(f->lc, 0, &vf, &e), 0);
	assert_false(vf.ok);
	assert_int_equal(vf.other, 1);
	assert_int_equal(vf.primary, 3);
	assert_int_equal(vf.nrows, 1);
	assert_int_equal(vf.rows[0].field, STORE_VAR_VAL);
	assert_string_equal(vf.rows[0].name, "v_old");
	assert_int_equal(vf.rows[0].key, 1);
}

/*
 * The check after COMMIT compares the DB with what the rotation wrote, value
 * by value: a value another process changes between the COMMIT and that
 * check (here from the progress callback at the start of the verify phase)
 * is named as changed since the rotation, and fails the check only when
 * the primary key does not open it (or the row is gone).
 */
struct meddle {
	struct fx	*f;
	const char	*sql;		/* run once, with val as its parameter */
	const char	*val;
	int		 done;
};

static int
meddle_at_verify(const struct lifecycle_progress *p, void *arg)
{
	struct meddle *m = arg;
	const char *v[1] = { m->val };

	if (p->phase == LIFECYCLE_VERIFY && !m->done) {
		m->done = 1;
		tdb_exec_params(&m->f->t, m->sql != NULL ? m->sql :
		    "UPDATE variable SET val = ? WHERE id = 1", m->val ? 1 : 0, v);
	}
	return 0;
}

/*
 * A token made by Python's cryptography (Fernet(key).encrypt(msg)), as an
 * Airflow already on the new key list writes it: Airflow's
 * models/variable.py set_val() encrypts with get_fernet().encrypt()
 * (apache/airflow commit c873bd5, 2.10: airflow/models/variable.py line
 * 92).
 */
static const char *
py_token(const char *key, const char *msg, char *buf, size_t len)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'from cryptography."
	    "fernet import Fernet; print(Fernet(b\"%s\").encrypt(b\"%s\")."
	    "decode(), end=\"\")'", key, msg);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(buf, 1, len - 1, p);
	assert_int_equal(pclose(p), 0);
	buf[n] = '\0';
	assert_true(n > 80);
	return buf;
}

/* A rotation meddled with by m (progress hook in o) whose check fails on one value. */
static void
rotate_meddled_fails(struct fx *f, const struct lifecycle_opts *o,
    struct meddle *m, struct lifecycle_result *r)
{
	struct err e;

	m->done = 0;
	fx_open(f, RING, o);
	assert_int_equal(lifecycle_rotate(f->lc, 0, r, &e), 0);
	assert_true(m->done);
	assert_true(r->committed);
	assert_false(r->verify.ok);
	assert_true(r->verify.changed);
	assert_int_equal(r->verify.bad, 1);
	assert_int_equal(r->verify.nrows, 1);
}

static void
test_verify_catches_change(void **state)
{
	struct fx *f = *state;
	struct lifecycle_opts o;
	struct lifecycle_result r;
	struct meddle m;
	struct err e;
	char same[512];

	fill_mixed(f, 0);
	memset(&o, 0, sizeof o);
	memset(&m, 0, sizeof m);
	o.progress = meddle_at_verify;
	o.progress_arg = &m;
	m.f = f;
	/*
	 * Python writes a new value under the primary key after the COMMIT:
	 * not what the rotation wrote, but no failure; named as changed since.
	 */
	m.val = py_token(NEW, "swapped", same, sizeof same);
	fx_open(f, RING, &o);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	assert_true(m.done);
	assert_true(r.committed);
	assert_true(r.verify.ok);
	assert_true(r.verify.changed);
	assert_int_equal(r.verify.since, 1);
	assert_int_equal(r.verify.nsince_rows, 1);
	assert_int_equal(r.verify.since_rows[0].field, STORE_VAR_VAL);
	assert_string_equal(r.verify.since_rows[0].name, "v_old");
	assert_int_equal(r.verify.bad, 0);
	assert_int_equal(r.verify.nrows, 0);
	assert_int_equal(r.verify.checked, 4);
	assert_int_equal(r.verify.primary, 4);

	/* Under the old key: a failure, named. */
	snprintf(same, sizeof same, "%s", tok(OLD, "var-secret", T_OLD + 5));
	m.val = same;
	rotate_meddled_fails(f, &o, &m, &r);
	assert_int_equal(r.verify.other, 1);
	assert_int_equal(r.verify.since, 0);
	assert_string_equal(r.verify.rows[0].name, "v_old");
	assert_int_equal(r.verify.rows[0].key, 1);

	/* A corrupted value (one character of the token changed): a failure. */
	fx_open(f, RING, NULL);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	m.done = 0;
	{
		char *cur = tdb_query(&f->t, "SELECT val FROM variable WHERE "
		    "id = 1");

		assert_non_null(cur);
		snprintf(same, sizeof same, "%s", cur);
		free(cur);
	}
	same[20] = same[20] == 'A' ? 'B' : 'A';
	m.val = same;
	rotate_meddled_fails(f, &o, &m, &r);
	assert_int_equal(r.verify.since, 0);
	assert_int_equal(r.verify.rows[0].key, -1);
	assert_string_equal(r.verify.rows[0].name, "v_old");

	/* A row written, deleted after the COMMIT: gone, a failure. */
	{
		const char *v[1] = { tok(NEW, "var-secret", T_NEW) };

		tdb_exec_params(&f->t, "UPDATE variable SET val = ? WHERE "
		    "id = 1", 1, v);
	}
	fx_open(f, RING, NULL);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	m.done = 0;
	m.sql = "DELETE FROM variable WHERE id = 1";
	m.val = NULL;
	rotate_meddled_fails(f, &o, &m, &r);
	assert_int_equal(r.verify.missing, 1);
	assert_int_equal(r.verify.rows[0].key, -2);
	assert_int_equal(r.verify.rows[0].id, 1);
	assert_int_equal(r.verify.checked, 3);

	/* Nobody meddling: the same rotation checks out (variable 1 gone). */
	fx_open(f, RING, NULL);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), 0);
	assert_true(r.verify.ok);
	assert_false(r.verify.changed);
	assert_int_equal(r.verify.checked, 3);
	assert_int_equal(r.verify.since + r.verify.bad, 0);
}

/* -- probe --------------------------------------------------------------- */

static void
test_probe(void **state)
{
	struct fx *f = *state;
	struct lifecycle_probe pr;
	struct err e;
	const char *cands = "# keys from the old laptop\n"
	    "\n"
	    "  " OLD "  \r\n"
	    LOST "\n"
	    NEW "\n";

	fill_mixed(f, 1);
	fx_open(f, RING, NULL);
	assert_int_equal(lifecycle_probe(f->lc, cands, strlen(cands), &pr, &e), 0);
	assert_int_equal(pr.ncand, 3);
	assert_int_equal(pr.cand_line[0], 3);
	assert_int_equal(pr.cand_line[1], 4);
	assert_int_equal(pr.cand_line[2], 5);
	assert_int_equal(pr.cand_in_ring[0], 1);
	assert_int_equal(pr.cand_in_ring[1], -1);
	assert_int_equal(pr.cand_in_ring[2], 0);
	assert_int_equal(pr.checked, 6);
	assert_int_equal(pr.unopened, 2);
	assert_int_equal(pr.opened[1], 2);
	assert_int_equal(pr.opened[0] + pr.opened[2], 0);
	assert_int_equal(pr.still_unopened, 0);
	assert_int_equal(pr.per_field[STORE_CONN_PASSWORD], 1);
	assert_int_equal(pr.per_field[STORE_TRIGGER_KWARGS], 1);
	assert_int_equal(pr.nrows, 2);
	assert_int_equal(pr.rows[0].key, 1);

	/* Nothing opens them: still unopened. */
	assert_int_equal(lifecycle_probe(f->lc, OLD "\n", strlen(OLD "\n"), &pr,
	    &e), 0);
	assert_int_equal(pr.still_unopened, 2);
	assert_int_equal(pr.rows[0].key, -1);

	/*
	 * A malformed line is skipped and its number kept (issue 15), the
	 * others probed; never quoted.
	 */
	err_clear(&e);
	assert_int_equal(lifecycle_probe(f->lc, "not-a-key-" NEW "\n" OLD "\n",
	    strlen("not-a-key-" NEW "\n" OLD "\n"), &pr, &e), 0);
	assert_int_equal(pr.nskipped, 1);
	assert_int_equal(pr.skipped_line[0], 1);
	assert_int_equal(pr.ncand, 1);
	assert_int_equal(pr.cand_line[0], 2);
	assert_int_equal(lifecycle_probe(f->lc, "bad\nworse\n", 10, &pr, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_int_equal(pr.nskipped, 2);
	assert_null(strstr(e.msg, "worse"));
	assert_int_equal(lifecycle_probe(f->lc, "\n# nothing\n", 11, &pr, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
}

/* -- layouts and locks --------------------------------------------------- */

static void
test_layouts(void **state)
{
	struct fx *f = *state;
	static const char *const layouts[] = { "2.10", "2.x-upgraded", "3.1" };
	struct lifecycle_result r;
	struct err e;
	size_t i, ran = 0;
	char *v;

	for (i = 0; i < ARRAY_LEN(layouts); i++) {
		if (!tdb_has_layout(layouts[i])) {
			/* SQLite has them all; PostgreSQL and MySQL may lack one. */
			assert_true(tdb_pg() || tdb_my());
			print_message("# layout %s: no %s schema, skipped\n",
			    layouts[i], tdb_backend());
			continue;
		}
		fx_close(f);
		tdb_create(&f->t, f->dir, layouts[i]);
		fill_mixed(f, 0);
		/* An upgraded 2.x DB may hold NULL flags: they read as false. */
		insert_var(f, "v_null", "no flag", 0);
		tdb_exec(&f->t, "UPDATE variable SET is_encrypted = NULL WHERE "
		    "\"key\" = 'v_null'");
		fx_open(f, RING, NULL);
		if (lifecycle_rotate(f->lc, 0, &r, &e) != 0)
			fail_msg("%s: %s", layouts[i], e.msg);
		assert_int_equal(r.total_changed, 4);
		assert_true(r.verify.ok);
		assert_sealed(f, "SELECT password FROM connection WHERE id = 1", NEW,
		    "s3cret-pw", T_OLD);
		/* The NULL-flag row is plaintext: left as it was, flag too. */
		v = value_of(f, "SELECT val || '|' || " FLAG("is_encrypted")
		    " FROM variable WHERE \"key\" = 'v_null'");
		assert_string_equal(v, "no flag|n");
		free(v);
		ran++;
	}
	assert_true(ran > 0);
}

static void
test_locked(void **state)
{
	struct fx *f = *state;
	struct lifecycle_preflight pf;
	struct lifecycle_result r;
	struct tdb_lock *lock;
	struct err e;
	char *before, *after;

	fill_mixed(f, 0);
	before = tdb_dump(&f->t);
	fx_open(f, RING, NULL);	/* busy timeout (lock_timeout) 300 ms */
	/* Another session (the scheduler) holds the write lock. */
	lock = tdb_lock_writes(&f->t);
	err_clear(&e);
	assert_int_equal(lifecycle_rotate(f->lc, 0, &r, &e), -1);
	assert_int_equal(e.code, ERR_DB);
	assert_non_null(strstr(e.msg, "is locked"));
	assert_non_null(strstr(e.msg, "nothing was changed"));
	/*
	 * SQLite stops at BEGIN IMMEDIATE; PostgreSQL at the first page read
	 * FOR UPDATE, after the store's lock_timeout (the busy timeout).
	 */
	if (tdb_pg())
		assert_non_null(strstr(e.msg, "after waiting 300 ms"));
	assert_false(r.committed);
	/* Reading is not blocked by that lock; nothing was written. */
	if (lifecycle_preflight(f->lc, 0, &pf, &e) != 0)
		fail_msg("preflight under the lock: %s", e.msg);
	assert_int_equal(pf.tokens, 4);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	free(after);
	tdb_unlock(lock);
	after = tdb_dump(&f->t);
	assert_string_equal(before, after);
	/* Once the lock is gone the same runner does the job. */
	if (lifecycle_rotate(f->lc, 0, &r, &e) != 0)
		fail_msg("rotate after the lock: %s", e.msg);
	assert_int_equal(r.total_changed, 4);
	assert_true(r.verify.ok);
	free(before);
	free(after);
}

static void
test_names(void **state)
{
	struct lifecycle_row row;
	char buf[400];

	(void)state;
	memset(&row, 0, sizeof row);
	row.field = STORE_VAR_VAL;
	row.id = 3;
	snprintf(row.name, sizeof row.name, "api_token");
	lifecycle_row_format(&row, buf, sizeof buf);
	assert_string_equal(buf, "variable.val of 'api_token' (id 3)");
	assert_string_equal(lifecycle_phase_name(LIFECYCLE_COMMIT), "commit");
	assert_string_equal(lifecycle_phase_name(LIFECYCLE_PREFLIGHT), "preflight");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_preflight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotate_undecryptable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_encrypt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encryption_off, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paging_threads, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_catches_old_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_catches_change, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_layouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test(test_names),
	};

	tu_init();
	return cmocka_run_group_tests_name(tdb_pg() ? "lifecycle (postgresql)" :
	    "lifecycle", tests, NULL, NULL);
}
