/*
 * test_session.c: the session (src/session.c): each part is loaded on first
 * use and only once; a key in the standard base64 alphabet leaves one
 * warning; the key generations follow the lifetime rules of session.h:
 * a reload swaps in a new generation (20 and more times, no cap), an old
 * one that someone holds stays whole until released, a failed reload
 * changes nothing, and freeing the session while references are out
 * (also on another thread) leaves them valid. Last restricted mode
 * (doc/design.md section 4, "Trust model"), with sudo's variables for a
 * real login set in a test run as root: --config, --airflow-home and --db
 * are refused by name, the caller's environment goes but for the few
 * variables kept, import and export take stdin and stdout only, and the
 * configured ring needs Admin for `token`.
 */
#include "config.h"

#include "testutil.h"

#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "core.h"
#include "err.h"
#include "fernet.h"
#include "keyring.h"
#include "session.h"
#include "store.h"
#include "testdb.h"

#define RELOADS 25

struct fx {
	char		*dir;
	char		*cfgpath;
	struct tdb	 db;
	struct session	*s;
	struct err	 e;
};

/*
 * airflow.cfg with fernet_key = key (may be a list, or "" for none). The
 * path stays the same string: the session borrows it.
 */
static void
write_cfg(struct fx *f, const char *key)
{
	char text[1024], *path;

	snprintf(text, sizeof text, "[core]\nfernet_key = %s\n", key);
	path = tu_write(f->dir, "airflow.cfg", text, 0600);
	if (f->cfgpath == NULL)
		f->cfgpath = path;
	else
		free(path);
}

/* A token of msg under the ring k; caller frees. */
static char *
seal(struct keyring *kr, const char *msg)
{
	char *tok = malloc(1024);
	size_t len;
	struct err e;

	assert_non_null(tok);
	err_clear(&e);
	assert_int_equal(keyring_encrypt(kr, msg, strlen(msg), tok, 1023, &len,
	    &e), 0);
	tok[len] = '\0';
	return tok;
}

/* 1 if kr opens tok and gives msg back. */
static int
opens(struct keyring *kr, const char *tok, const char *msg)
{
	uint8_t out[256];
	size_t len;
	struct err e;

	err_clear(&e);
	if (keyring_decrypt(kr, tok, strlen(tok), out, sizeof out, &len, NULL,
	    &e) != 0)
		return 0;
	return len == strlen(msg) && memcmp(out, msg, len) == 0;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	char key[FERNET_KEY_B64LEN + 1];

	assert_non_null(f);
	tu_unsetenv_prefix("AIRFLOW");
	f->dir = tu_tmpdir();
	assert_int_equal(setenv("HOME", f->dir, 1), 0);
	keyring_generate(key);
	write_cfg(f, key);
	err_clear(&f->e);
	assert_int_equal(session_new(&f->s, &f->e), 0);
	f->s->opts.config_file = f->cfgpath;
	f->s->opts.airflow_home = f->dir;
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

/* Nothing is read before it is asked for; then once, whatever the file says. */
static void
test_lazy_once(void **state)
{
	struct fx *f = *state;
	struct session *s = f->s;
	struct config *cfg;
	struct keyring *kr;
	struct store *st;
	struct mask *m;
	char k1[FERNET_KEY_B64LEN + 1], k2[FERNET_KEY_B64LEN + 1], two[128];

	assert_non_null(s->keys);
	assert_null(s->keys->cfg);
	assert_null(s->keys->kr);
	assert_null(s->store);
	assert_null(s->mask);
	assert_false(s->policy_loaded);

	assert_int_equal(session_config(s, &f->e), 0);
	cfg = s->keys->cfg;
	assert_non_null(cfg);
	assert_null(s->keys->kr);	/* the ring is not read with it */
	assert_int_equal(session_keyring(s, NULL, &f->e), 0);
	kr = s->keys->kr;
	assert_non_null(kr);
	assert_int_equal(keyring_count(kr), 1);
	assert_non_null(strstr(s->keys->origin.origin, "airflow.cfg"));
	assert_null(session_warning(s));

	/* A new file is not read again: the first load stands. */
	keyring_generate(k1);
	keyring_generate(k2);
	snprintf(two, sizeof two, "%s,%s", k1, k2);
	write_cfg(f, two);
	assert_int_equal(session_config(s, &f->e), 0);
	assert_int_equal(session_keyring(s, NULL, &f->e), 0);
	assert_ptr_equal(s->keys->cfg, cfg);
	assert_ptr_equal(s->keys->kr, kr);
	assert_int_equal(keyring_count(s->keys->kr), 1);

	/* The DB, the role and the mask: once each. */
	tdb_create(&f->db, f->dir, "3.2");
	s->opts.db_url = f->db.url;
	s->as_role = "viewer";
	assert_int_equal(session_store(s, &f->e), 0);
	st = s->store;
	assert_non_null(st);
	assert_int_equal(session_mask(s, &f->e), 0);
	m = s->mask;
	assert_non_null(m);
	assert_int_equal(session_policy(s, &f->e), 0);
	assert_int_equal(s->policy.role, ROLE_VIEWER);
	assert_true(s->policy.lowered);
	s->as_role = "admin";	/* too late: the role is loaded */
	assert_int_equal(session_store(s, &f->e), 0);
	assert_int_equal(session_mask(s, &f->e), 0);
	assert_int_equal(session_policy(s, &f->e), 0);
	assert_ptr_equal(s->store, st);
	assert_ptr_equal(s->mask, m);
	assert_int_equal(s->policy.role, ROLE_VIEWER);
	assert_int_equal(f->e.code, ERR_NONE);
}

/* --keys: no configuration read; a bad key says where it came from. */
static void
test_keys_arg(void **state)
{
	struct fx *f = *state;
	struct session *s = f->s;
	/* 32 bytes in the standard alphabet ('/'), which Airflow still takes. */
	const char *std = "//////////////////////////////////////////w=";
	const char *w;

	assert_int_equal(session_keyring(s, "not a key", &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_true(strncmp(f->e.msg, "--keys: ", 8) == 0);
	assert_null(s->keys->kr);
	err_clear(&f->e);
	assert_int_equal(session_keyring(s, std, &f->e), 0);
	assert_null(s->keys->cfg);
	assert_string_equal(s->keys->origin.origin, "--keys");
	assert_null(s->keys->origin.value);
	w = session_warning(s);
	assert_non_null(w);
	assert_non_null(strstr(w, "standard base64 alphabet"));
	assert_null(session_warning(s));	/* taken: said once */
}

/* A failed load leaves nothing and can be tried again. */
static void
test_failed_load(void **state)
{
	struct fx *f = *state;
	struct session *s = f->s;

	assert_int_equal(unlink(f->cfgpath), 0);	/* --config FILE must exist */
	assert_int_equal(session_keyring(s, NULL, &f->e), -1);
	assert_int_not_equal(f->e.code, ERR_NONE);
	assert_null(s->keys->cfg);
	assert_null(s->keys->kr);
	assert_null(s->store);
	write_cfg(f, "not-a-key");
	err_clear(&f->e);
	assert_int_equal(session_keyring(s, NULL, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_non_null(strstr(f->e.msg, "[core] fernet_key from"));
	assert_non_null(s->keys->cfg);	/* the file itself was read */
	assert_null(s->keys->kr);
}

/*
 * Many reloads: each swaps in the ring the file gives now; generations
 * held by someone stay whole (their own ring and configuration) until
 * released, and the others go at once (the sanitizer run finds a leak
 * otherwise).
 */
static void
test_reload_many(void **state)
{
	struct fx *f = *state;
	struct session *s = f->s;
	struct session_keys *held[RELOADS + 1], *first;
	char *tok[RELOADS + 1];
	char key[RELOADS + 1][FERNET_KEY_B64LEN + 1];
	struct config_value v;
	int i;

	keyring_generate(key[0]);
	write_cfg(f, key[0]);
	assert_int_equal(session_keyring(s, NULL, &f->e), 0);
	first = session_keys_ref(s);
	assert_ptr_equal(first, s->keys);
	held[0] = first;
	tok[0] = seal(first->kr, "secret 0");
	for (i = 1; i <= RELOADS; i++) {
		keyring_generate(key[i]);
		write_cfg(f, key[i]);
		assert_int_equal(session_reload_keys(s, &f->e), 0);
		assert_ptr_not_equal(s->keys, held[i - 1]);
		assert_int_equal(keyring_count(s->keys->kr), 1);
		tok[i] = seal(s->keys->kr, "secret");
		/* Every third generation is kept by someone; the rest go. */
		held[i] = i % 3 == 0 ? session_keys_ref(s) : NULL;
	}
	assert_int_equal(f->e.code, ERR_NONE);

	/* The first generation, 25 reloads later: whole and its own. */
	assert_true(opens(first->kr, tok[0], "secret 0"));
	assert_false(opens(s->keys->kr, tok[0], "secret 0"));
	assert_false(opens(first->kr, tok[RELOADS], "secret"));
	assert_int_equal(config_fernet_key(first->cfg, &v, &f->e), 0);
	assert_int_equal(v.len, FERNET_KEY_B64LEN);
	assert_memory_equal(v.value, key[0], FERNET_KEY_B64LEN);
	assert_memory_equal(first->origin.value, key[0], FERNET_KEY_B64LEN);
	for (i = 3; i <= RELOADS; i += 3) {
		assert_true(opens(held[i]->kr, tok[i], "secret"));
		assert_int_equal(config_fernet_key(held[i]->cfg, &v, &f->e), 0);
		assert_memory_equal(v.value, key[i], FERNET_KEY_B64LEN);
		session_keys_unref(held[i]);
	}
	session_keys_unref(first);
	/* The current one is the session's own and still works. */
	assert_true(opens(s->keys->kr, tok[RELOADS], "secret"));
	for (i = 0; i <= RELOADS; i++)
		free(tok[i]);
}

/* A reload that fails (a bad key, a configuration gone) changes nothing. */
static void
test_reload_fails(void **state)
{
	struct fx *f = *state;
	struct session *s = f->s;
	struct session_keys *before;
	struct keyring *kr;
	struct config *cfg;
	char *tok;

	assert_int_equal(session_keyring(s, NULL, &f->e), 0);
	before = s->keys;
	kr = before->kr;
	cfg = before->cfg;
	tok = seal(kr, "kept");

	write_cfg(f, "not-a-key");
	assert_int_equal(session_reload_keys(s, &f->e), -1);
	assert_int_equal(f->e.code, ERR_CONFIG);
	assert_ptr_equal(s->keys, before);
	assert_ptr_equal(s->keys->kr, kr);
	assert_ptr_equal(s->keys->cfg, cfg);
	assert_true(opens(s->keys->kr, tok, "kept"));

	err_clear(&f->e);
	assert_int_equal(unlink(f->cfgpath), 0);	/* --config FILE must exist */
	assert_int_equal(session_reload_keys(s, &f->e), -1);
	assert_int_not_equal(f->e.code, ERR_NONE);
	assert_ptr_equal(s->keys, before);
	assert_true(opens(s->keys->kr, tok, "kept"));
	free(tok);
}

struct holder {
	struct session_keys	*k;
	const char		*tok;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 go;
	int			 opened;
};

/* A thread that uses its generation after the session is gone. */
static void *
holder_main(void *arg)
{
	struct holder *h = arg;

	pthread_mutex_lock(&h->lock);
	while (!h->go)
		pthread_cond_wait(&h->cond, &h->lock);
	pthread_mutex_unlock(&h->lock);
	h->opened = opens(h->k->kr, h->tok, "late");
	session_keys_unref(h->k);
	core_thread_cleanup();
	return NULL;
}

/*
 * Freeing the session with references out is allowed: what they hold
 * lives on, on this thread and on another, until each lets go.
 */
static void
test_free_with_refs(void **state)
{
	struct fx *f = *state;
	struct session_keys *mine;
	struct holder h;
	struct config_value v;
	pthread_t t;
	char *tok;

	assert_int_equal(session_keyring(f->s, NULL, &f->e), 0);
	mine = session_keys_ref(f->s);
	memset(&h, 0, sizeof h);
	pthread_mutex_init(&h.lock, NULL);
	pthread_cond_init(&h.cond, NULL);
	h.k = session_keys_ref(f->s);
	tok = seal(mine->kr, "late");
	h.tok = tok;
	assert_int_equal(pthread_create(&t, NULL, holder_main, &h), 0);

	session_free(f->s);
	f->s = NULL;

	pthread_mutex_lock(&h.lock);
	h.go = 1;
	pthread_cond_signal(&h.cond);
	pthread_mutex_unlock(&h.lock);
	assert_true(opens(mine->kr, tok, "late"));
	assert_int_equal(config_fernet_key(mine->cfg, &v, &f->e), 0);
	assert_non_null(v.value);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(h.opened);
	session_keys_unref(mine);
	pthread_cond_destroy(&h.cond);
	pthread_mutex_destroy(&h.lock);
	free(tok);

	/* NULL is nothing to free. */
	session_free(NULL);
	session_keys_unref(NULL);
}

/* The environment, to put back after restricted mode replaced it. */
static char **
env_save(void)
{
	extern char **environ;
	char **copy;
	size_t n, i;

	for (n = 0; environ[n] != NULL; n++)
		;
	copy = calloc(n + 1, sizeof *copy);
	assert_non_null(copy);
	for (i = 0; i < n; i++)
		assert_non_null(copy[i] = strdup(environ[i]));
	return copy;
}

static void
env_restore(char **copy)
{
	size_t i;

	assert_int_equal(clearenv(), 0);
	for (i = 0; copy[i] != NULL; i++)
		assert_int_equal(putenv(copy[i]), 0);	/* putenv keeps it */
	free(copy);
}

static void
test_restricted(void **state)
{
	struct fx *f = *state;
	struct session *s = f->s;
	struct session_import im;
	struct session_export x;
	struct passwd *pw = getpwnam("nobody"), *me = getpwuid(getuid());
	char uid[32], keys[FERNET_KEY_B64LEN + 1];
	char **saved;

	if (getuid() != 0 || pw == NULL) {
		/* Not root: the account itself, the options as given. */
		assert_int_equal(session_identity(s, &f->e), 0);
		assert_false(s->id.restricted);
		return;
	}
	saved = env_save();
	snprintf(uid, sizeof uid, "%u", (unsigned)pw->pw_uid);
	setenv("SUDO_USER", "nobody", 1);
	setenv("SUDO_UID", uid, 1);
	setenv("AIRFLOW_HOME", f->dir, 1);
	setenv("AIRFLOW__CORE__FERNET_KEY_CMD", "touch /tmp/never", 1);
	setenv("PGPASSFILE", "/tmp/caller-pgpass", 1);
	setenv("TERM", "xterm-256color", 1);
	setenv("LC_ALL", "/tmp/evil-locale", 1);

	/* Each option the caller could point elsewhere, refused by name. */
	assert_int_equal(session_identity(s, &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	assert_non_null(strstr(f->e.msg, "--config is refused: ferncon acts "
	    "for nobody as root (sudo)"));
	assert_false(s->id_loaded);
	assert_string_equal(getenv("AIRFLOW_HOME"), f->dir);	/* untouched */
	s->opts.config_file = NULL;
	assert_int_equal(session_identity(s, &f->e), -1);
	assert_non_null(strstr(f->e.msg, "--airflow-home is refused"));
	s->opts.airflow_home = NULL;
	s->opts.db_url = "postgresql://a@db/x?hostaddr=127.0.0.1";
	assert_int_equal(session_identity(s, &f->e), -1);
	assert_non_null(strstr(f->e.msg, "--db is refused"));
	assert_int_equal(session_config(s, &f->e), -1);	/* loaders too */
	assert_null(s->keys->cfg);
	s->opts.db_url = NULL;

	/* Then the account's own environment, and a few of the caller's. */
	assert_int_equal(session_identity(s, &f->e), 0);
	assert_true(s->id.restricted);
	assert_string_equal(s->id.login, "nobody");
	assert_null(getenv("AIRFLOW_HOME"));
	assert_null(getenv("AIRFLOW__CORE__FERNET_KEY_CMD"));
	assert_null(getenv("PGPASSFILE"));
	assert_null(getenv("SUDO_USER"));
	assert_null(getenv("LC_ALL"));
	assert_string_equal(getenv("TERM"), "xterm-256color");
	assert_string_equal(getenv("HOME"), me->pw_dir);
	assert_string_equal(getenv("USER"), me->pw_name);
	assert_string_equal(getenv("PATH"), "/usr/local/bin:/usr/bin:/bin");

	/* Files: stdin and stdout only; demo and probe --from refused. */
	assert_int_equal(session_restricted_path(s, SESSION_GUARD_IMPORT_FILE,
	    "-", &f->e), 0);
	assert_int_equal(session_restricted_path(s, SESSION_GUARD_EXPORT_FILE,
	    "/etc/passwd", &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_non_null(strstr(f->e.msg, "connections export FILE is refused"));
	assert_int_equal(session_restricted(s, SESSION_GUARD_DEMO, &f->e), -1);
	assert_non_null(strstr(f->e.msg, "demo is refused"));
	assert_int_equal(session_restricted(s, SESSION_GUARD_PROBE_FROM, &f->e),
	    -1);
	assert_int_equal(session_conn_import(s, "/etc/shadow", 0, &im, &f->e),
	    -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_int_equal(im.set.n, 0);
	session_import_release(&im);
	memset(&x, 0, sizeof x);
	x.path = "/tmp/out.json";
	assert_int_equal(session_conn_export(s, &x, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);

	/*
	 * No role map in the account's configuration: default_role (Viewer),
	 * so the configured ring is not for token; a ring of one's own is.
	 */
	assert_int_equal(session_token_keyring(s, NULL, &f->e), -1);
	assert_int_equal(f->e.code, ERR_DENIED);
	assert_non_null(strstr(f->e.msg, "role Viewer (nobody) may not decrypt "
	    "or encrypt tokens with the configured key ring"));
	assert_null(s->keys->kr);
	keyring_generate(keys);
	assert_int_equal(session_token_keyring(s, keys, &f->e), 0);
	assert_non_null(s->keys->kr);
	env_restore(saved);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lazy_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_arg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_free_with_refs, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restricted, setup, teardown),
	};

	tu_init();
	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
