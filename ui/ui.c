/*
 * ui.c: ui_run(): check that there is a terminal, load what the console
 * needs through the CLI's loaders (so errors are printed before the screen
 * is taken), start the terminal, open the home list, run the screens, and
 * restore the terminal.
 */
#include "config.h"

#include "ui.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "term.h"

int
ui_run(struct cli_ctx *ctx)
{
	struct app a;
	struct err e;
	struct timespec started;
	int rc = EXIT_OK, sig;

	clock_gettime(CLOCK_MONOTONIC, &started);
	err_clear(&e);
	/* As ncdu: piped input must never drive a console with destructive keys. */
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ferncon: the console needs a terminal: standard %s "
		    "is not a TTY (use the commands in scripts: ferncon --help)\n",
		    !isatty(STDIN_FILENO) ? "input" : "output");
		return EXIT_USAGE;
	}
	if (cli_config(ctx, &e) != 0 || cli_policy(ctx, &e) != 0 ||
	    cli_keyring(ctx, NULL, &e) != 0 || cli_store(ctx, &e) != 0 ||
	    cli_mask(ctx, &e) != 0)
		return cli_error(&e);
	if (app_init(&a, ctx, &started, &e) != 0) {
		app_release(&a);
		return cli_error(&e);
	}
	if (term_init(ctx->no_color, &e) != 0) {
		app_release(&a);
		return cli_error(&e);
	}
	if (app_push(&a, &scr_list_ops, NULL) != 0) {
		term_end();
		fprintf(stderr, "ferncon: %s\n", a.msg);
		app_release(&a);
		return EXIT_DB;
	}
	(void)app_run(&a);
	term_end();
	app_release(&a);
	sig = term_signalled();
	if (sig == SIGTERM || sig == SIGHUP)
		rc = 128 + sig;
	return rc;
}
