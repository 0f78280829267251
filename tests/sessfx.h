/*
 * sessfx.h: the fixture of the session use-case tests (test_session_conn,
 * test_session_var): a temporary directory with a fresh Airflow DB
 * (tests/testdb.h) of one layout, a new primary key, and an airflow.cfg
 * that gives the test's own login one role through the role map, with the
 * action log in the same directory. Each test opens sessions with
 * sfx_open(); the use cases then run against that DB as that role.
 * Failures end the test through cmocka.
 */
#ifndef FERNCON_SESSFX_H
#define FERNCON_SESSFX_H

#include "fernet.h"
#include "session.h"
#include "testdb.h"

struct sfx {
	char		*dir;		/* the temporary directory (HOME too) */
	char		*cfgpath;	/* the airflow.cfg sfx_open() wrote */
	char		 logpath[4200];	/* the action log */
	char		 me[256];	/* the login of the test's uid */
	char		 key[FERNET_KEY_B64LEN + 1]; /* the primary key */
	struct tdb	 db;
	struct session	*s;		/* the session sfx_open() made */
	struct err	 e;
};

/*
 * A cmocka setup: *state becomes a new struct sfx on a fresh DB of layout
 * ("2.10", "3.2", ...), with no AIRFLOW* variable and no SUDO_USER in the
 * environment and HOME set to the fixture's directory.
 */
int sfx_setup(void **state, const char *layout);

/* The matching teardown: frees the session and removes the directory. */
int sfx_teardown(void **state);

/*
 * A new session (the previous one freed) for our login with role, and
 * [webserver] show_connection_password = show; f->s is set to it.
 */
struct session *sfx_open(struct sfx *f, const char *role, int show);

/*
 * The action log's text (caller frees; NULL when there is no log yet), *n
 * set to its number of lines (0 without a log).
 */
char *sfx_log(struct sfx *f, int *n);

#endif
