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
	size_t	connections;
	size_t	variables;
	size_t	plain, old, lost;	/* connections stored each way */
};

/*
 * The directory with ferncon's data files: $FERNCON_DATADIR, else the
 * installed one, else the source tree's data/ (running from a build).
 */
const char *demo_datadir(void);

/*
 * Make the demo home in dir (created with mode 0700 if missing). A dir
 * that already holds files is refused unless it is an earlier demo (it has
 * the marker file .ferncon-demo), whose airflow.cfg and airflow.db are
 * then made anew. 0, or -1 with e set.
 */
int demo_create(const char *dir, struct demo_result *out, struct err *e) ATTR_WUR;

#endif
