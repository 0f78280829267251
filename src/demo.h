/*
 * demo.h: a demo AIRFLOW_HOME to try ferncon on: airflow.cfg with a key
 * ring "new,old" and an airflow.db (Airflow 3.2's schema) holding the demo
 * connections and variables of data/demo-*.json, stored as Airflow would
 * have stored them over time: most under the new key, some under the old
 * key (due for rotation), some in plain text (written while fernet_key was
 * empty) and one under a key that is gone (undecryptable).
 */
#ifndef FERNCON_DEMO_H
#define FERNCON_DEMO_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct demo_result {
	char	dir[4096];	/* the demo home made (absolute) */
	size_t	connections;
	size_t	variables;
	size_t	plain, old, lost;	/* values (passwords, extras and variables)
					   stored each way, as key status counts */
};

/*
 * The directory with ferncon's data files: $FERNCON_DATADIR, else the
 * installed one, else the source tree's data/ (running from a build).
 */
const char *demo_datadir(void);

/*
 * How to run ferncon and read its manual, as a person pastes it after the
 * demo: "ferncon" and "man ferncon" when this program is the installed one
 * ($(bindir)/ferncon), else the absolute path of the running program
 * (/proc/self/exe) and "man <source tree>/man/ferncon.1". Writes into prog
 * and man (truncated to their sizes).
 */
void demo_hints(char *prog, size_t progsz, char *man, size_t mansz);

/*
 * Make the demo home in dir (created with mode 0700 if missing), or with
 * dir NULL in a fresh private directory, $TMPDIR/ferncon-demo-XXXXXX
 * (mkdtemp(); /tmp without TMPDIR): a name another user could have made
 * first is never used. An existing dir must be one that nobody else could
 * have put files in: a directory (not a symbolic link) owned by the caller
 * and writable by neither group nor others; else it is refused with one
 * line (ERR_USAGE) and nothing is written. One that already holds files
 * is refused too unless it is an earlier demo (it has the marker file
 * .ferncon-demo), whose airflow.cfg and airflow.db are then removed and
 * created anew, exclusively (O_EXCL, mode 0600; nothing is chmod'ed).
 * 0 with out->dir set, or -1 with e set.
 */
int demo_create(const char *dir, struct demo_result *out, struct err *e) ATTR_WUR;

#endif
