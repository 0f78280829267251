/*
 * scr_list.c: the home screen: the connections, one per line (conn_id,
 * type, host, login, port, encryption state, key and age of the token),
 * never a password. Rows are paged from the DB by key (connwin.h) so a
 * million rows open at once: Home and End are one query each, scrolling
 * past the rows in memory fetches the next page, and only a few pages are
 * kept. `/` filters on conn_id, type and host as you type (one query per
 * burst of keys); `s` sorts by conn_id ascending or descending (the only
 * order that pages by key; other columns are not sortable).
 *
 * The filter's query runs on its own thread (bgsearch.h). A newer filter
 * stops the one still searching; Esc while it searches stops it and goes
 * back to the view shown before it (the rows, filter and order that the
 * window holds: unfiltered, or the last filter that worked; a view whose
 * read had failed is read again unfiltered). A stopped search leaves no
 * trace: it is never shown as a failure or as an empty result.
 *
 * A read of the rows that fails (the filter's search, a page, a reload)
 * becomes the list's state: the body says what failed and why in place of
 * the rows, until a read works (Enter or a move key reads again, as does
 * a new filter). The rows are never shown empty or out of date as if the
 * DB had given them, and "no connection matches" means a query that worked
 * and found nothing.
 *
 * The first column marks connections with audit findings by their worst
 * severity ('!' critical or high, '*' medium, '.' low or info). The marks
 * are worked out at the tick after a paint, for the rows on the screen
 * only (audit_conn_worst(), one point read each), and kept in a small
 * cache by conn_id that the next change of the DB empties: a paint never
 * reads the DB.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "audit.h"
#include "app.h"
#include "bgsearch.h"
#include "connwin.h"
#include "funcbar.h"
#include "screens.h"
#include "widget_list.h"

#define LIST_MAX_MARKS 256

struct list {
	struct session_keys *keys;	/* a reference: the ring the rows and the
					   marks use, until a reload is seen */
	struct connwin	 win;
	struct wlist	 wl;
	char		 filter[128];
	size_t		 flen;
	int		 editing;	/* the filter line has the keys */
	int		 desc;
	int		 refilter;	/* the filter changed: query at the tick */
	int		 denied;	/* the role may not list: no row is read */
	struct bgsearch	*search;	/* the filter's thread, once needed */
	unsigned	 seq;		/* the newest filter asked of it */
	int		 searching;	/* waiting for its result */
	unsigned	 gen;		/* app db_gen of the rows shown */
	/* The last read of the rows failed (see the top comment): */
	char		 failed[512];	/* why; "" when it worked */
	const char	*failed_what;	/* "search failed", ... */
	int		 failed_search;	/* it was the filter's search */
	char		*failed_at;	/* conn_id to read again at; NULL top */
	char		*asked;		/* conn_id of the delete question */
	/* Audit marks of rows shown (see the top comment). */
	struct audit	*audit;		/* made at the first mark; NULL until */
	int		 audit_broken;	/* it could not be made: no marks */
	struct mark {
		char	*conn_id;
		int	 worst;		/* severity, or -1 none */
	}		 marks[LIST_MAX_MARKS];
	size_t		 nmarks;
	unsigned	 marks_gen;	/* app db_gen of the marks */
	int		 marks_due;	/* a row shown has no mark yet */
};

static const struct ui_key list_keys[] = {
	{ "Enter", "Open", "open the selected connection: every field, the "
	    "extra as JSON", { TK_ENTER, TK(KEY_RIGHT), 'l' }, -1, NULL, 1 },
	{ "/", "Filter", "filter: conn_id/type/host words, is:plaintext "
	    "is:undecryptable is:encrypted is:empty is:flagged key:N type:T "
	    "age:>90d (AND)",
	    { '/', TK(KEY_F(3)) }, -1, NULL, 1 },
	{ "s", "Sort", "sort by conn_id, ascending or descending",
	    { 's', TK(KEY_F(6)) }, -1, NULL, 1 },
	{ "e", "Edit", "edit the selected connection (F4); re-type its password "
	    "to encrypt it with the primary key", { 'e', TK(KEY_F(4)) },
	    POLICY_EDIT, "edit connections", 1 },
	{ "a", "Add", "add a connection (F7), by fields or from a pasted URI",
	    { 'a', TK(KEY_F(7)) }, POLICY_CREATE, "add connections", 1 },
	{ "d", "Delete", "delete the selected connection (F8); asks first, No "
	    "is the default", { 'd', TK(KEY_F(8)) }, POLICY_DELETE,
	    "delete connections", 1 },
	{ "P", "Plain", "rows of the status line's plaintext count "
	    "(is:plaintext)", { 'P' }, -1, NULL, 0 },
	{ "U", "Undecr", "rows of its undecryptable count (is:undecryptable)",
	    { 'U' }, -1, NULL, 0 },
	{ "j/k", NULL, "move down / up (also the arrow keys)", { 0 }, -1, NULL,
	    0 },
	{ "PgDn/PgUp", NULL, "a page down / up (also Space, Ctrl-F / Ctrl-B)",
	    { 0 }, -1, NULL, 0 },
	{ "g/G", NULL, "the first / last connection (also Home / End)", { 0 },
	    -1, NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

/* Rows on the screen, and rows per fetch. */
static int
list_page(void)
{
	int page = app_area().h - 2;

	return page > 1 ? page : 1;
}

static size_t
fetch_n(void)
{
	return (size_t)list_page() * 2;
}

/* Keep at least three fetches in memory, whatever the terminal's size. */
static void
fit_cap(struct list *l)
{
	if (l->win.cap < fetch_n() * 3)
		l->win.cap = fetch_n() * 3;
}

/* The row selected, or NULL. */
static const struct conn_row *
selected_row(struct list *l)
{
	if (l->failed[0] != '\0' || l->win.n == 0 || l->wl.sel < 0 ||
	    (size_t)l->wl.sel >= l->win.n)
		return NULL;
	return &l->win.rows[l->wl.sel];
}

static const char *
selected_id(struct list *l)
{
	if (l->failed[0] != '\0' || l->win.n == 0 || l->wl.sel < 0 ||
	    (size_t)l->wl.sel >= l->win.n)
		return NULL;
	return l->win.rows[l->wl.sel].conn_id;
}

/*
 * The DB row selected to load the view again at, or NULL (from the top,
 * where the environment's rows are) when it is one of the environment's.
 */
static const char *
selected_db_id(struct list *l)
{
	const struct conn_row *r = selected_row(l);

	return r != NULL && !r->env ? r->conn_id : NULL;
}

/*
 * A read of the rows failed: keep it as the state (drawn in place of the
 * rows). search: it was the filter's search; at: the conn_id to read again
 * at (may be NULL; may point into the rows).
 */
static void
list_fail(struct list *l, int search, const char *at, const char *msg)
{
	char *keep = at != NULL ? strdup(at) : NULL;

	free(l->failed_at);
	l->failed_at = keep;
	l->failed_search = search;
	l->failed_what = search ? "search failed" :
	    "reading the connections failed";
	snprintf(l->failed, sizeof l->failed, "%s", msg[0] != '\0' ? msg :
	    "unknown error");
}

/* A read of the rows worked: what it read is shown. */
static void
list_ok(struct list *l)
{
	l->failed[0] = '\0';
	free(l->failed_at);
	l->failed_at = NULL;
}

/*
 * Take the session's current keys if they were reloaded (session_key_write())
 * since the list last looked: the old generation is released, and the
 * audit made with it goes too.
 */
static void
keys_sync(struct list *l, struct app *a)
{
	if (l->keys == a->session->keys)
		return;
	session_keys_unref(l->keys);
	l->keys = session_keys_ref(a->session);
	l->win.kr = l->keys->kr;
	connwin_set_audit(&l->win, NULL);
	audit_free(l->audit);
	l->audit = NULL;
}

/*
 * The list's audit engine (the marks, and is:flagged when paging on in
 * this thread), made at the first use with the current keys and handed to
 * the window; NULL when it cannot be made (said once).
 */
static struct audit *
list_audit(struct list *l, struct app *a)
{
	struct err e;

	keys_sync(l, a);
	if (l->audit == NULL && !l->audit_broken) {
		err_clear(&e);
		if (session_conn_flag_audit(a->session, l->keys, l->keys->kr,
		    a->session->store, &l->audit, &e) != 0) {
			l->audit_broken = 1;
			app_warn(a, "no audit marks: %s", e.msg);
		}
	}
	connwin_set_audit(&l->win, l->audit);
	return l->audit;
}

/*
 * Load the view again (filter, order, or the DB changed) around conn_id,
 * or from the top when it is NULL. A failure is the list's state.
 */
static int
list_reload(struct list *l, struct app *a, const char *conn_id)
{
	struct err e;
	char *keep = NULL;
	size_t index = 0;
	int page = list_page();

	err_clear(&e);
	if (l->denied)
		return -1;
	fit_cap(l);
	(void)list_audit(l, a);
	if (conn_id != NULL && (keep = strdup(conn_id)) == NULL) {
		app_error(a, "out of memory");
		return -1;
	}
	if (connwin_set_view(&l->win, l->filter, l->desc, &e) != 0 ||
	    (keep != NULL ? connwin_load_at(&l->win, keep, fetch_n(), &index,
	    &e) : connwin_load_first(&l->win, fetch_n(), &e)) != 0) {
		list_fail(l, keep == NULL && l->flen > 0, keep, e.msg);
		free(keep);
		l->wl.n = (int)l->win.n;
		wlist_fix(&l->wl, page);
		return -1;
	}
	free(keep);
	list_ok(l);
	l->wl.n = (int)l->win.n;
	l->wl.sel = (int)index;
	l->wl.top = l->wl.sel - page / 2;
	wlist_fix(&l->wl, page);
	l->gen = a->db_gen;
	return 0;
}

/* Move, fetching rows beyond the window first. */
static void
list_move(struct list *l, enum wlist_move m)
{
	struct err e;
	size_t added, dropped;
	int page = list_page(), target;

	err_clear(&e);
	fit_cap(l);
	switch (m) {
	case WLIST_HOME:
		if (!l->win.at_start &&
		    connwin_load_first(&l->win, fetch_n(), &e) != 0)
			goto fail;
		l->wl.n = (int)l->win.n;
		l->wl.sel = l->wl.top = 0;
		break;
	case WLIST_END:
		if (!l->win.at_end &&
		    connwin_load_last(&l->win, fetch_n(), &e) != 0)
			goto fail;
		l->wl.n = (int)l->win.n;
		l->wl.sel = l->wl.n - 1;
		l->wl.top = l->wl.n - page;
		break;
	case WLIST_DOWN:
	case WLIST_PGDN:
		target = l->wl.sel + (m == WLIST_DOWN ? 1 : page);
		/* Keep a page beyond the bottom of the screen in memory. */
		while (target + page >= (int)l->win.n && !l->win.at_end) {
			if (connwin_extend_down(&l->win, fetch_n(), &added,
			    &dropped, &e) != 0)
				goto fail;
			l->wl.sel -= (int)dropped;
			l->wl.top -= (int)dropped;
			target -= (int)dropped;
			l->wl.n = (int)l->win.n;
			if (added == 0)
				break;
		}
		wlist_move(&l->wl, m, page);
		break;
	case WLIST_UP:
	case WLIST_PGUP:
		target = l->wl.sel - (m == WLIST_UP ? 1 : page);
		while (target - page < 0 && !l->win.at_start) {
			if (connwin_extend_up(&l->win, fetch_n(), &added, &dropped,
			    &e) != 0)
				goto fail;
			l->wl.sel += (int)added;
			l->wl.top += (int)added;
			target += (int)added;
			l->wl.n = (int)l->win.n;
			if (added == 0)
				break;
		}
		wlist_move(&l->wl, m, page);
		break;
	}
	wlist_fix(&l->wl, page);
	return;
fail:
	/* The rows kept are hidden: the screen would not be the DB's. */
	l->wl.n = (int)l->win.n;
	wlist_fix(&l->wl, page);
	list_fail(l, 0, l->wl.sel >= 0 && (size_t)l->wl.sel < l->win.n ?
	    l->win.rows[l->wl.sel].conn_id : NULL, e.msg);
}

/*
 * Read the rows again after a failure: the filter's search in its thread,
 * else the view around the row selected when the read failed.
 */
static void
list_retry(struct screen *s, struct app *a, struct list *l)
{
	char *at;

	if (l->failed_search && l->flen > 0) {
		l->refilter = 1;
		s->wake_at = term_now_ms();
		return;
	}
	/* list_reload() frees failed_at. */
	at = l->failed_at;
	l->failed_at = NULL;
	(void)list_reload(l, a, at);
	free(at);
}

/* -- audit marks --------------------------------------------------------- */

static void
marks_clear(struct list *l)
{
	size_t i;

	for (i = 0; i < l->nmarks; i++)
		free(l->marks[i].conn_id);
	l->nmarks = 0;
}

/* The mark of conn_id: its worst severity, -1 none, -2 not known yet. */
static int
mark_of(const struct list *l, const char *conn_id)
{
	size_t i;

	for (i = 0; i < l->nmarks; i++)
		if (strcmp(l->marks[i].conn_id, conn_id) == 0)
			return l->marks[i].worst;
	return -2;
}

static char
mark_char(int worst)
{
	if (worst >= AUDIT_SEV_HIGH)
		return '!';
	if (worst == AUDIT_SEV_MEDIUM)
		return '*';
	return worst >= 0 ? '.' : ' ';
}

/* Work out the marks of the rows on the screen that have none. */
static void
marks_update(struct list *l, struct app *a)
{
	struct conn *c = NULL;
	struct err e;
	int i, end, worst;

	l->marks_due = 0;
	err_clear(&e);
	if (l->marks_gen != a->db_gen) {
		marks_clear(l);
		l->marks_gen = a->db_gen;
	}
	if (list_audit(l, a) == NULL)
		return;
	end = l->wl.top + list_page();
	if (end > (int)l->win.n)
		end = (int)l->win.n;
	if (l->nmarks + (size_t)(end - l->wl.top) > LIST_MAX_MARKS)
		marks_clear(l);
	if ((c = conn_new()) == NULL)
		return;
	for (i = l->wl.top; i < end; i++) {
		const char *id = l->win.rows[i].conn_id;
		char *keep;

		/* The environment's rows have no mark (the audit checks the
		   variables on its own screen). */
		if (l->win.rows[i].env || mark_of(l, id) != -2)
			continue;
		conn_reset(c);
		worst = -1;
		if (store_conn_get(a->session->store, id, c, &e) != 0 ||
		    conn_decrypt(c, l->keys->kr, &e) != 0 ||
		    audit_conn_worst(l->audit, c, &worst, NULL, &e) != 0) {
			err_clear(&e);
			worst = -1;
		}
		if ((keep = strdup(id)) == NULL)
			break;
		l->marks[l->nmarks].conn_id = keep;
		l->marks[l->nmarks++].worst = worst;
	}
	conn_free(c);
}

/* -- drawing ------------------------------------------------------------- */

struct cols {
	int id, type, host, login, port, state, age, desc;
};

/*
 * The columns for w: conn_id first (the name is what a person looks for:
 * at least 26 columns, or 40 % of the free width), the others share the
 * rest; from 140 columns the description gets a column of its own. The
 * widths and the gaps add up to w - 4 (the mark's columns and a blank last
 * column), never more.
 */
static void
layout(int w, struct cols *c)
{
	int flex, rest;

	c->port = 5;
	c->state = 13;
	c->age = 8;
	c->desc = w >= 140 ? (w - 3) * 25 / 100 : 0;
	/* The last column stays blank: nothing runs to the edge. */
	flex = w - 4 - c->port - c->state - c->age - 6 - (c->desc ? c->desc +
	    1 : 0);
	if (flex < 20)
		flex = 20;
	c->id = flex * 40 / 100;
	if (c->id < 26 && flex - 18 >= 26)
		c->id = 26;
	rest = flex - c->id;
	c->type = rest * 30 / 100;
	c->host = rest * 40 / 100;
	c->login = rest - c->type - c->host;
}

static const char *
state_text(enum conn_secret_state s, enum term_elem *el)
{
	switch (s) {
	case CONN_SECRET_UNDECRYPTABLE:
		*el = TE_UNDECRYPTABLE;
		return "undecryptable";
	case CONN_SECRET_PLAIN:
		*el = TE_PLAINTEXT;
		return "plaintext";
	case CONN_SECRET_ENCRYPTED:
		*el = TE_ENCRYPTED;
		return "encrypted";
	default:
		*el = TE_NORMAL;
		return "-";
	}
}

static void
draw_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct list *l = ctx;
	const struct conn_row *r = &l->win.rows[i];
	struct cols c;
	enum term_elem el;
	const char *st;
	char port[16] = "", age[32] = "-", when[16], mark[2] = " ";
	attr_t base = term_attr(selected ? TE_SELECTED : TE_NORMAL);
	int worst = r->env ? -1 : mark_of(l, r->conn_id);

	layout(w, &c);
	if (r->has_port)
		snprintf(port, sizeof port, "%ld", r->port);
	if (r->has_timestamp) {
		app_age(r->timestamp, when, sizeof when);
		if (r->key_index >= 0)
			snprintf(age, sizeof age, "k%d %s", r->key_index + 1, when);
		else
			snprintf(age, sizeof age, "? %s", when);
	}
	draw_fill(y, x, w, base);
	if (worst == -2)
		l->marks_due = 1;
	mark[0] = mark_char(worst);
	draw_text(y, x + 1, 1, selected || worst < AUDIT_SEV_MEDIUM ? base :
	    term_attr(worst >= AUDIT_SEV_HIGH ? TE_ERROR : TE_WARN), mark);
	x += 3;
	draw_cell(y, x, c.id, base, r->conn_id);
	x += c.id + 1;
	draw_cell(y, x, c.type, base, r->conn_type);
	x += c.type + 1;
	draw_cell(y, x, c.host, base, r->host);
	x += c.host + 1;
	draw_cell(y, x, c.login, base, r->login);
	x += c.login + 1;
	draw_text(y, x + c.port - (int)strlen(port), c.port, base, port);
	x += c.port + 1;
	/* From the environment: read-only, and before the DB for Airflow. */
	if (r->env) {
		st = "env";
		el = TE_WARN;
	} else {
		st = state_text(conn_row_state(r), &el);
	}
	draw_text(y, x, c.state, selected ? base : term_attr(el), st);
	x += c.state + 1;
	if (r->shadowed)
		draw_text(y, x, c.age, selected ? base : term_attr(TE_WARN),
		    "shadowed");
	else
		draw_text(y, x, c.age, base, age);
	x += c.age + 1;
	if (c.desc > 0)
		draw_cell(y, x, c.desc, base, r->description);
}

/* The failed read, wrapped, in place of the rows. */
static void
draw_failed(const struct list *l, const struct area *rows)
{
	char text[640];
	const char *t = text, *next;
	int y = rows->y + 1, ymax = rows->y + rows->h, w = rows->w - 4;
	size_t len;

	snprintf(text, sizeof text, "%s: %s; rows not shown", l->failed_what,
	    l->failed);
	for (; t != NULL && *t != '\0' && y < ymax - 2; t = next, y++) {
		len = text_wrap(t, w, &next);
		draw_textn(y, rows->x + 2, w, term_attr(TE_ERROR), t, len);
	}
	draw_text(y + 1, rows->x + 2, w, term_attr(TE_NORMAL), l->failed_search ?
	    "Enter searches again; / changes the filter" :
	    "Enter reads them again");
}

static void
list_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct list *l = s->data;
	struct area rows = { r->y + 2, r->x, r->h - 2, r->w };
	struct cols c;
	const char *pos;
	int x;

	/* Title: order, filter, where the window is. */
	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	x = r->x + 1;
	x += draw_text(r->y, x, r->w - 2, term_attr(TE_HEADER), "Connections");
	x += draw_text(r->y, x, r->w - x, term_attr(TE_HEADER), l->desc ?
	    "  by conn_id, descending" : "  by conn_id");
	if (l->editing || l->flen > 0) {
		x += draw_text(r->y, x, r->w - x, term_attr(TE_HEADER),
		    "  filter: ");
		x += draw_text(r->y, x, r->w - x - 1,
		    term_attr(l->editing ? TE_FIELD_FOCUS : TE_HEADER), l->filter);
		if (l->editing)
			app_cursor(a, r->y, x);
		if (l->searching)
			draw_text(r->y, x + 1, r->w - x - 1, term_attr(TE_WARN),
			    "  searching... (Esc stops)");
		else if (l->editing)
			draw_text(r->y, x + 1, r->w - x - 1, term_attr(TE_HEADER),
			    "   (Enter keeps it, Esc clears it)");
	}
	pos = l->win.at_start && l->wl.top == 0 ?
	    (l->win.at_end && l->wl.n <= rows.h ? "All" : "Top") :
	    (l->win.at_end && l->wl.top + rows.h >= l->wl.n ? "Bot" : "");
	if (!l->editing && l->failed[0] == '\0')
		draw_text(r->y, r->x + r->w - 4, 3, term_attr(TE_HEADER), pos);

	/* Column headers. */
	layout(r->w, &c);
	x = r->x + 3;
	draw_fill(r->y + 1, r->x, r->w, term_attr(TE_NORMAL));
	draw_text(r->y + 1, x, c.id, term_attr(TE_HEADER), "conn_id");
	x += c.id + 1;
	draw_text(r->y + 1, x, c.type, term_attr(TE_HEADER), "type");
	x += c.type + 1;
	draw_text(r->y + 1, x, c.host, term_attr(TE_HEADER), "host");
	x += c.host + 1;
	draw_text(r->y + 1, x, c.login, term_attr(TE_HEADER), "login");
	x += c.login + 1;
	draw_text(r->y + 1, x + 1, c.port, term_attr(TE_HEADER), "port");
	x += c.port + 1;
	draw_text(r->y + 1, x, c.state, term_attr(TE_HEADER), "secrets");
	x += c.state + 1;
	draw_text(r->y + 1, x, c.age, term_attr(TE_HEADER), "key age");
	x += c.age + 1;
	if (c.desc > 0)
		draw_text(r->y + 1, x, c.desc, term_attr(TE_HEADER), "description");

	if (l->failed[0] != '\0') {
		draw_failed(l, &rows);
		return;
	}
	/* Only a query that worked comes here: empty is the DB's answer. */
	if (l->win.n == 0) {
		if (l->flen > 0)
			draw_printf(rows.y + 1, rows.x + 2, rows.w - 4,
			    term_attr(TE_NORMAL), "no connection matches '%s'",
			    l->filter);
		else
			draw_text(rows.y + 1, rows.x + 2, rows.w - 4,
			    term_attr(TE_NORMAL), "no connections (a to add one)");
		return;
	}
	if (l->marks_gen != a->db_gen)
		l->marks_due = 1;
	wlist_draw(&l->wl, &rows, draw_row, l);
	/* Marks missing: work them out at the next tick, not here. */
	if (l->marks_due && s->wake_at == 0)
		s->wake_at = term_now_ms() + 30;
}

/* -- keys ---------------------------------------------------------------- */

/* 1 while a filter's search runs or is about to (Esc then stops it). */
static int
search_pending(const struct list *l)
{
	return l->searching || (l->refilter && l->flen > 0);
}

/*
 * Esc while the filter searches: stop the search and go back to the view
 * the window holds (see the top comment); no query unless that view's
 * read had failed.
 */
static void
search_stop(struct screen *s, struct app *a, struct list *l)
{
	bgsearch_cancel(l->search);
	l->searching = 0;
	l->refilter = 0;
	l->editing = 0;
	s->typing = 0;
	if (l->failed[0] != '\0') {
		l->flen = 0;
		l->filter[0] = '\0';
		(void)list_reload(l, a, NULL);
		return;
	}
	snprintf(l->filter, sizeof l->filter, "%s", l->win.text != NULL ?
	    l->win.text : "");
	l->flen = strlen(l->filter);
	l->desc = l->win.desc;
	app_trace(a, "search stopped");
}

static int
filter_key(struct screen *s, struct app *a, struct list *l, int key)
{
	if (key == TK_ENTER || key == TK(KEY_ENTER) || key == TK_TAB ||
	    key == TK(KEY_DOWN) || key == TK(KEY_UP)) {
		l->editing = 0;
		s->typing = 0;
		/* The same filter after a failed read: search again. */
		if (l->failed[0] != '\0' && !l->refilter && !l->searching) {
			l->refilter = 1;
			s->wake_at = term_now_ms();
		}
		return UI_HANDLED;
	}
	if (key == TK_ESC) {
		if (search_pending(l)) {
			search_stop(s, a, l);
			return UI_HANDLED;
		}
		l->editing = 0;
		s->typing = 0;
		if (l->flen > 0) {
			l->flen = 0;
			l->filter[0] = '\0';
			l->refilter = 1;
			s->wake_at = term_now_ms();
		}
		return UI_HANDLED;
	}
	if (key == 127 || key == TK(KEY_BACKSPACE) || key == TK_CTRL('h')) {
		if (l->flen == 0)
			return UI_HANDLED;
		do
			l->flen--;
		while (l->flen > 0 && ((unsigned char)l->filter[l->flen] & 0xc0) ==
		    0x80);
		l->filter[l->flen] = '\0';
	} else if (key == TK_CTRL('u')) {
		l->flen = 0;
		l->filter[0] = '\0';
	} else if (key >= 0x20 && key < 0x7f && l->flen + 1 < sizeof l->filter) {
		l->filter[l->flen++] = (char)key;
		l->filter[l->flen] = '\0';
	} else {
		return UI_HANDLED;
	}
	/* Query once the keys typed ahead are in. */
	l->refilter = 1;
	s->wake_at = term_now_ms();
	return UI_HANDLED;
}

/* 1 if key acts on the rows (moves, opens, edits, deletes, sorts). */
static int
list_row_key(int key)
{
	const struct ui_key *k;

	if (wlist_key_move(key) >= 0)
		return 1;
	for (k = list_keys; k->name != NULL; k++)
		if (funcbar_matches(k, key) && k->codes[0] != '/')
			return 1;
	return 0;
}

/* The core's refusal of op on the environment's row conn_id, shown. */
static void
env_refused(struct app *a, const char *conn_id, enum session_conn_op op)
{
	struct err e;

	err_clear(&e);
	(void)session_conn_env_refuse(conn_id, op, &e);
	app_error(a, "%s", e.msg);
}

static int
list_key(struct screen *s, struct app *a, int key)
{
	struct list *l = s->data;
	const char *id = selected_id(l);
	const struct conn_row *row = selected_row(l);
	int m;

	if (l->editing)
		return filter_key(s, a, l, key);
	/* Keys for the rows wait for the rows of the filter being searched. */
	if ((l->searching || l->refilter) && list_row_key(key))
		return UI_DEFER;
	/* After a failed read, Enter and the moves read again. */
	if (l->failed[0] != '\0' && (wlist_key_move(key) >= 0 ||
	    key == TK_ENTER || key == TK(KEY_ENTER) || key == TK(KEY_RIGHT) ||
	    key == 'l')) {
		list_retry(s, a, l);
		return UI_HANDLED;
	}
	if ((m = wlist_key_move(key)) >= 0) {
		list_move(l, (enum wlist_move)m);
		return UI_HANDLED;
	}
	switch (key) {
	case TK_ENTER:
	case TK(KEY_ENTER):
	case TK(KEY_RIGHT):
	case 'l':
		if (id != NULL)
			(void)app_push(a, row->env ? &scr_detail_env_ops :
			    &scr_detail_ops, id);
		return UI_HANDLED;
	case '/':
	case TK(KEY_F(3)):
		l->editing = 1;
		s->typing = 1;
		return UI_HANDLED;
	case 's':
	case TK(KEY_F(6)):
		l->desc = !l->desc;
		if (l->flen > 0) {
			/* Filtered: a query that may read it all, so in the thread. */
			l->refilter = 1;
			s->wake_at = term_now_ms();
		} else {
			(void)list_reload(l, a, selected_db_id(l));
		}
		return UI_HANDLED;
	case 'P':
	case 'U':
		/* The status line's counts, as filters (connfilter.h). */
		snprintf(l->filter, sizeof l->filter, "%s", key == 'P' ?
		    "is:plaintext" : "is:undecryptable");
		l->flen = strlen(l->filter);
		l->refilter = 1;
		s->wake_at = term_now_ms();
		return UI_HANDLED;
	case 'e':
	case TK(KEY_F(4)):
		if (id != NULL && row->env)
			env_refused(a, id, SESSION_CONN_EDIT);
		else if (id != NULL)
			(void)app_push(a, &scr_edit_ops, id);
		return UI_HANDLED;
	case 'a':
	case TK(KEY_F(7)):
		(void)app_push(a, &scr_edit_ops, NULL);
		return UI_HANDLED;
	case TK_ESC:
		if (search_pending(l)) {
			search_stop(s, a, l);
			return UI_HANDLED;
		}
		if (l->flen == 0)
			return UI_IGNORED;
		/* Esc first clears the filter. */
		l->flen = 0;
		l->filter[0] = '\0';
		l->refilter = 1;
		s->wake_at = term_now_ms();
		return UI_HANDLED;
	case 'd':
	case TK(KEY_F(8)):
		if (id == NULL)
			return UI_HANDLED;
		if (row->env) {
			env_refused(a, id, SESSION_CONN_DELETE);
			return UI_HANDLED;
		}
		free(l->asked);
		if ((l->asked = strdup(id)) == NULL) {
			app_error(a, "out of memory");
			return UI_HANDLED;
		}
		(void)action_ask_delete(a, id);
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

/*
 * Ask the filter's thread for the filtered view; the screen keeps working
 * while it searches. -1 when there is no thread (then filter here).
 */
static int
search_start(struct screen *s, struct app *a, struct list *l)
{
	const char *url, *schema;
	struct err e;

	err_clear(&e);
	if (l->search == NULL) {
		if (app_db_url(a, &url, &schema, &e) != 0 ||
		    bgsearch_new(&l->search, a->session, url, schema, &e) != 0)
			return -1;
		if (bgsearch_set_env(l->search, l->win.env, l->win.env_n,
		    &e) != 0) {
			bgsearch_free(l->search);
			l->search = NULL;
			return -1;
		}
	}
	if (bgsearch_submit(l->search, l->filter, l->desc, fetch_n(),
	    ++l->seq) != 0)
		return -1;
	l->searching = 1;
	s->wake_at = term_now_ms() + 5;
	return 0;
}

static int
list_tick(struct screen *s, struct app *a, int64_t now)
{
	struct list *l = s->data;
	struct err e;
	int rc;

	err_clear(&e);
	if (l->marks_due && !l->refilter && !l->searching &&
	    l->failed[0] == '\0') {
		marks_update(l, a);
		if (!l->refilter && !l->searching) {
			app_trace(a, "marked");
			return UI_HANDLED;
		}
	}
	if (l->refilter) {
		l->refilter = 0;
		if (l->denied)
			return UI_HANDLED;
		/* No filter is a quick query: here. A filter may read it all. */
		if (l->flen == 0 || search_start(s, a, l) != 0) {
			l->searching = 0;
			(void)list_reload(l, a, NULL);
		}
		return UI_HANDLED;
	}
	if (!l->searching)
		return UI_HANDLED;
	if ((rc = bgsearch_poll(l->search, l->seq, &l->win, &e)) == 0) {
		s->wake_at = now + 5;
		return UI_IGNORED;
	}
	l->searching = 0;
	app_trace(a, "filtered");
	if (rc < 0) {
		/* The rows are those of another view now: not shown. */
		list_fail(l, 1, NULL, e.msg);
		return UI_HANDLED;
	}
	list_ok(l);
	fit_cap(l);
	/* Paging on by is:flagged here asks this thread's engine. */
	(void)list_audit(l, a);
	l->wl.n = (int)l->win.n;
	l->wl.sel = l->wl.top = 0;
	wlist_fix(&l->wl, list_page());
	l->gen = a->db_gen;
	return UI_HANDLED;
}

static int
list_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct list *l = s->data;
	char *id = NULL;

	if (tag == ACTION_TAG_DELETE && l->asked != NULL) {
		id = l->asked;
		l->asked = NULL;
		if (result == UI_YES)
			(void)action_delete(a, id);
	}
	if (l->gen != a->db_gen) {
		const char *at = id != NULL ? id : selected_db_id(l);
		char *keep = at != NULL ? strdup(at) : NULL;

		/* Its thread parsed the ring, which may have been reloaded. */
		if (!l->searching) {
			bgsearch_free(l->search);
			l->search = NULL;
		}
		(void)list_reload(l, a, keep);
		free(keep);
	}
	free(id);
	return UI_HANDLED;
}

/* The environment's connections, above the DB's rows (connwin.h). */
static int
list_env(struct list *l, struct app *a, struct err *e)
{
	struct conn_row *rows;
	size_t n;
	int rc;

	if (session_conn_env_rows(a->session, &rows, &n, e) != 0)
		return -1;
	rc = connwin_set_env(&l->win, rows, n, e);
	session_conn_env_rows_free(rows, n);
	return rc;
}

static int
list_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct list *l = calloc(1, sizeof *l);

	if (l == NULL) {
		err_nomem(e);
		return -1;
	}
	l->keys = session_keys_ref(a->session);
	connwin_init(&l->win, a->session->store, l->keys->kr, fetch_n() * 3);
	l->wl.selectable = 1;
	/* A role without can_read on Connections sees none: said, not read. */
	if (session_conn_may(a->session, SESSION_CONN_LIST, e) != 0) {
		l->denied = 1;
		l->win.at_start = l->win.at_end = 1;
		list_fail(l, 0, NULL, e->msg);
		l->failed_what = "no connections shown";
		err_clear(e);
	} else if (list_env(l, a, e) != 0 ||
	    connwin_load_first(&l->win, fetch_n(), e) != 0) {
		connwin_release(&l->win);
		session_keys_unref(l->keys);
		free(l);
		return -1;
	}
	l->wl.n = (int)l->win.n;
	l->gen = a->db_gen;
	s->data = l;
	return 0;
}

static void
list_free(struct screen *s)
{
	struct list *l = s->data;

	bgsearch_free(l->search);
	marks_clear(l);
	audit_free(l->audit);
	connwin_release(&l->win);
	session_keys_unref(l->keys);
	free(l->asked);
	free(l->failed_at);
	free(l);
}

const struct screen_ops scr_list_ops = {
	"list", 0, 1, list_keys, list_init, list_draw, list_key, list_tick,
	list_resume, list_free
};
