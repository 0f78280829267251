/*
 * test_policy.c: who may do what (src/policy.c), and the action log.
 *
 * The role matrix of doc/design.md section 4 is written out below as a table,
 * one row per role and show_connection_password setting, one column per
 * action, and every cell is checked through policy_allows() and
 * policy_check(). Then how the role is found: no `[console] roles` makes the
 * local user Admin (as Airflow's own CLI has no roles); a map gives the
 * user's entry, or `[console] default_role` (Viewer unless set) when the user
 * is missing; --as-role may only lower the role, and an unknown role name is
 * an error wherever it is written. Last the action log: one JSON object per
 * line with fixed keys, a file created with mode 0600 whatever the umask,
 * appended to, never followed through a symlink.
 *
 * The user is the login of the test's own uid; SUDO_USER is unset so
 * that the environment the suite runs in does not decide it.
 *
 * Then the trust model (doc/design.md section 4, "Trust model"), through
 * policy_decide() on facts written out here: when SUDO_USER counts (sudo
 * set it: SUDO_UID another uid whose passwd login it is, the process root
 * or the owner of the account's configuration), that a Viewer's SUDO_USER
 * outside sudo does not, when --login counts (an SSH session on the
 * owner, not under sudo) and that it is refused everywhere else; that the
 * account without a configuration of its own fails closed. And the role:
 * acting for another person, no role map does not make anyone Admin; a
 * login listed twice in the map is an error naming it.
 */
#include "config.h"

#include "testutil.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "err.h"
#include "policy.h"

struct fx {
	char		*dir;
	char		 me[256];	/* the login of our uid */
	struct config	*cfg;
	struct policy	 p;
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
	tu_env_clear();
	unsetenv("SUDO_USER");
	f->dir = tu_tmpdir();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	config_free(f->cfg);
	tu_tmpdir_remove(f->dir);
	free(f);
	tu_env_clear();
	return 0;
}

/*
 * Load the policy from the [console] and [webserver] lines in body (a
 * "%1$s" in it is replaced by our login) with --as-role as_role (NULL for
 * none). Returns policy_load()'s result; f->e holds the error.
 */
static int
load(struct fx *f, const char *body, const char *as_role)
{
	char text[1024];
	const char *pct = strstr(body, "%1$s");

	if (pct != NULL)
		snprintf(text, sizeof text, "%.*s%s%s", (int)(pct - body), body,
		    f->me, pct + 4);
	else
		snprintf(text, sizeof text, "%s", body);
	assert_null(strstr(text, "%1$s"));	/* one place at the most */
	config_free(f->cfg);
	f->cfg = tu_config(f->dir, text);
	err_clear(&f->e);
	return policy_load(&f->p, f->cfg, as_role, &f->e);
}

/* As load(), which must succeed. */
static struct policy *
load_ok(struct fx *f, const char *body, const char *as_role)
{
	if (load(f, body, as_role) != 0)
		fail_msg("policy_load: %s", f->e.msg);
	return &f->p;
}

/* -- the matrix ---------------------------------------------------------- */

static const enum policy_action actions[] = {
	POLICY_LIST, POLICY_REVEAL, POLICY_EDIT, POLICY_EXPORT, POLICY_ADMIN,
	POLICY_AUDIT,
};

/*
 * doc/design.md section 4, columns in the order of actions[]: list/open,
 * reveal, add/edit/delete/import, export, encrypt/rotate/key wizard, audit.
 */
static const struct {
	enum role	 role;
	int		 show_password;
	int		 allowed[6];
} matrix[] = {
	{ ROLE_VIEWER, 0, { 1, 0, 0, 0, 0, 1 } },
	{ ROLE_VIEWER, 1, { 1, 0, 0, 0, 0, 1 } },
	{ ROLE_USER, 0, { 1, 0, 0, 0, 0, 1 } },
	{ ROLE_USER, 1, { 1, 0, 0, 0, 0, 1 } },
	{ ROLE_OP, 0, { 1, 0, 1, 0, 0, 1 } },
	{ ROLE_OP, 1, { 1, 1, 1, 1, 0, 1 } },
	{ ROLE_ADMIN, 0, { 1, 1, 1, 1, 1, 1 } },
	{ ROLE_ADMIN, 1, { 1, 1, 1, 1, 1, 1 } },
};

static void
test_matrix(void **state)
{
	struct fx *f = *state;
	size_t i, k;
	char body[256];

	for (i = 0; i < ARRAY_LEN(matrix); i++) {
		const char *name = policy_role_name(matrix[i].role);
		struct policy *p;

		snprintf(body, sizeof body, "[console]\nroles = %%1$s:%s\n"
		    "[webserver]\nshow_connection_password = %s\n", name,
		    matrix[i].show_password ? "True" : "False");
		p = load_ok(f, body, NULL);
		assert_int_equal(p->role, matrix[i].role);
		assert_int_equal(p->show_password, matrix[i].show_password);
		for (k = 0; k < ARRAY_LEN(actions); k++) {
			const char *why = "untouched";
			int want = matrix[i].allowed[k];
			struct err e;

			if (policy_allows(p, actions[k], &why) != want)
				fail_msg("%s, show_connection_password=%d, action %zu: "
				    "expected %s", name, matrix[i].show_password, k,
				    want ? "allowed" : "refused");
			/* A refusal says why; an allowance leaves *why alone. */
			if (want)
				assert_string_equal(why, "untouched");
			else
				assert_true(why != NULL && *why != '\0');
			assert_int_equal(policy_allows(p, actions[k], NULL), want);
			err_clear(&e);
			if (want) {
				assert_int_equal(policy_check(p, actions[k], "act",
				    &e), 0);
				assert_int_equal(e.code, ERR_NONE);
			} else {
				assert_int_equal(policy_check(p, actions[k], "act",
				    &e), -1);
				assert_int_equal(e.code, ERR_DENIED);
				assert_non_null(strstr(e.msg, why));
			}
		}
	}
}

/* The refusal's message names the role, the user and what was tried. */
static void
test_denied_messages(void **state)
{
	struct fx *f = *state;
	struct policy *p;
	struct err e;
	char want[512];

	p = load_ok(f, "[console]\nroles = %1$s:Op\n", NULL);
	err_clear(&e);
	assert_int_equal(policy_check(p, POLICY_REVEAL, "reveal passwords", &e),
	    -1);
	snprintf(want, sizeof want, "role Op (%s) may not reveal passwords: Op "
	    "may do this only when [webserver] show_connection_password is True",
	    f->me);
	assert_string_equal(e.msg, want);

	p = load_ok(f, "[console]\nroles = %1$s:viewer\n", NULL);
	err_clear(&e);
	assert_int_equal(policy_check(p, POLICY_EDIT, "delete connections", &e),
	    -1);
	snprintf(want, sizeof want, "role Viewer (%s) may not delete "
	    "connections: only Op and Admin may change connections", f->me);
	assert_string_equal(e.msg, want);

	p = load_ok(f, "[console]\nroles = %1$s:Op\n[webserver]\n"
	    "show_connection_password = True\n", NULL);
	err_clear(&e);
	assert_int_equal(policy_check(p, POLICY_ADMIN, "rotate the key", &e), -1);
	assert_non_null(strstr(e.msg, "only Admin may manage encryption and "
	    "keys"));
}

/* -- the role ------------------------------------------------------------ */

static void
test_no_role_map_is_admin(void **state)
{
	static const char *const bodies[] = {
		"",
		"[console]\nroles =\n",
		"[console]\nroles = \n",
		/* default_role counts only with a map. */
		"[console]\ndefault_role = Viewer\n",
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(bodies); i++) {
		struct policy *p = load_ok(f, bodies[i], NULL);

		assert_int_equal(p->role, ROLE_ADMIN);
		assert_int_equal(p->own_role, ROLE_ADMIN);
		assert_int_equal(p->from_map, 0);
		assert_int_equal(p->lowered, 0);
		assert_string_equal(p->user, f->me);
	}
	/* The environment names the map as well as the file. */
	assert_int_equal(setenv("AIRFLOW__CONSOLE__ROLES", "nobody-else:Admin",
	    1), 0);
	assert_int_equal(load_ok(f, "", NULL)->role, ROLE_VIEWER);
}

static void
test_role_map(void **state)
{
	struct fx *f = *state;
	struct policy *p;

	/* Our entry, among others, with blanks and any case. */
	p = load_ok(f, "[console]\nroles = alice:Admin, %1$s : oP ,bob:Viewer\n",
	    NULL);
	assert_int_equal(p->role, ROLE_OP);
	assert_int_equal(p->own_role, ROLE_OP);
	assert_int_equal(p->from_map, 1);

	/* Missing from the map: default_role, Viewer unless set. */
	p = load_ok(f, "[console]\nroles = alice:Admin\n", NULL);
	assert_int_equal(p->role, ROLE_VIEWER);
	assert_int_equal(p->from_map, 1);
	p = load_ok(f, "[console]\nroles = alice:Admin\ndefault_role = User\n",
	    NULL);
	assert_int_equal(p->role, ROLE_USER);
	p = load_ok(f, "[console]\nroles = alice:Admin\ndefault_role = op\n",
	    NULL);
	assert_int_equal(p->role, ROLE_OP);

	/* A name is matched whole: a prefix of our login is someone else. */
	{
		char body[512];

		snprintf(body, sizeof body, "[console]\nroles = %.*s:Admin, "
		    "%sx:Admin\n", (int)strlen(f->me) - 1, f->me, f->me);
		assert_int_equal(load_ok(f, body, NULL)->role, ROLE_VIEWER);
	}
}

static void
test_bad_role_config(void **state)
{
	static const struct {
		const char	*body;
		const char	*msg;
	} cases[] = {
		{ "[console]\nroles = alice\n",
		  "[console] roles: 'alice' is not user:Role" },
		/* Someone else's bad entry fails the load too. */
		{ "[console]\nroles = %1$s:Admin, bob:Root\n",
		  "[console] roles: unknown role 'Root' for 'bob' (Viewer, User, "
		  "Op or Admin)" },
		{ "[console]\nroles = alice:Admin\ndefault_role = Guest\n",
		  "[console] default_role: unknown role 'Guest' (Viewer, User, Op "
		  "or Admin)" },
		{ "[console]\nroles = %1$s:Op\n[webserver]\n"
		  "show_connection_password = sometimes\n", "sometimes" },
	};
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (load(f, cases[i].body, NULL) != -1)
			fail_msg("case %zu was accepted", i);
		assert_int_equal(f->e.code, ERR_CONFIG);
		if (strstr(f->e.msg, cases[i].msg) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, f->e.msg,
			    cases[i].msg);
	}
}

/* --as-role: only down (or level), never up, and only real role names. */
static void
test_as_role(void **state)
{
	struct fx *f = *state;
	struct policy *p;
	enum role own, as;
	char body[128], want[512];

	for (own = ROLE_VIEWER; own <= ROLE_ADMIN; own++) {
		snprintf(body, sizeof body, "[console]\nroles = %%1$s:%s\n",
		    policy_role_name(own));
		for (as = ROLE_VIEWER; as <= ROLE_ADMIN; as++) {
			const char *name = policy_role_name(as);

			if (as <= own) {
				p = load_ok(f, body, name);
				assert_int_equal(p->role, as);
				assert_int_equal(p->own_role, own);
				assert_int_equal(p->lowered, as < own);
				continue;
			}
			assert_int_equal(load(f, body, name), -1);
			assert_int_equal(f->e.code, ERR_USAGE);
			snprintf(want, sizeof want, "--as-role may only lower a "
			    "role: %s is %s, not %s", f->me,
			    policy_role_name(own), name);
			assert_string_equal(f->e.msg, want);
		}
	}

	/* Lowered, the role in force decides: Admin as Viewer may not edit. */
	p = load_ok(f, "", "viewer");
	assert_int_equal(p->own_role, ROLE_ADMIN);
	assert_int_equal(p->role, ROLE_VIEWER);
	assert_int_equal(policy_allows(p, POLICY_EDIT, NULL), 0);

	/* Unknown names, whatever one's own role. */
	assert_int_equal(load(f, "", "root"), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	assert_string_equal(f->e.msg, "--as-role: unknown role 'root' (Viewer, "
	    "User, Op or Admin)");
	assert_int_equal(load(f, "", ""), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	assert_int_equal(load(f, "", "Admins"), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
}

static void
test_role_names(void **state)
{
	static const char *const names[] = { "Viewer", "User", "Op", "Admin" };
	enum role r;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(names); i++) {
		assert_string_equal(policy_role_name((enum role)i), names[i]);
		assert_int_equal(policy_role_parse(names[i], &r), 0);
		assert_int_equal(r, (enum role)i);
	}
	assert_int_equal(policy_role_parse("ADMIN", &r), 0);
	assert_int_equal(r, ROLE_ADMIN);
	assert_int_equal(policy_role_parse("Public", &r), -1);
	assert_int_equal(policy_role_parse(" Op", &r), -1);
}

/* -- the action log ------------------------------------------------------ */

/* The lines of the file at path, parsed; *n of them. Caller frees. */
static cJSON **
log_lines(const char *path, size_t *n)
{
	char *text = tu_read(path, NULL), *line, *nl;
	cJSON **v = NULL;

	assert_non_null(text);
	*n = 0;
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			fail_msg("the log does not end with a newline");
		*nl = '\0';
		v = realloc(v, (*n + 1) * sizeof *v);
		assert_non_null(v);
		if ((v[*n] = cJSON_Parse(line)) == NULL)
			fail_msg("not a JSON line: %s", line);
		(*n)++;
	}
	free(text);
	return v;
}

static void
free_lines(cJSON **v, size_t n)
{
	while (n > 0)
		cJSON_Delete(v[--n]);
	free(v);
}

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * The keys a line may hold: all of them are names, roles and what was
 * done. None is a password, an extra or a key; a caller that passed one
 * as conn_id or detail would break policy.h's contract, which the
 * front ends' tests check on the log they write.
 */
static void
check_keys(const cJSON *o)
{
	static const char *const allowed[] = {
		"time", "user", "role", "action", "conn_id", "detail",
	};
	const cJSON *item;

	cJSON_ArrayForEach(item, o) {
		size_t i;

		for (i = 0; i < ARRAY_LEN(allowed); i++)
			if (strcmp(item->string, allowed[i]) == 0)
				break;
		if (i == ARRAY_LEN(allowed))
			fail_msg("unexpected key '%s' in a log line", item->string);
		assert_true(cJSON_IsString(item));
	}
}

static void
test_log_lines(void **state)
{
	struct fx *f = *state;
	struct policy *p;
	struct stat st;
	cJSON **lines;
	char body[4300], path[4200];
	const char *when;
	mode_t old;
	size_t n, i;
	struct err e;

	snprintf(path, sizeof path, "%s/actions.log", f->dir);
	snprintf(body, sizeof body, "[console]\nroles = %%1$s:Admin\n"
	    "action_log = %s\n", path);
	p = load_ok(f, body, "Op");
	assert_string_equal(p->log_path, path);

	/* Created 0600 even with a umask that lets everything through. */
	old = umask(0);
	err_clear(&e);
	assert_int_equal(policy_log(p, "reveal", "my_db", "console", &e), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	/* Appended; conn_id and detail left out when NULL. */
	assert_int_equal(policy_log(p, "rotate-fernet-key", NULL, NULL, &e), 0);
	/* Quotes and a newline stay inside one line. */
	assert_int_equal(policy_log(p, "add", "we\"ird\nid", "a\tb", &e), 0);
	assert_int_equal(e.code, ERR_NONE);

	lines = log_lines(path, &n);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		check_keys(lines[i]);
		assert_string_equal(str(lines[i], "user"), f->me);
		/* The role in force, not the own one. */
		assert_string_equal(str(lines[i], "role"), "Op");
		/* UTC, to the second: 2024-05-01T12:00:00Z. */
		when = str(lines[i], "time");
		assert_non_null(when);
		if (when == NULL)
			return;
		assert_int_equal(strlen(when), 20);
		assert_true(when[4] == '-' && when[7] == '-' && when[10] == 'T' &&
		    when[13] == ':' && when[16] == ':' && when[19] == 'Z');
	}
	assert_string_equal(str(lines[0], "action"), "reveal");
	assert_string_equal(str(lines[0], "conn_id"), "my_db");
	assert_string_equal(str(lines[0], "detail"), "console");
	assert_string_equal(str(lines[1], "action"), "rotate-fernet-key");
	assert_null(cJSON_GetObjectItem(lines[1], "conn_id"));
	assert_null(cJSON_GetObjectItem(lines[1], "detail"));
	assert_string_equal(str(lines[2], "conn_id"), "we\"ird\nid");
	assert_string_equal(str(lines[2], "detail"), "a\tb");
	free_lines(lines, n);
}

static void
test_log_refusals(void **state)
{
	struct fx *f = *state;
	struct policy *p;
	char body[4300], path[4200], target[4200], want[4400];
	char *before;
	struct err e;

	/* Unset, the log is ferncon-actions.log in AIRFLOW_HOME. */
	snprintf(path, sizeof path, "%s/ferncon-actions.log", f->dir);
	assert_string_equal(load_ok(f, "", NULL)->log_path, path);

	/* Set empty: nothing is written, and that is not an error. */
	p = load_ok(f, "[console]\naction_log =\n", NULL);
	assert_string_equal(p->log_path, "");
	err_clear(&e);
	assert_int_equal(policy_log(p, "delete", "x", NULL, &e), 0);
	assert_int_equal(access(path, F_OK), -1);

	/* A symlink in place of the log is refused; its target is untouched. */
	snprintf(target, sizeof target, "%s/elsewhere", f->dir);
	free(tu_write(f->dir, "elsewhere", "keep\n", 0600));
	snprintf(path, sizeof path, "%s/link.log", f->dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(body, sizeof body, "[console]\naction_log = %s\n", path);
	p = load_ok(f, body, NULL);
	err_clear(&e);
	assert_int_equal(policy_log(p, "delete", "x", NULL, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	snprintf(want, sizeof want, "cannot write the action log '%s': %s", path,
	    strerror(ELOOP));
	assert_string_equal(e.msg, want);
	before = tu_read(target, NULL);
	assert_string_equal(before, "keep\n");
	free(before);

	/* A directory that does not exist. */
	snprintf(path, sizeof path, "%s/no/such/dir/actions.log", f->dir);
	snprintf(body, sizeof body, "[console]\naction_log = %s\n", path);
	p = load_ok(f, body, NULL);
	err_clear(&e);
	assert_int_equal(policy_log(p, "delete", "x", NULL, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, strerror(ENOENT)));
}

/* -- the trust model ----------------------------------------------------- */

/* Facts for "ferncon runs as airflow (uid 998), which owns its config". */
static struct policy_facts
facts(void)
{
	struct policy_facts f;

	memset(&f, 0, sizeof f);
	f.uid = 998;
	f.account = "airflow";
	f.config = "/home/airflow/airflow/airflow.cfg";
	f.owner = POLICY_OWNS;
	f.sudo_user_uid = -1;
	return f;
}

static void
test_identity_sudo(void **state)
{
	struct fx *f = *state;
	struct policy_facts in = facts();
	struct policy_identity id;

	/* No sudo, no SSH: the account itself, unrestricted. */
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "airflow");
	assert_int_equal(id.source, POLICY_ID_UID);
	assert_false(id.restricted);

	/* `sudo -u airflow` by alice (1001): alice, restricted. */
	in.sudo_user = "alice";
	in.sudo_uid = "1001";
	in.sudo_user_uid = 1001;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "alice");
	assert_string_equal(id.account, "airflow");
	assert_int_equal(id.source, POLICY_ID_SUDO);
	assert_true(id.restricted);
	assert_string_equal(id.note, "");

	/* As root too, whatever root owns. */
	in.uid = 0;
	in.account = "root";
	in.owner = POLICY_OWNS_MISSING;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "alice");
	assert_true(id.restricted);
	in = facts();
	in.sudo_user = "alice";
	in.sudo_uid = "1001";
	in.sudo_user_uid = 1001;

	/* SUDO_USER that is not SUDO_UID's login: ignored, and said. */
	in.sudo_user_uid = 1002;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "airflow");
	assert_false(id.restricted);
	assert_non_null(strstr(id.note, "SUDO_USER=alice ignored"));
	in.sudo_user_uid = 1001;

	/* SUDO_UID missing, not a number, or this account's own uid. */
	in.sudo_uid = NULL;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_false(id.restricted);
	in.sudo_uid = "1001x";
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_false(id.restricted);
	in.sudo_uid = "-1";
	in.sudo_user_uid = -1;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_false(id.restricted);
	in.sudo_uid = "998";
	in.sudo_user_uid = 998;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "airflow");
	assert_false(id.restricted);
}

static void
test_identity_spoof(void **state)
{
	struct fx *f = *state;
	struct policy_facts in = facts();
	struct policy_identity id;

	/*
	 * A Viewer (carol, 1003) outside sudo sets SUDO_USER=alice and
	 * SUDO_UID=1001, both right: carol runs as herself, and does not own
	 * the configuration (the service account's, which she may read).
	 */
	in.uid = 1003;
	in.account = "carol";
	in.owner = POLICY_OWNS_NOT;
	in.sudo_user = "alice";
	in.sudo_uid = "1001";
	in.sudo_user_uid = 1001;
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "carol");
	assert_int_equal(id.source, POLICY_ID_UID);
	assert_false(id.restricted);
	assert_non_null(strstr(id.note, "carol does not own"));

	/* Sudo's variables right, but no configuration to restrict to. */
	in.owner = POLICY_OWNS_MISSING;
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_non_null(strstr(f->e.msg, "does not exist"));
}

static void
test_identity_login(void **state)
{
	struct fx *f = *state;
	struct policy_facts in = facts();
	struct policy_identity id;
	static const char *const bad[] = { "", "-x", "a b", "a/b", "a:b",
	    "a\nb", "al\033[1mice" };
	char long_name[300];
	size_t i;

	/* An SSH forced command on the account: the key's --login. */
	in.ssh_connection = "192.0.2.1 50000 192.0.2.2 22";
	in.login_arg = "alice";
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "alice");
	assert_int_equal(id.source, POLICY_ID_SSH);
	assert_true(id.restricted);

	/* Outside SSH: refused, never ignored. */
	in.ssh_connection = NULL;
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	assert_non_null(strstr(f->e.msg, "--login is refused"));
	in.ssh_connection = "";
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);

	/* Under sudo: the person is SUDO_USER, --login is refused. */
	in.ssh_connection = "192.0.2.1 50000 192.0.2.2 22";
	in.sudo_user = "carol";
	in.sudo_uid = "1003";
	in.sudo_user_uid = 1003;
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	assert_non_null(strstr(f->e.msg, "under sudo the person is SUDO_USER"));
	in.sudo_user = NULL;
	in.sudo_uid = NULL;

	/* On an account that does not own the configuration (a user's own). */
	in.uid = 1003;
	in.account = "carol";
	in.owner = POLICY_OWNS_NOT;
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	in.owner = POLICY_OWNS_MISSING;
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	in = facts();
	in.ssh_connection = "192.0.2.1 50000 192.0.2.2 22";

	/* Names that are not logins. */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		in.login_arg = bad[i];
		assert_int_equal(policy_decide(&in, &id, &f->e), -1);
		assert_int_equal(f->e.code, ERR_USAGE);
	}
	memset(long_name, 'a', sizeof long_name - 1);
	long_name[sizeof long_name - 1] = '\0';
	in.login_arg = long_name;
	assert_int_equal(policy_decide(&in, &id, &f->e), -1);
	in.login_arg = "j.doe@example-1_x";
	assert_int_equal(policy_decide(&in, &id, &f->e), 0);
	assert_string_equal(id.login, "j.doe@example-1_x");
}

/* This process: root with sudo's variables for a real login, or not. */
static void
test_identify_process(void **state)
{
	struct fx *f = *state;
	struct policy_identity id;
	struct passwd *pw = getpwnam("nobody");
	char uid[32];

	assert_int_equal(policy_identify(NULL, &id, &f->e), 0);
	assert_string_equal(id.login, f->me);
	assert_false(id.restricted);
	if (getuid() != 0 || pw == NULL) {
		/* Only root may be told apart from a spoof here; not root. */
		return;
	}
	snprintf(uid, sizeof uid, "%u", (unsigned)pw->pw_uid);
	setenv("SUDO_USER", "nobody", 1);
	setenv("SUDO_UID", uid, 1);
	assert_int_equal(policy_identify(NULL, &id, &f->e), 0);
	assert_string_equal(id.login, "nobody");
	assert_int_equal(id.source, POLICY_ID_SUDO);
	assert_true(id.restricted);
	setenv("SUDO_UID", "0", 1);	/* root's own: not another person */
	assert_int_equal(policy_identify(NULL, &id, &f->e), 0);
	assert_string_equal(id.login, f->me);
	unsetenv("SUDO_USER");
	unsetenv("SUDO_UID");
}

/* Restricted, no role map: default_role, not Admin; a twice-listed login. */
static void
test_restricted_roles(void **state)
{
	struct fx *f = *state;
	struct policy_identity id;

	memset(&id, 0, sizeof id);
	snprintf(id.login, sizeof id.login, "alice");
	snprintf(id.account, sizeof id.account, "airflow");
	id.source = POLICY_ID_SUDO;
	id.restricted = 1;
	config_free(f->cfg);
	f->cfg = tu_config(f->dir, "[core]\nfernet_key =\n");
	assert_int_equal(policy_load_as(&f->p, f->cfg, &id, NULL, &f->e), 0);
	assert_int_equal(f->p.role, ROLE_VIEWER);
	assert_string_equal(f->p.user, "alice");
	assert_false(f->p.from_map);
	assert_non_null(strstr(policy_role_reason(&f->p), "not Admin"));
	config_free(f->cfg);
	f->cfg = tu_config(f->dir, "[console]\ndefault_role = Op\n");
	assert_int_equal(policy_load_as(&f->p, f->cfg, &id, NULL, &f->e), 0);
	assert_int_equal(f->p.role, ROLE_OP);
	config_free(f->cfg);
	f->cfg = tu_config(f->dir, "[console]\nroles = alice:Admin\n");
	assert_int_equal(policy_load_as(&f->p, f->cfg, &id, NULL, &f->e), 0);
	assert_int_equal(f->p.role, ROLE_ADMIN);
	assert_string_equal(policy_role_reason(&f->p), "from [console] roles");

	/* Unrestricted, no map: Admin, as before. */
	id.restricted = 0;
	config_free(f->cfg);
	f->cfg = tu_config(f->dir, "[core]\nfernet_key =\n");
	assert_int_equal(policy_load_as(&f->p, f->cfg, &id, NULL, &f->e), 0);
	assert_int_equal(f->p.role, ROLE_ADMIN);

	/* A login twice, whoever runs: an error that names it. */
	assert_int_equal(load(f, "[console]\nroles = bob:Viewer, alice:Op, "
	    "bob:Admin\n", NULL), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_non_null(strstr(f->e.msg, "'bob' is listed more than once"));
	assert_int_equal(load(f, "[console]\nroles = %1$s:Viewer, "
	    "alice:Op\n", NULL), 0);
	{
		char body[1024];

		snprintf(body, sizeof body, "[console]\nroles = %s:Viewer, "
		    "%s :Admin\n", f->me, f->me);
		assert_int_equal(load(f, body, NULL), -1);
		assert_non_null(strstr(f->e.msg, f->me));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_matrix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denied_messages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_role_map_is_admin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_role_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_role_config, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_as_role, setup, teardown),
		cmocka_unit_test(test_role_names),
		cmocka_unit_test_setup_teardown(test_log_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_sudo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_identity_spoof, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_identity_login, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_identify_process, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restricted_roles, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_log_refusals, setup,
		    teardown),
	};

	tu_init();
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
