/*
 * test_mask_view.c: the two rules of mask.h that decide what a person sees
 * of a connection and what is written back after an edit.
 *
 * mask_conn(), the display copy: password "***"; a JSON object extra
 * masked and written again as json.dumps() (3 stays 3, big integers
 * exact); any other extra withheld, never shown; and uri_format() of the
 * copy never carries a value the mask hides (issue 11: the CLI's copy kept
 * an unparseable extra as it was, so its get_uri showed it).
 *
 * mask_restore() and mask_merge_extra(), Airflow 3's "a *** left in place
 * keeps the stored value" (#53943; apache/airflow commit e0b55c2:
 * airflow-core/src/airflow/api_fastapi/core_api/services/public/
 * connections.py lines 40-78, update_orm_from_pydantic(): merge(json.loads(
 * new), json.loads(old)), json.dumps of the result (lines 74-75), the new
 * text as it is when either side is not JSON (lines 70-72, 76-78); the
 * secrets masker's _merge() (shared/secrets_masker/src/airflow_shared/
 * secrets_masker/secrets_masker.py lines 414-492): by key in dicts, by
 * index in lists
 * of the same type, keys only in the new value kept, keys only in the old
 * one dropped, a "***" under a sensitive name put back). ferncon's two
 * differences (a stored number under a sensitive key is shown, so a
 * "***" typed there stays; no depth limit) are pinned here too.
 *
 * Expected JSON texts were checked with python3 3.11.7 as
 * json.dumps(json.loads(text)).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "testutil.h"
#include "buf.h"
#include "cfg.h"
#include "conn.h"
#include "err.h"
#include "mask.h"
#include "pyjson.h"
#include "uri.h"

struct fx {
	struct mask	*m;		/* defaults, newest Airflow */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct err e;

	err_clear(&e);
	assert_non_null(f);
	if (mask_new(&f->m, NULL, NULL, &e) != 0)
		fail_msg("mask_new: %s", e.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mask_free(f->m);
	free(f);
	return 0;
}

/* A mask from an airflow.cfg holding text ([core] options). */
static struct mask *
mask_from_cfg(const char *text)
{
	struct config_opts co;
	struct config *cfg = NULL;
	struct mask *m = NULL;
	struct err e;
	char *dir = tu_tmpdir(), *path = tu_write(dir, "airflow.cfg", text, 0600);

	err_clear(&e);
	memset(&co, 0, sizeof co);
	co.config_file = path;
	co.airflow_home = dir;
	if (config_load(&cfg, &co, &e) != 0 || mask_new(&m, cfg, NULL, &e) != 0)
		fail_msg("mask from '%s': %s", text, e.msg);
	config_free(cfg);
	free(path);
	tu_tmpdir_remove(dir);
	return m;
}

static struct conn *
make_conn(const char *password, const char *extra)
{
	struct conn *c = conn_new();
	struct err e;

	err_clear(&e);
	assert_non_null(c);
	assert_int_equal(conn_set_str(c, &c->conn_id, "c1", &e), 0);
	assert_int_equal(conn_set_str(c, &c->conn_type, "http", &e), 0);
	assert_int_equal(conn_set_str(c, &c->host, "h", &e), 0);
	assert_int_equal(conn_set_str(c, &c->login, "u", &e), 0);
	assert_int_equal(conn_set_str(c, &c->password, password, &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, extra, &e), 0);
	c->has_port = 1;
	c->port = 8080;
	return c;
}

static void
view_of(const struct mask *m, const struct conn *c, int reveal,
    struct mask_view *v)
{
	struct err e;

	err_clear(&e);
	if (mask_conn(m, c, reveal, v, &e) != 0)
		fail_msg("mask_conn: %s", e.msg);
	assert_non_null(v->conn);
}

/* get_uri() of the copy, into a new string (caller frees). */
static char *
uri_of(const struct conn *d)
{
	struct buf b;
	struct err e;
	char *s;

	err_clear(&e);
	buf_init(&b, 0);
	if (uri_format(d, NULL, &b, &e) != 0)
		fail_msg("uri_format: %s", e.msg);
	s = strdup(buf_str(&b));
	buf_release(&b);
	assert_non_null(s);
	return s;
}

static char *
dumps(const cJSON *v, int indent)
{
	struct pyjson_opts po = { indent, 0, 0 };
	struct buf b;
	struct err e;
	char *s;

	err_clear(&e);
	buf_init(&b, 0);
	assert_int_equal(pyjson_dumps(v, &po, &b, &e), 0);
	s = strdup(buf_str(&b));
	buf_release(&b);
	assert_non_null(s);
	return s;
}

/* -- mask_conn ----------------------------------------------------------- */

/* The case: 3 stays 3 in the masked copy and in the tree. */
static void
test_display_numbers_exact(void **state)
{
	struct fx *f = *state;
	static const char stored[] = "{\"api_key\":\"s3cr3t\",\"retries\":3,"
	    "\"big\":12345678901234567890,\"f\":1.50,\"n\":null}";
	struct conn *c = make_conn("pw", stored);
	struct mask_view v;
	char *text;

	view_of(f->m, c, 0, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_JSON);
	assert_int_equal(v.masked, 1);
	assert_int_equal(v.hidden, 0);
	assert_string_equal(v.shown, "masked");
	assert_string_equal(v.conn->extra, "{\"api_key\": \"***\", \"retries\": "
	    "3, \"big\": 12345678901234567890, \"f\": 1.5, \"n\": null}");
	assert_string_equal(v.conn->password, MASK_REPLACEMENT);
	/* the caller's own format, from the masked tree */
	text = dumps(v.extra, 4);
	assert_string_equal(text, "{\n    \"api_key\": \"***\",\n    "
	    "\"retries\": 3,\n    \"big\": 12345678901234567890,\n    "
	    "\"f\": 1.5,\n    \"n\": null\n}");
	free(text);
	/* the other fields are copied; the record itself is untouched */
	assert_string_equal(v.conn->host, "h");
	assert_int_equal(v.conn->port, 8080);
	assert_string_equal(c->password, "pw");
	assert_string_equal(c->extra, stored);
	mask_view_release(&v);
	assert_null(v.conn);
	assert_null(v.extra);
	mask_view_release(&v);
	mask_view_release(NULL);
	conn_free(c);
}

/*
 * An extra with \u0000 and lone surrogates (which json.loads keeps) is
 * masked as Airflow masks it: should_hide_value_for_key() strips and
 * lower-cases the name ('Password\x00' and ' \ud800secret ' hold a
 * sensitive name) and the copy is json.dumps() of the redacted dict;
 * expected text from CPython 3.11.7.
 */
static void
test_display_kept(void **state)
{
	struct fx *f = *state;
	static const char stored[] = "{\"api_key\": \"tok-SECRET\", "
	    "\"b\": \"\\u0000\", \"Password\\u0000\": \"x\", "
	    "\" \\ud800secret \": \"y\", \"n\": {\"\\ud800\": \"z\"}}";
	struct conn *c = make_conn("pw", stored);
	struct mask_view v;

	view_of(f->m, c, 0, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_JSON);
	assert_int_equal(v.masked, 3);
	assert_string_equal(v.conn->extra, "{\"api_key\": \"***\", "
	    "\"b\": \"\\u0000\", \"Password\\u0000\": \"***\", "
	    "\" \\ud800secret \": \"***\", \"n\": {\"\\ud800\": \"z\"}}");
	mask_view_release(&v);
	conn_free(c);
}

static void
test_password(void **state)
{
	struct fx *f = *state;
	struct conn *c = make_conn(NULL, NULL);
	struct mask_view v;
	struct err e;

	err_clear(&e);
	view_of(f->m, c, 0, &v);
	assert_null(v.conn->password);
	assert_int_equal(v.extra_state, MASK_EXTRA_NONE);
	assert_int_equal(v.hidden, 0);
	assert_string_equal(v.shown, "none");
	mask_view_release(&v);
	assert_int_equal(conn_set_str(c, &c->password, "", &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, "", &e), 0);
	view_of(f->m, c, 0, &v);
	assert_string_equal(v.conn->password, "");
	assert_string_equal(v.conn->extra, "");
	assert_int_equal(v.extra_state, MASK_EXTRA_NONE);
	mask_view_release(&v);
	assert_int_equal(conn_set_str(c, &c->password, "pw", &e), 0);
	view_of(f->m, c, 1, &v);
	assert_string_equal(v.conn->password, "pw");
	mask_view_release(&v);
	/* a password that starts with a NUL is not empty: masked, or kept
	   whole when revealed (conn.h, password_len) */
	assert_int_equal(conn_set(c, &c->password, "\0pw", 3, &e), 0);
	view_of(f->m, c, 0, &v);
	assert_string_equal(v.conn->password, MASK_REPLACEMENT);
	assert_int_equal(v.conn->password_len, strlen(MASK_REPLACEMENT));
	mask_view_release(&v);
	view_of(f->m, c, 1, &v);
	assert_int_equal(v.conn->password_len, 3);
	assert_memory_equal(v.conn->password, "\0pw", 4);
	mask_view_release(&v);
	conn_free(c);
}

/*
 * What is not a JSON object is withheld, whatever it is: the copy holds
 * no extra, there is no tree, and the URI of the copy shows nothing.
 */
static void
test_withheld(void **state)
{
	static const char *const extras[] = {
		"tok-SECRET",				/* not JSON */
		"\"tok-SECRET\"",			/* a JSON string */
		"[\"tok-SECRET\"]",			/* a list: no keys */
		"[{\"a\": \"tok-SECRET\"}]",
		"{\"a\": \"tok-SECRET\",}",		/* json.loads refuses */
		"{'a': 'tok-SECRET'}",
		"{\"a\": \"tok-SECRET\"} x",
		"42",
	};
	struct fx *f = *state;
	struct mask_view v;
	size_t i;
	char *uri;

	for (i = 0; i < ARRAY_LEN(extras); i++) {
		struct conn *c = make_conn("pw-SECRET", extras[i]);

		view_of(f->m, c, 0, &v);
		if (v.extra_state != MASK_EXTRA_WITHHELD)
			fail_msg("case %zu (%s): state %d", i, extras[i],
			    v.extra_state);
		assert_null(v.conn->extra);
		assert_null(v.extra);
		assert_int_equal(v.masked, 0);
		/* -o json: extra_dejson null and said so, never {} */
		assert_int_equal(v.hidden, 1);
		assert_string_equal(v.shown, "not a JSON object; hidden");
		uri = uri_of(v.conn);
		if (strstr(uri, "SECRET") != NULL)
			fail_msg("case %zu: the URI shows it: %s", i, uri);
		assert_string_equal(uri, "http://u:%2A%2A%2A@h:8080");
		free(uri);
		mask_view_release(&v);
		/* revealed, it is there as stored */
		view_of(f->m, c, 1, &v);
		assert_string_equal(v.conn->extra, extras[i]);
		mask_view_release(&v);
		conn_free(c);
	}
}

/* Revealed: the record as it is; a tree for any JSON, else RAW. */
static void
test_reveal(void **state)
{
	struct fx *f = *state;
	struct conn *c = make_conn("pw", "{ \"token\" : \"t1\", \"n\": 3 }");
	struct mask_view v;
	char *text;

	view_of(f->m, c, 1, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_JSON);
	assert_int_equal(v.masked, 0);
	assert_string_equal(v.shown, "revealed");
	assert_string_equal(v.conn->extra, "{ \"token\" : \"t1\", \"n\": 3 }");
	text = dumps(v.extra, -1);
	assert_string_equal(text, "{\"token\": \"t1\", \"n\": 3}");
	free(text);
	mask_view_release(&v);
	conn_free(c);

	c = make_conn("pw", "\"just a string\"");
	view_of(f->m, c, 1, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_JSON);
	assert_true(cJSON_IsString(v.extra));
	mask_view_release(&v);
	conn_free(c);

	c = make_conn("pw", "key=value");
	view_of(f->m, c, 1, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_RAW);
	assert_null(v.extra);
	assert_string_equal(v.conn->extra, "key=value");
	assert_int_equal(v.hidden, 0);
	assert_string_equal(v.shown, "revealed; not JSON");
	mask_view_release(&v);

	/* no key opens the extra: hidden whatever the role */
	c->extra_info.state = CONN_SECRET_UNDECRYPTABLE;
	view_of(f->m, c, 1, &v);
	assert_int_equal(v.hidden, 1);
	assert_string_equal(v.shown, "undecryptable; hidden");
	mask_view_release(&v);
	conn_free(c);
}

/*
 * The copy's extra is json.dumps of the masked tree even when nothing was
 * masked: the stored text may hold what the tree does not show. With two
 * "password" keys json.loads keeps the last (a number, not masked); the
 * first one's string must not reach the copy or its URI.
 */
static void
test_rewritten_always(void **state)
{
	struct fx *f = *state;
	struct conn *c = make_conn(NULL,
	    "{\"password\":\"tok-SECRET\",\"password\":1,\"b\":\"x\"}");
	struct mask_view v;
	char *uri;

	view_of(f->m, c, 0, &v);
	assert_int_equal(v.masked, 0);
	assert_string_equal(v.conn->extra, "{\"password\": 1, \"b\": \"x\"}");
	uri = uri_of(v.conn);
	assert_null(strstr(uri, "SECRET"));
	free(uri);
	mask_view_release(&v);
	conn_free(c);

	c = make_conn(NULL, "{\"a\":1,\"b\":\"\\u00e9\"}");
	view_of(f->m, c, 0, &v);
	assert_string_equal(v.conn->extra, "{\"a\": 1, \"b\": \"\\u00e9\"}");
	mask_view_release(&v);
	conn_free(c);
}

/* get_uri() of a display copy carries no hidden value, whatever the extra. */
static void
test_uri_of_copy(void **state)
{
	static const struct {
		const char	*extra;
		const char	*uri;
	} cases[] = {
		/* all strings: urlencode */
		{ "{\"token\": \"tok-SECRET\", \"region\": \"eu\"}",
		    "http://u:%2A%2A%2A@h:8080/?token=%2A%2A%2A&region=eu" },
		/* nested: __extra__ with the masked text */
		{ "{\"conn\": {\"password\": \"tok-SECRET\"}, \"n\": 1}",
		    "http://u:%2A%2A%2A@h:8080/?__extra__=%7B%22conn%22%3A+%7B%22"
		    "password%22%3A+%22%2A%2A%2A%22%7D%2C+%22n%22%3A+1%7D" },
		{ "{\"keys\": {\"private_key\": [\"tok-SECRET\", 2]}}",
		    "http://u:%2A%2A%2A@h:8080/?__extra__=%7B%22keys%22%3A+%7B%22"
		    "private_key%22%3A+%5B%22%2A%2A%2A%22%2C+2%5D%7D%7D" },
		{ "no json tok-SECRET", "http://u:%2A%2A%2A@h:8080" },
	};
	struct fx *f = *state;
	struct mask_view v;
	size_t i;
	char *uri;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct conn *c = make_conn("pw-SECRET", cases[i].extra);

		view_of(f->m, c, 0, &v);
		uri = uri_of(v.conn);
		assert_null(strstr(uri, "SECRET"));
		assert_string_equal(uri, cases[i].uri);
		free(uri);
		mask_view_release(&v);
		conn_free(c);
	}
}

/* An extra that no key opens is NULL: nothing to show, its state kept. */
static void
test_undecryptable(void **state)
{
	struct fx *f = *state;
	struct conn *c = make_conn("pw", NULL);
	struct mask_view v;

	c->extra_info.state = CONN_SECRET_UNDECRYPTABLE;
	c->is_extra_encrypted = 1;
	view_of(f->m, c, 0, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_NONE);
	assert_null(v.conn->extra);
	assert_int_equal(v.conn->extra_info.state, CONN_SECRET_UNDECRYPTABLE);
	assert_int_equal(v.conn->is_extra_encrypted, 1);
	mask_view_release(&v);
	conn_free(c);
}

/*
 * hide_sensitive_var_conn_fields = False shows the extra's values, as in
 * Airflow; the password stays hidden and text that is not JSON withheld
 * (those are ferncon's rules for a role, not Airflow's masking).
 */
static void
test_hide_off(void **state)
{
	struct mask *m = mask_from_cfg("[core]\n"
	    "hide_sensitive_var_conn_fields = False\n");
	struct conn *c = make_conn("pw", "{\"password\": \"s\"}");
	struct mask_view v;

	(void)state;
	view_of(m, c, 0, &v);
	assert_int_equal(v.masked, 0);
	assert_string_equal(v.conn->extra, "{\"password\": \"s\"}");
	assert_string_equal(v.conn->password, MASK_REPLACEMENT);
	mask_view_release(&v);
	conn_free(c);
	c = make_conn("pw", "not json");
	view_of(m, c, 0, &v);
	assert_int_equal(v.extra_state, MASK_EXTRA_WITHHELD);
	mask_view_release(&v);
	conn_free(c);
	mask_free(m);
}

/* -- mask_restore, mask_merge_extra -------------------------------------- */

struct merge_case {
	const char	*why;
	const char	*stored;	/* NULL: no stored extra */
	const char	*edited;
	const char	*want;		/* what is stored */
	int		 restored;
};

static const struct merge_case merge_cases[] = {
	{ "a *** left in place keeps the stored value",
	    "{\"password\": \"s3\", \"host\": \"h\"}",
	    "{\"password\": \"***\", \"host\": \"h2\"}",
	    "{\"password\": \"s3\", \"host\": \"h2\"}", 1 },
	{ "in a nested object",
	    "{\"auth\": {\"token\": \"t1\", \"user\": \"u\"}}",
	    "{\"auth\": {\"token\": \"***\", \"user\": \"v\"}}",
	    "{\"auth\": {\"token\": \"t1\", \"user\": \"v\"}}", 1 },
	{ "below a sensitive key, every string was masked",
	    "{\"secret_cfg\": {\"a\": \"x\", \"b\": 2}}",
	    "{\"secret_cfg\": {\"a\": \"***\", \"b\": 3}}",
	    "{\"secret_cfg\": {\"a\": \"x\", \"b\": 3}}", 1 },
	{ "in a list under a sensitive key, by index; past the stored end, "
	    "a *** stays",
	    "{\"tokens\": [\"t1\", \"t2\", \"t3\"]}",
	    "{\"tokens\": [\"***\", \"new\", \"***\", \"***\"]}",
	    "{\"tokens\": [\"t1\", \"new\", \"t3\", \"***\"]}", 2 },
	{ "in objects in a list",
	    "{\"hosts\": [{\"name\": \"a\", \"password\": \"p1\"}, "
	    "{\"name\": \"b\", \"password\": \"p2\"}]}",
	    "{\"hosts\": [{\"name\": \"a\", \"password\": \"***\"}, "
	    "{\"name\": \"b\", \"password\": \"***\"}]}",
	    "{\"hosts\": [{\"name\": \"a\", \"password\": \"p1\"}, "
	    "{\"name\": \"b\", \"password\": \"p2\"}]}", 2 },
	{ "lists go by index, as in Airflow: the first item removed, the "
	    "second now at index 0 gets index 0's value",
	    "{\"hosts\": [{\"password\": \"p1\"}, {\"password\": \"p2\"}]}",
	    "{\"hosts\": [{\"password\": \"***\"}]}",
	    "{\"hosts\": [{\"password\": \"p1\"}]}", 1 },
	{ "a *** where the stored value was shown: typed, so kept",
	    "{\"user\": \"alice\"}", "{\"user\": \"***\"}",
	    "{\"user\": \"***\"}", 0 },
	{ "a number under a sensitive key was shown: a *** there is typed "
	    "(Airflow would put the number back)",
	    "{\"password\": 5, \"token\": [\"t\", 7]}",
	    "{\"password\": \"***\", \"token\": [\"***\", \"***\"]}",
	    "{\"password\": \"***\", \"token\": [\"t\", \"***\"]}", 1 },
	{ "a renamed *** never copies a secret",
	    "{\"password\": \"s3\"}", "{\"password2\": \"***\", "
	    "\"api_key\": \"***\"}",
	    "{\"password2\": \"***\", \"api_key\": \"***\"}", 0 },
	{ "nor a moved one",
	    "{\"password\": \"s3\", \"opts\": {}}",
	    "{\"opts\": {\"password\": \"***\"}}",
	    "{\"opts\": {\"password\": \"***\"}}", 0 },
	{ "nor one moved up",
	    "{\"opts\": {\"password\": \"s3\"}}",
	    "{\"password\": \"***\", \"opts\": {}}",
	    "{\"password\": \"***\", \"opts\": {}}", 0 },
	{ "keys added are kept, keys removed are gone",
	    "{\"password\": \"s3\", \"old\": 1}",
	    "{\"new\": 2, \"password\": \"***\"}",
	    "{\"new\": 2, \"password\": \"s3\"}", 1 },
	{ "a masked object replaced by *** is kept whole",
	    "{\"password\": {\"a\": \"x\", \"b\": 1}}",
	    "{\"password\": \"***\"}",
	    "{\"password\": {\"a\": \"x\", \"b\": 1}}", 1 },
	{ "a type change by the user stays",
	    "{\"password\": \"x\", \"auth\": {\"token\": \"t\"}}",
	    "{\"password\": [\"***\"], \"auth\": [\"***\"]}",
	    "{\"password\": [\"***\"], \"auth\": [\"***\"]}", 0 },
	{ "a top-level *** is not under a key",
	    "\"s3\"", "\"***\"", "\"***\"", 0 },
	{ "the result is json.dumps: numbers exact, ensure_ascii",
	    "{\"password\": \"p\\u00e4ss\", \"n\": 1}",
	    "{\"password\":\"***\",\"n\":12345678901234567890,\"f\":2.50}",
	    "{\"password\": \"p\\u00e4ss\", \"n\": 12345678901234567890, "
	    "\"f\": 2.5}", 1 },
	{ "two equal stored keys: the last, as json.loads reads them",
	    "{\"password\": \"a\", \"password\": \"b\"}",
	    "{\"password\": \"***\"}", "{\"password\": \"b\"}", 1 },
	{ "\\u0000 and lone surrogates kept, in names and values",
	    "{\"password\\u0000\": \"s\\u0000\", \"n\": \"\\ud800\"}",
	    "{\"password\\u0000\": \"***\", \"n\": \"\\udfff\", \"x\": 1}",
	    "{\"password\\u0000\": \"s\\u0000\", \"n\": \"\\udfff\", \"x\": 1}", 1 },
	{ "a stored *** is a value like any other",
	    "{\"password\": \"***\"}", "{\"password\": \"***\"}",
	    "{\"password\": \"***\"}", 1 },
	{ "a stored extra that is not JSON: the edited text as it is",
	    "password=s3", "{\"password\":\"***\"}",
	    "{\"password\":\"***\"}", 0 },
	{ "no stored extra: the edited text as it is",
	    NULL, "{\"password\" : \"***\"}", "{\"password\" : \"***\"}", 0 },
	{ "an edited text that is not JSON: as it is",
	    "{\"password\": \"s3\"}", "***", "***", 0 },
};

static void
test_merge_cases(void **state)
{
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(merge_cases); i++) {
		const struct merge_case *k = &merge_cases[i];
		struct buf out;
		struct err e;
		int n;

		err_clear(&e);
		buf_init(&out, 1);
		n = mask_merge_extra(f->m, k->edited, k->stored, &out, &e);
		if (n < 0)
			fail_msg("case %zu (%s): %s", i, k->why, e.msg);
		if (strcmp(buf_str(&out), k->want) != 0 || n != k->restored)
			fail_msg("case %zu (%s):\n  want %s (%d)\n  got  %s (%d)",
			    i, k->why, k->want, k->restored, buf_str(&out), n);
		buf_release(&out);
	}
}

/* No edited extra: nothing to store. */
static void
test_merge_null(void **state)
{
	struct fx *f = *state;
	struct buf out;
	struct err e;

	err_clear(&e);
	buf_init(&out, 1);
	assert_int_equal(mask_merge_extra(f->m, NULL, "{\"password\": \"s\"}",
	    &out, &e), 0);
	assert_null(out.p);
	buf_release(&out);
}

/*
 * Saving the display copy's extra unchanged gives back json.dumps of the
 * stored extra, every secret included: what a user who edits nothing but
 * the host must get.
 */
static void
test_shown_then_saved(void **state)
{
	static const char *const stored[] = {
		"{\"password\": \"s3\", \"n\": 3, \"big\": 12345678901234567890}",
		"{\"auth\": {\"token\": \"t1\", \"users\": [\"a\", \"b\"]}, "
		    "\"keys\": [{\"private_key\": \"k1\"}, {\"private_key\": "
		    "[\"k2\", 2, {\"x\": \"k3\"}]}]}",
		"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":{\"g\":{\"secret\":"
		    "\"deep\"}}}}}}}}",
		"{\"password\": 5, \"api_key\": null, \"token\": true, "
		    "\"x\": 1.0}",
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(stored); i++) {
		struct conn *c = make_conn("pw", stored[i]);
		struct pyjson_opts po = { -1, 0, 1 };
		struct mask_view v;
		struct buf out, want;
		struct err e;
		cJSON *t = pyjson_loads(stored[i], strlen(stored[i]));

		err_clear(&e);
		buf_init(&out, 1);
		buf_init(&want, 1);
		assert_non_null(t);
		assert_int_equal(pyjson_dumps(t, &po, &want, &e), 0);
		view_of(f->m, c, 0, &v);
		assert_null(strstr(v.conn->extra, "k1"));
		assert_int_equal(mask_merge_extra(f->m, v.conn->extra,
		    c->extra, &out, &e), v.masked);
		assert_string_equal(buf_str(&out), buf_str(&want));
		pyjson_free(t);
		buf_release(&out);
		buf_release(&want);
		mask_view_release(&v);
		conn_free(c);
	}
}

/* The tree-level call, for a caller that holds the trees already. */
static void
test_restore_trees(void **state)
{
	struct fx *f = *state;
	static const char now_text[] = "{\"token\": \"***\", \"l\": [\"***\"]}";
	static const char stored_text[] = "{\"token\": \"t\", \"l\": [1]}";
	cJSON *now = pyjson_loads(now_text, strlen(now_text));
	cJSON *stored = pyjson_loads(stored_text, strlen(stored_text));
	cJSON *scalar = pyjson_loads("\"***\"", strlen("\"***\""));
	struct err e;
	char *text;

	err_clear(&e);
	assert_non_null(now);
	assert_non_null(stored);
	assert_non_null(scalar);
	assert_int_equal(mask_restore(f->m, now, stored, &e), 1);
	text = dumps(now, -1);
	assert_string_equal(text, "{\"token\": \"t\", \"l\": [\"***\"]}");
	free(text);
	/* not two containers of a kind: nothing to walk */
	assert_int_equal(mask_restore(f->m, scalar, stored, &e), 0);
	assert_int_equal(mask_restore(f->m, now, scalar, &e), 0);
	pyjson_free(now);
	pyjson_free(stored);
	pyjson_free(scalar);
}

/* The names come from the mask: configured ones, and none when off. */
static void
test_restore_by_config(void **state)
{
	struct mask *named = mask_from_cfg("[core]\n"
	    "sensitive_var_conn_names = my_field\n");
	struct mask *off = mask_from_cfg("[core]\n"
	    "hide_sensitive_var_conn_fields = False\n");
	static const char stored[] = "{\"my_field\": \"v\", \"password\": \"s\"}";
	static const char edited[] = "{\"my_field\": \"***\", \"password\": "
	    "\"***\"}";
	struct buf out;
	struct err e;

	(void)state;
	err_clear(&e);
	buf_init(&out, 1);
	assert_int_equal(mask_merge_extra(named, edited, stored, &out, &e), 2);
	assert_string_equal(buf_str(&out),
	    "{\"my_field\": \"v\", \"password\": \"s\"}");
	buf_reset(&out);
	assert_int_equal(mask_merge_extra(off, edited, stored, &out, &e), 0);
	assert_string_equal(buf_str(&out),
	    "{\"my_field\": \"***\", \"password\": \"***\"}");
	buf_release(&out);
	mask_free(named);
	mask_free(off);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_display_numbers_exact,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_display_kept, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withheld, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reveal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten_always, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_uri_of_copy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_undecryptable, setup,
		    teardown),
		cmocka_unit_test(test_hide_off),
		cmocka_unit_test_setup_teardown(test_merge_cases, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_merge_null, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shown_then_saved, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restore_trees, setup,
		    teardown),
		cmocka_unit_test(test_restore_by_config),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
