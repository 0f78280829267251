/*
 * test_mask.c: which extra keys a person sees as "***" (src/mask.c), held
 * against Airflow's own rules (doc/airflow-compat.md section 6):
 *
 * - DEFAULT_SENSITIVE_FIELDS of the Airflow version that wrote the DB: the
 *   12 names of 2.x, "proxy" and "proxies" from 3.1.6, "access_key" and
 *   "connection_string" from 3.2, all of them when the version is unknown;
 * - should_hide_value_for_key(): the key stripped and lower-cased, then a
 *   substring test against every name;
 * - `[core] sensitive_var_conn_names`: entries stripped but not
 *   lower-cased, an empty entry matching every key;
 * - `[core] hide_sensitive_var_conn_fields = False` turning it all off;
 * - redact(): every string below a sensitive key becomes "***" at any
 *   depth, through objects and lists, while numbers, booleans and nulls
 *   are kept.
 *
 * Sources read (apache/airflow):
 * - 2.x: airflow/utils/log/secrets_masker.py at commit cff9928, lines
 *   55-70 (DEFAULT_SENSITIVE_FIELDS, the same 12 names as 2.10), lines
 *   77-85 (get_sensitive_variables_fields: the configured entries are
 *   field.strip(), no lower()), lines 88-99 (should_hide_value_for_key:
 *   name.strip().lower(), then `s in name` for every s), and
 *   SecretsMasker._redact_all / _redact (strings become "***", anything
 *   else that is not a container is returned as it is; at 2.10's commit
 *   c873bd5: _redact_all() at line 221, _redact() at line 236).
 * - 3.x: shared/secrets_masker/src/airflow_shared/secrets_masker/
 *   secrets_masker.py, the newest stored version (commit 0ac132b), lines
 *   51-76: the list holds proxy, proxy_password, proxies, access_key and
 *   connection_string. The 3.1.6 release notes (apache/airflow#60212,
 *   RELEASE_NOTES.rst) say "proxy and proxies added to
 *   DEFAULT_SENSITIVE_FIELDS (#59688)"; access_key and connection_string
 *   came with apache/airflow#61580 (3.2). proxy_password needs no version
 *   of its own: it contains "password".
 */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cfg.h"
#include "err.h"
#include "buf.h"
#include "mask.h"
#include "pyjson.h"

struct fx {
	char		*dir;
	struct config	*cfg;
	struct mask	*m;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	tu_env_clear();
	f->dir = tu_tmpdir();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	mask_free(f->m);
	config_free(f->cfg);
	tu_tmpdir_remove(f->dir);
	free(f);
	tu_env_clear();
	return 0;
}

/* The rules for cfg text (NULL: no config at all) and version v. */
static struct mask *
rules(struct fx *f, const char *cfg_text, const struct airflow_version *v)
{
	struct err e;

	mask_free(f->m);
	f->m = NULL;
	config_free(f->cfg);
	f->cfg = cfg_text != NULL ? tu_config(f->dir, cfg_text) : NULL;
	err_clear(&e);
	if (mask_new(&f->m, f->cfg, v, &e) != 0)
		fail_msg("mask_new: %s", e.msg);
	return f->m;
}

/* -- names per Airflow version ------------------------------------------- */

static const struct airflow_version
	v2_10 = { 2, 10, 5 }, v2_11 = { 2, 11, 0 }, v3_0 = { 3, 0, 6 },
	v3_1_5 = { 3, 1, 5 }, v3_1_6 = { 3, 1, 6 }, v3_2 = { 3, 2, 0 },
	v_unknown = { 0, 0, 0 };

/* From which version a key is sensitive with no configuration. */
enum since { ALWAYS, FROM_316, FROM_32, NEVER };

static const struct {
	const char	*key;
	enum since	 since;
} names[] = {
	/* The 12 names of 2.x, exactly and inside longer keys. */
	{ "access_token", ALWAYS },
	{ "api_key", ALWAYS },
	{ "apikey", ALWAYS },
	{ "authorization", ALWAYS },
	{ "passphrase", ALWAYS },
	{ "passwd", ALWAYS },
	{ "password", ALWAYS },
	{ "private_key", ALWAYS },
	{ "secret", ALWAYS },
	{ "token", ALWAYS },
	{ "keyfile_dict", ALWAYS },
	{ "service_account", ALWAYS },
	{ "extra__google_cloud_platform__keyfile_dict", ALWAYS },
	{ "bearer_token", ALWAYS },
	{ "client_secret_value", ALWAYS },
	{ "service_accounts", ALWAYS },
	/* Stripped and lower-cased first. */
	{ "  PASSWORD\t", ALWAYS },
	{ "Authorization", ALWAYS },
	{ "X-Api_Key-Header", ALWAYS },
	{ "\nSecret\r\n", ALWAYS },
	/* "password" is inside it: sensitive before 3.1.6 too. */
	{ "proxy_password", ALWAYS },
	/* 3.1.6 (#59688). */
	{ "proxy", FROM_316 },
	{ "proxies", FROM_316 },
	{ "http_proxy", FROM_316 },
	{ "PROXY_HOST", FROM_316 },
	/* 3.2 (#61580). */
	{ "access_key", FROM_32 },
	{ "aws_access_key_id", FROM_32 },
	{ "extra__wasb__connection_string", FROM_32 },
	{ "ConnectionString", NEVER },		/* no underscore: no substring */
	/* A substring test, not a word test: near misses stay visible. */
	{ "x-api-key", NEVER },			/* '-' is not '_' */
	{ "host", NEVER },
	{ "sslmode", NEVER },
	{ "region_name", NEVER },
	{ "keyfile_path", NEVER },
	{ "pass", NEVER },
	{ "auth", NEVER },
	{ "tok en", NEVER },
	{ "", NEVER },
};

static int
expected(enum since since, const struct airflow_version *v)
{
	int newest = v == NULL || v->major == 0;

	switch (since) {
	case ALWAYS:
		return 1;
	case FROM_316:
		return newest || airflow_version_at_least(v, 3, 1, 6);
	case FROM_32:
		return newest || airflow_version_at_least(v, 3, 2, 0);
	case NEVER:
		break;
	}
	return 0;
}

static void
test_names_per_version(void **state)
{
	static const struct airflow_version *const versions[] = {
		&v2_10, &v2_11, &v3_0, &v3_1_5, &v3_1_6, &v3_2, &v_unknown, NULL,
	};
	struct fx *f = *state;
	size_t i, k;

	for (k = 0; k < ARRAY_LEN(versions); k++) {
		const struct airflow_version *v = versions[k];
		struct mask *m = rules(f, NULL, v);

		for (i = 0; i < ARRAY_LEN(names); i++) {
			int want = expected(names[i].since, v), got;

			got = mask_is_sensitive(m, names[i].key);
			if (got != want)
				fail_msg("Airflow %d.%d.%d: '%s' is %s, expected %s",
				    v ? v->major : -1, v ? v->minor : -1,
				    v ? v->patch : -1, names[i].key,
				    got ? "sensitive" : "not sensitive",
				    want ? "sensitive" : "not sensitive");
		}
		assert_int_equal(mask_is_sensitive(m, NULL), 0);
	}
}

/* A key longer than any buffer is still looked at whole. */
static void
test_long_key(void **state)
{
	struct fx *f = *state;
	struct mask *m = rules(f, NULL, &v2_10);
	char key[2048];

	memset(key, 'x', sizeof key);
	memcpy(key + sizeof key - 9, "PASSWORD", 9);	/* with the NUL */
	assert_int_equal(mask_is_sensitive(m, key), 1);
	memcpy(key + sizeof key - 9, "PASSWOR_", 9);
	assert_int_equal(mask_is_sensitive(m, key), 0);
}

/* -- the configuration --------------------------------------------------- */

static void
test_configured_names(void **state)
{
	struct fx *f = *state;
	struct mask *m;

	/* Stripped entries, added to the defaults, matched as substrings. */
	m = rules(f, "[core]\nsensitive_var_conn_names = region , x sig\n",
	    &v2_10);
	assert_int_equal(mask_is_sensitive(m, "region_name"), 1);
	assert_int_equal(mask_is_sensitive(m, "AWS_REGION"), 1);
	assert_int_equal(mask_is_sensitive(m, "password"), 1);
	assert_int_equal(mask_is_sensitive(m, "host"), 0);
	/* Only the ends of an entry are stripped: "x sig" keeps its space. */
	assert_int_equal(mask_is_sensitive(m, "My X Sig"), 1);
	assert_int_equal(mask_is_sensitive(m, "x_sig"), 0);
	assert_int_equal(mask_is_sensitive(m, "region "), 1);

	/*
	 * Entries are not lower-cased while keys are: an entry with a capital
	 * letter never matches anything, in any case.
	 */
	m = rules(f, "[core]\nsensitive_var_conn_names = Host,ssl\n", &v2_10);
	assert_int_equal(mask_is_sensitive(m, "Host"), 0);
	assert_int_equal(mask_is_sensitive(m, "host"), 0);
	assert_int_equal(mask_is_sensitive(m, "HOST"), 0);
	assert_int_equal(mask_is_sensitive(m, "SSLMODE"), 1);

	/* The name before Airflow 2.1 is still read ([admin]). */
	m = rules(f, "[admin]\nsensitive_variable_fields = sslmode\n", &v2_10);
	assert_int_equal(mask_is_sensitive(m, "sslmode"), 1);

	/* An empty value adds nothing. */
	m = rules(f, "[core]\nsensitive_var_conn_names =\n", &v2_10);
	assert_int_equal(mask_is_sensitive(m, "host"), 0);
}

/* An empty entry matches every key: a trailing comma hides everything. */
static void
test_empty_entry_matches_all(void **state)
{
	static const char *const values[] = {
		"region,", ",region", "region,,x_sig", " , ",
	};
	struct fx *f = *state;
	char text[128];
	size_t i;

	for (i = 0; i < ARRAY_LEN(values); i++) {
		struct mask *m;

		snprintf(text, sizeof text, "[core]\nsensitive_var_conn_names = %s\n",
		    values[i]);
		m = rules(f, text, &v2_10);
		if (!mask_is_sensitive(m, "host") ||
		    !mask_is_sensitive(m, "port") || !mask_is_sensitive(m, "")) {
			fail_msg("'%s' should match every key", values[i]);
		}
	}

	/*
	 * From the environment the value is not stripped as the file's is:
	 * "  " is one empty entry once stripped, so it also matches all.
	 */
	assert_int_equal(setenv("AIRFLOW__CORE__SENSITIVE_VAR_CONN_NAMES", "  ",
	    1), 0);
	assert_int_equal(mask_is_sensitive(rules(f, "", &v2_10), "host"), 1);
}

static void
test_hide_off(void **state)
{
	struct fx *f = *state;
	struct mask *m;
	cJSON *tree;
	char *out;

	m = rules(f, "[core]\nhide_sensitive_var_conn_fields = False\n"
	    "sensitive_var_conn_names = ,\n", &v3_2);
	assert_int_equal(mask_is_sensitive(m, "password"), 0);
	assert_int_equal(mask_is_sensitive(m, "host"), 0);
	tree = cJSON_Parse("{\"password\": \"pw\", \"x\": {\"token\": \"t\"}}");
	assert_non_null(tree);
	assert_int_equal(mask_tree(m, tree), 0);
	out = cJSON_PrintUnformatted(tree);
	assert_string_equal(out, "{\"password\":\"pw\",\"x\":{\"token\":\"t\"}}");
	cJSON_free(out);
	cJSON_Delete(tree);

	/* The name before Airflow 2.1 turns it off too. */
	m = rules(f, "[admin]\nhide_sensitive_variable_fields = false\n", &v2_10);
	assert_int_equal(mask_is_sensitive(m, "password"), 0);

	/* True (the default) in any of Airflow's spellings. */
	m = rules(f, "[core]\nhide_sensitive_var_conn_fields = 1\n", &v2_10);
	assert_int_equal(mask_is_sensitive(m, "password"), 1);
}

static void
test_bad_bool(void **state)
{
	struct fx *f = *state;
	struct mask *m = (struct mask *)1;
	struct err e;

	f->cfg = tu_config(f->dir, "[core]\nhide_sensitive_var_conn_fields = "
	    "maybe\n");
	err_clear(&e);
	assert_int_equal(mask_new(&m, f->cfg, &v2_10, &e), -1);
	assert_null(m);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "maybe"));
}

/* -- redaction of a parsed extra ----------------------------------------- */

/* Mask extra (JSON text) and return it printed compactly; caller frees. */
static char *
masked(const struct mask *m, const char *extra, int *count)
{
	cJSON *tree = pyjson_loads(extra, strlen(extra));
	char *out;

	if (tree == NULL)
		fail_msg("bad JSON in the test: %s", extra);
	*count = mask_tree(m, tree);
	out = cJSON_PrintUnformatted(tree);
	assert_non_null(out);
	pyjson_free(tree);
	return out;
}

static const struct {
	const char	*extra;
	const char	*want;
	int		 count;
} trees[] = {
	/* Flat: only the sensitive keys' strings. */
	{ "{\"host\": \"h\", \"password\": \"pw\", \"port\": 5432}",
	  "{\"host\":\"h\",\"password\":\"***\",\"port\":5432}", 1 },
	/* An empty string is a string: it becomes "***" too. */
	{ "{\"password\": \"\"}", "{\"password\":\"***\"}", 1 },
	/* Numbers, booleans and null under a sensitive key are kept. */
	{ "{\"api_key_id\": 12345, \"apikey_on\": false, \"token\": null, "
	  "\"secret_ratio\": 1.5}",
	  "{\"api_key_id\":12345,\"apikey_on\":false,\"token\":null,"
	  "\"secret_ratio\":1.5}", 0 },
	/* Objects in objects: a sensitive key found at any depth. */
	{ "{\"nested\": {\"api_key\": \"k\", \"region\": \"eu\", "
	  "\"deeper\": {\"token\": \"t\", \"n\": 1}}}",
	  "{\"nested\":{\"api_key\":\"***\",\"region\":\"eu\","
	  "\"deeper\":{\"token\":\"***\",\"n\":1}}}", 2 },
	/* Lists of objects under a plain key: each object is looked at. */
	{ "{\"list\": [{\"secret\": \"s\", \"name\": \"a\"}, \"plain\", 3, "
	  "[{\"passwd\": \"p\"}]]}",
	  "{\"list\":[{\"secret\":\"***\",\"name\":\"a\"},\"plain\",3,"
	  "[{\"passwd\":\"***\"}]]}", 2 },
	/* Lists of strings under a sensitive key: every string. */
	{ "{\"tokens\": [\"a\", \"b\", 7, true, null, [\"c\"]]}",
	  "{\"tokens\":[\"***\",\"***\",7,true,null,[\"***\"]]}", 3 },
	/*
	 * An object under a sensitive key: every string below it, whatever
	 * its own key; the keys themselves and the non-strings stay.
	 */
	{ "{\"private_key\": {\"kid\": \"1\", \"len\": 2048, \"ok\": true, "
	  "\"none\": null, \"parts\": [\"p1\", {\"x\": \"p2\"}]}}",
	  "{\"private_key\":{\"kid\":\"***\",\"len\":2048,\"ok\":true,"
	  "\"none\":null,\"parts\":[\"***\",{\"x\":\"***\"}]}}", 3 },
	/* A top-level list of objects. */
	{ "[{\"password\": \"x\"}, {\"host\": \"y\"}, \"z\"]",
	  "[{\"password\":\"***\"},{\"host\":\"y\"},\"z\"]", 1 },
	/* A string alone has no key: nothing is hidden. */
	{ "\"password\"", "\"password\"", 0 },
	/*
	 * Deeper than Airflow 2.x's MAX_RECURSION_DEPTH (5), where its
	 * _redact() gives up and shows the value: ferncon hides it at any
	 * depth, as the newest Airflow does ("key-name-based redaction is
	 * unbounded by depth" in the 3.x secrets_masker.py, commit 0ac132b).
	 */
	{ "{\"a\": {\"b\": {\"c\": {\"d\": {\"e\": {\"f\": [{\"g\": "
	  "{\"password\": \"deep\"}}]}}}}}}",
	  "{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"f\":[{\"g\":"
	  "{\"password\":\"***\"}}]}}}}}}", 1 },
};

static void
test_tree(void **state)
{
	struct fx *f = *state;
	struct mask *m = rules(f, NULL, &v2_10);
	size_t i;

	for (i = 0; i < ARRAY_LEN(trees); i++) {
		int n = -1;
		char *out = masked(m, trees[i].extra, &n);

		if (strcmp(out, trees[i].want) != 0 || n != trees[i].count)
			fail_msg("case %zu: got %s (%d masked), want %s (%d)", i,
			    out, n, trees[i].want, trees[i].count);
		cJSON_free(out);
	}
}

/* The version decides the tree too: proxies are shown by 3.1.5. */
static void
test_tree_per_version(void **state)
{
	static const char extra[] = "{\"proxies\": {\"https\": "
	    "\"http://u:pw@proxy:3128\"}, \"connection_string\": \"x\"}";
	struct fx *f = *state;
	char *out;
	int n;

	out = masked(rules(f, NULL, &v3_1_5), extra, &n);
	assert_int_equal(n, 0);
	cJSON_free(out);
	out = masked(rules(f, NULL, &v3_1_6), extra, &n);
	assert_string_equal(out, "{\"proxies\":{\"https\":\"***\"},"
	    "\"connection_string\":\"x\"}");
	assert_int_equal(n, 1);
	cJSON_free(out);
	out = masked(rules(f, NULL, &v3_2), extra, &n);
	assert_int_equal(n, 2);
	cJSON_free(out);
}

/* With a match-all entry, every string of an object is hidden. */
static void
test_tree_match_all(void **state)
{
	struct fx *f = *state;
	char *out;
	int n;

	out = masked(rules(f, "[core]\nsensitive_var_conn_names = a,\n", &v2_10),
	    "{\"host\": \"h\", \"port\": 1, \"opts\": {\"x\": \"y\"}}", &n);
	assert_string_equal(out, "{\"host\":\"***\",\"port\":1,"
	    "\"opts\":{\"x\":\"***\"}}");
	assert_int_equal(n, 2);
	cJSON_free(out);
}

/* -- variables ----------------------------------------------------------- */

/*
 * mask_var(): the whole value under a sensitive key (Airflow's
 * should_hide_value_for_key on the variable's key, secrets_masker.py
 * lines 88-99 at cff9928, lines 90-101 at 2.10's c873bd5), a
 * JSON value masked per key and written again as json.dumps, anything
 * else as it is.
 */
static void
test_var(void **state)
{
	static const struct {
		const char	*key, *val, *want;
		int		 masked;
	} cases[] = {
		{ "db_password", "s3cret", "***", 1 },
		{ " API_KEY_for_x ", "k", "***", 1 },
		{ "environment", "staging", "staging", 0 },
		{ "etl_config", "{\n  \"password\": \"p\",\n  \"n\": 1\n}",
		    "{\"password\": \"***\", \"n\": 1}", 1 },
		{ "etl_config", "{\n  \"n\": 1\n}", "{\n  \"n\": 1\n}", 0 },
		{ "list", " [{\"token\": \"t\"}, \"x\"]",
		    "[{\"token\": \"***\"}, \"x\"]", 1 },
		{ "not_json", "{password: x", "{password: x", 0 },
		{ "empty", "", "", 0 },
	};
	struct fx *f = *state;
	struct mask *m = rules(f, NULL, &v2_10);
	struct buf b;
	struct err e;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		buf_init(&b, 1);
		err_clear(&e);
		n = -1;
		assert_int_equal(mask_var(m, cases[i].key, cases[i].val,
		    strlen(cases[i].val), &b, &n, &e), 0);
		if (strcmp(b.len > 0 ? buf_str(&b) : "", cases[i].want) != 0 ||
		    (n > 0) != cases[i].masked)
			fail_msg("case %zu: got '%s' (%d), want '%s'", i,
			    b.len > 0 ? buf_str(&b) : "", n, cases[i].want);
		buf_release(&b);
	}
	/* [core] hide_sensitive_var_conn_fields = False shows everything. */
	m = rules(f, "[core]\nhide_sensitive_var_conn_fields = False\n", &v2_10);
	buf_init(&b, 1);
	assert_int_equal(mask_var(m, "db_password", "s3cret", 6, &b, &n, &e), 0);
	assert_string_equal(buf_str(&b), "s3cret");
	assert_int_equal(n, 0);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names_per_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_configured_names, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_empty_entry_matches_all, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hide_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_per_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_var, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_match_all, setup,
		    teardown),
	};

	tu_init();
	return cmocka_run_group_tests_name("mask", tests, NULL, NULL);
}
