/*
 * fuzz_cfg.c: airflow.cfg as ConfigParser reads it with Airflow's settings
 * (src/cfg.c). The input is the file; config_load() has no in-memory
 * entry, so it is written to a private temporary file (fuzz_file()) and
 * named by --config. Only options that are not sensitive are looked up: a
 * sensitive one could run a `_cmd` from the input. Invariants: a value
 * has no NUL inside (its length is its strlen); asking twice gives the
 * same answer (value, length, source); a failed load or lookup says why.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "err.h"
#include "fuzz.h"

static const char *const options[][2] = {
	{ "core", "hide_sensitive_var_conn_fields" },
	{ "core", "sensitive_var_conn_names" },
	{ "console", "default_role" },
	{ "console", "roles" },
	{ "console", "rotation_max_age_days" },
	{ "database", "sql_alchemy_schema" },
	{ "webserver", "show_connection_password" },
	{ "a", "a" },
	{ "a", "b" },
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static void
lookup(struct config *cfg, const char *section, const char *key)
{
	struct config_value v1, v2;
	struct err e;
	char *first;
	long n;
	int b;

	err_clear(&e);
	if (config_get(cfg, section, key, &v1, &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0', "a failed lookup without a message");
		return;
	}
	if (v1.value == NULL)
		return;
	FUZZ_CHECK(strlen(v1.value) == v1.len, "a value with a NUL inside");
	first = fuzz_str((const uint8_t *)v1.value, v1.len);
	FUZZ_CHECK(config_get(cfg, section, key, &v2, &e) == 0,
	    "the second lookup failed");
	FUZZ_CHECK(v2.value != NULL && v2.len == v1.len &&
	    memcmp(v2.value, first, v1.len) == 0 && v2.source == v1.source,
	    "the second lookup gives another value");
	free(first);
	(void)config_get_bool(cfg, section, key, 0, &b, &e);
	(void)config_get_int(cfg, section, key, 0, &n, &e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_opts opts = { NULL, NULL, NULL };
	struct config *cfg = NULL;
	struct err e;
	size_t i;

	opts.config_file = fuzz_file("airflow.cfg", data, size);
	opts.airflow_home = "/nonexistent/airflow-home";
	err_clear(&e);
	if (config_load(&cfg, &opts, &e) != 0) {
		FUZZ_CHECK(cfg == NULL && e.msg[0] != '\0',
		    "a failed load without a message");
		return 0;
	}
	for (i = 0; i < sizeof options / sizeof options[0]; i++)
		lookup(cfg, options[i][0], options[i][1]);
	config_free(cfg);
	return 0;
}
