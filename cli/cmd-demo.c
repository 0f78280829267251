/*
 * cmd-demo.c: `ferncon demo [DIR]`: make a demo AIRFLOW_HOME (demo.h) and
 * show it: where it is, then the console on it when standard input and
 * output are a terminal, else its key status and its connections. Without
 * DIR the demo goes to $TMPDIR/ferncon-demo-$USER (made anew each time).
 */
#include "config.h"

#include "cli.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demo.h"

static int
demo(struct session *s, int argc, char **argv)
{
	static const struct option opts[] = { CLI_GLOBAL_OPTIONS, { NULL, 0, NULL, 0 } };
	struct session *d;
	struct demo_result r;
	struct err e;
	char dir[4096], cfgpath[4200];
	const char *tmp = getenv("TMPDIR"), *user = getenv("USER");
	struct passwd *pw;
	char *args[] = { (char *)"list", NULL };
	int opt, rc;

	err_clear(&e);
	optind = 0;	/* 0: glibc re-initialises getopt (ordering mode included) */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (!cli_global_option(s, opt, optarg))
			return cli_usage_error(&cmd_demo, "unknown option '%s'",
			    argv[optind - 1]);
	if (argc - optind > 1)
		return cli_usage_error(&cmd_demo, "expected at most one DIR");
	if ((user == NULL || *user == '\0') && (pw = getpwuid(getuid())) != NULL)
		user = pw->pw_name;
	if (argc - optind == 1)
		snprintf(dir, sizeof dir, "%s", argv[optind]);
	else
		snprintf(dir, sizeof dir, "%s/ferncon-demo-%s", tmp ? tmp : "/tmp",
		    user ? user : "user");
	if (demo_create(dir, &r, &e) != 0)
		return cli_error(&e);
	printf("demo AIRFLOW_HOME: %s\n", dir);
	printf("  airflow.cfg (fernet_key = new,old) and airflow.db (Airflow 3.2 "
	    "schema)\n");
	printf("  %zu connections (%zu under the old key, %zu in plain text, %zu "
	    "under a lost key), %zu variables\n", r.connections, r.old, r.plain,
	    r.lost, r.variables);
	printf("  try: AIRFLOW_HOME=%s ferncon connections list\n\n", dir);

	/* Show it, in a session of its own with this demo as the configuration. */
	if (session_new(&d, &e) != 0)
		return cli_error(&e);
	snprintf(cfgpath, sizeof cfgpath, "%s/airflow.cfg", dir);
	d->opts.config_file = cfgpath;
	d->opts.airflow_home = dir;
	d->as_role = s->as_role;
	/* On a terminal, the console; in a script, the listing as before. */
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		fflush(stdout);
		rc = cli_console(d);
	} else if (cmd_key_status.exec(d, 1, args) != EXIT_OK) {
		rc = EXIT_FAILED;
	} else {
		printf("\n");
		fflush(stdout);
		rc = cmd_conn_list.exec(d, 1, args);
	}
	session_free(d);
	return rc;
}

const struct cli_cmd cmd_demo = {
	"demo", NULL, "[DIR]",
	"make a demo AIRFLOW_HOME (airflow.cfg + airflow.db) and show it",
	demo
};
