/*
 * ui.c: ui_run(): check that there is a terminal, load the session (so
 * that errors come before the screen is taken), start the terminal, ask
 * for the Airflow password when `[console] airflow_login = password`
 * (login.c), open the home list, run the screens, and restore the
 * terminal.
 */
#include "config.h"

#include "ui.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "login.h"
#include "screens.h"
#include "session.h"
#include "term.h"

int
ui_run(struct session *s, int no_color, struct err *e)
{
	struct app a;
	struct timespec started;
	const char *warning;
	int sig, login = 0;

	clock_gettime(CLOCK_MONOTONIC, &started);
	/* As ncdu: piped input must never drive a console with destructive keys. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		err_set(e, ERR_USAGE, "the console needs a terminal: standard %s "
		    "is not a TTY (use the commands in scripts: ferncon --help)",
		    !isatty(STDIN_FILENO) ? "input" : "output");
		return -1;
	}
	/* airflow_login = password: the field comes once the screen is ours. */
	if (session_config(s, e) != 0 || session_login_needed(s, &login, e) != 0 ||
	    (!login && session_policy(s, e) != 0) ||
	    session_keyring(s, NULL, e) != 0)
		return -1;
	/* Said before the screen is taken, so that it is seen after it. */
	if ((warning = session_warning(s)) != NULL)
		fprintf(stderr, "ferncon: warning: %s\n", warning);
	if (session_store(s, e) != 0 || session_mask(s, e) != 0)
		return -1;
	if (login) {
		if (term_init(no_color, e) != 0)
			return -1;
		if (login_run(s, e) != 0) {
			term_end();
			return -1;
		}
	}
	if (app_init(&a, s, &started, e) != 0) {
		if (login)
			term_end();
		app_release(&a);
		return -1;
	}
	if (!login && term_init(no_color, e) != 0) {
		app_release(&a);
		return -1;
	}
	if (app_push(&a, &scr_list_ops, NULL) != 0) {
		term_end();
		err_set(e, ERR_DB, "%s", a.msg);
		app_release(&a);
		return -1;
	}
	(void)app_run(&a);
	term_end();
	app_release(&a);
	sig = term_signalled();
	return sig == SIGTERM || sig == SIGHUP ? sig : 0;
}
