/*
 * login.c: the console's Airflow password field (see login.h). The field
 * is FF_HIDDEN | FF_LOCKED (widget_form.h): drawn as '*', its text in
 * locked memory, wiped after every try. The check, the count of tries and
 * the action-log line are the core's (session_airflow_login()); this only
 * reads keys and shows what it said.
 */
#include "config.h"

#include "login.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "term.h"
#include "widget_form.h"

static void
draw(struct form *fm, const struct session *s, const char *msg, int bad)
{
	struct area r = { LINES / 2 - 4, 2, 7, COLS - 4 }, in;
	char title[300];
	int cy = -1, cx = -1;

	werase(stdscr);
	snprintf(title, sizeof title, " Airflow login (%s) ",
	    policy_from_name(s->airflow.from));
	draw_box(&r, term_attr(TE_DIALOG), title);
	draw_printf(r.y + 1, r.x + 2, r.w - 4, term_attr(TE_DIALOG),
	    "Airflow password for %s: Enter to log in, Esc to quit",
	    s->airflow.user);
	in.y = r.y + 2;
	in.x = r.x + 2;
	in.h = 3;
	in.w = r.w - 4;
	form_draw(fm, &in, 10, &cy, &cx);
	if (msg[0] != '\0')
		draw_text(r.y + 5, r.x + 2, r.w - 4, term_attr(bad ? TE_ERROR :
		    TE_INFO), msg);
	if (cy >= 0) {
		curs_set(1);
		wmove(stdscr, cy, cx);
	} else
		curs_set(0);
	refresh();
}

int
login_run(struct session *s, struct err *e)
{
	struct form_field f;
	struct form fm;
	char msg[512] = "";
	int key, rc = -1, bad = 0;

	if (form_field_init(&f, "Password", FF_HIDDEN | FF_LOCKED, 1024, e) != 0)
		return -1;
	memset(&fm, 0, sizeof fm);
	fm.fields = &f;
	fm.n = 1;
	form_focus(&fm, 0);
	for (;;) {
		draw(&fm, s, msg, bad);
		if (term_signalled()) {
			err_set(e, ERR_DENIED, "the Airflow login was interrupted");
			break;
		}
		if ((key = term_getkey(1000)) == TK_NONE ||
		    key == TK(KEY_RESIZE))
			continue;
		if (key == TK_ESC) {
			err_set(e, ERR_DENIED, "the Airflow login was cancelled");
			break;
		}
		if (key != TK_ENTER && key != TK(KEY_ENTER) && key != TK(KEY_F(2))) {
			fm.focus = 0;
			(void)form_key(&fm, key);
			continue;
		}
		if (session_airflow_login(s, f.buf, f.len, e) == 0) {
			rc = 0;
			break;
		}
		form_field_clear(&f);
		form_focus(&fm, 0);
		if (e->code != ERR_DENIED ||
		    s->login_failed >= SESSION_LOGIN_TRIES)
			break;
		snprintf(msg, sizeof msg, "%s", e->msg);
		bad = 1;
		err_clear(e);
	}
	form_field_release(&f);
	curs_set(0);
	return rc;
}
