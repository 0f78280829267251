/*
 * sessfx.c: the session use-case tests' fixture (see sessfx.h).
 */
#include "config.h"

#include "testutil.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "keyring.h"
#include "sessfx.h"

int
sfx_setup(void **state, const char *layout)
{
	struct sfx *f = calloc(1, sizeof *f);
	struct passwd *pw = getpwuid(getuid());

	assert_non_null(f);
	assert_non_null(pw);
	snprintf(f->me, sizeof f->me, "%s", pw->pw_name);
	tu_unsetenv_prefix("AIRFLOW");
	unsetenv("SUDO_USER");
	f->dir = tu_tmpdir();
	assert_int_equal(setenv("HOME", f->dir, 1), 0);
	snprintf(f->logpath, sizeof f->logpath, "%s/actions.log", f->dir);
	keyring_generate(f->key);
	tdb_create(&f->db, f->dir, layout);
	err_clear(&f->e);
	*state = f;
	return 0;
}

int
sfx_teardown(void **state)
{
	struct sfx *f = *state;

	session_free(f->s);
	free(f->cfgpath);
	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

struct session *
sfx_open(struct sfx *f, const char *role, int show)
{
	char text[8192];

	session_free(f->s);
	f->s = NULL;
	free(f->cfgpath);
	snprintf(text, sizeof text, "[core]\nfernet_key = %s\n[console]\n"
	    "roles = %s:%s\naction_log = %s\n[webserver]\n"
	    "show_connection_password = %s\n", f->key, f->me, role, f->logpath,
	    show ? "True" : "False");
	f->cfgpath = tu_write(f->dir, "airflow.cfg", text, 0600);
	assert_int_equal(session_new(&f->s, &f->e), 0);
	f->s->opts.config_file = f->cfgpath;
	f->s->opts.airflow_home = f->dir;
	f->s->opts.db_url = f->db.url;
	return f->s;
}

char *
sfx_log(struct sfx *f, int *n)
{
	char *text = tu_read(f->logpath, NULL), *p;

	*n = 0;
	if (text == NULL)
		return NULL;
	for (p = text; *p != '\0'; p++)
		*n += *p == '\n';
	return text;
}
