/*
 * test_connwin.c: the list window's keyset paging (src/connwin.c) on a
 * real metadata DB of Airflow's schema (tests/testdb.h: SQLite here,
 * PostgreSQL when FERNCON_TEST_PG_URL is set).
 *
 * 250 connections whose conn_ids sort in ways a naive order gets wrong
 * (no zero padding, upper before lower case, '-' '.' '_' between them,
 * non-ASCII after all ASCII, prefixes of each other) are paged down to the
 * end and back up to the start, ascending and descending, with and without
 * a filter: every row must come exactly once and in byte order, the
 * window must stay within its cap, and at_start / at_end must be right.
 * Then a jump to a conn_id that is gone or past the end, and each row's
 * marks: the state of its password and extra (an undecryptable token
 * marked as such), and which key and time its shown token has. The window
 * itself never holds a secret: its scratch record is wiped after each
 * fetch.
 */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "buf.h"
#include "conn.h"
#include "connwin.h"
#include "keyring.h"
#include "store.h"
#include "testdb.h"

#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define K2 "Ef0rZ3oUCJ4EhJ_ez-5tAJh9lHQT7a8Bv9j7B8Ok8GM="
#define KLOST "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="

#define NROWS	250
#define PAGE	20	/* rows per fetch, as the list screen asks */
#define CAP	50	/* rows the window keeps */

/* The times stamped in the tokens of each key. */
#define T_K1	1700000000u
#define T_K2	1600000000u
#define T_LOST	1500000000u

/* What row i holds, and so how it must be marked. */
struct row {
	char			 id[32];
	int			 i;
	enum conn_secret_state	 password, extra;
	int			 key_index;
	uint64_t		 timestamp;
	int			 has_timestamp;
	int			 mysql;		/* matched by the filter "MySQL" */
	int			 mysql_type;	/* conn_type mysql */
	int			 flagged;	/* the audit reports a finding */
};

struct fx {
	char		*dir;
	struct tdb	 t;
	struct keyring	*ring;		/* K1 (primary), K2: what ferncon has */
	struct store	*s;
	struct row	 rows[NROWS];	/* in conn_id byte order */
	size_t		 n;
};

static struct keyring *
ring(const char *value, uint64_t when)
{
	struct keyring *kr = NULL;
	struct err e;

	if (keyring_parse(&kr, value, strlen(value), NULL, &e) != 0)
		fail_msg("keyring_parse: %s", e.msg);
	keyring_set_time(kr, when);
	return kr;
}

/* A token of kr for text, as SQL text. */
static void
add_token(struct buf *sql, struct keyring *kr, const char *text)
{
	char tok[256];
	size_t n;
	struct err e;

	if (keyring_encrypt(kr, text, strlen(text), tok, sizeof tok, &n, &e) != 0)
		fail_msg("keyring_encrypt: %s", e.msg);
	buf_addf(sql, "'%.*s'", (int)n, tok);
}

/*
 * The conn_id of row i: five families that interleave in byte order, and
 * five single ones.
 */
static void
make_id(char *id, size_t len, int i)
{
	static const char *const single[] = { "a", "A", "0", "conn", "~" };

	if (i >= NROWS - 5) {
		snprintf(id, len, "%s", single[i - (NROWS - 5)]);
		return;
	}
	switch (i % 5) {
	case 0:
		snprintf(id, len, "conn_%d", i);	/* conn_10 < conn_5 */
		break;
	case 1:
		snprintf(id, len, "Conn-%03d", i);	/* upper before lower */
		break;
	case 2:
		snprintf(id, len, "conn.%d", i);	/* '.' < '_' */
		break;
	case 3:
		snprintf(id, len, "_x%d", i);		/* between cases */
		break;
	default:
		snprintf(id, len, "\xc3\xa9t\xc3\xa9_%d", i);	/* after ASCII */
		break;
	}
}

static int
by_id(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->id, ((const struct row *)b)->id);
}

/*
 * Fill the DB with NROWS rows in one transaction, and f->rows with what
 * each must show. Password by i % 4: a K1 token, plain text, a token of a
 * key nobody has, none. Extra: a K2 token every tenth row.
 */
static void
fill(struct fx *f)
{
	struct keyring *k1 = ring(K1, T_K1), *k2 = ring(K2, T_K2),
	    *lost = ring(KLOST, T_LOST);
	struct buf sql;
	int i;

	buf_init(&sql, 0);
	buf_adds(&sql, "BEGIN;\n");
	for (i = 0; i < NROWS; i++) {
		struct row *r = &f->rows[i];
		int mysql_type = i % 3 == 0, mysql_host = i % 7 == 0;

		make_id(r->id, sizeof r->id, i);
		r->i = i;
		r->mysql = mysql_type || mysql_host;
		r->mysql_type = mysql_type;
		buf_addf(&sql, "INSERT INTO connection (conn_id, conn_type, host, "
		    "port, password, is_encrypted, extra, is_extra_encrypted) "
		    "VALUES ('%s', '%s', '%s', %d, ", r->id,
		    mysql_type ? "mysql" : "postgres",
		    mysql_host ? "MySQL-replica.internal" : "db.example.com", i);
		switch (i % 4) {
		case 0:
			add_token(&sql, k1, "pw");
			buf_adds(&sql, ", '1', ");
			r->password = CONN_SECRET_ENCRYPTED;
			break;
		case 1:
			buf_adds(&sql, "'plain-pw', '0', ");
			r->password = CONN_SECRET_PLAIN;
			break;
		case 2:
			add_token(&sql, lost, "lost");
			buf_adds(&sql, ", '1', ");
			r->password = CONN_SECRET_UNDECRYPTABLE;
			break;
		default:
			buf_adds(&sql, "NULL, '0', ");
			r->password = CONN_SECRET_EMPTY;
			break;
		}
		if (i % 10 == 0) {
			add_token(&sql, k2, "{\"a\": 1}");
			buf_adds(&sql, ", '1');\n");
			r->extra = CONN_SECRET_ENCRYPTED;
		} else {
			buf_adds(&sql, "NULL, '0');\n");
			r->extra = CONN_SECRET_EMPTY;
		}
		/*
		 * The token a row shows: an undecryptable one first, else the
		 * older one (the K2 extra is older than a K1 password).
		 */
		r->key_index = -1;
		if (r->password == CONN_SECRET_UNDECRYPTABLE) {
			r->timestamp = T_LOST;
			r->has_timestamp = 1;
		} else if (r->extra == CONN_SECRET_ENCRYPTED) {
			r->key_index = 1;
			r->timestamp = T_K2;
			r->has_timestamp = 1;
		} else if (r->password == CONN_SECRET_ENCRYPTED) {
			r->key_index = 0;
			r->timestamp = T_K1;
			r->has_timestamp = 1;
		}
	}
	buf_adds(&sql, "COMMIT;\n");
	tdb_exec(&f->t, buf_str(&sql));
	buf_release(&sql);
	keyring_free(k1);
	keyring_free(k2);
	keyring_free(lost);
	f->n = NROWS;
	qsort(f->rows, f->n, sizeof f->rows[0], by_id);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err e;

	assert_non_null(f);
	f->dir = tu_tmpdir();
	tdb_create(&f->t, f->dir, "2.10");
	fill(f);
	f->ring = ring(K1 "," K2, 0);
	if (store_open(&f->s, f->t.url, NULL, &e) != 0)
		fail_msg("store_open: %s", e.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	keyring_free(f->ring);
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* -- checks -------------------------------------------------------------- */

/* A view: the expected rows in order (pointers into f->rows). */
struct view {
	const struct row	*r[NROWS];
	size_t			 n;
};

static void
view_make(const struct fx *f, struct view *v, int only_mysql, int desc)
{
	size_t i;

	v->n = 0;
	for (i = 0; i < f->n; i++) {
		const struct row *r = &f->rows[desc ? f->n - 1 - i : i];

		if (!only_mysql || r->mysql)
			v->r[v->n++] = r;
	}
}

/* Row k of the window is the expected row want: same id and marks. */
static void
check_row(const struct connwin *w, size_t k, const struct row *want)
{
	const struct conn_row *got = &w->rows[k];

	if (strcmp(got->conn_id, want->id) != 0)
		fail_msg("window row %zu is '%s', expected '%s'", k, got->conn_id,
		    want->id);
	assert_int_equal(got->password, want->password);
	assert_int_equal(got->extra, want->extra);
	assert_int_equal(got->key_index, want->key_index);
	assert_int_equal(got->has_timestamp, want->has_timestamp);
	if (want->has_timestamp)
		assert_int_equal(got->timestamp, want->timestamp);
	assert_true(got->has_port);
	assert_int_equal(got->port, want->i);
}

/* The window holds v's rows first .. first + w->n, and nothing secret. */
static void
check_window(const struct connwin *w, const struct view *v, size_t first)
{
	size_t k;

	assert_true(w->n <= w->cap);
	assert_true(first + w->n <= v->n);
	for (k = 0; k < w->n; k++)
		check_row(w, k, v->r[first + k]);
	/*
	 * at_start / at_end are never claimed away from an end; at an end they
	 * may be unknown yet: a fetch that came back full cannot tell that no
	 * row follows, and the next one, which adds nothing, sets them.
	 */
	if (w->at_start)
		assert_int_equal(first, 0);
	if (w->at_end)
		assert_int_equal(first + w->n, v->n);
	/* The scratch record is empty and its locked memory wiped. */
	assert_null(w->scratch.password);
	assert_null(w->scratch.extra);
	for (k = 0; k < 2; k++) {
		size_t j;

		for (j = 0; j < w->scratch.secret_cap[k]; j++)
			if (w->scratch.secret_mem[k][j] != '\0')
				fail_msg("secret slot %zu not wiped", k);
	}
}

/* The audit engine walk() gives its window (is:flagged), or NULL. */
static struct audit *walk_audit;

/*
 * Page down from the start to the end, then up to the start again, and
 * check that every row of v comes exactly once each way, in order.
 */
static void
walk(struct fx *f, const char *match, int desc, const struct view *v)
{
	struct connwin w;
	size_t first = 0, seen, added, dropped, pages = 0;
	struct err e;

	connwin_init(&w, f->s, f->ring, CAP);
	connwin_set_audit(&w, walk_audit);
	assert_int_equal(connwin_set_view(&w, match, desc, &e), 0);
	assert_int_equal(connwin_load_first(&w, PAGE, &e), 0);
	check_window(&w, v, 0);
	assert_int_equal(w.n, v->n < PAGE ? v->n : PAGE);
	seen = w.n;

	/* Down: the rows added are the next ones of the view. */
	while (!w.at_end) {
		assert_int_equal(connwin_extend_down(&w, PAGE, &added, &dropped,
		    &e), 0);
		first += dropped;
		seen += added;
		assert_int_equal(first + w.n, seen);
		check_window(&w, v, first);
		assert_true(++pages <= NROWS);
	}
	assert_int_equal(seen, v->n);
	assert_true(w.at_end);
	/* One more step at the end adds nothing. */
	assert_int_equal(connwin_extend_down(&w, PAGE, &added, &dropped, &e), 0);
	assert_int_equal(added, 0);
	assert_true(w.at_end);

	/* Up: the rows added are the previous ones, ending at the first. */
	seen = w.n;
	while (!w.at_start) {
		assert_int_equal(connwin_extend_up(&w, PAGE, &added, &dropped,
		    &e), 0);
		assert_true(added <= first);
		first -= added;
		seen += added;
		check_window(&w, v, first);
		assert_true(++pages <= 2 * NROWS);
	}
	assert_int_equal(first, 0);
	assert_int_equal(seen, v->n);
	/* One more step at the start adds nothing. */
	assert_int_equal(connwin_extend_up(&w, PAGE, &added, &dropped, &e), 0);
	assert_int_equal(added, 0);
	assert_true(w.at_start);
	/* The bottom was dropped on the way up: at_end no longer holds. */
	if (v->n > CAP)
		assert_false(w.at_end);
	connwin_release(&w);
}

/* -- tests --------------------------------------------------------------- */

static void
test_order_is_bytes(void **state)
{
	struct fx *f = *state;

	/* The sort above is the order the tests expect; a few of its facts. */
	assert_string_equal(f->rows[0].id, "0");
	assert_string_equal(f->rows[1].id, "A");
	assert_string_equal(f->rows[2].id, "Conn-001");
	assert_string_equal(f->rows[NROWS - 1].id, "\xc3\xa9t\xc3\xa9_99");
	assert_string_equal(f->rows[NROWS - 50].id, "~");
}

static void
test_page_both_ways(void **state)
{
	struct fx *f = *state;
	struct view v;

	view_make(f, &v, 0, 0);
	assert_int_equal(v.n, NROWS);
	walk(f, NULL, 0, &v);
	/* An empty filter is no filter. */
	walk(f, "", 0, &v);
}

static void
test_page_desc(void **state)
{
	struct fx *f = *state;
	struct view v;

	view_make(f, &v, 0, 1);
	walk(f, NULL, 1, &v);
}

/* The filter: a substring of conn_id, conn_type or host, any case. */
static void
test_page_filtered(void **state)
{
	struct fx *f = *state;
	struct view v;

	view_make(f, &v, 1, 0);
	assert_true(v.n > CAP && v.n < NROWS);
	walk(f, "MySQL", 0, &v);
	view_make(f, &v, 1, 1);
	walk(f, "mysql", 1, &v);
}

/* -- state terms (issue 15: src/connfilter.c) ---------------------------- */

static uint64_t now_s;

static int is_plain(const struct row *r)
{ return r->password == CONN_SECRET_PLAIN || r->extra == CONN_SECRET_PLAIN; }
static int is_lost_mysql(const struct row *r)
{ return r->mysql && (r->password == CONN_SECRET_UNDECRYPTABLE ||
    r->extra == CONN_SECRET_UNDECRYPTABLE); }
static int is_key2(const struct row *r) { return r->key_index == 1; }
static int is_empty(const struct row *r)
{ return r->password == CONN_SECRET_EMPTY && r->extra == CONN_SECRET_EMPTY; }
static int is_old(const struct row *r)
{ return r->has_timestamp && now_s - r->timestamp > 5 * 365 * 86400ull; }
static int is_type_pg_enc(const struct row *r)
{
	/* type:postgres is:encrypted: no plain or lost secret, some token. */
	return !r->mysql_type && r->password != CONN_SECRET_PLAIN &&
	    r->password != CONN_SECRET_UNDECRYPTABLE &&
	    (r->password == CONN_SECRET_ENCRYPTED ||
	    r->extra == CONN_SECRET_ENCRYPTED);
}

static void
view_pred(const struct fx *f, struct view *v, int (*pred)(const struct row *),
    int desc)
{
	size_t i;

	v->n = 0;
	for (i = 0; i < f->n; i++) {
		const struct row *r = &f->rows[desc ? f->n - 1 - i : i];

		if (pred(r))
			v->r[v->n++] = r;
	}
}

/*
 * Terms of state, key, type and age, alone and with free text (AND): the
 * window pages through exactly the rows that match, both ways, skipping
 * the others page after page.
 */
/* A filter and the rows of the fixture it must keep. */
struct filter_case {
	const char	*filter;
	int		(*pred)(const struct row *);
};

/* Walk each case both ways; each keeps some rows, never all. */
static void
walk_cases(struct fx *f, const struct filter_case *cases, size_t n)
{
	struct view v;
	size_t i;
	int desc;

	for (i = 0; i < n; i++)
		for (desc = 0; desc < 2; desc++) {
			view_pred(f, &v, cases[i].pred, desc);
			assert_true(v.n > 0 && v.n < NROWS);
			walk(f, cases[i].filter, desc, &v);
		}
}

static void
test_page_states(void **state)
{
	struct fx *f = *state;
	static const struct filter_case cases[] = {
		{ "is:plaintext", is_plain },
		{ "is:undecryptable MySQL", is_lost_mysql },
		{ "key:2", is_key2 },
		{ "IS:EMPTY", is_empty },
		{ "age:>5y", is_old },
		{ "type:postgres is:encrypted", is_type_pg_enc },
	};

	now_s = (uint64_t)time(NULL);
	walk_cases(f, cases, ARRAY_LEN(cases));
}

/* -- is:flagged (issue 15) ---------------------------------------------- */

static int is_flagged(const struct row *r) { return r->flagged; }
static int is_flagged_mysql(const struct row *r)
{ return r->flagged && r->mysql; }
static int is_flagged_key2(const struct row *r)
{ return r->flagged && r->key_index == 1; }
static int is_flagged_encrypted(const struct row *r)
{
	return r->flagged && r->password != CONN_SECRET_PLAIN &&
	    r->password != CONN_SECRET_UNDECRYPTABLE &&
	    (r->password == CONN_SECRET_ENCRYPTED ||
	    r->extra == CONN_SECRET_ENCRYPTED);
}

/* An engine as the console's list makes it: every severity, no hash key. */
static struct audit *
engine(struct fx *f)
{
	struct audit_opts ao;
	struct audit *a = NULL;
	struct err e;

	memset(&ao, 0, sizeof ao);
	ao.kr = f->ring;
	ao.no_hash = 1;
	ao.min_severity = AUDIT_SEV_INFO;
	if (audit_new(&a, &ao, &e) != 0)
		fail_msg("audit_new: %s", e.msg);
	return a;
}

/*
 * The same rows, one by one as `ferncon audit` reads them (a point read,
 * decrypted, audit_conn()): which have findings, and a rule fact: a
 * plaintext password with a key set and a value no key opens are
 * findings of the audit's storage rules (doc/audit-rules.md).
 */
static size_t
mark_flagged(struct fx *f)
{
	struct audit *a = engine(f);
	struct conn *c = conn_new();
	struct err e;
	size_t i, n = 0;
	int worst;

	assert_non_null(c);
	for (i = 0; i < f->n; i++) {
		struct row *r = &f->rows[i];

		conn_reset(c);
		if (store_conn_get(f->s, r->id, c, &e) != 0 ||
		    conn_decrypt(c, f->ring, &e) != 0 ||
		    audit_conn_worst(a, c, &worst, NULL, &e) != 0)
			fail_msg("%s: %s", r->id, e.msg);
		r->flagged = worst >= 0;
		n += (size_t)r->flagged;
		if (r->password == CONN_SECRET_PLAIN ||
		    r->password == CONN_SECRET_UNDECRYPTABLE)
			assert_true(r->flagged);
	}
	conn_free(c);
	audit_free(a);
	return n;
}

/*
 * is:flagged keeps exactly the rows the audit reports findings for, alone
 * and with other terms, paged both ways; the audit runs only on rows that
 * every other term matched, once per row read, with no read of its own.
 */
static void
test_flagged(void **state)
{
	struct fx *f = *state;
	static const struct filter_case cases[] = {
		{ "is:flagged", is_flagged },
		{ "IS:FLAGGED MySQL", is_flagged_mysql },
		{ "key:2 is:flagged", is_flagged_key2 },
		{ "is:flagged is:encrypted", is_flagged_encrypted },
	};
	struct audit_stats st;
	struct connwin w;
	struct view v;
	struct err e;
	size_t i, key2 = 0, flagged;

	/*
	 * Every row of the fixture talks to a remote host without TLS (the
	 * transport rules); rows without a password on this machine have
	 * nothing to report unless their extra's token is stale.
	 */
	tdb_exec(&f->t, "UPDATE connection SET host = 'localhost' WHERE host = "
	    "'db.example.com' AND port % 4 = 3");
	flagged = mark_flagged(f);
	assert_true(flagged > 0 && flagged < f->n);
	walk_audit = engine(f);
	walk_cases(f, cases, ARRAY_LEN(cases));

	/* One read of the whole set: the audit saw the key:2 rows only. */
	for (i = 0; i < f->n; i++)
		key2 += f->rows[i].key_index == 1;
	audit_stats_reset(walk_audit);
	connwin_init(&w, f->s, f->ring, NROWS);
	connwin_set_audit(&w, walk_audit);
	assert_int_equal(connwin_set_view(&w, "key:2 is:flagged", 0, &e), 0);
	assert_int_equal(connwin_load_first(&w, NROWS, &e), 0);
	audit_stats_get(walk_audit, &st);
	assert_int_equal(st.connections, key2);
	view_pred(f, &v, is_flagged_key2, 0);
	assert_int_equal(w.n, v.n);
	connwin_release(&w);
	audit_free(walk_audit);
	walk_audit = NULL;
}

/*
 * A malformed term is a usage error naming it; the view stays. is:flagged
 * without an audit engine (connwin_set_audit()) is refused, saying why.
 */
static void
test_bad_terms(void **state)
{
	struct fx *f = *state;
	static const char *const bad[] = { "is:plain", "key:x", "key:0",
	    "age:90d", "age:>90q", "type:", "is:flagged" };
	struct connwin w;
	struct err e;
	size_t i;

	connwin_init(&w, f->s, f->ring, CAP);
	assert_int_equal(connwin_set_view(&w, "mysql", 0, &e), 0);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		err_clear(&e);
		assert_int_equal(connwin_set_view(&w, bad[i], 0, &e), -1);
		assert_int_equal(e.code, ERR_USAGE);
		assert_string_equal(w.match, "mysql");
	}
	assert_non_null(strstr(e.msg, "is:flagged"));
	connwin_release(&w);
}

/* A filter nothing matches: an empty window at both ends, each way. */
static void
test_no_match(void **state)
{
	struct fx *f = *state;
	struct connwin w;
	size_t added, dropped;
	struct err e;

	connwin_init(&w, f->s, f->ring, CAP);
	assert_int_equal(connwin_set_view(&w, "no-such-thing", 0, &e), 0);
	assert_int_equal(connwin_load_first(&w, PAGE, &e), 0);
	assert_int_equal(w.n, 0);
	assert_true(w.at_start && w.at_end);
	assert_int_equal(connwin_extend_down(&w, PAGE, &added, &dropped, &e), 0);
	assert_int_equal(added, 0);
	assert_int_equal(connwin_extend_up(&w, PAGE, &added, &dropped, &e), 0);
	assert_int_equal(added, 0);
	assert_int_equal(connwin_load_last(&w, PAGE, &e), 0);
	assert_int_equal(w.n, 0);
	assert_true(w.at_start && w.at_end);
	connwin_release(&w);
}

/* load_last, then the jump to a conn_id (the list keeps its cursor). */
static void
test_load_last_and_at(void **state)
{
	struct fx *f = *state;
	struct connwin w;
	struct view v;
	size_t index, first;
	char sql[128];
	struct err e;

	view_make(f, &v, 0, 0);
	connwin_init(&w, f->s, f->ring, CAP);
	assert_int_equal(connwin_set_view(&w, NULL, 0, &e), 0);
	assert_int_equal(connwin_load_last(&w, PAGE, &e), 0);
	assert_int_equal(w.n, PAGE);
	assert_true(w.at_end);
	check_window(&w, &v, NROWS - PAGE);

	/* To a row in the middle: PAGE rows before it, it, and after. */
	assert_int_equal(connwin_load_at(&w, v.r[100]->id, PAGE, &index, &e), 0);
	assert_string_equal(w.rows[index].conn_id, v.r[100]->id);
	first = 100 - index;
	check_window(&w, &v, first);
	assert_int_equal(index, PAGE);

	/* A row deleted meanwhile: the cursor lands on the next one. */
	snprintf(sql, sizeof sql, "DELETE FROM connection WHERE conn_id = '%s'",
	    v.r[120]->id);
	tdb_exec(&f->t, sql);
	assert_int_equal(connwin_load_at(&w, v.r[120]->id, PAGE, &index, &e), 0);
	assert_string_equal(w.rows[index].conn_id, v.r[121]->id);
	assert_string_equal(w.rows[index - 1].conn_id, v.r[119]->id);

	/* Past the end: the last row. */
	assert_int_equal(connwin_load_at(&w, "\xf4\x8f\xbf\xbf", PAGE, &index,
	    &e), 0);
	assert_int_equal(index, w.n - 1);
	assert_string_equal(w.rows[index].conn_id, v.r[NROWS - 1]->id);
	assert_true(w.at_end);

	/* Before the start: the first rows, cursor on the first. */
	assert_int_equal(connwin_load_at(&w, "", PAGE, &index, &e), 0);
	assert_int_equal(index, 0);
	assert_string_equal(w.rows[0].conn_id, v.r[0]->id);
	assert_true(w.at_start);
	connwin_release(&w);
}


/* -- the environment's block (issue 14 item 8) ---------------------------- */

#define NENV	31	/* more than a page, so that paging crosses the blocks */

/*
 * Page the whole view down, then back up, and check that it is the
 * environment's rows (in view order) followed by the DB's (in view order),
 * each once per way, with env and shadowed set right.
 */
static void
walk_env(struct fx *f, const char *match, int desc, const char *shadow_id)
{
	char types[2][8] = { "http", "mysql" };
	const char *want[NENV + NROWS];
	int want_env[NENV + NROWS];
	char env_ids[NENV][32];
	struct conn_row env[NENV];
	struct connwin w;
	struct view v;
	size_t i, nwant = 0, first = 0, pos, added, dropped, nenv = 0;
	struct err e;

	memset(env, 0, sizeof env);
	for (i = 0; i < NENV; i++) {
		/* Given out of order: connwin_set_env() sorts them. */
		snprintf(env_ids[i], sizeof env_ids[i], "env_%02zu",
		    (i * 7) % NENV);
		env[i].conn_id = env_ids[i];
		env[i].conn_type = (i * 7) % NENV % 2 ? types[0] : types[1];
		env[i].password = CONN_SECRET_PLAIN;
	}
	/* The last one names a DB row, lower-cased as the list gives it. */
	snprintf(env_ids[NENV - 1], sizeof env_ids[0], "%s", shadow_id);
	/* Expected environment block: sorted ids, filtered, view order. */
	{
		const char *ids[NENV];
		size_t a, b;

		for (a = 0; a < NENV; a++)
			ids[a] = env[a].conn_id;
		for (a = 1; a < NENV; a++)
			for (b = a; b > 0 && strcmp(ids[b - 1], ids[b]) > 0; b--) {
				const char *t = ids[b];

				ids[b] = ids[b - 1];
				ids[b - 1] = t;
			}
		for (a = 0; a < NENV; a++) {
			const char *id = ids[desc ? NENV - 1 - a : a];
			size_t k;

			for (k = 0; k < NENV; k++)
				if (env[k].conn_id == id)
					break;
			if (match != NULL && strcmp(env[k].conn_type, "mysql") != 0)
				continue;
			want[nwant] = id;
			want_env[nwant++] = 1;
		}
		nenv = nwant;
	}
	view_make(f, &v, match != NULL, desc);
	for (i = 0; i < v.n; i++) {
		want[nwant] = v.r[i]->id;
		want_env[nwant++] = 0;
	}

	connwin_init(&w, f->s, f->ring, CAP);
	assert_int_equal(connwin_set_env(&w, env, NENV, &e), 0);
	assert_int_equal(connwin_set_view(&w, match, desc, &e), 0);
	assert_int_equal(connwin_load_first(&w, PAGE, &e), 0);
	pos = w.n;
	while (!w.at_end) {
		assert_int_equal(connwin_extend_down(&w, PAGE, &added, &dropped,
		    &e), 0);
		first += dropped;
		pos += added;
		assert_true(w.n <= w.cap);
	}
	assert_int_equal(pos, nwant);
	/* Up again, checking each window against the expected order. */
	while (1) {
		for (i = 0; i < w.n; i++) {
			const struct conn_row *r = &w.rows[i];
			int shadow;

			if (strcmp(r->conn_id, want[first + i]) != 0 ||
			    r->env != want_env[first + i])
				fail_msg("row %zu is '%s' (env %d), expected '%s' "
				    "(env %d)", first + i, r->conn_id, r->env,
				    want[first + i], want_env[first + i]);
			/* Shadowed: the DB row whose upper-cased id is the
			   variable's. */
			shadow = !r->env && strcasecmp(r->conn_id, shadow_id) == 0;
			assert_int_equal(r->shadowed, shadow);
			if (r->env)
				assert_int_equal(r->password, CONN_SECRET_PLAIN);
		}
		if (w.at_start)
			break;
		assert_int_equal(connwin_extend_up(&w, PAGE, &added, &dropped,
		    &e), 0);
		assert_true(added <= first);
		first -= added;
	}
	assert_int_equal(first, 0);
	assert_true(nenv > 0);
	connwin_release(&w);
}

static void
test_env_block(void **state)
{
	struct fx *f = *state;
	const char *shadow = NULL;
	char lower[32];
	size_t i, j;

	/* A DB row with an upper-case letter: the variable's lower-cased id
	   differs from it and still shadows it (conn_id.upper()). */
	for (i = 0; i < f->n && shadow == NULL; i++) {
		const char *id = f->rows[i].id;
		int upper = 0, plain = 1;

		for (j = 0; id[j] != '\0'; j++) {
			if (id[j] >= 'A' && id[j] <= 'Z')
				upper = 1;
			else if ((unsigned char)id[j] >= 0x80)
				plain = 0;
		}
		if (upper && plain && j < sizeof lower && f->rows[i].mysql) {
			for (j = 0; id[j] != '\0'; j++)
				lower[j] = id[j] >= 'A' && id[j] <= 'Z' ?
				    (char)(id[j] + 32) : id[j];
			lower[j] = '\0';
			shadow = lower;
		}
	}
	assert_non_null(shadow);
	walk_env(f, NULL, 0, shadow);
	walk_env(f, NULL, 1, shadow);
	walk_env(f, "mysql", 0, shadow);
	walk_env(f, "mysql", 1, shadow);
}

/* The worst state of a row decides its mark in the list. */
static void
test_row_state(void **state)
{
	static const struct {
		enum conn_secret_state	password, extra, want;
	} cases[] = {
		{ CONN_SECRET_EMPTY, CONN_SECRET_EMPTY, CONN_SECRET_EMPTY },
		{ CONN_SECRET_ENCRYPTED, CONN_SECRET_EMPTY, CONN_SECRET_ENCRYPTED },
		{ CONN_SECRET_ENCRYPTED, CONN_SECRET_PLAIN, CONN_SECRET_PLAIN },
		{ CONN_SECRET_PLAIN, CONN_SECRET_UNDECRYPTABLE,
		  CONN_SECRET_UNDECRYPTABLE },
		{ CONN_SECRET_UNDECRYPTABLE, CONN_SECRET_ENCRYPTED,
		  CONN_SECRET_UNDECRYPTABLE },
		{ CONN_SECRET_EMPTY, CONN_SECRET_ENCRYPTED, CONN_SECRET_ENCRYPTED },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct conn_row r;

		memset(&r, 0, sizeof r);
		r.password = cases[i].password;
		r.extra = cases[i].extra;
		assert_int_equal(conn_row_state(&r), cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order_is_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_page_both_ways, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_page_desc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_filtered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_states, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_terms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flagged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_last_and_at, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_env_block, setup, teardown),
		cmocka_unit_test(test_row_state),
	};

	tu_init();
	return cmocka_run_group_tests_name("connwin", tests, NULL, NULL);
}
