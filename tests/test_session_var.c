/*
 * test_session_var.c: the variable use cases of the session
 * (src/session_var.c) on a real Airflow DB (tests/testdb.h), with the role
 * from a temporary airflow.cfg. Refused (Viewer; Op without
 * show_connection_password for reveal and export), a use case is
 * ERR_DENIED, the DB is unchanged (every secret and flag compared) and the
 * action log gets nothing; allowed, the change is made and logged once.
 * Display: *** under a sensitive key, *** where the audit's value rules
 * find a secret under a harmless key, JSON masked per key, the value as it
 * is otherwise; set encrypts with the primary key (opened again here).
 */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "keyring.h"
#include "session.h"
#include "sessfx.h"
#include "testdb.h"

static int
setup(void **state)
{
	return sfx_setup(state, "2.10");
}

/* A new session for our login with role and show_connection_password. */
static struct session *
as(struct sfx *f, const char *role, int show)
{
	return sfx_open(f, role, show);
}

/* Lines in the action log. */
static int
nlog(struct sfx *f)
{
	int n;

	free(sfx_log(f, &n));
	return n;
}

/* A plain variable, as Airflow stores one while fernet_key is empty. */
static void
put_plain(struct sfx *f, const char *key, const char *val)
{
	const char *v[2] = { key, val };

	tdb_exec_params(&f->db, "INSERT INTO variable (\"key\", val, "
	    "is_encrypted) VALUES (?, ?, '0')", 2, v);
}

/* The display copy of key for the session's role. */
static char *
shown(struct sfx *f, const char *key, int reveal)
{
	struct session_var v;
	struct buf b;
	char *out;

	buf_init(&b, 0);
	assert_int_equal(session_var_get(f->s, key, &v, &f->e), 0);
	if (session_var_display(f->s, &v, reveal, &b, NULL, &f->e) != 0)
		fail_msg("display %s: %s", key, f->e.msg);
	out = strdup(b.len > 0 ? buf_str(&b) : "");
	buf_release(&b);
	session_var_clear(&v);
	return out;
}

static void
test_refused(void **state)
{
	struct sfx *f = *state;
	struct session_export x;
	char *before, *after, *p;
	int rc;

	put_plain(f, "db_password", "pw-1");
	before = tdb_dump(&f->db);
	as(f, "Viewer", 1);
	assert_int_equal(session_var_set(f->s, "k", "v", 1, NULL, 0, NULL,
	    NULL, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_non_null(strstr(f->e.msg, "set variables"));
	assert_int_equal(session_var_delete(f->s, "db_password", NULL, &f->e),
	    -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_int_equal(session_var_reveal(f->s, "db_password", NULL, &f->e),
	    -1);
	memset(&x, 0, sizeof x);
	x.path = "-";
	x.stream = stdout;
	assert_int_equal(session_var_export(f->s, &x, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	/* Op reveals and exports only with show_connection_password. */
	as(f, "Op", 0);
	assert_int_equal(session_var_reveal(f->s, "db_password", NULL, &f->e),
	    -1);
	p = shown(f, "db_password", 0);
	assert_string_equal(p, "***");
	free(p);
	rc = session_var_display(f->s, &(struct session_var){ 0 }, 1,
	    &(struct buf){ 0 }, NULL, &f->e);
	assert_int_equal(rc, -1);
	after = tdb_dump(&f->db);
	assert_string_equal(before, after);
	assert_int_equal(nlog(f), 0);
	free(before);
	free(after);
}

static void
test_display(void **state)
{
	struct sfx *f = *state;
	char *p;

	put_plain(f, "environment", "staging");
	put_plain(f, "api_key_for_x", "x-live-demo-123");
	put_plain(f, "innocent", "ghp_k9Qm2Xv7Lp4Tz8Rw1Yb6Nc3Hf5Jd0Gs2Ae7U");
	put_plain(f, "cfg", "{\"password\": \"in-json\", \"n\": 1}");
	as(f, "Viewer", 0);
	p = shown(f, "environment", 0);
	assert_string_equal(p, "staging");
	free(p);
	p = shown(f, "api_key_for_x", 0);
	assert_string_equal(p, "***");
	free(p);
	p = shown(f, "innocent", 0);
	assert_string_equal(p, "***");
	free(p);
	p = shown(f, "cfg", 0);
	assert_string_equal(p, "{\"password\": \"***\", \"n\": 1}");
	free(p);
	as(f, "Admin", 0);
	assert_int_equal(session_var_reveal(f->s, "innocent", "t", &f->e), 0);
	p = shown(f, "innocent", 1);
	assert_string_equal(p, "ghp_k9Qm2Xv7Lp4Tz8Rw1Yb6Nc3Hf5Jd0Gs2Ae7U");
	free(p);
	assert_int_equal(nlog(f), 1);
}

static void
test_set_delete(void **state)
{
	struct sfx *f = *state;
	struct session_var v;
	struct keyring *kr;
	char *q, out[64];
	uint8_t plain[64];
	size_t n;
	int plainflag = -1;

	as(f, "Op", 0);
	assert_int_equal(session_var_set(f->s, "tok", "s3cret", 6, "d", 0,
	    &plainflag, "t", &f->e), 0);
	assert_int_equal(plainflag, 0);
	assert_int_equal(nlog(f), 1);
	/* The stored token opens with the primary key. */
	q = tdb_query(&f->db, "SELECT val FROM variable WHERE \"key\" = 'tok'");
	assert_non_null(q);
	assert_int_equal(keyring_parse(&kr, f->key, strlen(f->key), NULL,
	    &f->e), 0);
	assert_int_equal(keyring_decrypt(kr, q, strlen(q), plain,
	    sizeof plain - 1, &n, NULL, &f->e), 0);
	snprintf(out, sizeof out, "%.*s", (int)n, (const char *)plain);
	assert_string_equal(out, "s3cret");
	keyring_free(kr);
	free(q);
	/* Set again replaces it (Airflow's delete and insert). */
	assert_int_equal(session_var_set(f->s, "tok", "x", 1, NULL, 1, NULL,
	    NULL, &f->e), 0);
	assert_int_equal(session_var_get(f->s, "tok", &v, &f->e), 0);
	assert_string_equal(v.val, "\"x\"");
	assert_null(v.description);
	assert_int_equal(v.info.state, CONN_SECRET_ENCRYPTED);
	session_var_clear(&v);
	assert_int_equal(session_var_delete(f->s, "tok", NULL, &f->e), 0);
	assert_int_equal(session_var_delete(f->s, "tok", NULL, &f->e), -1);
	assert_int_equal(f->e.code, ERR_NOTFOUND);
	assert_int_equal(nlog(f), 3);
	assert_int_equal(session_var_set(f->s, "", "x", 1, NULL, 0, NULL, NULL,
	    &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
}

static void
test_import(void **state)
{
	static const char file[] = "{\"a\": \"1\", \"b\": [1, 2], \"a\": \"2\"}";
	struct sfx *f = *state;
	struct session_var_import im;
	struct session_var v;
	char *before, *after;

	put_plain(f, "b", "old");
	as(f, "Admin", 0);
	before = tdb_dump(&f->db);
	assert_int_equal(session_var_import(f->s, "f.json", file,
	    strlen(file), SESSION_VAR_FAIL, &im, &f->e), -1);
	assert_string_equal(f->e.msg, "Failed. These keys: ['b'] already "
	    "exists.");
	session_var_import_release(&im);
	after = tdb_dump(&f->db);
	assert_string_equal(before, after);
	assert_int_equal(nlog(f), 0);
	assert_int_equal(session_var_import(f->s, "f.json", file,
	    strlen(file), SESSION_VAR_SKIP, &im, &f->e), 0);
	assert_int_equal(im.total, 2);
	assert_int_equal(im.done, 1);
	assert_int_equal(im.n_skipped, 1);
	assert_string_equal(im.skipped[0], "b");
	session_var_import_release(&im);
	assert_int_equal(session_var_get(f->s, "a", &v, &f->e), 0);
	assert_string_equal(v.val, "2");	/* a dict keeps the last value */
	session_var_clear(&v);
	assert_int_equal(session_var_import(f->s, "f.json", file,
	    strlen(file), SESSION_VAR_OVERWRITE, &im, &f->e), 0);
	session_var_import_release(&im);
	assert_int_equal(session_var_get(f->s, "b", &v, &f->e), 0);
	assert_string_equal(v.val, "[\n  1,\n  2\n]");
	session_var_clear(&v);
	assert_int_equal(session_var_import(f->s, "f.json", "[1]", 3,
	    SESSION_VAR_OVERWRITE, &im, &f->e), -1);
	assert_string_equal(f->e.msg, "Invalid variables file.");
	session_var_import_release(&im);
	free(before);
	free(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_display, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_set_delete, setup,
		    sfx_teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, sfx_teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
