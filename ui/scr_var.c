/*
 * scr_var.c: the Variables screen (V from the connection list): Airflow's
 * Variables a page at a time, in key order, with their storage state,
 * the age of their token and their value as the role may see it
 * (session_var_display(): *** under a sensitive key or where the audit
 * finds a secret, JSON masked per key). Only the rows on the screen are
 * read (keyset paging through store_var_list()), so a DB of a million
 * variables opens as fast as one of ten. / filters by key, f by state
 * (plain, encrypted, undecryptable: read on, page after page, until the
 * screen is full), s turns the order; Enter opens a variable
 * (scr_var_detail.c), a adds one and d deletes the selected one
 * (scr_var_edit.c and the session's use cases, which check the role).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dialog.h"
#include "screens.h"
#include "widget_list.h"

#define VAR_TAG_DELETE 41

struct vrow {
	struct session_var	 v;
	struct buf		 shown;	/* the display copy (locked) */
};

struct vlist {
	struct vrow	*rows;
	int		 n, cap;
	struct wlist	 wl;
	char		 filter[128];
	size_t		 flen;
	int		 editing;	/* typing the filter */
	int		 desc;
	int		 state;		/* 0: all, else an enum conn_secret_state */
	unsigned	 gen;		/* a->db_gen the page was read at */
	int		 asked;		/* the delete dialog is open */
	char		*asked_key;
};

static const struct ui_key var_keys[] = {
	{ "Enter", "Open", "open the selected variable", { TK_ENTER }, -1, NULL,
	    1 },
	{ "/", "Filter", "filter by key (Enter keeps it, Esc or Ctrl-U clears it)",
	    { '/' }, -1, NULL, 1 },
	{ "f", "State", "show all, plain, encrypted or undecryptable values",
	    { 'f' }, -1, NULL, 1 },
	{ "s", "Sort", "key order: ascending or descending", { 's' }, -1, NULL,
	    1 },
	{ "a", "Add", "add a variable (encrypted with the primary key)",
	    { 'a' }, POLICY_EDIT_VARS, "set variables", 1 },
	{ "d", "Delete", "delete the selected variable (also one no key opens)",
	    { 'd' }, POLICY_DELETE_VARS, "delete variables", 1 },
	{ "PgUp/PgDn", NULL, "previous or next page (keyset paging)", { 0 }, -1,
	    NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static const char *const state_names[] = { "all", "plain", "encrypted",
    "undecryptable" };

static int
page_rows(void)
{
	int h = app_area().h - 3;

	return h > 1 ? h : 1;
}

static void
rows_clear(struct vlist *l)
{
	int i;

	for (i = 0; i < l->n; i++) {
		session_var_clear(&l->rows[i].v);
		buf_release(&l->rows[i].shown);
	}
	l->n = 0;
}

static int
want_state(const struct vlist *l, const struct session_var *v)
{
	if (l->state == 0)
		return 1;
	return (int)v->info.state == l->state ||
	    (l->state == CONN_SECRET_PLAIN && v->info.state == CONN_SECRET_EMPTY &&
	    !v->is_encrypted);
}

static void
rows_reverse(struct vlist *l)
{
	struct vrow t;
	int i;

	for (i = 0; i < l->n / 2; i++) {
		t = l->rows[i];
		l->rows[i] = l->rows[l->n - 1 - i];
		l->rows[l->n - 1 - i] = t;
	}
}

/*
 * Read one page: rows after `after` or before `before` (either may be
 * NULL) in the order asked (desc); backward pages are read nearest first
 * and turned round. On failure, or when an asked-for page is empty (keep
 * what is shown), -1 or 0 and the rows are as they were.
 */
static int
load(struct vlist *l, struct app *a, const char *after, const char *before,
    int desc, int back, struct err *e)
{
	struct session *ses = a->session;
	struct store_var_query q;
	struct store_iter *it = NULL;
	struct store_var row;
	struct vrow *nr = NULL, r;
	int want = page_rows(), n = 0, rc = 0, i;

	memset(&q, 0, sizeof q);
	q.after = after;
	q.before = before;
	q.desc = desc;
	q.match = l->flen > 0 ? l->filter : NULL;
	q.limit = (size_t)want;	/* a screen: one page, no cursor */
	if ((nr = calloc((size_t)want, sizeof *nr)) == NULL)
		return err_nomem(e);
	if (store_var_list(ses->store, &q, &it, e) != 0) {
		free(nr);
		return -1;
	}
	while (n < want && (rc = store_var_next(it, &row, e)) == 1) {
		memset(&r, 0, sizeof r);
		buf_init(&r.shown, 1);
		if (session_var_from_row(ses, &row, &r.v, e) != 0)
			goto fail_row;
		if (!want_state(l, &r.v)) {
			session_var_clear(&r.v);
			buf_release(&r.shown);
			continue;
		}
		if (session_var_display(ses, &r.v, 0, &r.shown, NULL, e) != 0)
			goto fail_row;
		nr[n++] = r;
		continue;
fail_row:
		session_var_clear(&r.v);
		buf_release(&r.shown);
		rc = -1;
		break;
	}
	store_iter_free(it);
	if (n < want && rc < 0) {
		for (i = 0; i < n; i++) {
			session_var_clear(&nr[i].v);
			buf_release(&nr[i].shown);
		}
		free(nr);
		return -1;
	}
	if (n == 0 && (after != NULL || before != NULL)) {
		free(nr);
		return 0;
	}
	rows_clear(l);
	free(l->rows);
	l->rows = nr;
	l->n = n;
	l->cap = want;
	if (back)
		rows_reverse(l);
	l->gen = a->db_gen;
	l->wl.n = n;
	wlist_fix(&l->wl, want);
	return 1;
}

/* The first page in the current order and filter. */
static int
reload_first(struct vlist *l, struct app *a)
{
	struct err e;

	err_clear(&e);
	l->wl.sel = l->wl.top = 0;
	if (load(l, a, NULL, NULL, l->desc, 0, &e) < 0) {
		app_error(a, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* The page after (dir 1) or before (dir -1) the one shown. */
static void
turn_page(struct vlist *l, struct app *a, int dir)
{
	const char *bound;
	struct err e;
	int rc;

	err_clear(&e);
	if (l->n == 0)
		return;
	if (dir > 0) {
		bound = l->rows[l->n - 1].v.key;
		rc = load(l, a, l->desc ? NULL : bound, l->desc ? bound : NULL,
		    l->desc, 0, &e);
	} else {
		bound = l->rows[0].v.key;
		rc = load(l, a, l->desc ? bound : NULL, l->desc ? NULL : bound,
		    !l->desc, 1, &e);
	}
	if (rc < 0)
		app_error(a, "%s", e.msg);
	else if (rc == 0)
		app_info(a, dir > 0 ? "the last page" : "the first page");
	else
		l->wl.sel = dir > 0 ? 0 : l->n - 1;
}

/* -- drawing ------------------------------------------------------------- */

static void
var_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct vlist *l = ctx;
	const struct vrow *r = &l->rows[i];
	attr_t at = selected ? term_attr(TE_SELECTED) : term_attr(TE_NORMAL);
	enum term_elem el;
	char age[16] = "";
	const char *st;
	size_t k;
	int kw = w > 100 ? 40 : 30;

	switch (r->v.info.state) {
	case CONN_SECRET_ENCRYPTED:
		st = "encrypted";
		el = TE_ENCRYPTED;
		break;
	case CONN_SECRET_PLAIN:
		st = "plaintext";
		el = TE_PLAINTEXT;
		break;
	case CONN_SECRET_UNDECRYPTABLE:
		st = "UNDECRYPTABLE";
		el = TE_UNDECRYPTABLE;
		break;
	default:
		st = "-";
		el = TE_NORMAL;
	}
	if (r->v.info.has_timestamp)
		app_age(r->v.info.timestamp, age, sizeof age);
	draw_fill(y, x, w, at);
	draw_text(y, x + 1, kw, at, r->v.key);
	draw_text(y, x + 2 + kw, 13, selected ? at : term_attr(el), st);
	draw_text(y, x + 16 + kw, 5, at, age);
	/* One line: the value's newlines are shown as spaces. */
	for (k = 0; k < r->shown.len && k < 4096; k++)
		if (buf_str(&r->shown)[k] == '\n')
			((char *)buf_str(&r->shown))[k] = ' ';
	if (r->v.info.state != CONN_SECRET_UNDECRYPTABLE)
		draw_textn(y, x + 22 + kw, w - 23 - kw, at, buf_str(&r->shown),
		    r->shown.len);
}

static void
var_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct vlist *l = s->data;
	struct area rows = { r->y + 2, r->x, r->h - 2, r->w };
	int kw = r->w > 100 ? 40 : 30;

	if (l->gen != a->db_gen)
		(void)reload_first(l, a);
	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    " Variables  by key%s  state: %s  filter: %s%s", l->desc ? " (desc)" :
	    "", state_names[l->state], l->flen > 0 || l->editing ? l->filter :
	    "-", l->editing ? "_" : "");
	draw_fill(r->y + 1, r->x, r->w, term_attr(TE_HEADER));
	draw_text(r->y + 1, r->x + 1, kw, term_attr(TE_HEADER), "key");
	draw_text(r->y + 1, r->x + 2 + kw, 13, term_attr(TE_HEADER), "state");
	draw_text(r->y + 1, r->x + 16 + kw, 5, term_attr(TE_HEADER), "age");
	draw_text(r->y + 1, r->x + 22 + kw, r->w - 23 - kw, term_attr(TE_HEADER),
	    "value (masked)");
	if (l->n == 0) {
		draw_text(r->y + 3, r->x + 2, r->w - 4, term_attr(TE_INFO),
		    l->flen > 0 || l->state != 0 ? "no variable matches" :
		    "no variables in this DB");
		return;
	}
	wlist_draw(&l->wl, &rows, var_row, l);
}

/* -- keys ---------------------------------------------------------------- */

static int
filter_key(struct screen *s, struct app *a, struct vlist *l, int key)
{
	if (key == TK_ENTER || key == TK(KEY_ENTER)) {
		l->editing = 0;
		s->typing = 0;
		return UI_HANDLED;
	}
	if (key == TK_ESC) {
		l->editing = 0;
		s->typing = 0;
		l->flen = 0;
		l->filter[0] = '\0';
		(void)reload_first(l, a);
		return UI_HANDLED;
	}
	if (key == TK_CTRL('u')) {
		l->flen = 0;
		l->filter[0] = '\0';
	} else if (key == 127 || key == TK(KEY_BACKSPACE) ||
	    key == TK_CTRL('h')) {
		if (l->flen == 0)
			return UI_HANDLED;
		do
			l->flen--;
		while (l->flen > 0 && ((unsigned char)l->filter[l->flen] & 0xc0) ==
		    0x80);
		l->filter[l->flen] = '\0';
	} else if (key >= 0x20 && key < 0x7f && l->flen + 1 < sizeof l->filter) {
		l->filter[l->flen++] = (char)key;
		l->filter[l->flen] = '\0';
	} else {
		return UI_HANDLED;
	}
	(void)reload_first(l, a);
	return UI_HANDLED;
}

static int
var_key(struct screen *s, struct app *a, int key)
{
	struct vlist *l = s->data;
	char text[400];
	int m;

	if (l->editing)
		return filter_key(s, a, l, key);
	if (key == TK(KEY_NPAGE) || key == TK(KEY_PPAGE)) {
		if ((key == TK(KEY_NPAGE) && l->wl.sel < l->n - 1) ||
		    (key == TK(KEY_PPAGE) && l->wl.sel > 0))
			wlist_move(&l->wl, key == TK(KEY_NPAGE) ? WLIST_END :
			    WLIST_HOME, page_rows());
		else
			turn_page(l, a, key == TK(KEY_NPAGE) ? 1 : -1);
		return UI_HANDLED;
	}
	if (key == TK(KEY_DOWN) && l->wl.sel == l->n - 1) {
		turn_page(l, a, 1);
		return UI_HANDLED;
	}
	if (key == TK(KEY_UP) && l->wl.sel == 0 && l->n > 0) {
		turn_page(l, a, -1);
		return UI_HANDLED;
	}
	if (key == 'G' || key == TK(KEY_END)) {
		/* The last page: the first one read the other way round. */
		struct err e;

		err_clear(&e);
		if (load(l, a, NULL, NULL, !l->desc, 1, &e) < 0)
			app_error(a, "%s", e.msg);
		l->wl.sel = l->n > 0 ? l->n - 1 : 0;
		wlist_fix(&l->wl, page_rows());
		return UI_HANDLED;
	}
	if (key == 'g' || key == TK(KEY_HOME)) {
		(void)reload_first(l, a);
		return UI_HANDLED;
	}
	if ((m = wlist_key_move(key)) >= 0) {
		wlist_move(&l->wl, (enum wlist_move)m, page_rows());
		return UI_HANDLED;
	}
	switch (key) {
	case '/':
		l->editing = 1;
		s->typing = 1;
		return UI_HANDLED;
	case 'f':
		l->state = (l->state + 1) % 4;
		(void)reload_first(l, a);
		return UI_HANDLED;
	case 's':
		l->desc = !l->desc;
		(void)reload_first(l, a);
		return UI_HANDLED;
	case 'a':
		(void)app_push(a, &scr_var_edit_ops, NULL);
		return UI_HANDLED;
	case TK_ENTER:
	case TK(KEY_ENTER):
	case 'l':
	case TK(KEY_RIGHT):
		if (l->n > 0)
			(void)app_push(a, &scr_var_detail_ops,
			    l->rows[l->wl.sel].v.key);
		return UI_HANDLED;
	case 'd':
		if (l->n == 0)
			return UI_HANDLED;
		free(l->asked_key);
		if ((l->asked_key = strdup(l->rows[l->wl.sel].v.key)) == NULL)
			return UI_HANDLED;
		snprintf(text, sizeof text, "Delete variable %s?", l->asked_key);
		l->asked = dialog_confirm(a, VAR_TAG_DELETE, "Delete variable",
		    text) == 0;
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

static int
var_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct vlist *l = s->data;
	struct err e;
	int rc;

	(void)s;
	if (tag == VAR_TAG_DELETE && l->asked) {
		l->asked = 0;
		if (result != UI_YES)
			return UI_HANDLED;
		err_clear(&e);
		rc = session_var_delete(a->session, l->asked_key, "console", &e);
		if (rc < 0) {
			app_error(a, "%s", e.msg);
		} else {
			if (rc > 0)
				app_warn(a, "deleted, but not logged: %s", e.msg);
			else
				app_info(a, "Variable %s deleted", l->asked_key);
			app_db_changed(a);
		}
	}
	return UI_HANDLED;
}

static int
var_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct vlist *l = calloc(1, sizeof *l);

	(void)arg;
	if (l == NULL)
		return err_nomem(e);
	l->wl.selectable = 1;
	s->data = l;
	if (load(l, a, NULL, NULL, 0, 0, e) < 0) {
		free(l);
		s->data = NULL;
		return -1;
	}
	return 0;
}

static void
var_free(struct screen *s)
{
	struct vlist *l = s->data;

	if (l == NULL)
		return;
	rows_clear(l);
	free(l->rows);
	free(l->asked_key);
	free(l);
}

const struct screen_ops scr_var_ops = {
	"variables", 0, 0, var_keys, var_init, var_draw, var_key, NULL,
	var_resume, var_free
};
