/*
 * test_cfgwrite.c: the atomic rewrite of airflow.cfg's [core] fernet_key
 * (src/cfgwrite.c) for the key wizard. Every other byte of the file is kept
 * (comments, blank lines, order, CRLF line endings, the `:` delimiter),
 * continuation lines of the old value go, a missing option or section is
 * added, owner and mode are kept, a symlink stays a symlink, no temporary
 * file is left behind; config_load() then reads the new value where Airflow
 * would. Refusals change nothing: a bad new value, a current value that
 * refers to others ($VAR, %(x)s), a file with two hard links, and a key that
 * comes from the environment or a _cmd (the plan says what to set instead).
 * The temporary file a killed rewrite left is removed by
 * cfgwrite_remove_stale(), and nothing that is not one.
 */
#include "config.h"

#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgwrite.h"
#include "err.h"

#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define K2 "Ef0rZ3oUCJ4EhJ_ez-5tAJh9lHQT7a8Bv9j7B8Ok8GM="
#define K3 "rXQ3l_ppHmv7GxTozrVQnDskCGCaNk8jG9ApUgy0Jl0="

struct fx {
	char	*dir;
	char	*path;
};

static void
env_clear(void)
{
	unsetenv("AIRFLOW__CORE__FERNET_KEY");
	unsetenv("AIRFLOW__CORE__FERNET_KEY_CMD");
	unsetenv("AIRFLOW__CORE__FERNET_KEY_SECRET");
	unsetenv("AIRFLOW_CONFIG");
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	env_clear();
	f->dir = tu_tmpdir();
	setenv("AIRFLOW_HOME", f->dir, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	env_clear();
	tu_tmpdir_remove(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* The fernet_key that config_load() sees in path now (caller frees). */
static char *
key_seen(const char *path, char *origin, size_t olen)
{
	struct config_opts o = { path, NULL, NULL };
	struct config *cfg = NULL;
	struct config_value v;
	struct err e;
	char *r;

	if (config_load(&cfg, &o, &e) != 0)
		fail_msg("config_load: %s", e.msg);
	if (config_fernet_key(cfg, &v, &e) != 0)
		fail_msg("config_fernet_key: %s", e.msg);
	r = strdup(v.value ? v.value : "(unset)");
	if (origin != NULL)
		snprintf(origin, olen, "%s", v.origin);
	config_free(cfg);
	return r;
}

/* Write text, rewrite it with value, compare with want, and check Airflow's view. */
static void
rewrite_case(struct fx *f, const char *text, const char *value, const char *want)
{
	struct err e;
	char *got, *seen;

	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg", text, 0600);
	err_clear(&e);
	if (cfgwrite_set_fernet_key(f->path, value, strlen(value), &e) != 0)
		fail_msg("cfgwrite_set_fernet_key: %s", e.msg);
	got = tu_read(f->path, NULL);
	assert_non_null(got);
	assert_string_equal(got, want);
	seen = key_seen(f->path, NULL, 0);
	assert_string_equal(seen, value);
	free(seen);
	free(got);
}

/* No ".ferncon-cfg-*" left in the directory. */
static void
no_temp_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".ferncon-cfg-", 13) == 0)
			fail_msg("temporary file left: %s", de->d_name);
	closedir(d);
}

/* -- rewriting ----------------------------------------------------------- */

static void
test_replace_keeps_everything_else(void **state)
{
	struct fx *f = *state;
	char *text;

	rewrite_case(f,
	    "# airflow.cfg\n"
	    "[core]\n"
	    "# The folder where your airflow pipelines live\n"
	    "dags_folder = /srv/dags\n"
	    "\n"
	    "# Secret key to save connection passwords in the db\n"
	    "fernet_key = " K2 "\n"
	    "; another comment\n"
	    "load_examples = False\n"
	    "\n"
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:////srv/airflow.db\n",
	    K1 "," K2,
	    "# airflow.cfg\n"
	    "[core]\n"
	    "# The folder where your airflow pipelines live\n"
	    "dags_folder = /srv/dags\n"
	    "\n"
	    "# Secret key to save connection passwords in the db\n"
	    "fernet_key = " K1 "," K2 "\n"
	    "; another comment\n"
	    "load_examples = False\n"
	    "\n"
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:////srv/airflow.db\n");
	no_temp_files(f->dir);
	/* Then drop the old key the same way. */
	text = tu_read(f->path, NULL);
	assert_non_null(text);
	rewrite_case(f, text, K1,
	    "# airflow.cfg\n"
	    "[core]\n"
	    "# The folder where your airflow pipelines live\n"
	    "dags_folder = /srv/dags\n"
	    "\n"
	    "# Secret key to save connection passwords in the db\n"
	    "fernet_key = " K1 "\n"
	    "; another comment\n"
	    "load_examples = False\n"
	    "\n"
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:////srv/airflow.db\n");
	free(text);
}

static void
test_continuation_lines_replaced(void **state)
{
	rewrite_case(*state,
	    "[core]\n"
	    "fernet_key = " K2 ",\n"
	    "    " K3 "\n"
	    "\n"
	    "    \n"
	    "next_option = 1\n",
	    K1,
	    "[core]\n"
	    "fernet_key = " K1 "\n"
	    "\n"
	    "    \n"
	    "next_option = 1\n");
}

static void
test_crlf_colon_and_empty_value(void **state)
{
	rewrite_case(*state,
	    "[core]\r\n"
	    "fernet_key: " K2 "\r\n"
	    "x = 1\r\n",
	    K1,
	    "[core]\r\n"
	    "fernet_key: " K1 "\r\n"
	    "x = 1\r\n");
	rewrite_case(*state,
	    "[core]\n"
	    "fernet_key =\n"
	    "x = 1\n",
	    K1,
	    "[core]\n"
	    "fernet_key = " K1 "\n"
	    "x = 1\n");
	rewrite_case(*state,
	    "[core]\n"
	    "fernet_key =   \n",
	    K1,
	    "[core]\n"
	    "fernet_key = " K1 "\n");
}

static void
test_missing_option_or_section(void **state)
{
	/* Added right after the [core] header, with the file's line ending. */
	rewrite_case(*state,
	    "[webserver]\n"
	    "fernet_key = not-this-one\n"
	    "[core]\r\n"
	    "dags_folder = /d\r\n",
	    K1,
	    "[webserver]\n"
	    "fernet_key = not-this-one\n"
	    "[core]\r\n"
	    "fernet_key = " K1 "\r\n"
	    "dags_folder = /d\r\n");
	/* An upper-case FERNET_KEY is another option, for Airflow too. */
	rewrite_case(*state,
	    "[core]\n"
	    "FERNET_KEY = x\n",
	    K1,
	    "[core]\n"
	    "fernet_key = " K1 "\n"
	    "FERNET_KEY = x\n");
	/* No [core]: appended, even to a file without a final newline. */
	rewrite_case(*state,
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:////x.db",
	    K1 "," K2,
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:////x.db\n"
	    "\n"
	    "[core]\n"
	    "fernet_key = " K1 "," K2 "\n");
	/* [core] as the last line, without a newline. */
	rewrite_case(*state, "[core]", K1, "[core]\nfernet_key = " K1 "\n");
	/* [DEFAULT] holds it: [core] gets its own, which wins. */
	rewrite_case(*state,
	    "[DEFAULT]\n"
	    "fernet_key = " K2 "\n"
	    "[core]\n"
	    "x = 1\n",
	    K1,
	    "[DEFAULT]\n"
	    "fernet_key = " K2 "\n"
	    "[core]\n"
	    "fernet_key = " K1 "\n"
	    "x = 1\n");
}

static void
test_owner_mode_symlink(void **state)
{
	struct fx *f = *state;
	struct stat st;
	struct err e;
	char *link, *seen;

	f->path = tu_write(f->dir, "real.cfg", "[core]\nfernet_key = " K2 "\n",
	    0640);
	if (geteuid() == 0)
		assert_int_equal(chown(f->path, 65534, 65534), 0);
	if (asprintf(&link, "%s/airflow.cfg", f->dir) < 0)
		abort();
	assert_int_equal(symlink("real.cfg", link), 0);
	assert_int_equal(cfgwrite_set_fernet_key(link, K1, strlen(K1), &e), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	if (geteuid() == 0) {
		assert_int_equal(st.st_uid, 65534);
		assert_int_equal(st.st_gid, 65534);
	}
	seen = key_seen(link, NULL, 0);
	assert_string_equal(seen, K1);
	free(seen);
	no_temp_files(f->dir);
	free(link);
}

/* -- refusals ------------------------------------------------------------ */

static void
assert_refused(struct fx *f, const char *text, const char *value,
    enum err_code code, const char *needle)
{
	struct stat a, b;
	struct err e;
	char *got;

	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg", text, 0600);
	assert_int_equal(stat(f->path, &a), 0);
	err_clear(&e);
	assert_int_equal(cfgwrite_set_fernet_key(f->path, value, strlen(value),
	    &e), -1);
	assert_int_equal(e.code, code);
	if (strstr(e.msg, needle) == NULL)
		fail_msg("message '%s' lacks '%s'", e.msg, needle);
	assert_null(strstr(e.msg, K1));
	assert_null(strstr(e.msg, K2));
	got = tu_read(f->path, NULL);
	assert_string_equal(got, text);
	assert_int_equal(stat(f->path, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	no_temp_files(f->dir);
	free(got);
}

static void
test_refusals(void **state)
{
	struct fx *f = *state;
	const char *text = "[core]\nfernet_key = " K2 "\n";
	char *second;

	assert_refused(f, text, "", ERR_CONFIG, "not a list of Fernet keys");
	assert_refused(f, text, "not-a-key", ERR_CONFIG, "not a list");
	assert_refused(f, text, K1 ",", ERR_CONFIG, "not a list");
	assert_refused(f, text, K1 "\n[core]\nx=1", ERR_CONFIG, "not a list");
	assert_refused(f, "[core]\nfernet_key = ${MY_KEY}\n", K1, ERR_CONFIG,
	    "refers to other values");
	assert_refused(f, "[core]\nfernet_key = %(k)s\nk = " K2 "\n", K1,
	    ERR_CONFIG, "line 2");
	/* Two hard links: a rename would leave the other one stale. */
	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg", text, 0600);
	if (asprintf(&second, "%s/other.cfg", f->dir) < 0)
		abort();
	assert_int_equal(link(f->path, second), 0);
	assert_refused(f, text, K1, ERR_CONFIG, "hard links");
	unlink(second);
	free(second);
}

/* -- what a killed rewrite left ------------------------------------------ */

/*
 * cfgwrite_remove_stale() removes a .ferncon-cfg-XXXXXX file of ours that
 * no rewrite holds, and nothing else: another pattern, a symbolic link, a
 * directory, a file locked (flock) by a rewrite under way.
 */
static void
test_remove_stale(void **state)
{
	struct fx *f = *state;
	char *stale, *other, *locked, *target, ln[4300], dir[4300];
	struct err e;
	size_t n;
	int fd;

	f->path = tu_write(f->dir, "airflow.cfg", "[core]\nfernet_key = " K2
	    "\n", 0600);
	stale = tu_write(f->dir, ".ferncon-cfg-a1B2c3", "fernet_key = " K1 ","
	    K2 "\n", 0640);
	other = tu_write(f->dir, ".ferncon-cfg-abc", "x", 0600);
	locked = tu_write(f->dir, ".ferncon-cfg-LOCKED", "x", 0600);
	target = tu_write(f->dir, "target", "kept", 0600);
	snprintf(ln, sizeof ln, "%s/.ferncon-cfg-LINK00", f->dir);
	assert_int_equal(symlink(target, ln), 0);
	snprintf(dir, sizeof dir, "%s/.ferncon-cfg-DIR000", f->dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	fd = open(locked, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);

	err_clear(&e);
	assert_int_equal(cfgwrite_remove_stale(f->path, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(access(other, F_OK), 0);
	assert_int_equal(access(locked, F_OK), 0);
	assert_int_equal(access(ln, F_OK), 0);
	assert_int_equal(access(dir, F_OK), 0);
	/* Once the rewrite holding it is gone (its lock with it), it goes. */
	close(fd);
	assert_int_equal(cfgwrite_remove_stale(f->path, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(access(locked, F_OK), -1);
	/* No airflow.cfg: nothing to clean, not an error. */
	unlink(f->path);
	assert_int_equal(cfgwrite_remove_stale(f->path, &n, &e), 0);
	assert_int_equal(n, 0);
	unlink(other);
	unlink(ln);
	rmdir(dir);
	free(stale);
	free(other);
	free(locked);
	free(target);
}

static void
test_missing_file(void **state)
{
	struct fx *f = *state;
	struct err e;
	char *path;

	if (asprintf(&path, "%s/nope.cfg", f->dir) < 0)
		abort();
	assert_int_equal(cfgwrite_set_fernet_key(path, K1, strlen(K1), &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, "nope.cfg"));
	free(path);
}

/* -- the plan ------------------------------------------------------------ */

static struct config *
load(const char *path)
{
	struct config_opts o = { path, NULL, NULL };
	struct config *cfg = NULL;
	struct err e;

	if (config_load(&cfg, &o, &e) != 0)
		fail_msg("config_load: %s", e.msg);
	return cfg;
}

static void
test_plan_sources(void **state)
{
	struct fx *f = *state;
	struct cfgwrite_plan plan;
	struct config *cfg;
	struct err e;
	const char *text = "[core]\nfernet_key = " K2 "\n";
	char *got, *seen, origin[4200];

	f->path = tu_write(f->dir, "airflow.cfg", text, 0600);

	/* The file: written, and Airflow's lookup finds it there. */
	cfg = load(f->path);
	assert_int_equal(cfgwrite_fernet_key(cfg, K1 "," K2, strlen(K1 "," K2),
	    &plan, &e), 0);
	assert_int_equal(plan.where, CFGWRITE_FILE);
	assert_string_equal(plan.name, "fernet_key");
	assert_string_equal(plan.path, f->path);
	config_free(cfg);
	seen = key_seen(f->path, origin, sizeof origin);
	assert_string_equal(seen, K1 "," K2);
	assert_non_null(strstr(origin, "airflow.cfg:2"));
	free(seen);

	/* The environment wins over the file: nothing written, say what to set. */
	setenv("AIRFLOW__CORE__FERNET_KEY", K2, 1);
	cfg = load(f->path);
	err_clear(&e);
	assert_int_equal(cfgwrite_fernet_key(cfg, K3, strlen(K3), &plan, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_int_equal(plan.where, CFGWRITE_ENV);
	assert_string_equal(plan.name, "AIRFLOW__CORE__FERNET_KEY");
	assert_non_null(strstr(plan.advice, "every Airflow component"));
	assert_non_null(strstr(e.msg, "AIRFLOW__CORE__FERNET_KEY"));
	assert_null(strstr(e.msg, K2));
	assert_null(strstr(e.msg, K3));
	assert_null(strstr(plan.advice, K3));
	config_free(cfg);
	unsetenv("AIRFLOW__CORE__FERNET_KEY");

	/* An env _CMD: its command must print the new list. */
	setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "printf %s " K2, 1);
	cfg = load(f->path);
	assert_int_equal(cfgwrite_plan(cfg, &plan, &e), 0);
	assert_int_equal(plan.where, CFGWRITE_ENV_CMD);
	assert_string_equal(plan.name, "AIRFLOW__CORE__FERNET_KEY_CMD");
	assert_int_equal(cfgwrite_fernet_key(cfg, K3, strlen(K3), &plan, &e), -1);
	config_free(cfg);
	unsetenv("AIRFLOW__CORE__FERNET_KEY_CMD");

	/* A file _cmd. */
	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg",
	    "[core]\nfernet_key_cmd = printf %%s " K2 "\n", 0600);
	cfg = load(f->path);
	assert_int_equal(cfgwrite_fernet_key(cfg, K3, strlen(K3), &plan, &e), -1);
	assert_int_equal(plan.where, CFGWRITE_FILE_CMD);
	assert_string_equal(plan.name, "fernet_key_cmd");
	assert_non_null(strstr(plan.advice, "airflow.cfg:2"));
	config_free(cfg);
	got = tu_read(f->path, NULL);
	assert_string_equal(got, "[core]\nfernet_key_cmd = printf %%s " K2 "\n");
	free(got);

	/* Unset everywhere: the file gets one. */
	free(f->path);
	f->path = tu_write(f->dir, "airflow.cfg", "[core]\nx = 1\n", 0600);
	cfg = load(f->path);
	assert_int_equal(cfgwrite_fernet_key(cfg, K1, strlen(K1), &plan, &e), 0);
	assert_int_equal(plan.where, CFGWRITE_FILE);
	assert_string_equal(plan.origin, "unset");
	config_free(cfg);
	seen = key_seen(f->path, NULL, 0);
	assert_string_equal(seen, K1);
	free(seen);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replace_keeps_everything_else,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_continuation_lines_replaced,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_crlf_colon_and_empty_value,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_option_or_section,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner_mode_symlink, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_sources, setup,
		    teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
