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

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "keyring.h"
#include "session.h"
#include "testdb.h"

struct fx {
	char		*dir;
	char		*cfgpath;
	char		 logpath[4200];
	char		 me[256];
	char		 key[FERNET_KEY_B64LEN + 1];
	struct tdb	 db;
	struct session	*s;
	struct err	 e;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct passwd *pw = getpwuid(getuid());

	assert_non_null(f);
	assert_non_null(pw);
	snprintf(f->me, sizeof f->me, "%s", pw->pw_name);
	tu_unsetenv_prefix("AIRFLOW");
	unsetenv("SUDO_USER");
	f->dir = tu_tmpdir();
	assert_int_equal(setenv("HOME", f->dir, 1), 0);
	snprintf(f->logpath, sizeof f->logpath, "%s/actions.log", f->dir);
	keyring_generate(f->key);
	tdb_create(&f->db, f->dir, "2.10");
	err_clear(&f->e);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	session_free(f->s);
	free(f->cfgpath);
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static struct session *
as(struct fx *f, const char *role, int show)
{
	char text[8192];

	session_free(f->s);
	free(f->cfgpath);
	snprintf(text, sizeof text, "[core]\nfernet_key = %s\n[console]\n"
	    "roles = %s:%s\naction_log = %s\n[webserver]\n"
	    "show_connection_password = %s\n", f->key, f->me, role, f->logpath,
	    show ? "True" : "False");
	f->cfgpath = tu_write(f->dir, "airflow.cfg", text, 0600);
	assert_int_equal(session_new(&f->s, &f->e), 0);
	f->s->opts.config_file = f->cfgpath;
	f->s->opts.airflow_home = f->dir;
	f->s->opts.db_url = f->db.url;
	return f->s;
}

/* Lines in the action log. */
static int
nlog(struct fx *f)
{
	char *text = tu_read(f->logpath, NULL), *p;
	int n = 0;

	if (text == NULL)
		return 0;
	for (p = text; *p != '\0'; p++)
		n += *p == '\n';
	free(text);
	return n;
}

/* A plain variable, as Airflow stores one while fernet_key is empty. */
static void
put_plain(struct fx *f, const char *key, const char *val)
{
	const char *v[2] = { key, val };

	tdb_exec_params(&f->db, "INSERT INTO variable (\"key\", val, "
	    "is_encrypted) VALUES (?, ?, '0')", 2, v);
}

/* The display copy of key for the session's role. */
static char *
shown(struct fx *f, const char *key, int reveal)
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
	struct fx *f = *state;
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
	struct fx *f = *state;
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
	struct fx *f = *state;
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
	struct fx *f = *state;
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
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_display, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_delete, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
