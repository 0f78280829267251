/*
 * cmd-demo.c: `ferncon demo [DIR]`: make a demo AIRFLOW_HOME (demo.h) and
 * show it: where it is, then the console on it when standard input and
 * output are a terminal, else its key status and its connections. Without
 * DIR the demo goes to a fresh private directory, $TMPDIR/ferncon-demo-XXXXXX
 * (demo_create()).
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static int
demo(struct session *s, struct cli_args *a)
{
	struct cli_args none;
	struct session *d;
	struct demo_result r;
	struct err e;
	char cfgpath[4200], prog[4096], man[4200];
	const char *dir;
	int rc;

	err_clear(&e);
	if (a->argc > 1)
		return cli_usage_error(&cmd_demo, "expected at most one DIR");
	if (session_restricted(s, SESSION_GUARD_DEMO, &e) != 0)
		return cli_error(&e);
	if (demo_create(a->argc == 1 ? a->argv[0] : NULL, &r, &e) != 0)
		return cli_error(&e);
	dir = a->argc == 1 ? a->argv[0] : r.dir;
	cli_line(stdout, "demo AIRFLOW_HOME: %s", dir);
	printf("  airflow.cfg (fernet_key = new,old) and airflow.db (Airflow 3.2 "
	    "schema)\n");
	printf("  %zu connections and %zu variables: %zu values in plain text, "
	    "%zu under the old key, %zu under a lost key (as key status counts)\n",
	    r.connections, r.variables, r.plain, r.old, r.lost);
	demo_hints(prog, sizeof prog, man, sizeof man);
	cli_line(stdout, "  try: AIRFLOW_HOME=%s %s connections list", dir, prog);
	cli_line(stdout, "  manual: %s", man);
	printf("\n");

	/* Show it, in a session of its own with this demo as the configuration. */
	if (session_new(&d, &e) != 0)
		return cli_error(&e);
	snprintf(cfgpath, sizeof cfgpath, "%s/airflow.cfg", dir);
	d->opts.config_file = cfgpath;
	d->opts.airflow_home = dir;
	d->as_role = s->as_role;
	/* On a terminal, the console; in a script, the listing as before. */
	memset(&none, 0, sizeof none);
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		fflush(stdout);
		rc = cli_console(d, a->no_color);
	} else if (cmd_key_status.exec(d, &none) != EXIT_OK) {
		rc = EXIT_FAILED;
	} else {
		printf("\n");
		fflush(stdout);
		rc = cmd_conn_list.exec(d, &none);
	}
	session_free(d);
	return rc;
}

const struct cli_cmd cmd_demo = {
	"demo", NULL, "[DIR]",
	"make a demo AIRFLOW_HOME (airflow.cfg + airflow.db) and show it",
	NULL, 0, NULL, demo
};
