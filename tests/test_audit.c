/*
 * test_audit.c: the audit module (src/audit*.c) against
 * doc/audit-rules.md.
 *
 * The corpus (tests/audit_corpus.json) is a list of realistic connection
 * extras, each with every finding it must yield and nothing else: true
 * positives for each secret and transport rule, and near misses that must
 * stay silent (paths, templates, ***, UUIDs, public keys, plain URLs,
 * identifiers, the EXAMPLE key id, stopwords). The other tests cover the
 * pieces the corpus cannot: redaction and entropy, the rule tables, storage
 * checks with a real key ring, AIRFLOW_CONN_* variables, configuration
 * checks on a real airflow.cfg, the HMAC key file, baseline and ignore
 * file, the JSON and SARIF report shapes, and that no secret of the corpus
 * ever reaches a report.
 */
#include "config.h"

#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "audit.h"
#include "audit_int.h"
#include "buf.h"
#include "cfg.h"
#include "conn.h"
#include "keyring.h"
#include "pyjson.h"

/* -- helpers ------------------------------------------------------------- */

static struct audit *
engine(const struct audit_opts *o)
{
	struct audit *a = NULL;
	struct err e;
	struct audit_opts def;

	err_clear(&e);
	if (o == NULL) {
		memset(&def, 0, sizeof def);
		def.no_hash = 1;
		def.min_severity = AUDIT_SEV_INFO;
		def.now = 1800000000;
		o = &def;
	}
	if (audit_new(&a, o, &e) != 0)
		fail_msg("audit_new: %s", e.msg);
	return a;
}

static void
set(struct conn *c, char **field, const char *s)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(conn_set_str(c, field, s, &e), 0);
}

static double
jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v)) {
		print_message("# %s is not a number\n", k);
		fail();
		abort();
	}
	return v->valuedouble;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A connection from a corpus case (plaintext, as conn_decrypt leaves it). */
static struct conn *
case_conn(const cJSON *cs, int i)
{
	struct conn *c = conn_new();
	struct pyjson_opts po = { -1, 0, 1 };
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(cs, "extra");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(cs, "port");
	char id[32];
	struct buf b;
	struct err e;

	assert_non_null(c);
	snprintf(id, sizeof id, "case_%d", i);
	set(c, &c->conn_id, id);
	set(c, &c->conn_type, jstr(cs, "conn_type"));
	set(c, &c->host, jstr(cs, "host"));
	set(c, &c->schema, jstr(cs, "schema"));
	set(c, &c->password, jstr(cs, "password"));
	if (cJSON_IsNumber(port)) {
		c->has_port = 1;
		c->port = (long)port->valuedouble;
	}
	if (x != NULL && !cJSON_IsNull(x)) {
		buf_init(&b, 1);
		err_clear(&e);
		assert_int_equal(pyjson_dumps(x, &po, &b, &e), 0);
		set(c, &c->extra, buf_str(&b));
		buf_release(&b);
	} else {
		set(c, &c->extra, jstr(cs, "extra_text"));
	}
	if (c->password != NULL)
		c->password_info.state = CONN_SECRET_PLAIN;
	if (c->extra != NULL)
		c->extra_info.state = CONN_SECRET_PLAIN;
	return c;
}

static const char *
at_of(const struct audit_finding *f)
{
	return f->json_pointer != NULL && *f->json_pointer != '\0' ? f->json_pointer : f->field;
}

static const struct audit_finding *
find(const struct audit_list *l, const char *at, const char *rule_id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(at_of(&l->items[i]), at) == 0 &&
		    (rule_id == NULL || strcmp(l->items[i].rule->id, rule_id) == 0))
			return &l->items[i];
	return NULL;
}

/* find(), failing the test when there is none. */
static const struct audit_finding *
get(const struct audit_list *l, const char *at, const char *rule_id)
{
	const struct audit_finding *f = find(l, at, rule_id);

	if (f == NULL) {
		print_message("# no finding at %s (%s)\n", at, rule_id ? rule_id : "any rule");
		fail();
		abort();
	}
	return f;
}

static int
strset_equal(const cJSON *want, const char *const *got, size_t n)
{
	const cJSON *w;
	size_t i, found = 0;

	cJSON_ArrayForEach(w, want) {
		for (i = 0; i < n; i++)
			if (strcmp(w->valuestring, got[i]) == 0)
				break;
		if (i == n)
			return 0;
		found++;
	}
	return found == n;
}

static cJSON *
load_corpus(void)
{
	char *text = tu_read(tu_srcpath("tests/audit_corpus.json"), NULL);
	cJSON *root;

	assert_non_null(text);
	root = cJSON_Parse(text);
	free(text);
	assert_non_null(root);
	return root;
}

static void
dump_list(const char *name, const struct audit_list *l)
{
	size_t i;

	print_message("# case '%s' gave:\n", name);
	for (i = 0; i < l->n; i++) {
		const struct audit_finding *f = &l->items[i];
		size_t j;

		print_message("#   %s %s %s masked=%d msg='%s' also:", at_of(f), f->rule->id,
		    audit_severity_name(f->severity), f->masked_by_airflow, f->message);
		for (j = 0; j < f->nalso; j++)
			print_message(" %s", f->also_matched[j]);
		print_message("\n");
	}
}

/* -- the corpus ---------------------------------------------------------- */

static int
check_expect(const cJSON *x, const struct audit_list *l, const char **why)
{
	const char *at = jstr(x, "at"), *rid = jstr(x, "rule"), *s;
	const cJSON *v;
	const struct audit_finding *f = find(l, at, rid);

	if (f == NULL)
		return *why = "missing", 0;
	if ((s = jstr(x, "severity")) != NULL && strcmp(s, audit_severity_name(f->severity)) != 0)
		return *why = "severity", 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(x, "also")) != NULL &&
	    !strset_equal(v, f->also_matched, f->nalso))
		return *why = "also_matched", 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(x, "tags")) != NULL &&
	    !strset_equal(v, f->tags, f->ntags))
		return *why = "tags", 0;
	if ((s = jstr(x, "message")) != NULL && strcmp(s, f->message) != 0)
		return *why = "message", 0;
	if ((s = jstr(x, "evidence")) != NULL && (f->evidence == NULL || strcmp(s, f->evidence) != 0))
		return *why = "evidence", 0;
	if ((s = jstr(x, "key")) != NULL && (f->key == NULL || strcmp(s, f->key) != 0))
		return *why = "key", 0;
	if ((v = cJSON_GetObjectItemCaseSensitive(x, "masked_by_airflow")) != NULL &&
	    f->masked_by_airflow != cJSON_IsTrue(v))
		return *why = "masked_by_airflow", 0;
	return 1;
}

static void
test_corpus(void **state)
{
	cJSON *root = load_corpus(), *cs, *x;
	struct audit *a = engine(NULL);
	int i = 0, bad = 0, cases = 0;

	(void)state;
	cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(root, "cases")) {
		struct audit_list l;
		struct conn *c = case_conn(cs, i++);
		const char *name = jstr(cs, "name"), *why = NULL;
		struct err e;
		int want = 0, ok = 1;

		memset(&l, 0, sizeof l);
		err_clear(&e);
		assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
		assert_false(l.failed);
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(cs, "expect")) {
			want++;
			if (!check_expect(x, &l, &why)) {
				print_message("# case '%s': %s %s: %s\n", name, jstr(x, "at"),
				    jstr(x, "rule"), why);
				ok = 0;
			}
		}
		if ((size_t)want != l.n)
			ok = 0;
		if (!ok) {
			dump_list(name, &l);
			bad++;
		}
		cases++;
		audit_list_release(&l);
		conn_free(c);
	}
	assert_true(cases >= 70);
	assert_int_equal(bad, 0);
	audit_free(a);
	cJSON_Delete(root);
}

/* Every secret and transport rule has a true positive in the corpus. */
static void
test_corpus_covers_rules(void **state)
{
	static const char *const elsewhere[] = { "variable-sensitive-name" };
	cJSON *root = load_corpus(), *cs, *x;
	size_t i, j;

	(void)state;
	for (i = 0; i < audit_rule_count(); i++) {
		const struct audit_rule *r = audit_rule_at(i);
		int seen = 0;

		if (r->category != AUDIT_CAT_SECRET && r->category != AUDIT_CAT_TRANSPORT)
			continue;
		for (j = 0; j < ARRAY_LEN(elsewhere); j++)
			seen |= strcmp(elsewhere[j], r->id) == 0;
		cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(root, "cases"))
			cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(cs, "expect"))
				seen |= strcmp(jstr(x, "rule"), r->id) == 0;
		if (!seen)
			print_message("# no true positive for rule %s\n", r->id);
		assert_true(seen);
	}
	cJSON_Delete(root);
}

/* -- pieces -------------------------------------------------------------- */

static void
test_redact(void **state)
{
	char out[128];
	const char *p;
	const char *pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----\n";

	(void)state;
	audit_redact(pem, strlen(pem), 0, out, sizeof out);
	assert_string_equal(out, "-----BEGIN RSA PRIVATE KEY----- [REDACTED, 72 chars]");
	audit_redact("short-pw", 8, 0, out, sizeof out);
	assert_string_equal(out, "REDACTED");
	audit_redact("AKIAQWERTYUIOPASDFGH", 20, 0, out, sizeof out);
	assert_string_equal(out, "AKIA... [20 chars]");
	/* 15 chars: at most 20 %, so 3. */
	audit_redact("abcdefghijklmno", 15, 0, out, sizeof out);
	assert_string_equal(out, "abc... [15 chars]");
	audit_redact("a-long-password-here", 20, 1, out, sizeof out);
	assert_string_equal(out, "[REDACTED, 20 chars]");
	/* Never cut a UTF-8 character: "pä" is 3 bytes. */
	p = "p\xc3\xa4sswordpasswordxyz";
	assert_int_equal(strlen(p), 20);
	audit_redact(p, 20, 0, out, sizeof out);
	assert_string_equal(out, "p\xc3\xa4s... [20 chars]");
	p = "p\xc3\xa4\xc3\xa4\xc3\xa4ordpasswordxy";
	assert_int_equal(strlen(p), 20);
	audit_redact(p, 20, 0, out, sizeof out);
	assert_string_equal(out, "p\xc3\xa4... [20 chars]");
}

static void
test_entropy(void **state)
{
	(void)state;
	assert_true(fabs(audit_entropy("aaaa", 4)) < 1e-9);
	assert_true(fabs(audit_entropy("abab", 4) - 1.0) < 1e-9);
	assert_true(fabs(audit_entropy("abcd", 4) - 2.0) < 1e-9);
	assert_true(fabs(audit_entropy("0123456789abcdef", 16) - 4.0) < 1e-9);
	assert_true(fabs(audit_entropy("", 0)) < 1e-9);
}

static void
test_rules_table(void **state)
{
	static const char *const used_in_code[] = {
		"credential-file-path", "gcp-service-account-key", "azure-key-json",
		"variable-sensitive-name", "airflow-sensitive-key",
		"airflow-unmasked-secret-key", "generic-api-key", "high-entropy-hex",
		"high-entropy-base64", "plaintext-password", "plaintext-extra",
		"plaintext-variable", "undecryptable-value", "stale-token",
		"password-in-host", "env-connection-password", "fernet-key-empty",
		"fernet-key-in-config-file", "config-file-permissions",
		"sql-alchemy-conn-no-ssl", "sql-alchemy-conn-password-in-config-file",
		"show-connection-password", "webserver-no-tls",
		"hide-sensitive-fields-disabled", "key-rotation-overdue",
		"aws-secret-access-key", "aws-access-token",
		"celery-broker-no-tls", "celery-broker-password-in-config-file",
		"celery-result-backend-no-tls", "celery-result-backend-password-in-config-file",
		"smtp-no-tls", "smtp-password-in-config-file", "secret-key-default",
		"secret-key-empty", "secret-key-in-config-file", "tls-key-file-permissions",
		"secrets-backend-unset",
	};
	size_t i, j, n = audit_rule_count();
	int sev;
	struct audit *a;

	(void)state;
	assert_true(n >= 60);
	for (i = 0; i < n; i++) {
		const struct audit_rule *r = audit_rule_at(i);

		assert_non_null(r->id);
		assert_non_null(r->description);
		assert_non_null(r->help);
		assert_ptr_equal(audit_rule_find(r->id), r);
		for (j = i + 1; j < n; j++)
			assert_string_not_equal(r->id, audit_rule_at(j)->id);
	}
	assert_null(audit_rule_at(n));
	assert_null(audit_rule_find("no-such-rule"));
	for (i = 0; i < ARRAY_LEN(used_in_code); i++)
		assert_non_null(audit_rule_find(used_in_code[i]));
	for (i = 0; i < audit_patterns_len; i++)
		assert_non_null(audit_rule_find(audit_patterns[i].rule_id));
	for (i = 0; i < audit_key_rules_len; i++)
		assert_non_null(audit_rule_find(audit_key_rules[i].rule_id));
	/* Every pattern compiles (audit_new would fail). */
	a = engine(NULL);
	audit_free(a);

	assert_string_equal(audit_severity_sarif(AUDIT_SEV_CRITICAL), "error");
	assert_string_equal(audit_severity_sarif(AUDIT_SEV_HIGH), "error");
	assert_string_equal(audit_severity_sarif(AUDIT_SEV_MEDIUM), "warning");
	assert_string_equal(audit_severity_sarif(AUDIT_SEV_LOW), "note");
	assert_string_equal(audit_severity_sarif(AUDIT_SEV_INFO), "none");
	assert_int_equal(audit_severity_parse("HIGH", 0, &sev), 0);
	assert_int_equal(sev, AUDIT_SEV_HIGH);
	assert_int_equal(audit_severity_parse("none", 0, &sev), -1);
	assert_int_equal(audit_severity_parse("none", 1, &sev), 0);
	assert_int_equal(sev, AUDIT_SEV_NEVER);
	assert_int_equal(audit_severity_parse("severe", 1, &sev), -1);
}

/* -- storage checks ------------------------------------------------------ */

static struct keyring *
ring(void)
{
	char key[FERNET_KEY_B64LEN + 1];
	struct keyring *kr = NULL;
	struct err e;

	err_clear(&e);
	keyring_generate(key);
	assert_int_equal(keyring_parse(&kr, key, strlen(key), NULL, &e), 0);
	return kr;
}

static void
test_storage(void **state)
{
	struct keyring *kr = ring();
	struct audit_opts o;
	struct audit *a;
	struct audit_list l;
	struct conn *c = conn_new();
	struct err e;
	int worst;
	size_t n;

	(void)state;
	memset(&o, 0, sizeof o);
	o.kr = kr;
	o.no_hash = 1;
	o.min_severity = AUDIT_SEV_INFO;
	o.now = 1900000000;
	o.max_age_days = 90;
	a = engine(&o);
	memset(&l, 0, sizeof l);
	err_clear(&e);

	/* Plaintext password and an extra holding a secret: both high. */
	set(c, &c->conn_id, "plain_one");
	set(c, &c->conn_type, "generic");
	set(c, &c->password, "plain-text-password");
	set(c, &c->extra, "{\"token\": \"ghp_0123456789abcdefghijABCDEFGHIJklmnop\"}");
	c->password_info.state = CONN_SECRET_PLAIN;
	c->extra_info.state = CONN_SECRET_PLAIN;
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_non_null(find(&l, "password", "plaintext-password"));
	assert_int_equal(get(&l, "password", NULL)->severity, AUDIT_SEV_HIGH);
	assert_string_equal(get(&l, "password", NULL)->evidence, "[REDACTED, 19 chars]");
	assert_non_null(find(&l, "extra", "plaintext-extra"));
	assert_int_equal(get(&l, "extra", NULL)->severity, AUDIT_SEV_HIGH);
	assert_non_null(find(&l, "/token", "github-pat"));
	assert_int_equal(l.n, 3);
	audit_list_release(&l);

	/* A plaintext extra with nothing in it is medium. */
	set(c, &c->password, NULL);
	c->password_info.state = CONN_SECRET_EMPTY;
	set(c, &c->extra, "{\"region_name\": \"eu-west-1\"}");
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.items[0].severity, AUDIT_SEV_MEDIUM);
	audit_list_release(&l);

	/* Undecryptable fields, and an old token (info). */
	set(c, &c->extra, NULL);
	c->password_info.state = CONN_SECRET_UNDECRYPTABLE;
	c->password_info.has_timestamp = 1;
	c->password_info.timestamp = 1615766400;
	c->extra_info.state = CONN_SECRET_ENCRYPTED;
	c->extra_info.has_timestamp = 1;
	c->extra_info.timestamp = 1900000000 - 200 * 86400;
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_non_null(find(&l, "password", "undecryptable-value"));
	assert_string_equal(get(&l, "password", NULL)->message,
	    "value that no configured Fernet key opens: password token made 2021-03-15");
	assert_non_null(find(&l, "extra", "stale-token"));
	assert_int_equal(get(&l, "extra", NULL)->severity, AUDIT_SEV_INFO);
	audit_list_release(&l);
	assert_int_equal(audit_conn_worst(a, c, &worst, &n, &e), 0);
	assert_int_equal(worst, AUDIT_SEV_HIGH);
	assert_int_equal(n, 2);

	/* A clean connection: no marker. */
	c->password_info.state = CONN_SECRET_ENCRYPTED;
	c->password_info.timestamp = 1900000000 - 86400;
	c->extra_info.timestamp = 1900000000 - 86400;
	assert_int_equal(audit_conn_worst(a, c, &worst, &n, &e), 0);
	assert_int_equal(worst, -1);
	assert_int_equal(n, 0);

	audit_free(a);

	/* Without a key (no-encryption mode) plaintext rows are not flagged one by one. */
	o.kr = NULL;
	a = engine(&o);
	set(c, &c->password, "plain-text-password");
	c->password_info.state = CONN_SECRET_PLAIN;
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_null(find(&l, "password", "plaintext-password"));
	audit_list_release(&l);
	audit_free(a);
	conn_free(c);
	keyring_free(kr);
}

/* Below --min-severity is counted, not reported. */
static void
test_min_severity(void **state)
{
	struct audit_opts o;
	struct audit *a;
	struct audit_list l;
	struct audit_stats st;
	struct conn *c = conn_new();
	struct err e;

	(void)state;
	memset(&o, 0, sizeof o);
	o.no_hash = 1;
	o.min_severity = AUDIT_SEV_LOW;
	a = engine(&o);
	memset(&l, 0, sizeof l);
	err_clear(&e);
	set(c, &c->conn_id, "gcp_path");
	set(c, &c->conn_type, "google_cloud_platform");
	set(c, &c->extra, "{\"key_path\": \"/opt/sa.json\", \"Authorization\": \"Basic dXNlcjpwYXNzd29yZDEyMw==\"}");
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.items[0].rule->id, "http-authorization-header");
	assert_string_equal(l.items[0].evidence, "Basic [REDACTED, 24 chars]");
	audit_stats_get(a, &st);
	assert_int_equal(st.below_min_severity, 1);
	assert_int_equal(st.findings, 1);
	assert_int_equal(st.connections, 1);
	assert_int_equal(st.connections_with_findings, 1);
	audit_list_release(&l);
	audit_free(a);
	conn_free(c);
}

/* -- AIRFLOW_CONN_* ------------------------------------------------------ */

static void
test_env(void **state)
{
	char *env[] = {
		(char *)"PATH=/usr/bin",
		(char *)"AIRFLOW_CONN_MY_PG=postgres://etl:S3cret-Env-Pass@db.corp.example:5432/dw",
		(char *)"AIRFLOW_CONN_API={\"conn_type\": \"http\", \"host\": \"https://api.corp.example\", "
		    "\"extra\": {\"token\": \"ghp_0123456789abcdefghijABCDEFGHIJklmnop\"}}",
		(char *)"AIRFLOW_CONN_NOPW=postgres://db.corp.example/dw?sslmode=verify-full",
		(char *)"AIRFLOW_CONN_BROKEN=::not a uri::",
		(char *)"AIRFLOW_CONN_=postgres://x:y@z/w",
		NULL,
	};
	struct audit_opts o;
	struct audit *a;
	struct audit_list l;
	struct audit_stats st;
	struct err e;
	size_t i;
	int pw = 0, tr = 0, gh = 0;

	(void)state;
	memset(&o, 0, sizeof o);
	o.no_hash = 1;
	o.environ = env;
	a = engine(&o);
	memset(&l, 0, sizeof l);
	err_clear(&e);
	assert_int_equal(audit_env(a, audit_list_collect, &l, &e), 0);
	for (i = 0; i < l.n; i++) {
		const struct audit_finding *f = &l.items[i];

		assert_int_equal(f->scope, AUDIT_SCOPE_ENV);
		if (strcmp(f->rule->id, "env-connection-password") == 0) {
			assert_string_equal(f->subject, "AIRFLOW_CONN_MY_PG");
			assert_string_equal(f->conn_id, "my_pg");
			assert_string_equal(f->fingerprint,
			    "env:AIRFLOW_CONN_MY_PG:password:env-connection-password");
			assert_string_equal(f->evidence, "[REDACTED, 15 chars]");
			pw++;
		} else if (strcmp(f->rule->id, "transport-postgres-sslmode") == 0) {
			assert_string_equal(f->conn_id, "my_pg");
			assert_int_equal(f->severity, AUDIT_SEV_HIGH);
			tr++;
		} else if (strcmp(f->rule->id, "github-pat") == 0) {
			assert_string_equal(f->conn_id, "api");
			assert_string_equal(f->json_pointer, "/token");
			gh++;
		} else {
			fail_msg("unexpected finding %s", f->fingerprint);
		}
	}
	assert_int_equal(pw, 1);
	assert_int_equal(tr, 1);
	assert_int_equal(gh, 1);
	audit_stats_get(a, &st);
	assert_int_equal(st.env_connections, 4);	/* uri_parse takes BROKEN too */
	audit_list_release(&l);
	audit_free(a);
}

/* -- configuration ------------------------------------------------------- */

struct cfx {
	char		*dir;
	struct config	*cfg;
};

static int
cfg_setup(void **state)
{
	struct cfx *f = calloc(1, sizeof *f);
	char **p;

	assert_non_null(f);
	for (p = environ; *p != NULL;) {	/* unsetenv edits environ: restart */
		if (strncmp(*p, "AIRFLOW", 7) == 0) {
			char name[256];

			snprintf(name, sizeof name, "%.*s", (int)strcspn(*p, "="), *p);
			unsetenv(name);
			p = environ;
		} else {
			p++;
		}
	}
	f->dir = tu_tmpdir();
	*state = f;
	return 0;
}

static int
cfg_teardown(void **state)
{
	struct cfx *f = *state;

	config_free(f->cfg);
	unsetenv("AIRFLOW__CORE__FERNET_KEY");
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
load_cfg(struct cfx *f, const char *text, int mode)
{
	struct config_opts co;
	struct err e;
	char *path = tu_write(f->dir, "airflow.cfg", text, mode);

	memset(&co, 0, sizeof co);
	co.config_file = path;
	co.airflow_home = f->dir;
	err_clear(&e);
	config_free(f->cfg);
	f->cfg = NULL;
	if (config_load(&f->cfg, &co, &e) != 0)
		fail_msg("config_load: %s", e.msg);
	free(path);
}

/* The configuration findings of f->cfg for Airflow version v (NULL: unknown). */
static void
config_findings_v(struct cfx *f, const struct airflow_version *v, struct audit_list *l)
{
	struct audit_opts o;
	struct audit *a;
	struct err e;

	memset(&o, 0, sizeof o);
	o.version = v;
	o.cfg = f->cfg;
	o.no_hash = 1;
	o.min_severity = AUDIT_SEV_INFO;
	a = engine(&o);
	memset(l, 0, sizeof *l);
	err_clear(&e);
	if (audit_config(a, audit_list_collect, l, &e) != 0)
		fail_msg("audit_config: %s", e.msg);
	audit_free(a);
}

static void
config_findings(struct cfx *f, struct audit_list *l)
{
	config_findings_v(f, NULL, l);
}

static const struct audit_finding *
by_rule(const struct audit_list *l, const char *rule_id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i].rule->id, rule_id) == 0)
			return &l->items[i];
	print_message("# no finding of rule %s\n", rule_id);
	fail();
	abort();
}

static void
test_config_bad(void **state)
{
	struct cfx *f = *state;
	struct audit_list l;
	const struct audit_finding *x;
	char key[FERNET_KEY_B64LEN + 1], text[1024];

	keyring_generate(key);
	snprintf(text, sizeof text,
	    "[core]\n"
	    "fernet_key = %s\n"
	    "hide_sensitive_var_conn_fields = False\n"
	    "[database]\n"
	    "sql_alchemy_conn = postgresql+psycopg2://airflow:Db-Pass-1234@db.corp.example:5432/airflow\n"
	    "[webserver]\n"
	    "show_connection_password = True\n", key);
	load_cfg(f, text, 0644);
	config_findings(f, &l);
	assert_non_null(x = by_rule(&l, "fernet-key-in-config-file"));
	assert_int_equal(x->line, 2);
	assert_string_equal(x->fingerprint, "config:core.fernet_key:fernet-key-in-config-file");
	assert_non_null(strstr(x->uri, "airflow.cfg"));
	assert_non_null(x = by_rule(&l, "config-file-permissions"));
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);
	assert_non_null(strstr(x->message, "mode 0644"));
	assert_non_null(x = by_rule(&l, "sql-alchemy-conn-no-ssl"));
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);
	assert_non_null(x = by_rule(&l, "sql-alchemy-conn-password-in-config-file"));
	assert_string_equal(x->evidence, "[REDACTED, 12 chars]");
	assert_non_null(by_rule(&l, "show-connection-password"));
	assert_non_null(by_rule(&l, "hide-sensitive-fields-disabled"));
	assert_non_null(x = by_rule(&l, "webserver-no-tls"));
	assert_int_equal(x->severity, AUDIT_SEV_LOW);
	assert_int_equal(l.n, 7);
	audit_list_release(&l);

	/* No key at all: critical. */
	load_cfg(f, "[core]\nfernet_key =\n", 0600);
	config_findings(f, &l);
	assert_non_null(x = by_rule(&l, "fernet-key-empty"));
	assert_int_equal(x->severity, AUDIT_SEV_CRITICAL);
	audit_list_release(&l);
}

static void
test_config_good(void **state)
{
	struct cfx *f = *state;
	struct audit_list l;
	char key[FERNET_KEY_B64LEN + 1];

	keyring_generate(key);
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", key, 1), 0);
	load_cfg(f,
	    "[database]\n"
	    "sql_alchemy_conn = postgresql://airflow@db.corp.example/airflow?sslmode=verify-full\n"
	    "[api]\n"
	    "ssl_cert = /etc/airflow/tls.crt\n"
	    "ssl_key = /etc/airflow/tls.key\n"
	    "[webserver]\n"
	    "web_server_ssl_cert = /etc/airflow/tls.crt\n", 0600);
	config_findings(f, &l);
	if (l.n != 0)
		print_message("# unexpected: %s\n", l.items[0].fingerprint);
	assert_int_equal(l.n, 0);
	audit_list_release(&l);
}

/* The number of findings of rule_id in l. */
static size_t
count_rule(const struct audit_list *l, const char *rule_id)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += strcmp(l->items[i].rule->id, rule_id) == 0;
	return n;
}

/*
 * The hardening guides' settings written the unsafe way in airflow.cfg
 * (doc/audit-rules.md section 7). Option names: Airflow's config.yml.
 * 2.10 (apache/airflow commit c873bd5, airflow/config_templates/
 * config.yml): [webserver] secret_key at line 1660, default "{SECRET_KEY}"
 * at 1673; web_server_ssl_key at 1594. 3.2 (commit e0b55c2,
 * airflow-core/src/airflow/config_templates/config.yml): [api] secret_key
 * at line 1529, the same default at 1542; [api] ssl_key at 1662; [smtp]
 * smtp_starttls at 2204, default True at 2210; smtp_ssl at 2211, default
 * False at 2217; [secrets] backend at 1423, default "" at 1429. The
 * [celery] options and ssl_active: providers/celery provider.yaml.
 */
static void
test_config_guides_bad(void **state)
{
	struct cfx *f = *state;
	struct audit_list l;
	const struct audit_finding *x;
	char key[FERNET_KEY_B64LEN + 1], text[2048], *tls;

	keyring_generate(key);
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", key, 1), 0);
	tls = tu_write(f->dir, "tls.key", "-----BEGIN PRIVATE KEY-----\n", 0640);
	snprintf(text, sizeof text,
	    "[core]\n"
	    "executor = CeleryExecutor\n"
	    "[celery]\n"
	    "broker_url = redis://:Broker-Pass-77@redis.corp.example:6379/0\n"
	    "result_backend = db+postgresql://celery:Result-Pass-88@pg.corp.example/celery\n"
	    "[smtp]\n"
	    "smtp_host = smtp.corp.example\n"
	    "smtp_starttls = False\n"
	    "smtp_ssl = False\n"
	    "smtp_user = airflow\n"
	    "smtp_password = Smtp-Pass-99\n"
	    "[webserver]\n"
	    "secret_key = temporary_key\n"
	    "web_server_ssl_cert = /etc/airflow/tls.crt\n"
	    "web_server_ssl_key = %s\n"
	    "[api]\n"
	    "secret_key = 9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"
	    "ssl_cert = /etc/airflow/tls.crt\n"
	    "ssl_key = %s\n", tls, tls);
	load_cfg(f, text, 0600);
	config_findings(f, &l);
	x = by_rule(&l, "celery-broker-password-in-config-file");
	assert_int_equal(x->line, 4);
	assert_string_equal(x->evidence, "[REDACTED, 14 chars]");
	assert_string_equal(x->subject, "[celery] broker_url");
	x = by_rule(&l, "celery-broker-no-tls");
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);	/* a password crosses */
	assert_non_null(strstr(x->message, "redis:// is not encrypted"));
	assert_null(strstr(x->message, "Broker-Pass"));
	x = by_rule(&l, "celery-result-backend-password-in-config-file");
	assert_int_equal(x->line, 5);
	assert_string_equal(x->evidence, "[REDACTED, 14 chars]");
	x = by_rule(&l, "celery-result-backend-no-tls");
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);
	assert_non_null(strstr(x->message, "sslmode is not set"));
	x = by_rule(&l, "smtp-password-in-config-file");
	assert_int_equal(x->line, 11);
	assert_string_equal(x->evidence, "[REDACTED, 12 chars]");
	x = by_rule(&l, "smtp-no-tls");
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);
	assert_int_equal(x->line, 8);
	x = by_rule(&l, "secret-key-default");
	assert_int_equal(x->severity, AUDIT_SEV_CRITICAL);
	assert_string_equal(x->subject, "[webserver] secret_key");
	assert_int_equal(x->line, 13);
	assert_non_null(strstr(x->message, "'temporary_key'"));
	x = by_rule(&l, "secret-key-in-config-file");
	assert_string_equal(x->subject, "[api] secret_key");
	assert_int_equal(x->line, 17);
	assert_string_equal(x->evidence, "[REDACTED, 32 chars]");
	assert_int_equal(count_rule(&l, "tls-key-file-permissions"), 2);
	x = by_rule(&l, "tls-key-file-permissions");
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);
	assert_non_null(strstr(x->message, "mode 0640"));
	assert_string_equal(x->rule->help, "chmod 600 the key file, owned by the Airflow user");
	assert_int_equal(l.n, 10);
	audit_list_release(&l);

	/* amqp:// without ssl_active, an empty secret_key, "{SECRET_KEY}" copied by hand. */
	load_cfg(f,
	    "[core]\n"
	    "executor = airflow.providers.celery.executors.celery_executor.CeleryExecutor\n"
	    "[celery]\n"
	    "broker_url = amqp://guest@rabbit.corp.example:5672//\n"
	    "[webserver]\n"
	    "secret_key =\n"
	    "[api]\n"
	    "secret_key = {SECRET_KEY}\n", 0600);
	config_findings(f, &l);
	x = by_rule(&l, "celery-broker-no-tls");
	assert_int_equal(x->severity, AUDIT_SEV_MEDIUM);	/* no password */
	assert_non_null(strstr(x->message, "amqp:// is not encrypted"));
	x = by_rule(&l, "secret-key-empty");
	assert_string_equal(x->subject, "[webserver] secret_key");
	x = by_rule(&l, "secret-key-default");
	assert_string_equal(x->subject, "[api] secret_key");
	assert_int_equal(count_rule(&l, "celery-broker-password-in-config-file"), 0);
	audit_list_release(&l);

	/* From the environment: the variable is named, a default is still a default. */
	assert_int_equal(setenv("AIRFLOW__CELERY__BROKER_URL",
	    "redis://:Env-Pass-1@redis.corp.example:6379/0", 1), 0);
	assert_int_equal(setenv("AIRFLOW__WEBSERVER__SECRET_KEY", "temporary_key", 1), 0);
	load_cfg(f, "[core]\nexecutor = CeleryExecutor\n", 0600);
	config_findings(f, &l);
	unsetenv("AIRFLOW__CELERY__BROKER_URL");
	unsetenv("AIRFLOW__WEBSERVER__SECRET_KEY");
	x = by_rule(&l, "celery-broker-no-tls");
	assert_non_null(strstr(x->message, "(set by env AIRFLOW__CELERY__BROKER_URL)"));
	assert_int_equal(x->line, 0);
	x = by_rule(&l, "secret-key-default");
	assert_non_null(strstr(x->message, "(set by env AIRFLOW__WEBSERVER__SECRET_KEY)"));
	assert_int_equal(count_rule(&l, "celery-broker-password-in-config-file"), 0);
	(void)by_rule(&l, "webserver-no-tls");
	assert_int_equal(l.n, 3);
	audit_list_release(&l);

	/*
	 * Airflow 3 reads SMTP credentials from the connection only
	 * (apache/airflow commit e0b55c2, 3.2: airflow-core/src/airflow/utils/
	 * email.py lines 244-257, send_mime_email(); 2.10's, commit c873bd5:
	 * airflow/utils/email.py lines 257-266, falls back on [smtp]
	 * smtp_user/smtp_password with a RemovedInAirflow3Warning): a password
	 * left in the file is still reported, the transport is the
	 * connection's to check; and [api] secret_key, [api] ssl_key are 3.x's
	 * names.
	 */
	{
		static const struct airflow_version v3 = { 3, 2, 0 }, v2 = { 2, 10, 5 };

		snprintf(text, sizeof text,
		    "[smtp]\n"
		    "smtp_host = smtp.corp.example\n"
		    "smtp_starttls = False\n"
		    "smtp_user = airflow\n"
		    "smtp_password = Smtp-Pass-99\n"
		    "[api]\n"
		    "ssl_cert = /etc/airflow/tls.crt\n"
		    "ssl_key = %s\n"
		    "secret_key = temporary_key\n"
		    "[webserver]\n"
		    "web_server_ssl_cert = /etc/airflow/tls.crt\n", tls);
		load_cfg(f, text, 0600);
		config_findings_v(f, &v3, &l);
		x = by_rule(&l, "smtp-password-in-config-file");
		assert_non_null(strstr(x->message, "Airflow 3 does not read it"));
		assert_int_equal(count_rule(&l, "smtp-no-tls"), 0);
		x = by_rule(&l, "secret-key-default");
		assert_string_equal(x->subject, "[api] secret_key");
		x = by_rule(&l, "tls-key-file-permissions");
		assert_string_equal(x->subject, "[api] ssl_key");
		assert_int_equal(l.n, 3);
		audit_list_release(&l);
		/* On 2.10 the [api] options do not exist: only SMTP. */
		config_findings_v(f, &v2, &l);
		(void)by_rule(&l, "smtp-no-tls");
		x = by_rule(&l, "smtp-password-in-config-file");
		assert_null(strstr(x->message, "Airflow 3"));
		assert_int_equal(l.n, 2);
		audit_list_release(&l);
	}

	/* A group-readable airflow.cfg whose only secret is SMTP's: high. */
	load_cfg(f, "[smtp]\nsmtp_password = Smtp-Pass-99\n"
	    "[webserver]\nweb_server_ssl_cert = /etc/airflow/tls.crt\n", 0640);
	config_findings(f, &l);
	x = by_rule(&l, "config-file-permissions");
	assert_int_equal(x->severity, AUDIT_SEV_HIGH);
	assert_non_null(strstr(x->message, "mode 0640 and holds a secret"));
	audit_list_release(&l);
	free(tls);
}

/* The same settings written the safe way: no finding. */
static void
test_config_guides_good(void **state)
{
	struct cfx *f = *state;
	struct audit_list l;
	char key[FERNET_KEY_B64LEN + 1], text[2048], *tls;

	keyring_generate(key);
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", key, 1), 0);
	assert_int_equal(setenv("AIRFLOW__SMTP__SMTP_PASSWORD", "Smtp-From-Env-1", 1), 0);
	assert_int_equal(setenv("AIRFLOW__API__SECRET_KEY_CMD", "echo 0a1b2c3d4e5f60718293a4b5c6d7e8f9",
	    1), 0);
	tls = tu_write(f->dir, "tls.key", "-----BEGIN PRIVATE KEY-----\n", 0600);
	snprintf(text, sizeof text,
	    "[core]\n"
	    "executor = CeleryExecutor\n"
	    "[celery]\n"
	    /* TLS, and the password from a command */
	    "broker_url_cmd = echo rediss://:Broker-Pass-77@redis.corp.example:6380/0\n"
	    /* sslmode, and no password in the file (it comes from ~/.pgpass) */
	    "result_backend = db+postgresql://celery@pg.corp.example/celery?sslmode=verify-full\n"
	    "[smtp]\n"
	    "smtp_host = smtp.corp.example\n"
	    "smtp_starttls = True\n"
	    "smtp_ssl = False\n"
	    "smtp_user = airflow\n"
	    "[webserver]\n"
	    "secret_key_secret = airflow/webserver-secret-key\n"
	    "web_server_ssl_cert = /etc/airflow/tls.crt\n"
	    "web_server_ssl_key = %s\n"
	    "[api]\n"
	    "ssl_cert = /etc/airflow/tls.crt\n"
	    "ssl_key = %s\n", tls, tls);
	load_cfg(f, text, 0600);
	config_findings(f, &l);
	unsetenv("AIRFLOW__SMTP__SMTP_PASSWORD");
	unsetenv("AIRFLOW__API__SECRET_KEY_CMD");
	if (l.n != 0)
		print_message("# unexpected: %s\n", l.items[0].fingerprint);
	assert_int_equal(l.n, 0);
	audit_list_release(&l);

	/*
	 * Plain transports that are fine: amqp:// with [celery] ssl_active
	 * (broker_use_ssl), a broker on this machine, STARTTLS off towards
	 * localhost, Celery settings of an install that does not run Celery.
	 */
	load_cfg(f,
	    "[core]\n"
	    "executor = LocalExecutor\n"
	    "[celery]\n"
	    "broker_url = redis://redis.corp.example:6379/0\n"
	    "[smtp]\n"
	    "smtp_starttls = False\n"
	    "smtp_user = airflow\n"
	    "smtp_password_cmd = echo Smtp-Cmd-Pass\n"
	    "[webserver]\n"
	    "web_server_ssl_cert = /etc/airflow/tls.crt\n", 0600);
	config_findings(f, &l);
	assert_int_equal(l.n, 0);
	audit_list_release(&l);
	load_cfg(f,
	    "[core]\n"
	    "executor = CeleryExecutor\n"
	    "[celery]\n"
	    "ssl_active = True\n"
	    "broker_url = amqp://airflow@rabbit.corp.example:5672//\n"
	    "result_backend = redis://localhost:6379/1\n"
	    "[webserver]\n"
	    "web_server_ssl_cert = /etc/airflow/tls.crt\n", 0600);
	config_findings(f, &l);
	assert_int_equal(l.n, 0);
	audit_list_release(&l);
	free(tls);
}

/* -- hashes, baseline, ignore file --------------------------------------- */

static const char *
hash_of(struct audit *a, const char *extra)
{
	static char out[128];
	struct audit_list l;
	struct conn *c = conn_new();
	struct err e;

	memset(&l, 0, sizeof l);
	err_clear(&e);
	set(c, &c->conn_id, "h");
	set(c, &c->conn_type, "generic");
	set(c, &c->extra, extra);
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 1);
	snprintf(out, sizeof out, "%s", l.items[0].secret_hash ? l.items[0].secret_hash : "");
	audit_list_release(&l);
	conn_free(c);
	return out;
}

static void
test_hash_key(void **state)
{
	char *dir = tu_tmpdir(), path[4200], h1[128];
	const char *x1 = "{\"t\": \"ghp_0123456789abcdefghijABCDEFGHIJklmnop\"}";
	struct audit_opts o;
	struct audit *a;
	struct stat st;

	(void)state;
	memset(&o, 0, sizeof o);
	snprintf(path, sizeof path, "%s/ferncon-audit.key", dir);
	o.hash_key_path = path;
	a = engine(&o);
	assert_true(audit_has_hash(a));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	snprintf(h1, sizeof h1, "%s", hash_of(a, x1));
	assert_int_equal(strlen(h1), strlen("hmac-sha256:") + 64);
	assert_int_equal(strncmp(h1, "hmac-sha256:", 12), 0);
	assert_string_not_equal(h1, hash_of(a,
	    "{\"t\": \"ghp_0123456789abcdefghijABCDEFGHIJklmnoq\"}"));
	audit_free(a);
	/* The same key file next time: the same hash. */
	a = engine(&o);
	assert_string_equal(h1, hash_of(a, x1));
	audit_free(a);
	/* Another key: another hash (not a plain SHA of the secret). */
	snprintf(path, sizeof path, "%s/other.key", dir);
	a = engine(&o);
	assert_string_not_equal(h1, hash_of(a, x1));
	audit_free(a);
	/* A key file that cannot be made: no hashes, the audit still works. */
	snprintf(path, sizeof path, "%s/missing-dir/ferncon-audit.key", dir);
	a = engine(&o);
	assert_false(audit_has_hash(a));
	assert_string_equal(hash_of(a, x1), "");
	audit_free(a);
	/* A key file of the wrong size is not trusted. */
	free(tu_write(dir, "short.key", "0123456789", 0600));
	snprintf(path, sizeof path, "%s/short.key", dir);
	a = engine(&o);
	assert_false(audit_has_hash(a));
	audit_free(a);
	tu_tmpdir_remove(dir);
}

/* The JSON report of one audit_conn, as text. */
static char *
json_report(struct audit *a, const struct conn *c, enum audit_format fmt)
{
	struct audit_report_opts ro;
	struct audit_report *r = NULL;
	struct audit_list l;
	struct audit_stats st;
	struct buf b;
	struct err e;
	size_t i;

	memset(&ro, 0, sizeof ro);
	memset(&l, 0, sizeof l);
	ro.fail_on = AUDIT_SEV_HIGH;
	ro.hashed = audit_has_hash(a);
	ro.generated_at = 1900000000;
	err_clear(&e);
	buf_init(&b, 0);
	audit_stats_reset(a);
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	audit_stats_get(a, &st);
	assert_int_equal(audit_report_new(&r, fmt, &ro, &e), 0);
	assert_int_equal(audit_report_begin(r, &b, &e), 0);
	for (i = 0; i < l.n; i++)
		assert_int_equal(audit_report_finding(r, &l.items[i], &b, &e), 0);
	assert_int_equal(audit_report_end(r, &st, NULL, &b, &e), 0);
	audit_report_free(r);
	audit_list_release(&l);
	return buf_detach(&b, NULL);
}

static void
test_baseline_ignore(void **state)
{
	char *dir = tu_tmpdir(), keypath[4200], *report, *base, *ign;
	const char *x1 = "{\"gh\": \"ghp_0123456789abcdefghijABCDEFGHIJklmnop\", "
	    "\"slack\": \"xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx\"}";
	const char *x2 = "{\"gh\": \"ghp_0123456789abcdefghijABCDEFGHIJklmnoZ\", "
	    "\"slack\": \"xoxb-1234567890-1234567890123-abcdefghijklmnopqrstuvwx\", "
	    "\"new\": \"glpat-ABCDEFGHIJ0123456789\"}";
	struct audit_opts o;
	struct audit *a;
	struct audit_list l;
	struct audit_stats st;
	struct conn *c = conn_new();
	struct err e;

	(void)state;
	memset(&o, 0, sizeof o);
	snprintf(keypath, sizeof keypath, "%s/k.key", dir);
	o.hash_key_path = keypath;
	set(c, &c->conn_id, "ci");
	set(c, &c->conn_type, "generic");
	set(c, &c->extra, x1);

	a = engine(&o);
	report = json_report(a, c, AUDIT_FORMAT_JSON);
	audit_free(a);
	base = tu_write(dir, "baseline.json", report, 0600);
	free(report);

	/* Same data against its own baseline: nothing new. */
	a = engine(&o);
	err_clear(&e);
	assert_int_equal(audit_load_baseline(a, base, &e), 0);
	memset(&l, 0, sizeof l);
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 0);
	audit_stats_get(a, &st);
	assert_int_equal(st.baseline_suppressed, 2);
	audit_list_release(&l);

	/* A changed secret (same fingerprint, new hash) and a new one are reported. */
	set(c, &c->extra, x2);
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 2);
	assert_non_null(find(&l, "/gh", "github-pat"));
	assert_int_equal(get(&l, "/gh", NULL)->ntags, 1);
	assert_string_equal(get(&l, "/gh", NULL)->tags[0], "changed-since-baseline");
	assert_non_null(find(&l, "/new", "gitlab-pat"));
	audit_list_release(&l);

	/* An ignore file needs a reason on every line. */
	ign = tu_write(dir, "ignore", "# reviewed 2026-11\n\n"
	    "ci:/new:gitlab-pat   # test token of the CI sandbox, revoked\n", 0600);
	assert_int_equal(audit_load_ignore(a, ign, &e), 0);
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	assert_int_equal(l.n, 1);
	assert_non_null(find(&l, "/gh", "github-pat"));
	audit_stats_get(a, &st);
	assert_true(st.ignored >= 1);
	audit_list_release(&l);
	audit_free(a);
	free(ign);

	a = engine(&o);
	ign = tu_write(dir, "ignore2", "ci:/gh:github-pat # fine\nci:/new:gitlab-pat\n", 0600);
	err_clear(&e);
	assert_int_equal(audit_load_ignore(a, ign, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_non_null(strstr(e.msg, "line 2"));
	assert_non_null(strstr(e.msg, "reason"));
	free(ign);
	ign = tu_write(dir, "ignore3", "ci:/gh:github-pat #   \n", 0600);
	assert_int_equal(audit_load_ignore(a, ign, &e), -1);
	free(ign);
	/* A baseline that is not a report. */
	ign = tu_write(dir, "notjson", "fingerprints\n", 0600);
	assert_int_equal(audit_load_baseline(a, ign, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	assert_int_equal(audit_load_baseline(a, "/nonexistent/baseline.json", &e), -1);
	free(ign);
	audit_free(a);

	free(base);
	conn_free(c);
	tu_tmpdir_remove(dir);
}

/* -- reports ------------------------------------------------------------- */

static struct conn *
report_conn(void)
{
	struct conn *c = conn_new();

	set(c, &c->conn_id, "rep");
	set(c, &c->conn_type, "postgres");
	set(c, &c->host, "db.corp.example");
	set(c, &c->extra, "{\"sslmode\": \"disable\", \"keyfile_dict\": {\"type\": "
	    "\"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\\n"
	    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n"
	    "MzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\\n"
	    "-----END PRIVATE KEY-----\\n\"}, \"aws_secret_access_key\": "
	    "\"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\"}");
	return c;
}

static void
test_report_json(void **state)
{
	struct audit *a = engine(NULL);
	struct conn *c = report_conn();
	char *text = json_report(a, c, AUDIT_FORMAT_JSON);
	cJSON *root = cJSON_Parse(text), *f, *sum;
	int n = 0;

	(void)state;
	assert_non_null(root);
	assert_string_equal(jstr(root, "tool"), "ferncon");
	assert_string_equal(jstr(root, "generated_at"), "2030-03-17T17:46:40Z");
	assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(root, "rules_used")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(root, "rules_used")),
	    (int)audit_rule_count());
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(root, "findings")) {
		static const char *const keys[] = { "conn_id", "conn_type", "json_pointer", "key",
		    "rule_id", "description", "severity", "evidence", "entropy", "secret_hash",
		    "fingerprint", "tags", "also_matched", "masked_by_airflow" };
		size_t i;

		for (i = 0; i < ARRAY_LEN(keys); i++)
			assert_non_null(cJSON_GetObjectItemCaseSensitive(f, keys[i]));
		assert_string_equal(jstr(f, "conn_id"), "rep");
		assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(f, "tags")));
		n++;
	}
	assert_int_equal(n, 3);
	sum = cJSON_GetObjectItemCaseSensitive(root, "summary");
	assert_int_equal(jnum(sum, "findings"), 3);
	assert_int_equal(jnum(sum, "critical"), 2);
	assert_int_equal(jnum(sum, "medium"), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "failed")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(sum, "complete")));
	/* Evidence only: neither secret is in the report. */
	assert_null(strstr(text, "MIIEvQIBADANBgkqhkiG9w0BAQEF"));
	assert_null(strstr(text, "wJalrXUtnFEMI"));
	assert_non_null(strstr(text, "-----BEGIN PRIVATE KEY----- [REDACTED"));
	cJSON_Delete(root);
	free(text);
	conn_free(c);
	audit_free(a);
}

static void
test_report_sarif(void **state)
{
	struct audit *a = engine(NULL);
	struct conn *c = report_conn();
	char *text = json_report(a, c, AUDIT_FORMAT_SARIF);
	cJSON *root = cJSON_Parse(text), *run, *driver, *res, *rules;
	int n = 0;

	(void)state;
	assert_non_null(root);
	assert_string_equal(jstr(root, "version"), "2.1.0");
	assert_non_null(jstr(root, "$schema"));
	run = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "runs"), 0);
	assert_non_null(run);
	driver = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(run, "tool"),
	    "driver");
	assert_string_equal(jstr(driver, "name"), "ferncon");
	rules = cJSON_GetObjectItemCaseSensitive(driver, "rules");
	assert_int_equal(cJSON_GetArraySize(rules), (int)audit_rule_count());
	cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(run, "results")) {
		cJSON *loc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(res, "locations"), 0);
		cJSON *lg = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(loc,
		    "logicalLocations"), 0);
		cJSON *rule = cJSON_GetArrayItem(rules,
		    (int)jnum(res, "ruleIndex"));
		const char *level = jstr(res, "level");

		assert_string_equal(jstr(rule, "id"), jstr(res, "ruleId"));
		assert_true(strcmp(level, "error") == 0 || strcmp(level, "warning") == 0);
		assert_non_null(jstr(cJSON_GetObjectItemCaseSensitive(res, "message"), "text"));
		assert_string_equal(jstr(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		    loc, "physicalLocation"), "artifactLocation"), "uri"), "airflow-connection://rep");
		assert_string_equal(jstr(lg, "kind"), "member");
		assert_int_equal(strncmp(jstr(lg, "fullyQualifiedName"), "connection/rep/", 15), 0);
		assert_non_null(jstr(cJSON_GetObjectItemCaseSensitive(res, "partialFingerprints"),
		    "connExtraFingerprint/v1"));
		n++;
	}
	assert_int_equal(n, 3);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
	    cJSON_GetObjectItemCaseSensitive(run, "invocations"), 0), "executionSuccessful")));
	assert_null(strstr(text, "MIIEvQIBADANBgkqhkiG9w0BAQEF"));
	cJSON_Delete(root);
	free(text);
	conn_free(c);
	audit_free(a);
}

/* No secret of the corpus reaches any report format. */
static void
test_no_secret_in_reports(void **state)
{
	static const enum audit_format fmts[] = { AUDIT_FORMAT_TEXT, AUDIT_FORMAT_JSON,
	    AUDIT_FORMAT_SARIF };
	cJSON *root = load_corpus(), *cs;
	char *dir = tu_tmpdir(), keypath[4200];
	struct audit_opts o;
	struct audit *a;
	int i = 0, checked = 0;
	size_t k;

	(void)state;
	memset(&o, 0, sizeof o);
	snprintf(keypath, sizeof keypath, "%s/k.key", dir);
	o.hash_key_path = keypath;
	o.min_severity = AUDIT_SEV_INFO;
	a = engine(&o);
	cJSON_ArrayForEach(cs, cJSON_GetObjectItemCaseSensitive(root, "cases")) {
		struct conn *c = case_conn(cs, i++);
		const cJSON *x = cJSON_GetObjectItemCaseSensitive(cs, "extra"), *v;

		for (k = 0; k < ARRAY_LEN(fmts); k++) {
			char *text = json_report(a, c, fmts[k]);

			/* Every string value of 12+ characters in the extra is a candidate secret. */
			cJSON_ArrayForEach(v, x) {
				if (cJSON_IsString(v) && strlen(v->valuestring) >= 12 &&
				    strncmp(v->valuestring, "http", 4) != 0 &&
				    v->valuestring[0] != '/' && !cJSON_IsNull(v)) {
					/* the first 12 characters past a 4-character prefix */
					char probe[16];

					snprintf(probe, sizeof probe, "%.12s", v->valuestring + 4);
					if (strlen(probe) == 12 && strstr(text, probe) != NULL &&
					    strchr(probe, ' ') == NULL)
						fail_msg("case '%s': '%s' reached the report",
						    jstr(cs, "name"), probe);
					checked++;
				}
			}
			free(text);
		}
		conn_free(c);
	}
	assert_true(checked > 100);
	audit_free(a);
	cJSON_Delete(root);
	tu_tmpdir_remove(dir);
}

static void
test_list_sort(void **state)
{
	struct audit *a = engine(NULL);
	struct conn *c = report_conn();
	struct audit_list l;
	struct err e;
	size_t i;

	(void)state;
	memset(&l, 0, sizeof l);
	err_clear(&e);
	assert_int_equal(audit_conn(a, c, audit_list_collect, &l, &e), 0);
	audit_list_sort(&l);
	assert_int_equal(l.n, 3);
	for (i = 1; i < l.n; i++)
		assert_true(l.items[i - 1].severity >= l.items[i].severity);
	assert_string_equal(l.items[2].rule->id, "transport-postgres-sslmode");
	audit_list_release(&l);
	assert_int_equal(l.n, 0);
	conn_free(c);
	audit_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_corpus_covers_rules),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_entropy),
		cmocka_unit_test(test_rules_table),
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_min_severity),
		cmocka_unit_test(test_env),
		cmocka_unit_test_setup_teardown(test_config_bad, cfg_setup, cfg_teardown),
		cmocka_unit_test_setup_teardown(test_config_good, cfg_setup, cfg_teardown),
		cmocka_unit_test_setup_teardown(test_config_guides_bad, cfg_setup, cfg_teardown),
		cmocka_unit_test_setup_teardown(test_config_guides_good, cfg_setup, cfg_teardown),
		cmocka_unit_test(test_hash_key),
		cmocka_unit_test(test_baseline_ignore),
		cmocka_unit_test(test_report_json),
		cmocka_unit_test(test_report_sarif),
		cmocka_unit_test(test_no_secret_in_reports),
		cmocka_unit_test(test_list_sort),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
