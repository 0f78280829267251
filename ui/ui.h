/*
 * ui.h: the ncurses console, as the rest of ferncon sees it. This header
 * includes no curses header: the CLI calls ui_run() and nothing else.
 */
#ifndef FERNCON_UI_H
#define FERNCON_UI_H

struct err;
struct session;

/*
 * Open the full-screen console over the session's metadata DB (its options:
 * --config, --airflow-home, --db, --as-role; no_color for --no-color or
 * NO_COLOR) and run it until the user quits or a signal arrives; the
 * terminal is cleared and restored in every case. The session is loaded
 * here, before the screen is taken; a warning it leaves (a key in the
 * standard base64 alphabet) is printed on stderr then, as the CLI does.
 *
 * Returns 0 when the user quit; the signal number when SIGTERM or SIGHUP
 * ended it; -1 with e set when it could not run, nothing left on the
 * screen: ERR_USAGE when standard input or output is not a terminal, the
 * load's error for the configuration and the DB, ERR_DB when the home
 * list cannot be read. The caller prints e and maps it to an exit code.
 */
int ui_run(struct session *s, int no_color, struct err *e);

#endif
