/*
 * test_config.c: the config module (src/cfg.c) against Airflow's rules:
 * the lookup order (env, env _CMD, env _SECRET, file, file _cmd, file
 * _secret, default) and the deprecated [core] sql_alchemy_conn,
 * AIRFLOW_HOME/AIRFLOW_CONFIG and the overrides, expand_env_var(), the
 * ConfigParser file format with its errors, BasicInterpolation, `_cmd`
 * commands (shlex quoting, output not stripped, run once, failures that
 * never show the output), getboolean/getint and the built-in defaults.
 *
 * Every test starts from an environment without AIRFLOW* variables, HOME
 * pointing into its own temporary directory.
 */
#include "config.h"

#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "err.h"

struct fx {
	char		*dir;		/* private temporary directory */
	char		*home;		/* $HOME: dir/home */
	char		*path;		/* dir/airflow.cfg, once written */
	struct config	*cfg;		/* freed by the teardown */
	struct err	 e;
};

/* Unset every AIRFLOW* variable and the test's own. */
static void
env_clear(void)
{
	tu_unsetenv_prefix("AIRFLOW");
	unsetenv("FERNCON_V");
	unsetenv("FERNCON_N");
	unsetenv("FERNCON_T");
	unsetenv("FERNCON_LOOP");
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	env_clear();
	f->dir = tu_tmpdir();
	assert_true(asprintf(&f->home, "%s/home", f->dir) > 0);
	assert_int_equal(mkdir(f->home, 0700), 0);
	assert_int_equal(setenv("HOME", f->home, 1), 0);
	err_clear(&f->e);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	config_free(f->cfg);
	free(f->path);
	free(f->home);
	tu_tmpdir_remove(f->dir);
	free(f);
	env_clear();
	return 0;
}

/* Write dir/airflow.cfg and load it through --config; must succeed. */
static struct config *
load(struct fx *f, const char *text)
{
	struct config_opts o = { NULL, NULL, NULL };

	config_free(f->cfg);
	f->cfg = NULL;
	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg", text, 0600);
	o.config_file = f->path;
	if (config_load(&f->cfg, &o, &f->e) != 0)
		fail_msg("config_load: %s", f->e.msg);
	return f->cfg;
}

/* The same, but the load must fail; returns the message. */
static const char *
load_fails(struct fx *f, const char *text)
{
	struct config_opts o = { NULL, NULL, NULL };
	struct config *cfg = NULL;

	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg", text, 0600);
	o.config_file = f->path;
	err_clear(&f->e);
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_null(cfg);
	assert_int_equal(f->e.code, ERR_CONFIG);
	return f->e.msg;
}

/* config_get that must succeed; returns the value (NULL when unset). */
static const char *
get(struct fx *f, const char *section, const char *key, struct config_value *v)
{
	if (config_get(f->cfg, section, key, v, &f->e) != 0)
		fail_msg("config_get [%s] %s: %s", section, key, f->e.msg);
	return v->value;
}

/* config_get that must fail with ERR_CONFIG; returns the message. */
static const char *
get_fails(struct fx *f, const char *section, const char *key)
{
	struct config_value v;

	err_clear(&f->e);
	assert_int_equal(config_get(f->cfg, section, key, &v, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	return f->e.msg;
}

/* "airflow.cfg '<path>' line N: what" for the current file. */
static char *
file_msg(const struct fx *f, int line, const char *what)
{
	char *s;

	assert_true(asprintf(&s, "airflow.cfg '%s' line %d: %s", f->path, line,
	    what) > 0);
	return s;
}

static void
assert_file_msg(const struct fx *f, const char *msg, int line,
    const char *what)
{
	char *want = file_msg(f, line, what);

	assert_string_equal(msg, want);
	free(want);
}

static char *
path_in(const struct fx *f, const char *rel)
{
	char *s;

	assert_true(asprintf(&s, "%s/%s", f->dir, rel) > 0);
	return s;
}

/* ------------------------------------------------------------------------ */

static void
test_paths_default(void **state)
{
	struct fx *f = *state;
	struct config *cfg = NULL;
	struct config_value v;
	char *home, *path, *url;

	/* no AIRFLOW_HOME, no AIRFLOW_CONFIG: ~/airflow/airflow.cfg */
	home = path_in(f, "home/airflow");
	assert_int_equal(mkdir(home, 0700), 0);
	free(tu_write(home, "airflow.cfg", "[core]\n", 0600));
	assert_int_equal(config_load(&cfg, NULL, &f->e), 0);
	f->cfg = cfg;
	assert_string_equal(config_airflow_home(cfg), home);
	assert_true(asprintf(&path, "%s/airflow.cfg", home) > 0);
	assert_string_equal(config_path(cfg), path);

	/* the default DB: sqlite:/// + an absolute home = four slashes */
	assert_int_equal(config_db_url(cfg, &v, &f->e), 0);
	assert_true(asprintf(&url, "sqlite:///%s/airflow.db", home) > 0);
	assert_string_equal(v.value, url);
	assert_int_equal(strncmp(v.value, "sqlite:////", 11), 0);
	assert_int_equal(v.len, strlen(url));
	assert_int_equal(v.source, CONFIG_SRC_DEFAULT);
	assert_string_equal(v.origin, "default");
	free(url);
	free(path);
	free(home);
}

static void
test_paths_env_and_opts(void **state)
{
	struct fx *f = *state;
	struct config_opts o = { NULL, NULL, NULL };
	struct config *cfg = NULL;
	char *h1, *want;

	h1 = path_in(f, "h1");
	assert_int_equal(mkdir(h1, 0700), 0);
	free(tu_write(h1, "airflow.cfg", "[core]\n", 0600));
	free(tu_write(f->dir, "other.cfg", "[core]\n", 0600));
	free(tu_write(f->home, "third.cfg", "[core]\n", 0600));
	assert_int_equal(setenv("FERNCON_T", f->dir, 1), 0);

	/* AIRFLOW_HOME with $VAR */
	assert_int_equal(setenv("AIRFLOW_HOME", "$FERNCON_T/h1", 1), 0);
	assert_int_equal(config_load(&cfg, NULL, &f->e), 0);
	assert_string_equal(config_airflow_home(cfg), h1);
	want = path_in(f, "h1/airflow.cfg");
	assert_string_equal(config_path(cfg), want);
	free(want);
	config_free(cfg);

	/* AIRFLOW_CONFIG with ${VAR} beats $AIRFLOW_HOME/airflow.cfg */
	assert_int_equal(setenv("AIRFLOW_CONFIG", "${FERNCON_T}/other.cfg", 1), 0);
	assert_int_equal(config_load(&cfg, NULL, &f->e), 0);
	want = path_in(f, "other.cfg");
	assert_string_equal(config_path(cfg), want);
	assert_string_equal(config_airflow_home(cfg), h1);
	free(want);
	config_free(cfg);

	/* ~ in AIRFLOW_HOME and AIRFLOW_CONFIG */
	assert_int_equal(setenv("AIRFLOW_HOME", "~/hx", 1), 0);
	assert_int_equal(setenv("AIRFLOW_CONFIG", "~/third.cfg", 1), 0);
	assert_int_equal(config_load(&cfg, NULL, &f->e), 0);
	want = path_in(f, "home/hx");
	assert_string_equal(config_airflow_home(cfg), want);
	free(want);
	want = path_in(f, "home/third.cfg");
	assert_string_equal(config_path(cfg), want);
	free(want);
	config_free(cfg);

	/* --airflow-home and --config override both variables */
	o.airflow_home = "$FERNCON_T/h1";
	o.config_file = "${FERNCON_T}/h1/airflow.cfg";
	assert_int_equal(config_load(&cfg, &o, &f->e), 0);
	assert_string_equal(config_airflow_home(cfg), h1);
	want = path_in(f, "h1/airflow.cfg");
	assert_string_equal(config_path(cfg), want);
	free(want);
	config_free(cfg);

	/* --airflow-home alone: its airflow.cfg (AIRFLOW_CONFIG unset) */
	assert_int_equal(unsetenv("AIRFLOW_CONFIG"), 0);
	o.config_file = NULL;
	o.airflow_home = h1;
	assert_int_equal(config_load(&cfg, &o, &f->e), 0);
	want = path_in(f, "h1/airflow.cfg");
	assert_string_equal(config_path(cfg), want);
	free(want);
	config_free(cfg);

	/* a trailing slash is joined as os.path.join does */
	assert_true(asprintf(&want, "%s/", h1) > 0);
	o.airflow_home = want;
	assert_int_equal(config_load(&cfg, &o, &f->e), 0);
	free(want);
	want = path_in(f, "h1/airflow.cfg");
	assert_string_equal(config_path(cfg), want);
	free(want);
	config_free(cfg);
	free(h1);
}

static void
test_missing_and_directory(void **state)
{
	struct fx *f = *state;
	struct config_opts o = { NULL, NULL, NULL };
	struct config *cfg = (struct config *)1;
	struct config_value v;
	char *p, *want;

	p = path_in(f, "nope/airflow.cfg");
	o.config_file = p;
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_null(cfg);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_true(asprintf(&want, "cannot read airflow.cfg '%s': No such file "
	    "or directory", p) > 0);
	assert_string_equal(f->e.msg, want);
	free(want);
	free(p);

	/* a directory where the file should be */
	o.config_file = f->dir;
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_true(asprintf(&want, "cannot read airflow.cfg '%s': Is a "
	    "directory", f->dir) > 0);
	assert_string_equal(f->e.msg, want);
	free(want);

	/*
	 * The default path when AIRFLOW_HOME has no airflow.cfg, and an
	 * AIRFLOW_CONFIG that does not exist: as for Airflow, the environment
	 * and the defaults.
	 */
	assert_int_equal(setenv("AIRFLOW_HOME", f->dir, 1), 0);
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", "from-env", 1), 0);
	assert_int_equal(config_load(&cfg, NULL, &f->e), 0);
	assert_int_equal(config_file_found(cfg), 0);
	assert_int_equal(config_get(cfg, "core", "fernet_key", &v, &f->e), 0);
	assert_string_equal(v.value, "from-env");
	assert_int_equal(config_get(cfg, "database", "sql_alchemy_schema", &v,
	    &f->e), 0);
	assert_int_equal(v.source, CONFIG_SRC_DEFAULT);
	assert_string_equal(v.value, "");
	config_free(cfg);
	p = path_in(f, "nope.cfg");
	assert_int_equal(setenv("AIRFLOW_CONFIG", p, 1), 0);
	assert_int_equal(config_load(&cfg, NULL, &f->e), 0);
	assert_int_equal(config_file_found(cfg), 0);
	assert_string_equal(config_path(cfg), p);
	config_free(cfg);
	free(p);
	assert_int_equal(unsetenv("AIRFLOW_CONFIG"), 0);
	assert_int_equal(unsetenv("AIRFLOW__CORE__FERNET_KEY"), 0);
}

static void
test_bad_files(void **state)
{
	struct fx *f = *state;
	const char *msg;
	FILE *fp;
	struct config_opts o = { NULL, NULL, NULL };
	struct config *cfg = NULL;
	static const char nul_text[] = "[core]\nfernet_key = a\0b\n";

	msg = load_fails(f, "fernet_key = SECRETA\n[core]\n");
	assert_file_msg(f, msg, 1, "line before the first [section] header");
	assert_null(strstr(msg, "SECRETA"));

	msg = load_fails(f, "# comment\n\n[core]\nfernet_key = a\njunk line\n");
	assert_file_msg(f, msg, 5, "option line without '=' or ':'");

	msg = load_fails(f, "[core]\na = 1\n\n[x]\nb = 2\n[core]\nc = 3\n");
	assert_file_msg(f, msg, 6, "duplicate section [core] (first at line 1)");

	msg = load_fails(f, "[core]\nfernet_key = SECRETA\nx = 1\n"
	    "fernet_key = SECRETB\n");
	assert_file_msg(f, msg, 4,
	    "duplicate option 'fernet_key' in [core] (first at line 2)");
	assert_null(strstr(msg, "SECRET"));

	msg = load_fails(f, "[DEFAULT]\nx = 1\n[core]\n[DEFAULT]\nx = 2\n");
	assert_file_msg(f, msg, 5,
	    "duplicate option 'x' in [DEFAULT] (first at line 2)");

	msg = load_fails(f, "[core]\n = value\n");
	assert_file_msg(f, msg, 2, "option line without a name");

	msg = load_fails(f, "[]\n");
	assert_file_msg(f, msg, 1, "line before the first [section] header");

	/* a NUL byte (tu_write stops at the first NUL) */
	fp = fopen(f->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(nul_text, 1, sizeof nul_text - 1, fp),
	    sizeof nul_text - 1);
	assert_int_equal(fclose(fp), 0);
	o.config_file = f->path;
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_file_msg(f, f->e.msg, 2, "contains a NUL byte");
}

static void
test_env_beats_file(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	char *origin;

	load(f, "[core]\nfernet_key = FILEKEY\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "FILEKEY");
	assert_int_equal(v.source, CONFIG_SRC_FILE);
	assert_true(asprintf(&origin, "%s:2", f->path) > 0);
	assert_string_equal(v.origin, origin);
	free(origin);

	/* the environment is read at every lookup */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", "ENVKEY", 1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "ENVKEY");
	assert_int_equal(v.source, CONFIG_SRC_ENV);
	assert_string_equal(v.origin, "env AIRFLOW__CORE__FERNET_KEY");

	/* set but empty is set (Python: `in os.environ`) */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", "", 1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "");
	assert_int_equal(v.len, 0);
	assert_int_equal(v.source, CONFIG_SRC_ENV);

	/* and env AIRFLOW__X beats env AIRFLOW__X_CMD */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", "ENVKEY", 1), 0);
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "printf CMD", 1),
	    0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "ENVKEY");

	/* a section with a '.' gives '_' in the variable name */
	assert_int_equal(setenv("AIRFLOW__A_B__C", "dotted", 1), 0);
	assert_string_equal(get(f, "a.b", "c", &v), "dotted");
	assert_string_equal(v.origin, "env AIRFLOW__A_B__C");
}

static void
test_env_cmd_beats_file(void **state)
{
	struct fx *f = *state;
	struct config_value v;

	load(f, "[core]\nfernet_key = FILEKEY\nfernet_key_cmd = printf FILECMD\n");
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "printf ENVCMD",
	    1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "ENVCMD");
	assert_int_equal(v.source, CONFIG_SRC_ENV_CMD);
	assert_string_equal(v.origin, "env AIRFLOW__CORE__FERNET_KEY_CMD");
	assert_string_equal(config_source_name(v.source), "env _cmd");

	/* an empty output of an env _CMD is the value (Airflow: `is not None`) */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "true", 1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "");
	assert_int_equal(v.source, CONFIG_SRC_ENV_CMD);
}

static void
test_file_beats_file_cmd(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	char *origin;

	load(f, "[core]\nfernet_key_cmd = printf CMDKEY\nfernet_key = FILEKEY\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "FILEKEY");
	assert_int_equal(v.source, CONFIG_SRC_FILE);

	load(f, "[core]\nexecutor = LocalExecutor\nfernet_key_cmd = printf "
	    "CMDKEY\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "CMDKEY");
	assert_int_equal(v.source, CONFIG_SRC_FILE_CMD);
	assert_true(asprintf(&origin, "%s:3 (fernet_key_cmd)", f->path) > 0);
	assert_string_equal(v.origin, origin);
	free(origin);

	/* an empty output of a file _cmd counts as unset (Airflow: `if option:`) */
	load(f, "[core]\nfernet_key_cmd = true\n");
	assert_null(get(f, "core", "fernet_key", &v));
	assert_string_equal(v.origin, "unset");
}

static void
test_cmd_output_not_stripped(void **state)
{
	struct fx *f = *state;
	struct config_value v;

	load(f, "[core]\nfernet_key_cmd = printf 'abc\\n'\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "abc\n");
	assert_int_equal(v.len, 4);

	/* output of any size, read to the end */
	load(f, "[core]\nfernet_key_cmd = head -c 200000 /dev/zero\n");
	assert_non_null(get(f, "core", "fernet_key", &v));
	assert_int_equal(v.len, 200000);
}

static void
test_cmd_only_sensitive(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	int b = -1;

	load(f, "[webserver]\nshow_connection_password_cmd = printf True\n"
	    "[console]\nroles_cmd = printf alice:Admin\n"
	    "roles_secret = x\n");
	assert_int_equal(setenv("AIRFLOW__WEBSERVER__SHOW_CONNECTION_PASSWORD_CMD",
	    "printf True", 1), 0);
	assert_int_equal(setenv(
	    "AIRFLOW__WEBSERVER__SHOW_CONNECTION_PASSWORD_SECRET", "x", 1), 0);
	assert_string_equal(get(f, "webserver", "show_connection_password", &v),
	    "False");
	assert_int_equal(v.source, CONFIG_SRC_DEFAULT);
	assert_int_equal(config_get_bool(f->cfg, "webserver",
	    "show_connection_password", 1, &b, &f->e), 0);
	assert_int_equal(b, 0);
	assert_null(get(f, "console", "roles", &v));
	assert_int_equal(v.source, CONFIG_SRC_DEFAULT);
}

static void
test_cmd_runs_once(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	char *text, *count, *data;
	size_t len = 0;

	count = path_in(f, "count");
	assert_true(asprintf(&text, "[core]\nfernet_key_cmd = sh -c 'echo run >> "
	    "\"%s\"; printf KEY'\n", count) > 0);
	load(f, text);
	assert_string_equal(get(f, "core", "fernet_key", &v), "KEY");
	assert_string_equal(get(f, "core", "fernet_key", &v), "KEY");
	assert_int_equal(config_fernet_key(f->cfg, &v, &f->e), 0);
	data = tu_read(count, &len);
	assert_non_null(data);
	assert_string_equal(data, "run\n");
	free(data);
	free(text);
	free(count);
}

static void
test_cmd_failure(void **state)
{
	struct fx *f = *state;
	const char *msg;

	load(f, "[core]\nfernet_key_cmd = sh -c 'echo SECRETOUT; exit 3'\n");
	msg = get_fails(f, "core", "fernet_key");
	assert_string_equal(msg,
	    "cannot execute 'sh' for [core] fernet_key_cmd: exit status 3");
	assert_null(strstr(msg, "SECRET"));

	load(f, "[core]\nfernet_key_cmd = false\n");
	assert_string_equal(get_fails(f, "core", "fernet_key"),
	    "cannot execute 'false' for [core] fernet_key_cmd: exit status 1");

	load(f, "[core]\nfernet_key_cmd = sh -c 'kill -9 $$'\n");
	assert_string_equal(get_fails(f, "core", "fernet_key"),
	    "cannot execute 'sh' for [core] fernet_key_cmd: killed by signal 9");

	load(f, "[core]\nfernet_key_cmd = ferncon-no-such-program --x\n");
	assert_string_equal(get_fails(f, "core", "fernet_key"),
	    "cannot execute 'ferncon-no-such-program' for [core] fernet_key_cmd: "
	    "No such file or directory");

	/* the same from the environment */
	load(f, "[core]\n");
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD",
	    "sh -c 'echo SECRETOUT; exit 3'", 1), 0);
	msg = get_fails(f, "core", "fernet_key");
	assert_string_equal(msg, "cannot execute 'sh' for "
	    "AIRFLOW__CORE__FERNET_KEY_CMD: exit status 3");

	/* stdin is /dev/null: a command reading it ends at once */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "cat", 1), 0);
	assert_int_equal(config_fernet_key(f->cfg, &(struct config_value){ 0 },
	    &f->e), 0);
}

static void
test_cmd_shlex(void **state)
{
	struct fx *f = *state;
	struct config_value v;

	load(f, "[core]\n");
	/* checked against Python's shlex.split() */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD",
	    "printf '%s|' 'a b' \"c\\\"d\" e\\ f '' \"x\\$y\" g\"h i\"j "
	    "'k\\l' \"m\\\\n\"", 1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &v),
	    "a b|c\"d|e f||x\\$y|gh ij|k\\l|m\\n|");

	/* spaces, tabs and newlines between words; no $VAR expansion */
	assert_int_equal(setenv("FERNCON_V", "expanded", 1), 0);
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD",
	    "  printf\t'[%s]'\n$FERNCON_V  ", 1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "[$FERNCON_V]");

	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "printf 'abc",
	    1), 0);
	assert_string_equal(get_fails(f, "core", "fernet_key"),
	    "cannot execute AIRFLOW__CORE__FERNET_KEY_CMD: a quotation is not "
	    "closed");
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "printf abc\\",
	    1), 0);
	assert_string_equal(get_fails(f, "core", "fernet_key"),
	    "cannot execute AIRFLOW__CORE__FERNET_KEY_CMD: it ends with a lone "
	    "backslash");
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", " \t ", 1), 0);
	assert_string_equal(get_fails(f, "core", "fernet_key"),
	    "cannot execute AIRFLOW__CORE__FERNET_KEY_CMD: the command is empty");

	/* in the file, % must be doubled (interpolation comes first) */
	assert_int_equal(unsetenv("AIRFLOW__CORE__FERNET_KEY_CMD"), 0);
	load(f, "[core]\nfernet_key_cmd = printf '%%s-%%s' \"a b\" c\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "a b-c");
}

static void
test_secret_unsupported(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	const char *msg;
	char *want;

	load(f, "[core]\n");
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_SECRET", "path/key",
	    1), 0);
	msg = get_fails(f, "core", "fernet_key");
	assert_string_equal(msg, "AIRFLOW__CORE__FERNET_KEY_SECRET is set, but "
	    "ferncon does not support secrets backends: set "
	    "AIRFLOW__CORE__FERNET_KEY or AIRFLOW__CORE__FERNET_KEY_CMD instead");
	/* an earlier step wins before the secret is looked at */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "printf K", 1),
	    0);
	assert_string_equal(get(f, "core", "fernet_key", &v), "K");
	assert_int_equal(unsetenv("AIRFLOW__CORE__FERNET_KEY_CMD"), 0);
	assert_int_equal(unsetenv("AIRFLOW__CORE__FERNET_KEY_SECRET"), 0);

	load(f, "[core]\nexecutor = LocalExecutor\nfernet_key_secret = path/key\n");
	msg = get_fails(f, "core", "fernet_key");
	want = file_msg(f, 3, "[core] fernet_key_secret is set, but ferncon does "
	    "not support secrets backends: set fernet_key or fernet_key_cmd "
	    "instead");
	assert_string_equal(msg, want);
	free(want);

	load(f, "[core]\nfernet_key = FILEKEY\nfernet_key_secret = path/key\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "FILEKEY");
}

static void
test_deprecated_sql_alchemy_conn(void **state)
{
	struct fx *f = *state;
	struct config_opts o = { NULL, NULL, "postgresql://arg/db" };
	struct config *cfg = NULL;
	struct config_value v;
	char *origin;

	/* only the 2.x [core] name */
	load(f, "[core]\nsql_alchemy_conn = postgresql://old/db\n");
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "postgresql://old/db");
	assert_int_equal(v.source, CONFIG_SRC_FILE);
	assert_true(asprintf(&origin, "%s:2 ([core] sql_alchemy_conn)",
	    f->path) > 0);
	assert_string_equal(v.origin, origin);
	free(origin);
	/* asking for the old name looks up the new one first */
	assert_string_equal(get(f, "core", "sql_alchemy_conn", &v),
	    "postgresql://old/db");

	/* [database] comes first within the file step */
	load(f, "[core]\nsql_alchemy_conn = postgresql://old/db\n"
	    "[database]\nsql_alchemy_conn = postgresql://new/db\n");
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "postgresql://new/db");
	assert_string_equal(get(f, "core", "sql_alchemy_conn", &v),
	    "postgresql://new/db");

	/* the env step (old name) comes before the file step (new name) */
	assert_int_equal(setenv("AIRFLOW__CORE__SQL_ALCHEMY_CONN",
	    "postgresql://envold/db", 1), 0);
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "postgresql://envold/db");
	assert_string_equal(v.origin, "env AIRFLOW__CORE__SQL_ALCHEMY_CONN");

	/* ... and the new name's _CMD before the old name's variable */
	assert_int_equal(setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_CMD",
	    "printf postgresql://envnewcmd/db", 1), 0);
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "postgresql://envnewcmd/db");
	assert_int_equal(v.source, CONFIG_SRC_ENV_CMD);
	assert_int_equal(setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
	    "postgresql://envnew/db", 1), 0);
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "postgresql://envnew/db");
	env_clear();

	/* the old name's key_cmd */
	load(f, "[core]\nsql_alchemy_conn_cmd = printf sqlite:////x.db\n");
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "sqlite:////x.db");
	assert_int_equal(v.source, CONFIG_SRC_FILE_CMD);

	/* --db beats everything */
	assert_int_equal(setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
	    "postgresql://envnew/db", 1), 0);
	o.config_file = f->path;
	assert_int_equal(config_load(&cfg, &o, &f->e), 0);
	assert_int_equal(config_db_url(cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "postgresql://arg/db");
	assert_int_equal(v.source, CONFIG_SRC_ARG);
	assert_string_equal(v.origin, "--db");
	config_free(cfg);

	/* 2.x [admin] names of the masking options */
	load(f, "[admin]\nhide_sensitive_variable_fields = False\n"
	    "sensitive_variable_fields = token\n[core]\n");
	assert_string_equal(get(f, "core", "hide_sensitive_var_conn_fields", &v),
	    "False");
	assert_string_equal(get(f, "core", "sensitive_var_conn_names", &v),
	    "token");
}

static void
test_expandvars(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	char *want;

	assert_int_equal(setenv("FERNCON_V", "val", 1), 0);
	assert_int_equal(setenv("FERNCON_N", "$FERNCON_V/n", 1), 0);
	load(f, "[console]\n"
	    "a = $FERNCON_V/x\n"
	    "b = ${FERNCON_V}y\n"
	    "c = $FERNCON_UNSET_VAR/z and ${FERNCON_UNSET_VAR}\n"
	    "d = ~/w\n"
	    "e = $FERNCON_N\n"
	    "f = ${}and$ and $ ${FERNCON_V\n"
	    "g = a~ $FERNCON_Vx\n"
	    "h = ~\n");
	assert_string_equal(get(f, "console", "a", &v), "val/x");
	assert_string_equal(get(f, "console", "b", &v), "valy");
	assert_string_equal(get(f, "console", "c", &v),
	    "$FERNCON_UNSET_VAR/z and ${FERNCON_UNSET_VAR}");
	assert_true(asprintf(&want, "%s/w", f->home) > 0);
	assert_string_equal(get(f, "console", "d", &v), want);
	free(want);
	assert_string_equal(get(f, "console", "e", &v), "val/n");
	assert_string_equal(get(f, "console", "f", &v),
	    "${}and$ and $ ${FERNCON_V");
	assert_string_equal(get(f, "console", "g", &v), "a~ $FERNCON_Vx");
	assert_string_equal(get(f, "console", "h", &v), f->home);

	/* environment values are expanded too */
	assert_int_equal(setenv("AIRFLOW__CONSOLE__A", "${FERNCON_V}-env", 1), 0);
	assert_string_equal(get(f, "console", "a", &v), "val-env");

	/* a variable that contains itself and more never settles */
	assert_int_equal(setenv("FERNCON_LOOP", "x$FERNCON_LOOP", 1), 0);
	assert_int_equal(setenv("AIRFLOW__CONSOLE__A", "$FERNCON_LOOP", 1), 0);
	assert_string_equal(get_fails(f, "console", "a"),
	    "cannot expand the $variables of env AIRFLOW__CONSOLE__A: they keep "
	    "expanding");
}

static void
test_interpolation(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	const char *msg;

	assert_int_equal(setenv("FERNCON_V", "val", 1), 0);
	load(f, "[DEFAULT]\n"
	    "base = /srv\n"
	    "[console]\n"
	    "pct = 100%%\n"
	    "ref = %(base)s/x\n"
	    "chain = %(ref)s/y\n"
	    "local = %(pct)s done\n"
	    "both = %(base)s/$FERNCON_V\n"
	    "bad = 5% off\n"
	    "badref = %(nope)s\n"
	    "badsyntax = %(oops\n"
	    "loop1 = %(loop2)s\n"
	    "loop2 = %(loop1)s\n"
	    "[core]\n"
	    "fernet_key = SECRET%SECRET\n"
	    "[database]\n"
	    "sql_alchemy_conn = %(SECRETNAME)s\n");
	assert_string_equal(get(f, "console", "pct", &v), "100%");
	assert_string_equal(get(f, "console", "ref", &v), "/srv/x");
	assert_string_equal(get(f, "console", "chain", &v), "/srv/x/y");
	assert_string_equal(get(f, "console", "local", &v), "100% done");
	assert_string_equal(get(f, "console", "both", &v), "/srv/val");

	msg = get_fails(f, "console", "bad");
	assert_file_msg(f, msg, 9,
	    "[console] bad: '%' must be followed by '%' or '('");
	msg = get_fails(f, "console", "badref");
	assert_file_msg(f, msg, 10, "[console] badref: '%(nope)s' names no option");
	msg = get_fails(f, "console", "badsyntax");
	assert_file_msg(f, msg, 11, "[console] badsyntax: bad interpolation "
	    "variable reference (write %% for a literal '%')");
	msg = get_fails(f, "console", "loop1");
	assert_file_msg(f, msg, 12,
	    "[console] loop1: %(name)s references nest deeper than 10 (a loop?)");

	/* a sensitive option's message shows nothing of its value */
	msg = get_fails(f, "core", "fernet_key");
	assert_file_msg(f, msg, 15,
	    "[core] fernet_key: '%' must be followed by '%' or '('");
	msg = get_fails(f, "database", "sql_alchemy_conn");
	assert_null(strstr(msg, "SECRET"));
	assert_file_msg(f, msg, 17,
	    "[database] sql_alchemy_conn: a %(name)s reference names no option");
}

/*
 * %(name)s interpolation is bounded (README, Limits): ConfigParser has only
 * its depth of 10 (configparser.py, MAX_INTERPOLATION_DEPTH), so 30
 * references per level over 6 levels would expand to 30^6 copies. The
 * error names the option asked for and shows nothing of a secret.
 */
static void
test_interpolation_caps(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	struct buf b;
	const char *msg;
	int i, j;

	buf_init(&b, 0);
	buf_adds(&b, "[DEFAULT]\nk0 = SECRETSECRETSECRETSECRETSECRETSECRETSECRET\n"
	    "e0 =\n");
	for (i = 1; i <= 6; i++) {
		buf_addf(&b, "k%d = ", i);
		for (j = 0; j < 30; j++)
			buf_addf(&b, "%%(k%d)s", i - 1);
		buf_addf(&b, "\ne%d = ", i);
		for (j = 0; j < 30; j++)
			buf_addf(&b, "%%(e%d)s", i - 1);
		buf_addc(&b, '\n');
	}
	/* 30^2 copies of 42 bytes: 37,800 bytes, under the cap */
	buf_adds(&b, "[console]\nbig = %(k6)s\nempty = %(e6)s\nfits = %(k2)s\n"
	    "[core]\nfernet_key = %(k6)s\n");
	assert_int_equal(buf_check(&b, &f->e), 0);
	load(f, buf_str(&b));
	buf_release(&b);

	assert_int_equal(strlen(get(f, "console", "fits", &v)), 30 * 30 * 42);
	msg = get_fails(f, "console", "big");
	assert_file_msg(f, msg, 17, "[console] big: %(name)s interpolation "
	    "makes the value larger than 64 KiB");
	/* references that add nothing still count: 30^6 of them */
	msg = get_fails(f, "console", "empty");
	assert_file_msg(f, msg, 18, "[console] empty: more than 10000 "
	    "%(name)s references to expand");
	msg = get_fails(f, "core", "fernet_key");
	assert_null(strstr(msg, "SECRET"));
	assert_file_msg(f, msg, 21, "[core] fernet_key: %(name)s interpolation "
	    "makes the value larger than 64 KiB");
}

/*
 * A file of 100,000 sections (the most that fit in CONFIG_MAX_FILE) is
 * read with its sections and options found by name, the duplicate check
 * included (before the index, every header was compared with every one
 * before it). No timing is asserted here; bench/ measures it.
 */
static void
test_many_sections(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	struct buf b;
	const char *msg;
	int i;

	buf_init(&b, 0);
	for (i = 0; i < 100000; i++)
		buf_addf(&b, "[s%x]\n", i);
	buf_adds(&b, "[console]\nk = %(d)s\n[DEFAULT]\nd = last\n");
	assert_int_equal(buf_check(&b, &f->e), 0);
	assert_true(b.len <= CONFIG_MAX_FILE);
	load(f, buf_str(&b));
	assert_string_equal(get(f, "console", "k", &v), "last");
	assert_string_equal(get(f, "s1869f", "d", &v), "last");

	/* the duplicate of a header 99,999 sections back is still found */
	buf_adds(&b, "[s1]\n");
	msg = load_fails(f, buf_str(&b));
	assert_file_msg(f, msg, 100005, "duplicate section [s1] (first at "
	    "line 2)");
	buf_release(&b);
}

/*
 * Only a regular file is read as airflow.cfg, and at most CONFIG_MAX_FILE
 * bytes: a FIFO (which would block open() and read() forever), a device
 * and a larger file are refused with one line, at once.
 */
static void
test_file_kinds(void **state)
{
	struct fx *f = *state;
	struct config_opts o = { NULL, NULL, NULL };
	struct config *cfg = NULL;
	char *fifo, *big, *want;
	FILE *fp;

	assert_true(asprintf(&fifo, "%s/fifo.cfg", f->dir) > 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	o.config_file = fifo;
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_true(asprintf(&want, "cannot read airflow.cfg '%s': is a FIFO, "
	    "not a regular file", fifo) > 0);
	assert_string_equal(f->e.msg, want);
	free(want);

	o.config_file = "/dev/zero";
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_string_equal(f->e.msg, "cannot read airflow.cfg '/dev/zero': is "
	    "a device, not a regular file");

	/* one byte over the limit; a sparse file costs no disk */
	assert_true(asprintf(&big, "%s/big.cfg", f->dir) > 0);
	assert_non_null(fp = fopen(big, "w"));
	assert_int_equal(ftruncate(fileno(fp), (off_t)CONFIG_MAX_FILE + 1), 0);
	assert_int_equal(fclose(fp), 0);
	o.config_file = big;
	err_clear(&f->e);
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_true(asprintf(&want, "cannot read airflow.cfg '%s': larger than "
	    "1 MiB", big) > 0);
	assert_string_equal(f->e.msg, want);
	free(want);
	/* exactly the limit is read (and then parsed: NULs are refused) */
	assert_int_equal(truncate(big, (off_t)CONFIG_MAX_FILE), 0);
	err_clear(&f->e);
	assert_int_equal(config_load(&cfg, &o, &f->e), -1);
	assert_null(strstr(f->e.msg, "larger than"));
	assert_null(cfg);
	free(big);
	free(fifo);
}

static void
test_case_rules(void **state)
{
	struct fx *f = *state;
	struct config_value v;

	/*
	 * Airflow's parser keeps option names as written and looks them up
	 * lower-cased: FERNET_KEY is another option, not a duplicate, and is
	 * never found. Section names are case-sensitive.
	 */
	load(f, "[core]\nFERNET_KEY = upper\nExecutor = x\n[Core]\nfernet_key = "
	    "mixed\n");
	assert_null(get(f, "core", "fernet_key", &v));
	assert_string_equal(v.origin, "unset");
	assert_null(get(f, "core", "executor", &v));

	load(f, "[core]\nFERNET_KEY = upper\nfernet_key = lower\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "lower");
}

static void
test_default_section(void **state)
{
	struct fx *f = *state;
	struct config_value v;
	char *origin;

	load(f, "[DEFAULT]\ndefault_role = Op\naction_log = /d/log\n"
	    "[console]\naction_log = /c/log\n");
	assert_string_equal(get(f, "console", "default_role", &v), "Op");
	assert_int_equal(v.source, CONFIG_SRC_FILE);
	assert_true(asprintf(&origin, "%s:2 ([DEFAULT] default_role)",
	    f->path) > 0);
	assert_string_equal(v.origin, origin);
	free(origin);
	assert_string_equal(get(f, "console", "action_log", &v), "/c/log");

	/* [DEFAULT] serves only sections the file has (has_option()) */
	load(f, "[DEFAULT]\ndefault_role = Op\n[core]\n");
	assert_string_equal(get(f, "console", "default_role", &v), "Viewer");
	assert_int_equal(v.source, CONFIG_SRC_DEFAULT);
	assert_string_equal(get(f, "core", "default_role", &v), "Op");
}

static void
test_continuation_and_comments(void **state)
{
	struct fx *f = *state;
	struct config_value v;

	load(f, "# a comment\n"
	    "; another\n"
	    "[console]\n"
	    "  # an indented comment\n"
	    "roles = alice:Admin,\n"
	    "    bob:Op\n"
	    "\n"
	    "    carol:Viewer\n"
	    "  ; a comment inside the value\n"
	    "    dave:Viewer\n"
	    "\n"
	    "\n"
	    "default_role: Op  # not a comment\n"
	    "rotation_max_age_days=30\n"
	    "sep = a=b:c\n"
	    "colon: x = y\n"
	    "empty =\n"
	    "under_empty =\n"
	    "  indented = option\n"
	    "[webserver]\n"
	    "show_connection_password = True\n");
	assert_string_equal(get(f, "console", "roles", &v),
	    "alice:Admin,\nbob:Op\n\ncarol:Viewer\ndave:Viewer");
	assert_string_equal(get(f, "console", "default_role", &v),
	    "Op  # not a comment");
	assert_string_equal(get(f, "console", "rotation_max_age_days", &v), "30");
	assert_string_equal(get(f, "console", "sep", &v), "a=b:c");
	assert_string_equal(get(f, "console", "colon", &v), "x = y");
	assert_string_equal(get(f, "console", "empty", &v), "");
	assert_int_equal(v.source, CONFIG_SRC_FILE);
	/* an indented "key = value" under a value continues it, as in Python */
	assert_string_equal(get(f, "console", "under_empty", &v),
	    "\nindented = option");
	assert_null(get(f, "console", "indented", &v));
	assert_string_equal(get(f, "webserver", "show_connection_password", &v),
	    "True");

	/* a value that starts on the next line; CRLF and CR line ends */
	load(f, "[console]\r\nroles =\r\n  alice:Admin\r\ndefault_role = Op\r"
	    "action_log = /x\n");
	assert_string_equal(get(f, "console", "roles", &v), "\nalice:Admin");
	assert_string_equal(get(f, "console", "default_role", &v), "Op");
	assert_string_equal(get(f, "console", "action_log", &v), "/x");

	/* a "[x]" line indented under a value is part of the value */
	load(f, "[console]\nroles = a\n  [core]\n");
	assert_string_equal(get(f, "console", "roles", &v), "a\n[core]");
}

static void
test_bool(void **state)
{
	struct fx *f = *state;
	const char *msg;
	int b;
	static const struct { const char *key; int want; } cases[] = {
		{ "t1", 1 }, { "t2", 1 }, { "t3", 1 }, { "t4", 1 },
		{ "f1", 0 }, { "f2", 0 }, { "f3", 0 },
	};
	size_t i;

	load(f, "[webserver]\nshow_connection_password = True # comment\n"
	    "[console]\nt1 = t\nt2 = TRUE\nt3 = 1\nt4 = tRuE#x\n"
	    "f1 = F\nf2 = false  # no\nf3 = 0\n"
	    "bad = Yes\nhash = # only\n"
	    "[smtp]\nsmtp_password = hunter2\n");
	b = -1;
	assert_int_equal(config_get_bool(f->cfg, "webserver",
	    "show_connection_password", 0, &b, &f->e), 0);
	assert_int_equal(b, 1);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		b = -1;
		assert_int_equal(config_get_bool(f->cfg, "console", cases[i].key, 0,
		    &b, &f->e), 0);
		assert_int_equal(b, cases[i].want);
	}
	/* unset: the caller's default */
	assert_int_equal(config_get_bool(f->cfg, "console", "nothing", 1, &b,
	    &f->e), 0);
	assert_int_equal(b, 1);
	assert_int_equal(config_get_bool(f->cfg, "console", "nothing", 0, &b,
	    &f->e), 0);
	assert_int_equal(b, 0);

	assert_int_equal(config_get_bool(f->cfg, "console", "bad", 0, &b, &f->e),
	    -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_string_equal(f->e.msg, "Failed to convert value to bool. Please "
	    "check \"bad\" key in \"console\" section. Current value: \"yes\".");
	assert_int_equal(config_get_bool(f->cfg, "console", "hash", 0, &b, &f->e),
	    -1);
	assert_string_equal(f->e.msg, "Failed to convert value to bool. Please "
	    "check \"hash\" key in \"console\" section. Current value: \"\".");

	/* a sensitive option: no value in the message */
	assert_int_equal(config_get_bool(f->cfg, "smtp", "smtp_password", 0, &b,
	    &f->e), -1);
	msg = f->e.msg;
	assert_string_equal(msg, "Failed to convert value to bool. Please check "
	    "\"smtp_password\" key in \"smtp\" section.");
}

static void
test_int(void **state)
{
	struct fx *f = *state;
	long n;

	load(f, "[console]\nrotation_max_age_days = 30\nneg = -7\nunder = 1_000\n"
	    "bad = 12abc\ndouble = 1__0\nhuge = 99999999999999999999\n"
	    "empty =\n[smtp]\nsmtp_password = hunter2\n");
	assert_int_equal(config_get_int(f->cfg, "console",
	    "rotation_max_age_days", 5, &n, &f->e), 0);
	assert_int_equal(n, 30);
	assert_int_equal(config_get_int(f->cfg, "console", "neg", 5, &n, &f->e), 0);
	assert_int_equal(n, -7);
	assert_int_equal(config_get_int(f->cfg, "console", "under", 5, &n, &f->e),
	    0);
	assert_int_equal(n, 1000);
	assert_int_equal(config_get_int(f->cfg, "console", "nothing", 5, &n,
	    &f->e), 0);
	assert_int_equal(n, 5);
	assert_int_equal(setenv("AIRFLOW__CONSOLE__SPACED", " \t+42 \n", 1), 0);
	assert_int_equal(config_get_int(f->cfg, "console", "spaced", 5, &n,
	    &f->e), 0);
	assert_int_equal(n, 42);

	assert_int_equal(config_get_int(f->cfg, "console", "bad", 5, &n, &f->e),
	    -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_string_equal(f->e.msg, "Failed to convert value to int. Please "
	    "check \"bad\" key in \"console\" section. Current value: \"12abc\".");
	assert_int_equal(config_get_int(f->cfg, "console", "double", 5, &n,
	    &f->e), -1);
	assert_int_equal(config_get_int(f->cfg, "console", "empty", 5, &n,
	    &f->e), -1);
	assert_int_equal(config_get_int(f->cfg, "console", "huge", 5, &n, &f->e),
	    -1);
	assert_non_null(strstr(f->e.msg, "(out of range)"));
	assert_int_equal(config_get_int(f->cfg, "smtp", "smtp_password", 5, &n,
	    &f->e), -1);
	assert_null(strstr(f->e.msg, "hunter2"));
}

static void
test_defaults(void **state)
{
	struct fx *f = *state;
	struct config_opts o = { NULL, NULL, NULL };
	struct config_value v;
	char *want;
	long n;

	assert_int_equal(setenv("AIRFLOW_HOME", f->dir, 1), 0);
	load(f, "[core]\n");
	assert_string_equal(get(f, "webserver", "show_connection_password", &v),
	    "False");
	assert_int_equal(v.source, CONFIG_SRC_DEFAULT);
	assert_string_equal(v.origin, "default");
	assert_string_equal(config_source_name(v.source), "default");
	assert_string_equal(get(f, "console", "default_role", &v), "Viewer");
	assert_string_equal(get(f, "console", "rotation_max_age_days", &v), "90");
	assert_int_equal(config_get_int(f->cfg, "console",
	    "rotation_max_age_days", 5, &n, &f->e), 0);
	assert_int_equal(n, 90);
	assert_true(asprintf(&want, "%s/ferncon-actions.log", f->dir) > 0);
	assert_string_equal(get(f, "console", "action_log", &v), want);
	free(want);
	assert_null(get(f, "console", "roles", &v));
	assert_string_equal(v.origin, "unset");
	assert_string_equal(get(f, "core", "hide_sensitive_var_conn_fields", &v),
	    "True");
	assert_string_equal(get(f, "core", "sensitive_var_conn_names", &v), "");
	assert_string_equal(get(f, "database", "sql_alchemy_schema", &v), "");
	assert_null(get(f, "core", "fernet_key", &v));
	assert_int_equal(config_fernet_key(f->cfg, &v, &f->e), 0);
	assert_null(v.value);
	assert_int_equal(v.len, 0);

	/* the action log follows --airflow-home */
	config_free(f->cfg);
	f->cfg = NULL;
	o.airflow_home = "/srv/af";
	o.config_file = f->path;
	assert_int_equal(config_load(&f->cfg, &o, &f->e), 0);
	assert_string_equal(get(f, "console", "action_log", &v),
	    "/srv/af/ferncon-actions.log");
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "sqlite:////srv/af/airflow.db");
}

static void
test_repeat_lookup_shares(void **state)
{
	struct fx *f = *state;
	struct config_value v, w;
	int i;

	load(f, "[core]\nfernet_key = KEY\n[console]\ndefault_role = Op\n");
	assert_string_equal(get(f, "core", "fernet_key", &v), "KEY");
	for (i = 0; i < 100; i++) {
		assert_string_equal(get(f, "core", "fernet_key", &w), "KEY");
		assert_ptr_equal(w.value, v.value);
		assert_ptr_equal(w.origin, v.origin);
	}
	/* a changed value is a new result; the old one stays valid */
	assert_int_equal(setenv("AIRFLOW__CORE__FERNET_KEY", "OTHER", 1), 0);
	assert_string_equal(get(f, "core", "fernet_key", &w), "OTHER");
	assert_string_equal(v.value, "KEY");
}

static void
test_sensitive_list(void **state)
{
	static const char *const yes[][2] = {
		{ "core", "fernet_key" }, { "core", "dataset_manager_kwargs" },
		{ "core", "asset_manager_kwargs" }, { "core", "sql_alchemy_conn" },
		{ "database", "sql_alchemy_conn" },
		{ "database", "sql_alchemy_conn_async" },
		{ "database", "sql_alchemy_engine_args" },
		{ "logging", "remote_task_handler_kwargs" },
		{ "secrets", "backend_kwargs" }, { "webserver", "secret_key" },
		{ "api", "secret_key" }, { "smtp", "smtp_password" },
		{ "sentry", "sentry_dsn" }, { "workers", "secrets_backend_kwargs" },
		{ "api_auth", "jwt_secret" }, { "celery", "broker_url" },
		{ "celery", "result_backend" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(yes); i++)
		assert_int_equal(config_is_sensitive(yes[i][0], yes[i][1]), 1);
	assert_int_equal(config_is_sensitive("core", "executor"), 0);
	assert_int_equal(config_is_sensitive("webserver",
	    "show_connection_password"), 0);
	assert_int_equal(config_is_sensitive("console", "roles"), 0);
	assert_int_equal(config_is_sensitive("core", "FERNET_KEY"), 0);
	assert_string_equal(config_source_name(CONFIG_SRC_ENV), "env");
	assert_string_equal(config_source_name(CONFIG_SRC_FILE), "airflow.cfg");
	assert_string_equal(config_source_name(CONFIG_SRC_FILE_CMD),
	    "airflow.cfg _cmd");
	assert_string_equal(config_source_name(CONFIG_SRC_ARG), "command line");
	config_free(NULL);
}

static void
test_sample_cfg(void **state)
{
	struct fx *f = *state;
	struct config_opts o = { NULL, NULL, NULL };
	struct config_value v;
	long n;
	int b;

	/* data/airflow.cfg, the installed sample, loads and reads sensibly */
	o.config_file = tu_srcpath("data/airflow.cfg");
	if (config_load(&f->cfg, &o, &f->e) != 0)
		fail_msg("%s", f->e.msg);
	assert_int_equal(config_fernet_key(f->cfg, &v, &f->e), 0);
	assert_non_null(v.value);
	assert_int_equal(v.len, 44);
	assert_int_equal(v.source, CONFIG_SRC_FILE);
	assert_int_equal(config_db_url(f->cfg, &v, &f->e), 0);
	assert_string_equal(v.value, "sqlite:////tmp/ferncon-sample/airflow.db");
	assert_int_equal(config_get_bool(f->cfg, "webserver",
	    "show_connection_password", 1, &b, &f->e), 0);
	assert_int_equal(b, 0);
	assert_int_equal(config_get_int(f->cfg, "console",
	    "rotation_max_age_days", 0, &n, &f->e), 0);
	assert_int_equal(n, 90);
	assert_string_equal(get(f, "console", "default_role", &v), "Viewer");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_paths_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paths_env_and_opts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_and_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_beats_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_env_cmd_beats_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file_beats_file_cmd, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_output_not_stripped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_only_sensitive, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cmd_runs_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmd_shlex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_unsupported, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deprecated_sql_alchemy_conn,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_expandvars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interpolation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interpolation_caps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_sections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_file_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_section, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_continuation_and_comments,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeat_lookup_shares, setup,
		    teardown),
		cmocka_unit_test(test_sensitive_list),
		cmocka_unit_test_setup_teardown(test_sample_cfg, setup, teardown),
	};

	tu_init();
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
