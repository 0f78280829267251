/*
 * test_nomem.c: every core module with every allocation failing in turn
 * (SQLite's malloc tests; HACKING.md section 2, rule 21). For each module a
 * scenario runs once with no failure to count its allocations (N), then once
 * for each k in 1..N with allocation k failing (failmalloc.h). Each run must
 * either succeed (the allocation was optional, e.g. a cache) or return -1
 * with ERR_NOMEM and a message; it must not crash, and afterwards as many
 * blocks are live as before it (nothing leaked). The store, lifecycle and
 * cfgwrite scenarios also check that a failed run left the DB or the file as
 * it was. When N is larger than MAX_RUNS, every (N / MAX_RUNS)th k is tried,
 * always including 1 and N, and the test says so in a TAP comment.
 *
 * Allocations made inside SQLite, libpq, PCRE2, libyaml and OpenSSL are
 * not counted (they are shared libraries, see failmalloc.h); the core's
 * own, libsodium's sodium_malloc() and cJSON's (through core_init()'s
 * hooks) are.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "audit.h"
#include "buf.h"
#include "cfg.h"
#include "cfgwrite.h"
#include "conn.h"
#include "failmalloc.h"
#include "fernet.h"
#include "keyring.h"
#include "lifecycle.h"
#include "mask.h"
#include "policy.h"
#include "pyjson.h"
#include "store.h"
#include "testdb.h"
#include "testutil.h"
#include "transfer.h"
#include "uri.h"

#define K1	"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define K2	"Ef0rZ3oUCJ4EhJ_ez-5tAJh9lHQT7a8Bv9j7B8Ok8GM="
#define RING	K1 "," K2

/* Fault runs per scenario at most; more allocations are sampled. */
#define MAX_RUNS	400

static const struct airflow_version v_new = { 0, 0, 0 };

struct fx {
	char		*dir;
	char		*cfg_path;	/* $dir/airflow.cfg */
	struct tdb	 t;		/* SQLite, in dir */
	char		*pristine;	/* the DB file as made by setup */
	size_t		 pristine_len;
	char		*cfg_text;	/* airflow.cfg as written by setup */
	int		 committed;	/* the run failed after its COMMIT */
	crypto_generichash_state result;	/* what a run produced (note()) */
};

/* What a scenario runs: 0, or -1 with e set. */
typedef int (*scenario_fn)(struct fx *f, struct err *e);

/*
 * Add what a scenario produced to the run's result: a run that succeeds
 * with an allocation failing must produce what the run without failures
 * did (an allocation may be optional, its result may not be wrong).
 */
static void
note(struct fx *f, const void *p, size_t len)
{
	crypto_generichash_update(&f->result, p, len);
	crypto_generichash_update(&f->result, (const unsigned char *)"\0", 1);
}

static void
notes(struct fx *f, const char *s)
{
	note(f, s ? s : "(null)", strlen(s ? s : "(null)"));
}

/* -- fixture ------------------------------------------------------------- */

static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		fail_msg("cannot write %s", path);
}

/* Put the DB and airflow.cfg back as setup made them. */
static void
fx_reset(struct fx *f)
{
	write_file(f->t.path, f->pristine, f->pristine_len);
	write_file(f->cfg_path, f->cfg_text, strlen(f->cfg_text));
}

/* The DB's secrets and flags and airflow.cfg, as one string; caller frees. */
static char *
fx_state(struct fx *f)
{
	char *db = tdb_dump(&f->t), *cfg = tu_read(f->cfg_path, NULL), *s;

	if (asprintf(&s, "%s\n--\n%s", db, cfg ? cfg : "(none)") < 0)
		abort();
	free(db);
	free(cfg);
	return s;
}

/* A token of msg under key (static buffer). */
static const char *
token(const char *key, const char *msg)
{
	static char out[4096];
	struct keyring *kr;
	struct err e;
	size_t n = 0;

	if (keyring_parse(&kr, key, strlen(key), NULL, &e) != 0 ||
	    keyring_encrypt(kr, msg, strlen(msg), out, sizeof out - 1, &n,
	    &e) != 0)
		fail_msg("token: %s", e.msg);
	out[n] = '\0';
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
	    "host, password, is_encrypted, extra, is_extra_encrypted) VALUES "
	    "(?, 'postgres', 'db.example', ?, ?, ?, ?)", 5, v);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	const char *v[3];
	char *tok2;

	f->dir = tu_tmpdir();
	tdb_create(&f->t, f->dir, "3.2");
	/* Encrypted rows under K2 (rotate rewrites them under K1) and plain ones. */
	tok2 = strdup(token(K2, "s3cret"));
	insert_conn(f, "enc", tok2, 1, token(K2,
	    "{\"token\": \"ghp_0123456789abcdefABCDEF0123456789abcd\", "
	    "\"n\": 3, \"l\": [1, {\"password\": \"x\"}]}"), 1);
	insert_conn(f, "plain", "pw", 0, "{\"api_key\": \"AKIAABCDEFGHIJKLMNOP\", "
	    "\"timeout\": 10}", 0);
	insert_conn(f, "other", NULL, 0, NULL, 0);
	v[0] = "v_enc";
	v[1] = tok2;
	v[2] = "1";
	tdb_exec_params(&f->t, "INSERT INTO variable (key, val, is_encrypted) "
	    "VALUES (?, ?, ?)", 3, v);
	v[0] = "v_plain";
	v[1] = "aws_secret_access_key=abcdefghijABCDEFGHIJ0123456789abcdefghij";
	v[2] = "0";
	tdb_exec_params(&f->t, "INSERT INTO variable (key, val, is_encrypted) "
	    "VALUES (?, ?, ?)", 3, v);
	free(tok2);
	f->pristine = tu_read(f->t.path, &f->pristine_len);
	assert_non_null(f->pristine);
	if (asprintf(&f->cfg_text,
	    "[core]\n"
	    "fernet_key = " RING "\n"
	    "sensitive_var_conn_names = comment, ,x_auth\n"
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:///%s\n"
	    "[webserver]\n"
	    "base_url = http://localhost:8080\n"
	    "[console]\n"
	    "roles = nobody:Viewer\n"
	    "action_log = %s/actions.log\n", f->t.path, f->dir) < 0)
		abort();
	if (asprintf(&f->cfg_path, "%s/airflow.cfg", f->dir) < 0)
		abort();
	write_file(f->cfg_path, f->cfg_text, strlen(f->cfg_text));
	unsetenv("AIRFLOW__CORE__FERNET_KEY");
	unsetenv("AIRFLOW__CORE__FERNET_KEY_CMD");
	unsetenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN");
	unsetenv("AIRFLOW_CONFIG");
	setenv("AIRFLOW_HOME", f->dir, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	tu_tmpdir_remove(f->dir);
	free(f->pristine);
	free(f->cfg_text);
	free(f->cfg_path);
	free(f);
	return 0;
}

/* -- the fault loop ------------------------------------------------------ */

/*
 * Run scenario once without failures, then with allocation k failing for
 * each k (sampled above MAX_RUNS). check_state: a failed run must leave
 * the DB and airflow.cfg as they were.
 */
static void
fault_loop(struct fx *f, const char *name, scenario_fn run, int check_state)
{
	unsigned char want[32], got[32];
	unsigned long n, k, step, first, runs = 0, nomem = 0, ok = 0;
	size_t base;
	char *before, *after;
	struct err e;
	int rc;

	fx_reset(f);
	/* The thread's Fernet scratch, left by earlier tests, is not ours. */
	fernet_thread_cleanup();
	base = failmalloc_live();
	crypto_generichash_init(&f->result, NULL, 0, sizeof want);
	failmalloc_arm(0, 0);
	err_clear(&e);
	if (run(f, &e) != 0)
		fail_msg("%s: fails with no allocation failing: %s", name, e.msg);
	n = failmalloc_count();
	crypto_generichash_final(&f->result, want, sizeof want);
	if (failmalloc_live() != base)
		fail_msg("%s: %zu blocks leaked with no allocation failing", name,
		    failmalloc_live() - base);
	if (n == 0)
		fail_msg("%s: no allocation counted (is the link wrapped?)", name);
	step = n > MAX_RUNS ? n / MAX_RUNS : 1;
	/* TEST_NOMEM_K=k runs that one fault run (to debug it). */
	first = getenv("TEST_NOMEM_K") ? strtoul(getenv("TEST_NOMEM_K"), NULL, 10) : 1;
	if (first != 1)
		n = first;
	for (k = first; k <= n; k = (k < n && k + step > n) ? n : k + step) {
		fx_reset(f);
		before = check_state ? fx_state(f) : NULL;
		base = failmalloc_live();
		err_clear(&e);
		f->committed = 0;
		crypto_generichash_init(&f->result, NULL, 0, sizeof got);
		failmalloc_arm(k, 0);
		rc = run(f, &e);
		failmalloc_disarm();
		crypto_generichash_final(&f->result, got, sizeof got);
		runs++;
		if (rc != 0 && e.code != ERR_NOMEM)
			fail_msg("%s: allocation %lu of %lu failing: error %d, "
			    "not ERR_NOMEM: %s (%s:%d)", name, k, n, (int)e.code,
			    e.msg, e.file ? e.file : "?", e.line);
		if (rc != 0 && e.msg[0] == '\0')
			fail_msg("%s: allocation %lu of %lu failing: no message",
			    name, k, n);
		if (failmalloc_live() != base)
			fail_msg("%s: allocation %lu of %lu failing: %zu blocks "
			    "leaked (%s)", name, k, n, failmalloc_live() - base,
			    rc == 0 ? "it succeeded" : e.msg);
		if (rc != 0) {
			nomem++;
			if (before != NULL && !f->committed) {
				after = fx_state(f);
				if (strcmp(before, after) != 0)
					fail_msg("%s: allocation %lu of %lu failing: "
					    "the DB or airflow.cfg changed", name, k, n);
				free(after);
			}
		} else {
			ok++;
			if (getenv("TEST_NOMEM_VERBOSE") != NULL)
				printf("# %s: allocation %lu failing: "
				    "succeeded\n", name, k);
			if (memcmp(want, got, sizeof want) != 0)
				fail_msg("%s: allocation %lu of %lu failing: it "
				    "succeeded with another result", name, k, n);
		}
		free(before);
	}
	fx_reset(f);
	printf("# %s: %lu allocations, %lu fault runs%s: %lu ERR_NOMEM, "
	    "%lu succeeded\n", name, n, runs,
	    step > 1 ? " (sampled)" : "", nomem, ok);
}

/* -- scenarios ----------------------------------------------------------- */

static int
run_fernet(struct fx *f, struct err *e)
{
	static const uint8_t raw[FERNET_KEYBYTES] = { 1, 2, 3 };
	struct fernet_key *k = NULL;
	char tok[256];
	uint8_t out[64];
	size_t tn, on;
	int rc = -1;

	if (fernet_key_new(&k, raw, e) != 0 ||
	    fernet_encrypt(k, "hello", 5, 1700000000, NULL, tok, sizeof tok, &tn,
	    e) != 0 ||
	    fernet_decrypt(&k, 1, NULL, tok, tn, NULL, out, sizeof out, &on, NULL,
	    e) != 0)
		goto out;
	note(f, out, on);
	rc = 0;
out:
	fernet_key_free(k);
	fernet_thread_cleanup();
	return rc;
}

static int
run_keyring(struct fx *f, struct err *e)
{
	struct keyring *kr = NULL;
	char tok[256], rot[256];
	uint8_t out[64];
	size_t tn, rn, on;
	int rc = -1;

	if (keyring_parse(&kr, RING, strlen(RING), NULL, e) != 0 ||
	    keyring_encrypt(kr, "hello", 5, tok, sizeof tok, &tn, e) != 0 ||
	    keyring_rotate(kr, tok, tn, rot, sizeof rot, &rn, NULL, e) != 0 ||
	    keyring_decrypt(kr, rot, rn, out, sizeof out, &on, NULL, e) != 0)
		goto out;
	note(f, out, on);
	rc = 0;
out:
	keyring_free(kr);
	fernet_thread_cleanup();
	return rc;
}

static int
load_config(struct fx *f, struct config **cfg, struct err *e)
{
	struct config_opts co;

	memset(&co, 0, sizeof co);
	co.config_file = f->cfg_path;
	co.airflow_home = f->dir;
	return config_load(cfg, &co, e);
}

static int
run_config(struct fx *f, struct err *e)
{
	struct config *cfg = NULL;
	struct config_value v;
	long n;
	int rc = -1, b;

	if (load_config(f, &cfg, e) != 0 ||
	    config_fernet_key(cfg, &v, e) != 0)
		goto out;
	notes(f, v.value);
	notes(f, v.origin);
	if (config_db_url(cfg, &v, e) != 0)
		goto out;
	notes(f, v.value);
	if (config_get(cfg, "webserver", "base_url", &v, e) != 0)
		goto out;
	notes(f, v.value);
	if (config_get_bool(cfg, "core", "unit_test_mode", 0, &b, e) != 0 ||
	    config_get_int(cfg, "core", "parallelism", 32, &n, e) != 0)
		goto out;
	note(f, &b, sizeof b);
	note(f, &n, sizeof n);
	rc = 0;
out:
	config_free(cfg);
	return rc;
}

static int
run_pyjson(struct fx *f, struct err *e)
{
	static const char text[] = "{\"b\": [1, 2.5, 12345678901234567890, "
	    "true, null], \"a\": \"\\u00e9x\", \"c\": {\"d\": \"\"}}";
	struct pyjson_opts o = { 2, 1, 1 };
	struct buf b;
	cJSON *v;
	int rc = -1;

	buf_init(&b, 0);
	/* NULL is "not JSON or out of memory" (pyjson.h); the text is JSON. */
	if ((v = pyjson_loads(text, strlen(text))) == NULL)
		return err_nomem(e);
	if (pyjson_dumps(v, &o, &b, e) != 0)
		goto out;
	notes(f, buf_str(&b));
	rc = 0;
out:
	buf_release(&b);
	pyjson_free(v);
	return rc;
}

static int
run_uri(struct fx *f, struct err *e)
{
	struct conn *c;
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	if ((c = conn_new()) == NULL)
		return err_nomem(e);
	/* __extra__ (JSON, not flat), then a query of strings (flat). */
	if (uri_parse("postgresql://us%40er:p%2Fss@db.example:5432/air?"
	    "sslmode=require&__extra__=%7B%22a%22%3A+1%7D", &v_new, c, e) != 0 ||
	    uri_format(c, &v_new, &b, e) != 0)
		goto out;
	conn_reset(c);
	if (uri_parse("mysql://h/s?ssl=true&n=1", &v_new, c, e) != 0 ||
	    uri_format(c, &v_new, &b, e) != 0)
		goto out;
	uri_format_masked(c, &b);
	if (buf_check(&b, e) != 0)
		goto out;
	notes(f, buf_str(&b));
	rc = 0;
out:
	buf_release(&b);
	conn_free(c);
	return rc;
}

static int
run_conn(struct fx *f, struct err *e)
{
	struct keyring *kr = NULL;
	struct conn *c = NULL, *d = NULL;
	int rc = -1;

	if (keyring_parse(&kr, RING, strlen(RING), NULL, e) != 0)
		goto out;
	if ((c = conn_new()) == NULL) {
		err_nomem(e);
		goto out;
	}
	if (conn_validate_id("my_conn", e) != 0 ||
	    conn_set_str(c, &c->conn_id, "my_conn", e) != 0 ||
	    conn_set_str(c, &c->conn_type, "postgres", e) != 0 ||
	    conn_set_str(c, &c->password, "pw", e) != 0 ||
	    conn_set_str(c, &c->extra, "{\"a\": 1}", e) != 0 ||
	    conn_validate_extra(c->conn_id, c->extra, e) != 0 ||
	    conn_seal(c, NULL, kr, e) != 0)
		goto out;
	if ((d = conn_dup(c)) == NULL) {
		err_nomem(e);
		goto out;
	}
	if (conn_decrypt(d, kr, e) != 0)
		goto out;
	notes(f, d->password);
	notes(f, d->extra);
	rc = 0;
out:
	conn_free(d);
	conn_free(c);
	keyring_free(kr);
	fernet_thread_cleanup();
	return rc;
}

/*
 * mask_tree() cannot report a failure; whatever fails, no sensitive value
 * may be left in the tree.
 */
static int
run_mask(struct fx *f, struct err *e)
{
	static const char text[] = "{\"password\": \"ab\", \"nested\": "
	    "{\"x_auth\": [\"longer secret\", {\"k\": \"cd\"}]}, \"host\": \"h\"}";
	struct config *cfg = NULL;
	struct mask *m = NULL;
	struct buf merged;
	cJSON *v = NULL;
	char *out = NULL;
	int rc = -1;

	buf_init(&merged, 1);
	if (load_config(f, &cfg, e) != 0 ||
	    mask_new(&m, cfg, &v_new, e) != 0)
		goto out;
	/* A "***" left in place keeps the stored secret, whatever fails. */
	if (mask_merge_extra(m, "{\"password\": \"***\", \"n\": 2}",
	    "{\"password\": \"stored\", \"n\": 1}", &merged, e) < 0)
		goto out;
	notes(f, buf_str(&merged));
	if ((v = cJSON_Parse(text)) == NULL) {
		err_nomem(e);
		goto out;
	}
	mask_tree(m, v);
	if ((out = cJSON_PrintUnformatted(v)) == NULL) {
		err_nomem(e);
		goto out;
	}
	assert_null(strstr(out, "ab"));
	assert_null(strstr(out, "longer secret"));
	assert_null(strstr(out, "cd"));
	/*
	 * Not noted: when "***" cannot replace a value shorter than itself,
	 * the value stays wiped to "" (mask.h), a different but safe result.
	 */
	rc = 0;
out:
	buf_release(&merged);
	cJSON_free(out);
	cJSON_Delete(v);
	mask_free(m);
	config_free(cfg);
	return rc;
}

static int
run_policy(struct fx *f, struct err *e)
{
	struct config *cfg = NULL;
	struct policy p;
	int rc = -1;

	if (load_config(f, &cfg, e) != 0 ||
	    policy_load(&p, cfg, NULL, e) != 0 ||
	    policy_log(&p, "reveal", "my_conn", "password", e) != 0)
		goto out;
	notes(f, policy_role_name(p.role));
	notes(f, p.log_path);
	rc = 0;
out:
	config_free(cfg);
	return rc;
}

/* A connection of the export scenarios: every field set. */
static struct conn *
export_conn(const char *id, struct err *e)
{
	struct conn *c = conn_new();

	if (c == NULL) {
		err_nomem(e);
		return NULL;
	}
	if (conn_set_str(c, &c->conn_id, id, e) != 0 ||
	    conn_set_str(c, &c->conn_type, "postgres", e) != 0 ||
	    conn_set_str(c, &c->host, "db.example", e) != 0 ||
	    conn_set_str(c, &c->login, "user", e) != 0 ||
	    conn_set_str(c, &c->password, "p@ss word", e) != 0 ||
	    conn_set_str(c, &c->schema, "air", e) != 0 ||
	    conn_set_str(c, &c->description, "d\xc3\xa9", e) != 0 ||
	    conn_set_str(c, &c->extra, "{\"sslmode\": \"require\", "
	    "\"n\": [1, 2.5, {\"x\": null}]}", e) != 0) {
		conn_free(c);
		return NULL;
	}
	c->has_port = 1;
	c->port = 5432;
	return c;
}

static int
run_export(struct fx *f, enum transfer_format fmt,
    enum transfer_serialization ser, struct err *e)
{
	struct transfer_writer *w = NULL;
	struct conn *a = NULL, *b = NULL;
	char *text = NULL;
	size_t len = 0, n = 0;
	FILE *fp;
	int rc = -1;

	if ((fp = open_memstream(&text, &len)) == NULL)
		fail_msg("open_memstream");
	if ((a = export_conn("a", e)) == NULL ||
	    (b = export_conn("b", e)) == NULL ||
	    transfer_writer_new(&w, fp, fmt, ser, &v_new, e) != 0 ||
	    transfer_writer_add(w, a, e) != 0 ||
	    transfer_writer_add(w, b, e) != 0 ||
	    transfer_writer_finish(w, &n, e) != 0)
		goto out;
	assert_int_equal(n, 2);
	fflush(fp);
	note(f, text, len);
	rc = 0;
out:
	transfer_writer_free(w);
	conn_free(a);
	conn_free(b);
	fclose(fp);
	free(text);	/* libc's own block: not counted */
	return rc;
}

static int
run_export_json(struct fx *f, struct err *e)
{
	return run_export(f, TRANSFER_JSON, TRANSFER_SER_URI, e);
}

static int
run_export_yaml(struct fx *f, struct err *e)
{
	return run_export(f, TRANSFER_YAML, TRANSFER_SER_URI, e);
}

static int
run_export_env_uri(struct fx *f, struct err *e)
{
	return run_export(f, TRANSFER_ENV, TRANSFER_SER_URI, e);
}

static int
run_export_env_json(struct fx *f, struct err *e)
{
	return run_export(f, TRANSFER_ENV, TRANSFER_SER_JSON, e);
}

static int
run_import(struct fx *f, const char *name, const char *text, size_t want,
    struct err *e)
{
	struct transfer_set set;
	char path[4200];
	size_t i;
	int rc;

	/* No allocation of the test's own while allocations are failing. */
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	write_file(path, text, strlen(text));
	memset(&set, 0, sizeof set);
	rc = transfer_read(path, &v_new, &set, e);
	if (rc == 0) {
		assert_int_equal(set.n, want);
		for (i = 0; i < set.n; i++) {
			const struct conn *c = set.conns[i];

			notes(f, c->conn_id);
			notes(f, c->conn_type);
			notes(f, c->host);
			notes(f, c->login);
			notes(f, c->password);
			notes(f, c->extra);
			note(f, &c->port, sizeof c->port);
		}
	}
	transfer_set_free(&set);
	return rc;
}

static int
run_import_json(struct fx *f, struct err *e)
{
	return run_import(f, "c.json",
	    "{\"uri_conn\": \"mysql://root:S3CRET@mysql/airflow?x=1\",\n"
	    " \"dict_conn\": {\"conn_type\": \"postgres\", \"host\": \"h\",\n"
	    "   \"port\": \"5432\", \"password\": \"pw\", \"extra_dejson\": "
	    "{\"a\": 1, \"b\": [true, null], \"c\": 1.0}},\n"
	    " \"extra_dict\": {\"conn_type\": \"t\", \"extra\": {\"k\": \"v\"}}}\n",
	    3, e);
}

static int
run_import_yaml(struct fx *f, struct err *e)
{
	return run_import(f, "c.yaml",
	    "base: &base\n"
	    "  conn_type: postgres\n"
	    "  host: db\n"
	    "  port: 5432\n"
	    "child:\n"
	    "  <<: *base\n"
	    "  host: other\n"
	    "  password: pw\n"
	    "  extra_dejson:\n"
	    "    a: 1\n"
	    "    b: [yes, ~, 1.5]\n"
	    "uri_conn: mysql://root:S3CRET@mysql/airflow\n", 3, e);
}

static int
run_import_env(struct fx *f, struct err *e)
{
	return run_import(f, "c.env",
	    "# a comment\n"
	    "pg=postgresql://user:p%40ss@db.example:5432/airflow?sslmode=require\n"
	    "js={\"conn_type\": \"http\", \"host\": \"h\", \"extra\": {\"a\": 1}}\n"
	    "x=ftp://h\n", 3, e);
}

static int
open_store(struct fx *f, struct store **s, struct err *e)
{
	struct store_opts so = { 300, NULL };

	return store_open(s, f->t.url, &so, e);
}

static int
run_store(struct fx *f, struct err *e)
{
	struct store *s = NULL;
	struct store_iter *it = NULL;
	struct store_query q;
	struct keyring *kr = NULL;
	struct conn *c = NULL, *old = NULL, *add = NULL;
	size_t rows = 0;
	int rc = -1, r, began = 0;

	memset(&q, 0, sizeof q);
	if (keyring_parse(&kr, RING, strlen(RING), NULL, e) != 0 ||
	    open_store(f, &s, e) != 0)
		goto out;
	if ((c = conn_new()) == NULL || (old = conn_new()) == NULL) {
		err_nomem(e);
		goto out;
	}
	/* list */
	if (store_conn_iter(s, &q, &it, e) != 0)
		goto out;
	while ((r = store_iter_next(it, c, e)) == 1) {
		if (conn_decrypt(c, kr, e) != 0)
			goto out;
		notes(f, c->conn_id);
		notes(f, c->password);
		notes(f, c->extra);
		rows++;
	}
	if (r < 0)
		goto out;
	store_iter_free(it);
	it = NULL;
	assert_int_equal(rows, 3);
	/* get */
	if (store_conn_get(s, "enc", old, e) != 0 ||
	    store_conn_get(s, "enc", c, e) != 0 ||
	    conn_decrypt(c, kr, e) != 0)
		goto out;
	notes(f, c->password);
	/* add, update, delete in one transaction */
	if (store_begin(s, e) != 0)
		goto out;
	began = 1;
	if ((add = export_conn("added", e)) == NULL ||
	    conn_seal(add, NULL, kr, e) != 0 ||
	    store_conn_insert(s, add, e) != 0 ||
	    conn_set_str(c, &c->password, "new password", e) != 0 ||
	    conn_set_str(c, &c->host, "new.example", e) != 0 ||
	    conn_seal(c, old, kr, e) != 0 ||
	    store_conn_update(s, c, e) != 0 ||
	    store_conn_delete(s, "other", e) != 0 ||
	    store_commit(s, e) != 0)
		goto out;
	began = 0;
	rc = 0;
out:
	if (began)
		store_rollback(s);
	store_iter_free(it);
	conn_free(add);
	conn_free(old);
	conn_free(c);
	store_close(s);
	keyring_free(kr);
	fernet_thread_cleanup();
	return rc;
}

static int
run_lifecycle(struct fx *f, struct err *e, int rotate)
{
	struct lifecycle_opts o;
	struct lifecycle_result res;
	struct store *s = NULL;
	struct lifecycle *lc = NULL;
	int rc = -1;

	memset(&o, 0, sizeof o);
	o.threads = 1;		/* one thread: the same allocation order each run */
	o.page_rows = 2;	/* several pages */
	memset(&res, 0, sizeof res);
	if (open_store(f, &s, e) != 0 ||
	    lifecycle_new(&lc, s, RING, strlen(RING), &o, e) != 0)
		goto out;
	rc = rotate ? lifecycle_rotate(lc, 0, &res, e) :
	    lifecycle_encrypt(lc, &res, e);
	/*
	 * A rotation whose verify pass failed after COMMIT has changed the DB,
	 * as lifecycle.h says.
	 */
	f->committed = rc != 0 && res.committed;
	if (rc == 0) {
		note(f, &res.total_changed, sizeof res.total_changed);
		note(f, &res.total_skipped, sizeof res.total_skipped);
		note(f, &res.verify.ok, sizeof res.verify.ok);
	}
out:
	lifecycle_free(lc);
	store_close(s);
	return rc;
}

static int
run_encrypt(struct fx *f, struct err *e)
{
	return run_lifecycle(f, e, 0);
}

static int
run_rotate(struct fx *f, struct err *e)
{
	return run_lifecycle(f, e, 1);
}

static int
run_audit(struct fx *f, struct err *e)
{
	struct audit_opts o;
	struct audit_report_opts ro;
	struct audit_list l;
	struct audit_stats st;
	struct audit *a = NULL;
	struct audit_report *r = NULL;
	struct config *cfg = NULL;
	struct keyring *kr = NULL;
	struct store *s = NULL;
	struct buf out;
	char *keypath = NULL;
	size_t i;
	int rc = -1;

	buf_init(&out, 0);
	memset(&l, 0, sizeof l);
	memset(&o, 0, sizeof o);
	memset(&ro, 0, sizeof ro);
	if (asprintf(&keypath, "%s/audit.key", f->dir) < 0) {
		keypath = NULL;
		err_nomem(e);
		goto out;
	}
	if (load_config(f, &cfg, e) != 0 ||
	    keyring_parse(&kr, RING, strlen(RING), NULL, e) != 0 ||
	    open_store(f, &s, e) != 0)
		goto out;
	o.cfg = cfg;
	o.kr = kr;
	o.version = store_airflow_version(s);
	o.hash_key_path = keypath;
	o.now = 1800000000;
	o.min_severity = AUDIT_SEV_INFO;
	ro.version = "test";
	ro.generated_at = 1800000000;
	ro.fail_on = AUDIT_SEV_NEVER;
	ro.hashed = 1;
	if (audit_new(&a, &o, e) != 0 ||
	    audit_run(a, s, audit_list_collect, &l, &st, e) != 0)
		goto out;
	if (l.failed) {
		err_nomem(e);
		goto out;
	}
	if (audit_report_new(&r, AUDIT_FORMAT_SARIF, &ro, e) != 0 ||
	    audit_report_begin(r, &out, e) != 0)
		goto out;
	for (i = 0; i < l.n; i++)
		if (audit_report_finding(r, &l.items[i], &out, e) != 0)
			goto out;
	if (audit_report_end(r, &st, NULL, &out, e) != 0)
		goto out;
	assert_true(l.n > 0);
	notes(f, buf_str(&out));
	rc = 0;
out:
	buf_release(&out);
	audit_report_free(r);
	audit_list_release(&l);
	audit_free(a);
	store_close(s);
	keyring_free(kr);
	config_free(cfg);
	free(keypath);
	fernet_thread_cleanup();
	return rc;
}

static int
run_cfgwrite(struct fx *f, struct err *e)
{
	struct config *cfg = NULL;
	struct cfgwrite_plan plan;
	int rc = -1;

	if (load_config(f, &cfg, e) != 0 ||
	    cfgwrite_fernet_key(cfg, K2 "," K1, strlen(K2 "," K1), &plan,
	    e) != 0)
		goto out;
	note(f, &plan.where, sizeof plan.where);
	notes(f, plan.name);
	rc = 0;
out:
	config_free(cfg);
	return rc;
}

/* -- tests --------------------------------------------------------------- */

#define FAULT_TEST(fn, check) \
	static void \
	test_##fn(void **state) \
	{ \
		fault_loop(*state, #fn, run_##fn, check); \
	}

FAULT_TEST(fernet, 0)
FAULT_TEST(keyring, 0)
FAULT_TEST(config, 0)
FAULT_TEST(pyjson, 0)
FAULT_TEST(uri, 0)
FAULT_TEST(conn, 0)
FAULT_TEST(mask, 0)
FAULT_TEST(policy, 0)
FAULT_TEST(export_json, 0)
FAULT_TEST(export_yaml, 0)
FAULT_TEST(export_env_uri, 0)
FAULT_TEST(export_env_json, 0)
FAULT_TEST(import_json, 0)
FAULT_TEST(import_yaml, 0)
FAULT_TEST(import_env, 0)
FAULT_TEST(store, 1)
FAULT_TEST(encrypt, 1)
FAULT_TEST(rotate, 1)
FAULT_TEST(audit, 1)
FAULT_TEST(cfgwrite, 1)

/* The switch itself: a failed allocation is NULL and counted, and a block's
 * life is tracked, so that the loops above can trust it. */
static void
test_switch(void **state)
{
	size_t base = failmalloc_live();
	char *p;
	char *volatile q;	/* else clang drops the strdup() call */

	(void)state;
	failmalloc_arm(2, 0);
	p = malloc(8);
	q = strdup("x");
	failmalloc_disarm();
	assert_non_null(p);
	assert_null(q);
	assert_int_equal(failmalloc_count(), 2);
	assert_int_equal(failmalloc_failed(), 1);
	assert_int_equal(failmalloc_live(), base + 1);
	free(p);
	assert_int_equal(failmalloc_live(), base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_switch),
		cmocka_unit_test(test_fernet),
		cmocka_unit_test(test_keyring),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_pyjson),
		cmocka_unit_test(test_uri),
		cmocka_unit_test(test_conn),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_export_json),
		cmocka_unit_test(test_export_yaml),
		cmocka_unit_test(test_export_env_uri),
		cmocka_unit_test(test_export_env_json),
		cmocka_unit_test(test_import_json),
		cmocka_unit_test(test_import_yaml),
		cmocka_unit_test(test_import_env),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_encrypt),
		cmocka_unit_test(test_rotate),
		cmocka_unit_test(test_audit),
		cmocka_unit_test(test_cfgwrite),
	};

	tu_init();
	/* TEST_NOMEM_FILTER=test_store runs one test (a cmocka glob). */
	if (getenv("TEST_NOMEM_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_NOMEM_FILTER"));
	/* The SQLite file these tests copy back and forth is not PostgreSQL. */
	unsetenv("FERNCON_TEST_PG_URL");
	return cmocka_run_group_tests(tests, setup, teardown);
}
