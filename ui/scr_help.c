/*
 * scr_help.c: the keys of the screen that help was opened from, with the
 * home list's extra screens and the global keys, each with what it does;
 * a key the role may not use is dimmed and says why (policy_allows).
 * A text longer than its column is wrapped at a space onto the lines
 * below it (laid out again for each width), never cut.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "app.h"
#include "funcbar.h"
#include "screens.h"
#include "widget_list.h"

/* Screen lines: entries (the keys, then the notes) wrapped at a width. */
#define HELP_MAX_LINES	512

struct help {
	struct screen		*of;	/* the screen explained (below) */
	const struct ui_key	*keys[64];
	size_t			 n;
	struct wlist		 wl;
	struct app		*a;
	struct {
		unsigned short	 entry;	/* a key (< n), or a note */
		unsigned short	 part;	/* its wrapped line, from 0 */
	}			 lines[HELP_MAX_LINES];
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

/* Columns of an entry's text on a line w wide: the keys' or the notes'. */
static int
text_cols(const struct help *h, size_t entry, int w)
{
	int cols = entry < h->n ? w - 18 : w - 4;

	return cols > 1 ? cols : 1;
}

/*
 * The text of an entry (in buf when it is made), and in *ok whether it
 * is a key the role may use (or a note).
 */
static const char *
entry_text(const struct help *h, size_t entry, char *buf, size_t len,
    int *ok)
{
	const struct policy *p = &h->a->session->policy;
	const struct ui_key *k;
	const char *why = NULL;

	*ok = 1;
	if (entry >= h->n)
		return notes[entry - h->n];
	k = h->keys[entry];
	*ok = funcbar_allowed(k, p);
	if (*ok || k->need < 0)
		return k->help;
	(void)policy_allows(p, (enum policy_action)k->need, &why);
	snprintf(buf, len, "not for %s (%s): %s", policy_role_label(p),
	    why ? why : "", k->help);
	return buf;
}

/* Lay the entries out at width w: one or more lines each. */
static int
layout(struct help *h, int w)
{
	char buf[512];
	size_t entry, total = h->n + ARRAY_LEN(notes);
	int n = 0, part, parts, ok;

	for (entry = 0; entry < total; entry++) {
		parts = text_wrap_lines(entry_text(h, entry, buf, sizeof buf,
		    &ok), text_cols(h, entry, w));
		for (part = 0; part < (parts > 0 ? parts : 1) &&
		    n < HELP_MAX_LINES; part++, n++) {
			h->lines[n].entry = (unsigned short)entry;
			h->lines[n].part = (unsigned short)part;
		}
	}
	return n;
}

static void
help_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct help *h = ctx;
	size_t entry = h->lines[i].entry, len = 0;
	const char *t, *next;
	char buf[512];
	int part, ok, cols = text_cols(h, entry, w);

	t = entry_text(h, entry, buf, sizeof buf, &ok);
	for (part = 0; t != NULL && part <= h->lines[i].part; part++) {
		len = text_wrap(t, cols, &next);
		if (part < h->lines[i].part)
			t = next;
	}
	if (t == NULL)
		return;
	if (entry >= h->n) {
		draw_textn(y, x + 2, cols, term_attr(TE_NORMAL), t, len);
		return;
	}
	if (h->lines[i].part == 0)
		draw_text(y, x + 2, 12, term_attr(ok ? TE_KEY : TE_DIMMED),
		    h->keys[entry]->name);
	draw_textn(y, x + 16, cols, term_attr(ok ? TE_NORMAL : TE_DIMMED), t,
	    len);
}

static void
help_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct help *h = s->data;
	struct area rows = { r->y + 2, r->x, r->h - 2, r->w };

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Help: the keys of the %s screen", h->of->ops->name);
	h->wl.n = layout(h, rows.w);
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
