/*
 * scr_help.c: the keys of the screen that help was opened from, with the
 * home list's extra screens and the global keys, each with what it does;
 * a key the role may not use is dimmed and says why (policy_allows).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "funcbar.h"
#include "screens.h"
#include "widget_list.h"

struct help {
	struct screen		*of;	/* the screen explained (below) */
	const struct ui_key	*keys[64];
	size_t			 n;
	struct wlist		 wl;
	struct app		*a;
};

static const struct ui_key help_keys[] = {
	{ "j/k", NULL, "scroll", { 0 }, -1, NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

/* Lines: a title, the keys, a blank line, the notes. */
static const char *const notes[] = {
	"",
	"Roles: Viewer and User list and open connections;",
	"Op also adds, edits and deletes, and reveals passwords only when",
	"[webserver] show_connection_password is True; Admin may do everything.",
	"Every reveal, add, edit and delete is written to the action log.",
	"--as-role lowers the role for a session.",
	"",
	"Passwords are never shown in the list. A connection that no key opens is",
	"marked 'undecryptable': open it, type its password again (e), or delete it (d).",
};

static void
help_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct help *h = ctx;
	const struct policy *p = &h->a->session->policy;
	const struct ui_key *k;
	const char *why = NULL;
	int ok;

	if ((size_t)i >= h->n) {
		draw_text(y, x + 2, w - 4, term_attr(TE_NORMAL),
		    notes[(size_t)i - h->n]);
		return;
	}
	k = h->keys[i];
	ok = funcbar_allowed(k, p);
	draw_text(y, x + 2, 12, term_attr(ok ? TE_KEY : TE_DIMMED), k->name);
	if (ok || k->need < 0) {
		draw_text(y, x + 16, w - 18, term_attr(TE_NORMAL), k->help);
		return;
	}
	(void)policy_allows(p, (enum policy_action)k->need, &why);
	draw_printf(y, x + 16, w - 18, term_attr(TE_DIMMED), "not for %s (%s): %s",
	    policy_role_label(p), why ? why : "", k->help);
}

static void
help_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct help *h = s->data;
	struct area rows = { r->y + 2, r->x, r->h - 2, r->w };

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Help: the keys of the %s screen", h->of->ops->name);
	h->wl.n = (int)(h->n + ARRAY_LEN(notes));
	wlist_draw(&h->wl, &rows, help_row, h);
}

static int
help_key(struct screen *s, struct app *a, int key)
{
	struct help *h = s->data;
	int m = wlist_key_move(key);

	if (m < 0)
		return UI_IGNORED;
	wlist_move(&h->wl, (enum wlist_move)m, app_area().h - 2);
	return UI_HANDLED;
}

static int
help_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct help *h = calloc(1, sizeof *h);

	if (h == NULL) {
		err_nomem(e);
		return -1;
	}
	h->of = (struct screen *)arg;
	h->a = a;
	h->n = app_keys(a, h->of, h->keys, ARRAY_LEN(h->keys));
	s->data = h;
	return 0;
}

static void
help_free(struct screen *s)
{
	free(s->data);
}

const struct screen_ops scr_help_ops = {
	"help", 0, 0, help_keys, help_init, help_draw, help_key, NULL, NULL,
	help_free
};
