/*
 * test_session_life.c: the lifecycle use cases of the session
 * (src/session_life.c) on a real Airflow DB and a session built from a
 * temporary airflow.cfg with a role map naming our login. Refused (a role
 * below Admin, by the map or lowered by --as-role): ERR_DENIED, the rows
 * and airflow.cfg as they were, no action-log line. Allowed: the change is
 * made and exactly one line is logged, with the user, role, action and
 * detail of the front end that asked. A rotation that a trigger stops
 * half-way leaves every value as it was and logs nothing. A job keeps the
 * key list it started with across a reload.
 */
#include "config.h"

#include "testutil.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "fernet.h"
#include "keyring.h"
#include "session.h"
#include "testdb.h"

struct fx {
	char		*dir;
	char		*cfgpath;
	char		*logpath;
	char		 me[256];
	char		 k1[FERNET_KEY_B64LEN + 1];	/* primary */
	char		 k2[FERNET_KEY_B64LEN + 1];	/* old, in the ring */
	char		 k3[FERNET_KEY_B64LEN + 1];	/* lost, not in the ring */
	struct tdb	 db;
	struct session	*s;
	struct err	 e, log_err;
};

/* airflow.cfg: the ring k1,k2, our login as role, the action log. */
static void
write_cfg(struct fx *f, const char *role)
{
	char text[2048], *path;

	snprintf(text, sizeof text, "[core]\nfernet_key = %s,%s\n[console]\n"
	    "roles = %s:%s\naction_log = %s\n[webserver]\n"
	    "show_connection_password = True\n", f->k1, f->k2, f->me, role,
	    f->logpath);
	path = tu_write(f->dir, "airflow.cfg", text, 0600);
	if (f->cfgpath == NULL)
		f->cfgpath = path;
	else
		free(path);
}

/* A token of msg under key (static buffer, valid until the next call). */
static const char *
tok(const char *key, const char *msg)
{
	static char out[1024];
	struct keyring *kr;
	struct err e;
	size_t n;

	assert_int_equal(keyring_parse(&kr, key, strlen(key), NULL, &e), 0);
	assert_int_equal(keyring_encrypt(kr, msg, strlen(msg), out,
	    sizeof out - 1, &n, &e), 0);
	out[n] = '\0';
	keyring_free(kr);
	return out;
}

static void
insert_conn(struct fx *f, const char *id, const char *pw, int pw_flag)
{
	const char *v[3] = { id, pw, pw_flag ? "1" : "0" };

	tdb_exec_params(&f->db, "INSERT INTO connection (conn_id, conn_type, "
	    "password, is_encrypted, is_extra_encrypted) VALUES (?, 'http', ?, "
	    "?, '0')", 3, v);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct passwd *pw = getpwuid(getuid());
	char path[4200];

	assert_non_null(f);
	assert_non_null(pw);
	snprintf(f->me, sizeof f->me, "%s", pw->pw_name);
	tu_unsetenv_prefix("AIRFLOW");
	unsetenv("SUDO_USER");
	f->dir = tu_tmpdir();
	assert_int_equal(setenv("HOME", f->dir, 1), 0);
	snprintf(path, sizeof path, "%s/actions.log", f->dir);
	f->logpath = strdup(path);
	assert_non_null(f->logpath);
	keyring_generate(f->k1);
	keyring_generate(f->k2);
	keyring_generate(f->k3);
	write_cfg(f, "Admin");
	tdb_create(&f->db, f->dir, "3.2");
	insert_conn(f, "c1", tok(f->k2, "pw-one"), 1);
	insert_conn(f, "c2", tok(f->k2, "pw-two"), 1);
	insert_conn(f, "c3", "plain-three", 0);
	err_clear(&f->e);
	assert_int_equal(session_new(&f->s, &f->e), 0);
	f->s->opts.config_file = f->cfgpath;
	f->s->opts.airflow_home = f->dir;
	f->s->opts.db_url = f->db.url;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	session_free(f->s);
	free(f->cfgpath);
	free(f->logpath);
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* Lines in the action log (0 when it does not exist). */
static size_t
log_lines(struct fx *f)
{
	size_t len, i, n = 0;
	char *text;

	if (access(f->logpath, F_OK) != 0)
		return 0;
	text = tu_read(f->logpath, &len);
	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

/* The only line of the log must say user, role, action and detail. */
static void
assert_one_line(struct fx *f, const char *action, const char *detail_start)
{
	size_t len;
	char *text;
	cJSON *o;

	assert_int_equal(log_lines(f), 1);
	text = tu_read(f->logpath, &len);
	o = cJSON_Parse(text);
	assert_non_null(o);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "user")),
	    f->me);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o, "role")),
	    "Admin");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(o,
	    "action")), action);
	assert_null(cJSON_GetObjectItem(o, "conn_id"));
	assert_true(strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(o,
	    "detail")), detail_start, strlen(detail_start)) == 0);
	cJSON_Delete(o);
	free(text);
}

/* Every use case refuses a role below Admin, and touches nothing. */
static void
refused_as(struct fx *f)
{
	struct lifecycle_probe *pr = calloc(1, sizeof *pr);
	struct cfgwrite_plan *plan = calloc(1, sizeof *plan);
	struct session_job *j = NULL;
	char *rows = tdb_dump(&f->db), *after, *cfg, *cfg_after, key[64];
	size_t len;

	assert_non_null(pr);
	assert_non_null(plan);
	cfg = tu_read(f->cfgpath, &len);
	assert_int_equal(session_job_open(f->s, "rotate the Fernet key", NULL,
	    &j, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_non_null(strstr(f->e.msg, "rotate the Fernet key"));
	assert_null(j);
	err_clear(&f->e);
	assert_int_equal(session_key_generate(f->s, key, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	err_clear(&f->e);
	assert_int_equal(session_key_write(f->s, SESSION_KEY_PREPEND, f->k3,
	    strlen(f->k3), plan, &f->log_err, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	err_clear(&f->e);
	assert_int_equal(session_key_write(f->s, SESSION_KEY_APPEND, f->k3,
	    strlen(f->k3), plan, &f->log_err, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_non_null(strstr(f->e.msg, "change the key list"));
	after = tdb_dump(&f->db);
	assert_string_equal(rows, after);
	cfg_after = tu_read(f->cfgpath, &len);
	assert_string_equal(cfg, cfg_after);
	assert_int_equal(log_lines(f), 0);
	free(rows);
	free(after);
	free(cfg);
	free(cfg_after);
	free(pr);
	free(plan);
}

static void
test_refused_by_map(void **state)
{
	struct fx *f = *state;

	write_cfg(f, "Op");
	refused_as(f);
}

static void
test_refused_by_as_role(void **state)
{
	struct fx *f = *state;

	f->s->as_role = "op";
	refused_as(f);
}

/* The audit is open to every role: a Viewer starts one, nothing logged. */
static void
test_audit_any_role(void **state)
{
	struct fx *f = *state;
	struct audit_opts o;
	struct audit *a = NULL;

	write_cfg(f, "Viewer");
	memset(&o, 0, sizeof o);
	o.no_hash = 1;
	assert_int_equal(session_audit_new(f->s, &o, &a, &f->e), 0);
	assert_non_null(a);
	audit_free(a);
	assert_int_equal(log_lines(f), 0);
}

static void
test_rotate(void **state)
{
	struct fx *f = *state;
	struct lifecycle_preflight *pf = calloc(1, sizeof *pf);
	struct lifecycle_result *res = calloc(1, sizeof *res);
	struct session_job *j = NULL;

	assert_non_null(pf);
	assert_non_null(res);
	if (session_job_open(f->s, "rotate the Fernet key", NULL, &j, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(session_job_preflight(j, pf, &f->e), 0);
	assert_int_equal(pf->tokens, 2);
	assert_int_equal(log_lines(f), 0);	/* a preflight only reads */
	if (session_job_rotate(j, 0, res, &f->log_err, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_true(res->committed);
	assert_true(res->verify.ok);
	assert_int_equal(res->total_changed, 2);
	assert_int_equal(f->log_err.code, ERR_NONE);
	assert_one_line(f, "rotate-fernet-key", "rotated 2 values, skipped 0 "
	    "undecryptable, verify ok");
	session_job_free(j);
	free(pf);
	free(res);
}

/* The console's words; and the job on its own store connection. */
static void
test_encrypt_console(void **state)
{
	struct fx *f = *state;
	struct lifecycle_result *res = calloc(1, sizeof *res);
	struct session_job_opts o;
	struct session_job *j = NULL;
	char *flag;

	assert_non_null(res);
	memset(&o, 0, sizeof o);
	o.via = "console";
	o.own_store = 1;
	if (session_job_open(f->s, "encrypt plaintext values", &o, &j,
	    &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_ptr_not_equal(j->store, f->s->store);
	if (session_job_encrypt(j, res, &f->log_err, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(res->total_changed, 1);
	flag = tdb_query(&f->db, "SELECT is_encrypted FROM connection WHERE "
	    "conn_id = 'c3'");
	assert_string_equal(flag, tdb_pg() ? "t" : "1");
	free(flag);
	assert_one_line(f, "encrypt-plaintext", "console: 1 encrypted");
	session_job_free(j);
	free(res);
}

/* A row refused half-way: every value as it was, nothing logged. */
static void
test_rotate_failure(void **state)
{
	struct fx *f = *state;
	struct lifecycle_result *res = calloc(1, sizeof *res);
	struct session_job *j = NULL;
	char *before, *after;

	assert_non_null(res);
	if (tdb_pg())
		tdb_exec(&f->db, "CREATE FUNCTION refuse_c2() RETURNS trigger "
		    "LANGUAGE plpgsql AS $$ BEGIN IF NEW.conn_id = 'c2' THEN "
		    "RAISE EXCEPTION 'refused by a test trigger'; END IF; RETURN "
		    "NEW; END $$; CREATE TRIGGER refuse_c2 BEFORE UPDATE ON "
		    "connection FOR EACH ROW EXECUTE FUNCTION refuse_c2()");
	else
		tdb_exec(&f->db, "CREATE TRIGGER refuse_c2 BEFORE UPDATE ON "
		    "connection WHEN NEW.conn_id = 'c2' BEGIN SELECT RAISE(ABORT, "
		    "'refused by a test trigger'); END");
	before = tdb_dump(&f->db);
	if (session_job_open(f->s, "rotate the Fernet key", NULL, &j, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(session_job_rotate(j, 0, res, &f->log_err, &f->e), -1);
	assert_false(res->committed);
	assert_non_null(strstr(f->e.msg, "refused by a test trigger"));
	after = tdb_dump(&f->db);
	assert_string_equal(before, after);
	assert_int_equal(log_lines(f), 0);
	session_job_free(j);
	free(before);
	free(after);
	free(res);
}

static void
test_probe(void **state)
{
	struct fx *f = *state;
	struct lifecycle_probe *pr = calloc(1, sizeof *pr);
	struct session_job *j = NULL;
	char cands[128];

	assert_non_null(pr);
	insert_conn(f, "lost", tok(f->k3, "pw-lost"), 1);
	snprintf(cands, sizeof cands, "%s\n", f->k3);
	if (session_job_open(f->s, "probe keys", NULL, &j, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	if (session_job_probe(j, cands, strlen(cands), pr, &f->log_err,
	    &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(pr->unopened, 1);
	assert_int_equal(pr->opened[0], 1);
	assert_one_line(f, "key-probe", "probed candidate keys");
	session_job_free(j);
	free(pr);
}

/* The key list's ring after a write: count and which key is first/last. */
static void
assert_ring(struct fx *f, size_t n, const char *first, const char *last)
{
	struct keyring *kr = f->s->keys->kr;
	const char *v = f->s->keys->origin.value;
	size_t len = f->s->keys->origin.len, kl = strlen(first);

	assert_non_null(kr);
	assert_int_equal(keyring_count(kr), n);
	assert_true(len >= kl && memcmp(v, first, kl) == 0);
	kl = strlen(last);
	assert_true(len >= kl && memcmp(v + len - kl, last, kl) == 0);
}

/*
 * The wizard's writes and the probe's add: airflow.cfg rewritten, the keys
 * read again, one line each; a job opened before keeps its key list.
 */
static void
test_key_write(void **state)
{
	struct fx *f = *state;
	struct lifecycle_preflight *pf = calloc(1, sizeof *pf);
	struct cfgwrite_plan *plan = calloc(1, sizeof *plan);
	struct session_job *j = NULL;
	char key[FERNET_KEY_B64LEN + 1];

	assert_non_null(pf);
	assert_non_null(plan);
	if (session_key_generate(f->s, key, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(strlen(key), FERNET_KEY_B64LEN);
	assert_int_equal(log_lines(f), 0);
	if (session_job_open(f->s, "rotate the Fernet key", NULL, &j, &f->e) != 0)
		fail_msg("%s", f->e.msg);

	if (session_key_write(f->s, SESSION_KEY_PREPEND, key, strlen(key), plan,
	    &f->log_err, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_ring(f, 3, key, f->k2);
	assert_one_line(f, "key-wizard", "wrote new,old");
	assert_string_equal(plan->path, f->cfgpath);

	/* The job still has the two keys it started with. */
	assert_int_equal(session_job_preflight(j, pf, &f->e), 0);
	assert_int_equal(pf->nkeys, 2);
	session_job_free(j);

	assert_int_equal(remove(f->logpath), 0);
	if (session_key_write(f->s, SESSION_KEY_ALONE, key, strlen(key), plan,
	    &f->log_err, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_ring(f, 1, key, key);
	assert_one_line(f, "key-wizard", "dropped the old keys");

	assert_int_equal(remove(f->logpath), 0);
	if (session_key_write(f->s, SESSION_KEY_APPEND, f->k3, strlen(f->k3),
	    plan, &f->log_err, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_ring(f, 2, key, f->k3);
	assert_one_line(f, "key-probe", "added a found key to the end");
	free(pf);
	free(plan);
}

/* A key the ring does not accept: nothing written, nothing logged. */
static void
test_key_write_bad(void **state)
{
	struct fx *f = *state;
	struct cfgwrite_plan *plan = calloc(1, sizeof *plan);
	char *cfg, *cfg_after;
	size_t len;

	assert_non_null(plan);
	cfg = tu_read(f->cfgpath, &len);
	assert_int_equal(session_key_write(f->s, SESSION_KEY_PREPEND, "nope", 4,
	    plan, &f->log_err, &f->e), -1);
	assert_int_not_equal(f->e.code, ERR_NONE);
	cfg_after = tu_read(f->cfgpath, &len);
	assert_string_equal(cfg, cfg_after);
	assert_int_equal(log_lines(f), 0);
	free(cfg);
	free(cfg_after);
	free(plan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused_by_map, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refused_by_as_role, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_audit_any_role, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_encrypt_console, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rotate_failure, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_write_bad, setup,
		    teardown),
	};

	tu_init();
	return cmocka_run_group_tests_name(tdb_pg() ? "session_life (postgresql)" :
	    "session_life", tests, NULL, NULL);
}
