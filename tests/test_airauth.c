/*
 * test_airauth.c: roles from Airflow itself (src/airauth.c, src/policy.c,
 * src/store_fab.c; doc/design.md section 4, "Roles from Airflow").
 *
 * First werkzeug's hashes as Debian's python3-werkzeug makes them
 * (generate_password_hash, /usr/lib/python3/dist-packages/werkzeug/
 * security.py, werkzeug 2.2.2: DEFAULT_PBKDF2_ITERATIONS = 260000 at line
 * 12, taken when a method has no count at line 48; the method
 * "pbkdf2:sha256:260000", a 16-character salt) and werkzeug 3's scrypt
 * format made with hashlib.scrypt (n=2^15, r=8, p=1, dklen 64): the right
 * password matches, a wrong one, one byte more or less does not, and
 * formats werkzeug does not make are configuration errors.
 *
 * Then the rights: per-right decisions for custom roles through
 * policy_load_airflow(), written out as a table (can_read alone lists and
 * opens; create, edit and delete each their own; reveal and export need
 * can_edit and the role named Admin or show_connection_password; keys
 * need Admin), the default role for inactive and unknown users, --as-role
 * keeping only rights.
 *
 * Last FAB's tables made by tests/fab_db.py (as Airflow's models make
 * them) in a DB of the backend the run selects (tests/testdb.h), read
 * through airauth_load(): each user's roles, active flag and rights; a
 * DB without the tables is a configuration error.
 */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airauth.h"
#include "cfg.h"
#include "err.h"
#include "policy.h"
#include "store.h"
#include "testdb.h"

#define PY "/usr/bin/python3"

/* One line that a Python expression prints; caller frees. */
static char *
python(const char *code)
{
	char cmd[4096], line[1024];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof cmd, PY " -c '%s'", code);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof line, p));
	assert_int_equal(pclose(p), 0);
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return strdup(line);
}

static int
check(const char *hash, const char *pw)
{
	struct err e;
	int ok = -1;

	err_clear(&e);
	if (airauth_werkzeug_check(hash, pw, strlen(pw), &ok, &e) != 0)
		fail_msg("%s: %s", hash, e.msg);
	return ok;
}

static void
test_werkzeug(void **state)
{
	char *h;

	(void)state;
	h = python("from werkzeug.security import generate_password_hash as g; "
	    "print(g(\"s3cr\\u00e9t pw\"))");
	assert_non_null(strstr(h, "pbkdf2:sha256:260000$"));
	assert_int_equal(check(h, "s3cr\xc3\xa9t pw"), 1);
	assert_int_equal(check(h, "s3cr\xc3\xa9t p"), 0);
	assert_int_equal(check(h, "s3cr\xc3\xa9t pww"), 0);
	assert_int_equal(check(h, "S3cr\xc3\xa9t pw"), 0);
	free(h);
	h = python("from werkzeug.security import generate_password_hash as g; "
	    "print(g(\"pw\", method=\"pbkdf2:sha512:1000\"))");
	assert_int_equal(check(h, "pw"), 1);
	assert_int_equal(check(h, "pW"), 0);
	free(h);
	/* No count: werkzeug's default (security.py _hash_internal). */
	h = python("import hashlib; s=\"abcdefghABCDEFGH\"; print(\"pbkdf2:"
	    "sha256$\"+s+\"$\"+hashlib.pbkdf2_hmac(\"sha256\", b\"pw\", s.encode(), "
	    "260000).hex())");
	assert_int_equal(check(h, "pw"), 1);
	free(h);
	h = python("import hashlib; s=\"abcdefghABCDEFGH\"; print(\"scrypt:32768:"
	    "8:1$\"+s+\"$\"+hashlib.scrypt(b\"pw\", salt=s.encode(), n=32768, r=8, "
	    "p=1, maxmem=132*32768*8, dklen=64).hex())");
	assert_int_equal(check(h, "pw"), 1);
	assert_int_equal(check(h, "px"), 0);
	free(h);
	/* "scrypt" alone: n=2^15, r=8, p=1. */
	h = python("import hashlib; s=\"saltsaltsaltsalt\"; print(\"scrypt$\"+s+"
	    "\"$\"+hashlib.scrypt(b\"pw\", salt=s.encode(), n=32768, r=8, p=1, "
	    "maxmem=132*32768*8, dklen=64).hex())");
	assert_int_equal(check(h, "pw"), 1);
	free(h);
}

static void
test_werkzeug_bad(void **state)
{
	static const char *const bad[] = {
		"plain", "pbkdf2:sha256:1000$salt", "pbkdf2:sha256:0$salt$00",
		"pbkdf2:sha256:x$salt$00", "pbkdf2:nosuch:10$salt$00",
		"pbkdf2:sha256:10$$00", "md5$salt$00", "scrypt:1:2$salt$00",
		"pbkdf2:sha256:10$salt$zz", "pbkdf2:sha256:10$salt$0011",
		"scrypt:1073741824:8:1$salt$" "00",
	};
	struct err e;
	size_t i;
	int ok;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		ok = 7;
		assert_int_equal(airauth_werkzeug_check(bad[i], "pw", 2, &ok,
		    &e), -1);
		assert_int_equal(e.code, ERR_CONFIG);
		assert_int_equal(ok, 0);
	}
}

/* -- rights --------------------------------------------------------------- */

#define R(x) (1u << POLICY_##x)
#define CONN_ALL (R(CONN_READ) | R(CONN_CREATE) | R(CONN_EDIT) | R(CONN_DELETE))

static const enum policy_action acts[] = {
	POLICY_LIST, POLICY_CREATE, POLICY_EDIT, POLICY_DELETE, POLICY_REVEAL,
	POLICY_EXPORT, POLICY_ADMIN, POLICY_AUDIT,
};

static const struct {
	const char	*what;
	unsigned	 rights;
	int		 admin, show, found, active;
	int		 allowed[8];	/* in acts[] order */
} cases[] = {
	{ "Admin", CONN_ALL, 1, 0, 1, 1, { 1, 1, 1, 1, 1, 1, 1, 1 } },
	{ "Op", CONN_ALL, 0, 0, 1, 1, { 1, 1, 1, 1, 0, 0, 0, 1 } },
	{ "Op, show", CONN_ALL, 0, 1, 1, 1, { 1, 1, 1, 1, 1, 1, 0, 1 } },
	{ "Viewer (FAB: none)", 0, 0, 1, 1, 1, { 0, 0, 0, 0, 0, 0, 0, 0 } },
	{ "read only", R(CONN_READ), 0, 1, 1, 1, { 1, 0, 0, 0, 0, 0, 0, 1 } },
	{ "no delete", R(CONN_READ) | R(CONN_CREATE) | R(CONN_EDIT), 0, 0, 1, 1,
	    { 1, 1, 1, 0, 0, 0, 0, 1 } },
	{ "no delete, show", R(CONN_READ) | R(CONN_CREATE) | R(CONN_EDIT), 0,
	    1, 1, 1, { 1, 1, 1, 0, 1, 1, 0, 1 } },
	{ "Admin, no Connections", 0, 1, 0, 1, 1, { 0, 0, 0, 0, 0, 0, 1, 0 } },
	/* The default role (Viewer): reads, nothing more, even an Admin. */
	{ "inactive Admin", CONN_ALL, 1, 1, 1, 0, { 1, 0, 0, 0, 0, 0, 0, 1 } },
	{ "unknown", 0, 0, 1, 0, 0, { 1, 0, 0, 0, 0, 0, 0, 1 } },
};

static void
test_rights(void **state)
{
	struct policy_airflow af;
	struct policy p;
	struct config *cfg;
	struct err e;
	char *dir = tu_tmpdir();
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = tu_config(dir, cases[i].show ? "[webserver]\n"
		    "show_connection_password = True\n" : "");
		memset(&af, 0, sizeof af);
		af.from = POLICY_FROM_FAB;
		snprintf(af.user, sizeof af.user, "u");
		af.rights = cases[i].rights;
		af.admin = cases[i].admin;
		af.found = cases[i].found;
		af.active = cases[i].active;
		err_clear(&e);
		if (policy_load_airflow(&p, cfg, NULL, &af, NULL, &e) != 0)
			fail_msg("%s: %s", cases[i].what, e.msg);
		for (j = 0; j < sizeof acts / sizeof acts[0]; j++)
			if (policy_allows(&p, acts[j], NULL) !=
			    cases[i].allowed[j])
				fail_msg("%s: action %zu: %d", cases[i].what, j,
				    !cases[i].allowed[j]);
		config_free(cfg);
	}
	/* --as-role keeps only the rights that role has. */
	cfg = tu_config(dir, "");
	memset(&af, 0, sizeof af);
	af.from = POLICY_FROM_FAB;
	af.rights = CONN_ALL;
	af.admin = af.found = af.active = 1;
	assert_int_equal(policy_load_airflow(&p, cfg, NULL, &af, "Viewer", &e), 0);
	assert_int_equal(p.lowered, 1);
	assert_int_equal(policy_allows(&p, POLICY_LIST, NULL), 1);
	assert_int_equal(policy_allows(&p, POLICY_EDIT, NULL), 0);
	assert_int_equal(policy_allows(&p, POLICY_ADMIN, NULL), 0);
	af.rights = R(CONN_READ);
	af.admin = 0;
	assert_int_equal(policy_load_airflow(&p, cfg, NULL, &af, "Admin", &e), 0);
	assert_int_equal(policy_allows(&p, POLICY_EDIT, NULL), 0);
	assert_int_equal(policy_allows(&p, POLICY_ADMIN, NULL), 0);
	config_free(cfg);
	tu_tmpdir_remove(dir);
}

/* -- FAB's tables through the store ---------------------------------------- */

static void
test_fab_store(void **state)
{
	static const struct {
		const char	*user;
		int		 found, active, admin;
		const char	*roles;
		unsigned	 rights;
	} users[] = {
		{ "admin", 1, 1, 1, "Admin", 0xff },
		{ "Admin", 1, 1, 1, "Admin", 0xff },	/* lower() = lower() */
		{ "op", 1, 1, 0, "Op", 0xff },
		{ "viewer", 1, 1, 0, "Viewer", 0 },
		{ "reader", 1, 1, 0, "ConnReader", R(CONN_READ) },
		{ "editor", 1, 1, 0, "ConnEditor", R(CONN_READ) | R(CONN_CREATE) |
		    R(CONN_EDIT) },
		{ "gone", 1, 0, 1, "Admin", 0xff },
		{ "nosuch", 0, 0, 0, "", 0 },
	};
	struct policy_airflow af;
	struct store *s = NULL;
	struct config *cfg;
	struct tdb t;
	struct err e;
	char *dir = tu_tmpdir(), cmd[8192];
	size_t i;

	(void)state;
	tdb_create(&t, dir, "2.10");
	cfg = tu_config(dir, "");
	err_clear(&e);
	assert_int_equal(store_open(&s, t.url, NULL, &e), 0);
	assert_int_equal(store_fab_present(s), 0);
	assert_int_equal(airauth_load(cfg, s, "admin", &af, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "has no FAB tables"));
	store_close(s);
	s = NULL;
	setenv("AIRFLOW_DB_URL", t.path[0] != '\0' ? t.path : t.url, 1);
	snprintf(cmd, sizeof cmd, PY " %s --layout fab3 -",
	    tu_srcpath("tests/fab_db.py"));
	assert_int_equal(system(cmd), 0);
	unsetenv("AIRFLOW_DB_URL");
	err_clear(&e);
	assert_int_equal(store_open(&s, t.url, NULL, &e), 0);
	assert_int_equal(store_fab_present(s), 1);
	for (i = 0; i < sizeof users / sizeof users[0]; i++) {
		err_clear(&e);
		if (airauth_load(cfg, s, users[i].user, &af, &e) != 0)
			fail_msg("%s: %s", users[i].user, e.msg);
		assert_int_equal(af.from, POLICY_FROM_FAB);
		assert_int_equal(af.found, users[i].found);
		assert_int_equal(af.active, users[i].active);
		assert_int_equal(af.admin, users[i].admin);
		assert_string_equal(af.roles, users[i].roles);
		assert_int_equal(af.rights, users[i].rights);
	}
	store_close(s);
	config_free(cfg);
	tu_tmpdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_werkzeug),
		cmocka_unit_test(test_werkzeug_bad),
		cmocka_unit_test(test_rights),
		cmocka_unit_test(test_fab_store),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
