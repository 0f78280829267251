/*
 * ui.h: the ncurses console, as the rest of ferncon sees it. This header
 * includes no curses header: the CLI calls ui_run() and nothing else.
 */
#ifndef FERNCON_UI_H
#define FERNCON_UI_H

struct cli_ctx;

/*
 * Open the full-screen console over the configured metadata DB (ctx's
 * options: --config, --airflow-home, --db, --as-role, --no-color) and run
 * it until the user quits or a signal arrives; the terminal is cleared and
 * restored in every case. Refuses, with one line on stderr, when standard
 * input or output is not a terminal, and reports configuration and DB
 * errors (one line on stderr) before the screen is taken. Returns the
 * process exit code (0, or 2 for usage and configuration, 3 for the DB,
 * 128 + the signal for SIGTERM and SIGHUP).
 */
int ui_run(struct cli_ctx *ctx);

#endif
