/*
 * app.c: the screen stack and the main loop of the console (see app.h):
 * signals, timers, the background scan, drawing the status line, the
 * screens, the message line and the function bar, and dispatching keys.
 */
#include "config.h"

#include "app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgscan.h"
#include "funcbar.h"
#include "keyring.h"
#include "screens.h"
#include "widget_form.h"

/* Keys that work on every screen but dialogs. */
static const struct ui_key key_help = { "?", "Help", "help: the keys of this "
    "screen, and why a dimmed one is not available", { '?', TK(KEY_F(1)) },
    -1, NULL, 1 };
static const struct ui_key key_back = { "Esc", "Back", "back to the previous "
    "screen", { TK_ESC }, -1, NULL, 1 };
static const struct ui_key key_quit = { "q", "Quit", "leave ferncon (also F10 "
    "and Ctrl-C); the screen is cleared", { 'q', TK(KEY_F(10)) }, -1, NULL, 1 };
static const struct ui_key key_repaint = { "Ctrl-L", NULL, "repaint the "
    "screen", { TK_CTRL('l') }, -1, NULL, 0 };

/* -- trace (FERNCON_UI_TRACE, for bench/tui_bench.py) -------------------- */

static void
trace_at(struct app *a, const struct timespec *ts, const char *what)
{
	if (a->trace == NULL)
		return;
	fprintf(a->trace, "%lld.%06ld %s\n", (long long)ts->tv_sec,
	    ts->tv_nsec / 1000, what);
	fflush(a->trace);
}

/*
 * 1 while a hidden field (a password) has the keys: the trace then records
 * nothing, not even the paints, whose times would give the keystrokes'.
 */
static int
hidden_focus(const struct app *a)
{
	const struct screen *top = a->depth > 0 ? a->stack[a->depth - 1] : NULL;

	return top != NULL && top->form != NULL && form_hidden_focus(top->form);
}

void
app_trace(struct app *a, const char *what)
{
	struct timespec ts;

	if (a->trace == NULL || hidden_focus(a))
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	trace_at(a, &ts, what);
}

/*
 * The trace file is new, 0600, and not reached through a link: it records
 * when each key came, which must not land in someone else's file.
 */
static int
trace_open(struct app *a, const char *path, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);

	if (fd < 0 || (a->trace = fdopen(fd, "w")) == NULL) {
		err_set(e, ERR_IO, "FERNCON_UI_TRACE: cannot create '%s': %s",
		    path, errno == EEXIST ? "it exists (give a new file name)" :
		    errno == ELOOP ? "it is a symbolic link" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return 0;
}

/* -- screens ------------------------------------------------------------- */

static void
screen_free(struct screen *s)
{
	if (s == NULL)
		return;
	if (s->ops->free != NULL)
		s->ops->free(s);
	free(s);
}

int
app_push(struct app *a, const struct screen_ops *ops, const void *arg)
{
	struct screen *s;
	struct err e;

	err_clear(&e);
	if (a->depth == APP_MAX_SCREENS) {
		app_error(a, "too many screens open");
		return -1;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		app_error(a, "out of memory");
		return -1;
	}
	s->ops = ops;
	if (ops->init != NULL && ops->init(s, a, arg, &e) != 0) {
		app_error(a, "%s", e.msg);
		free(s);
		return -1;
	}
	a->stack[a->depth++] = s;
	a->dirty = 1;
	return 0;
}

struct screen *
app_below(struct app *a, struct screen *s)
{
	int i;

	for (i = 1; i < a->depth; i++)
		if (a->stack[i] == s)
			return a->stack[i - 1];
	return NULL;
}

static void apply(struct app *a, int flags);

/* Close the top screen and tell the one below. */
static void
pop(struct app *a)
{
	struct screen *s, *top;
	int tag, result;

	if (a->depth == 0)
		return;
	s = a->stack[--a->depth];
	a->stack[a->depth] = NULL;
	tag = s->tag;
	result = s->result;
	screen_free(s);
	if (a->depth == 0) {
		a->quit = 1;
		return;
	}
	top = a->stack[a->depth - 1];
	if (top->ops->resume != NULL)
		apply(a, top->ops->resume(top, a, tag, result));
}

static void
apply(struct app *a, int flags)
{
	if (flags & UI_QUIT)
		a->quit = 1;
	if (flags & UI_REPAINT)
		clearok(curscr, TRUE);
	if (flags & UI_CLOSE)
		pop(a);
	if (flags != UI_IGNORED)
		a->dirty = 1;
}

size_t
app_keys(struct app *a, struct screen *s, const struct ui_key **out, size_t max)
{
	const struct ui_key *k;
	size_t n = 0, i;

	for (k = s->keys != NULL ? s->keys : s->ops->keys; k != NULL &&
	    k->name != NULL && n < max; k++)
		out[n++] = k;
	if (s->ops->overlay || s->typing)
		return n;
	for (i = 0; s->ops->home && i < ui_entries_len && n < max; i++)
		out[n++] = &ui_entries[i].key;
	if (n < max && s->ops != &scr_help_ops)
		out[n++] = &key_help;
	if (n < max && app_below(a, s) != NULL)
		out[n++] = &key_back;
	if (n < max)
		out[n++] = &key_quit;
	if (n < max)
		out[n++] = &key_repaint;
	return n;
}

struct area
app_area(void)
{
	struct area r = { 1, 0, LINES - 3, COLS };

	return r;
}

/* -- messages ------------------------------------------------------------ */

static void set_msg(struct app *a, enum term_elem el, const char *fmt,
    va_list ap) ATTR_PRINTF(3, 0);

static void
set_msg(struct app *a, enum term_elem el, const char *fmt, va_list ap)
{
	vsnprintf(a->msg, sizeof a->msg, fmt, ap);
	a->msg_elem = el;
	a->dirty = 1;
}

void
app_info(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(a, TE_INFO, fmt, ap);
	va_end(ap);
}

void
app_warn(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(a, TE_WARN, fmt, ap);
	va_end(ap);
}

void
app_error(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(a, TE_ERROR, fmt, ap);
	va_end(ap);
}

void
app_cursor(struct app *a, int y, int x)
{
	a->cur_y = y;
	a->cur_x = x;
}

int
app_allowed(struct app *a, int action, const char *what)
{
	struct err e;

	err_clear(&e);
	if (policy_check(&a->session->policy, (enum policy_action)action, what,
	    &e) == 0)
		return 1;
	app_error(a, "%s", e.msg);
	return 0;
}

void
app_age(uint64_t t, char *buf, size_t len)
{
	time_t now = time(NULL);
	uint64_t d;

	if ((uint64_t)now < t) {
		snprintf(buf, len, "future");
		return;
	}
	d = (uint64_t)now - t;
	if (d < 3600)
		snprintf(buf, len, "%llum", (unsigned long long)(d / 60));
	else if (d < 86400)
		snprintf(buf, len, "%lluh", (unsigned long long)(d / 3600));
	else if (d < 2 * 365 * 86400ULL)
		snprintf(buf, len, "%llud", (unsigned long long)(d / 86400));
	else
		snprintf(buf, len, "%lluy", (unsigned long long)(d / (365 * 86400ULL)));
}

/* -- the background scan ------------------------------------------------- */

int
app_db_url(struct app *a, const char **url, const char **schema, struct err *e)
{
	struct config *cfg = a->session->keys->cfg;
	struct config_value u, sc;

	if (config_db_url(cfg, &u, e) != 0 ||
	    config_get(cfg, "database", "sql_alchemy_schema", &sc, e) != 0)
		return -1;
	*url = u.value;
	*schema = sc.value;
	return 0;
}

static void
scan_start(struct app *a)
{
	const char *url, *schema;
	struct err e;
	const struct config_value *k = &a->session->keys->origin;
	uint64_t now = (uint64_t)time(NULL), stale = 0;

	err_clear(&e);
	if (a->bg != NULL) {
		a->scan_again = 1;
		return;
	}
	a->scan_again = 0;
	progress_start(&a->scan_progress, 0, "rows");
	if (a->max_age_days > 0 && (uint64_t)a->max_age_days < now / 86400)
		stale = now - (uint64_t)a->max_age_days * 86400;
	if (app_db_url(a, &url, &schema, &e) != 0 ||
	    bgscan_start(&a->bg, url, schema, k->value, k->len, stale, &e) != 0) {
		a->scan_state = SCAN_FAILED;
		app_warn(a, "cannot count the rows: %s", e.msg);
		return;
	}
	a->scan_state = SCAN_RUNNING;
}

static void
scan_poll(struct app *a)
{
	struct progress *p = &a->scan_progress;
	struct err e;
	size_t done = 0, total = 0;
	int rc;

	if (a->bg == NULL)
		return;
	err_clear(&e);
	if ((rc = bgscan_poll(a->bg, a->scan, &done, &total, &e)) == 0) {
		if (done != p->done || total != p->total) {
			p->total = total;
			progress_set(p, done);
			/* The status line shows it: redraw at most 10 times a second. */
			if (progress_due(p))
				a->dirty = 1;
		}
		return;
	}
	bgscan_free(a->bg);
	a->bg = NULL;
	if (rc > 0) {
		a->scan_state = SCAN_DONE;
		a->scan_have = 1;
	} else {
		a->scan_state = SCAN_FAILED;
		app_warn(a, "cannot count the rows: %s", e.msg);
	}
	a->dirty = 1;
	if (a->scan_again)
		scan_start(a);
}

void
app_db_changed(struct app *a)
{
	a->db_gen++;
	scan_start(a);
}

/* -- drawing ------------------------------------------------------------- */

/* The role as the status line says it. */
static void
role_text(const struct policy *p, char *buf, size_t len)
{
	if (p->from != POLICY_FROM_MAP) {
		/* Cut to the line when long: the length is not needed. */
		if (snprintf(buf, len, "%s %s (Airflow user %s, %s%s%s)", p->user,
		    policy_role_label(p), p->airflow.user,
		    policy_from_name(p->from), !p->airflow.found ? ", unknown: "
		    "default role" : !p->airflow.active ? ", inactive: default "
		    "role" : "", p->lowered ? "; --as-role" : "") >= (int)len)
			buf[len - 1] = '\0';
	} else if (p->lowered)
		snprintf(buf, len, "%s %s (--as-role; own role %s)", p->user,
		    policy_role_name(p->role), policy_role_name(p->own_role));
	else if (!p->from_map)
		snprintf(buf, len, "%s %s (no role map)", p->user,
		    policy_role_name(p->role));
	else
		snprintf(buf, len, "%s %s", p->user, policy_role_name(p->role));
}

/* Bytes of s (len bytes) from which its last w columns start. */
static size_t
text_tail(const char *s, size_t len, int w)
{
	size_t i = 0;

	while (i < len && text_width_n(s + i, len - i) > w) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
	}
	return i;
}

/*
 * The DB label of the status line in w columns (at least 12), in buf: a
 * file path (SQLite) is cut from the left, for its file name matters most.
 * A PostgreSQL name, user@host:port/db (store_pg.c), keeps the user and the
 * database, and the host as long as it can: whole; else without the port;
 * else with the host cut in its middle; else user@.../db; else user@...
 * alone. suffix (" (read-only)") goes last, when nothing else fits.
 */
static void
db_label(char *buf, size_t len, const struct store *st, const char *suffix,
    int w)
{
	const char *name = store_name(st), *slash, *at = NULL, *host, *p;
	size_t ulen, hlen, head, tail;
	int room;

	snprintf(buf, len, "%s%s", name, suffix);
	if (text_width(buf) <= w)
		return;
	slash = strrchr(name, '/');
	for (p = name; slash != NULL && p < slash; p++)
		if (*p == '@')
			at = p;
	if (strcmp(store_backend(st), "postgresql") != 0 || at == NULL) {
		/* Cut from the left: the file name matters most. */
		snprintf(buf, len, "...%s", name + text_tail(name, strlen(name),
		    w - 3 - text_width(suffix)));
		snprintf(buf + strlen(buf), len - strlen(buf), "%s", suffix);
		return;
	}
	host = at + 1;
	ulen = (size_t)(at - name);
	for (p = slash; p > host && p[-1] != ':'; p--)
		;
	hlen = (size_t)((p > host ? p - 1 : slash) - host);
	snprintf(buf, len, "%.*s@%.*s%s%s", (int)ulen, name, (int)hlen, host,
	    slash, suffix);
	if (text_width(buf) <= w)
		return;
	snprintf(buf, len, "%.*s@...%s%s", (int)ulen, name, slash, suffix);
	room = w - text_width(buf);
	if (room >= 4) {
		head = text_fit(host, hlen, (room + 1) / 2);
		tail = text_tail(host, hlen, room / 2);
		snprintf(buf, len, "%.*s@%.*s...%.*s%s%s", (int)ulen, name,
		    (int)head, host, (int)(hlen - tail), host + tail, slash,
		    suffix);
	} else if (room < 0) {
		snprintf(buf, len, "%.*s@...%s", (int)ulen, name, suffix);
		if (text_width(buf) > w)
			snprintf(buf, len, "%.*s@...", (int)ulen, name);
		if (text_width(buf) > w) {
			head = text_fit(buf, strlen(buf), w - 3);
			snprintf(buf + head, len - head, "...");
		}
	}
}

static void
draw_status(struct app *a)
{
	const struct session *ses = a->session;
	char left[384], right[256], db[4200];
	size_t nk = keyring_count(ses->keys->kr);
	int lw, rw, dw, x;

	role_text(&ses->policy, left, sizeof left);
	if (a->scan_have)
		snprintf(right, sizeof right, "%splaintext %zu  undecryptable "
		    "%zu  %zu conns  %zu vars", a->scan_state == SCAN_RUNNING ?
		    "(recounting) " : "", a->scan->plaintext,
		    a->scan->undecryptable,
		    a->scan->field[STORE_CONN_PASSWORD].rows,
		    a->scan->field[STORE_VAR_VAL].rows);
	else if (a->scan_state == SCAN_FAILED)
		snprintf(right, sizeof right, "(not counted)");
	else
		snprintf(right, sizeof right, "counting... %d%%",
		    a->scan_progress.total > 0 ? (int)(a->scan_progress.done * 100 /
		    a->scan_progress.total) : 0);
	draw_fill(0, 0, COLS, term_attr(TE_TITLE));
	x = draw_text(0, 1, COLS - 1, term_attr(TE_TITLE), left) + 1;
	if (nk > 0)
		snprintf(left, sizeof left, "  %zu key%s", nk, nk == 1 ? "" : "s");
	else
		snprintf(left, sizeof left, "  encryption off");
	x += draw_text(0, x, COLS - x, term_attr(TE_TITLE), left);
	rw = text_width(right);
	lw = x;
	dw = COLS - lw - rw - 5;
	snprintf(db, sizeof db, "%s%s", store_name(ses->store),
	    store_readonly(ses->store) ? " (read-only)" : "");
	if (dw < text_width(db) && a->scan_have) {
		/* The variables only where the DB label stays whole; then
		   shorter words, so that the DB still shows. */
		snprintf(right, sizeof right, "%splaintext %zu  undecryptable "
		    "%zu  %zu conns", a->scan_state == SCAN_RUNNING ?
		    "(recounting) " : "", a->scan->plaintext,
		    a->scan->undecryptable,
		    a->scan->field[STORE_CONN_PASSWORD].rows);
		rw = text_width(right);
		dw = COLS - lw - rw - 5;
	}
	if (dw < 20 && a->scan_have) {
		snprintf(right, sizeof right, "plain %zu  undecr %zu  %zu conns",
		    a->scan->plaintext, a->scan->undecryptable,
		    a->scan->field[STORE_CONN_PASSWORD].rows);
		rw = text_width(right);
		dw = COLS - lw - rw - 5;
	}
	if (dw >= 12) {
		db_label(db, sizeof db, ses->store, store_readonly(ses->store) ?
		    " (read-only)" : "", dw);
		x += draw_text(0, x, 2, term_attr(TE_TITLE), "  ");
		x += draw_text(0, x, dw, term_attr(TE_TITLE), db);
	}
	if (COLS - rw - 1 >= x)
		draw_text(0, COLS - rw - 1, rw, term_attr(TE_TITLE), right);
}

static void
draw_too_small(void)
{
	char text[256];
	const char *s = text, *next;
	int lines, y, w = COLS - 2 > 0 ? COLS - 2 : 1;
	size_t len;

	snprintf(text, sizeof text, "terminal too small: %dx%d\nferncon needs "
	    "at least %dx%d\nresize the terminal, or press q to quit", COLS,
	    LINES, TERM_MIN_COLS, TERM_MIN_LINES);
	lines = text_wrap_lines(text, w);
	y = (LINES - lines) / 2;
	if (y < 0)
		y = 0;
	for (; s != NULL && *s != '\0' && y < LINES; y++, s = next) {
		len = text_wrap(s, w, &next);
		draw_textn(y, 1 + (w - (int)text_fit(s, len, w)) / 2, w,
		    term_attr(y == (LINES - lines) / 2 ? TE_ERROR : TE_NORMAL), s,
		    len);
	}
}

static void
draw_all(struct app *a)
{
	const struct ui_key *keys[64];
	struct area r = app_area();
	struct screen *top = a->stack[a->depth - 1];
	size_t n;
	int i, base;

	werase(stdscr);
	a->cur_y = a->cur_x = -1;
	if (!term_big_enough()) {
		draw_too_small();
		curs_set(0);
		return;
	}
	draw_status(a);
	for (base = a->depth - 1; base > 0 && a->stack[base]->ops->overlay; base--)
		;
	for (i = base; i < a->depth; i++) {
		a->cur_y = a->cur_x = -1;
		a->stack[i]->ops->draw(a->stack[i], a, &r);
	}
	if (a->msg[0] != '\0') {
		/* A long message takes the line above too. */
		const char *next, *m = a->msg;
		int lines = text_wrap_lines(a->msg, COLS), y;
		size_t len;

		for (y = LINES - (lines > 1 ? 3 : 2); y < LINES - 1 && *m != '\0';
		    y++, m = next) {
			len = text_wrap(m, COLS, &next);
			draw_fill(y, 0, COLS, term_attr(a->msg_elem));
			draw_textn(y, 0, COLS, term_attr(a->msg_elem), m, len);
		}
	}
	n = app_keys(a, top, keys, ARRAY_LEN(keys));
	funcbar_draw(LINES - 1, COLS, keys, n, &a->session->policy);
	if (a->cur_y >= 0) {
		curs_set(1);
		wmove(stdscr, a->cur_y, a->cur_x);
	} else {
		curs_set(0);
	}
}

/* -- keys ---------------------------------------------------------------- */

static void
key_label(int key, char *buf, size_t len)
{
	/* Never the character itself: it may be part of a password. */
	if (key >= TK_BASE)
		snprintf(buf, len, "key fn%d", key - TK_BASE);
	else if (key < 32 || key == 127)
		snprintf(buf, len, "key ctrl%d", key);
	else
		snprintf(buf, len, "key char");
}

/* Give a key to the top screen, or to the global keys. 1 if deferred. */
static int
dispatch(struct app *a, int key)
{
	const struct ui_key *keys[64];
	struct screen *top = a->stack[a->depth - 1];
	size_t n, i;
	int flags;

	a->dirty = 1;
	if (key == TK(KEY_RESIZE))
		return 0;
	if (!term_big_enough()) {
		if (key == 'q' || key == TK(KEY_F(10)))
			a->quit = 1;
		return 0;
	}
	a->msg[0] = '\0';
	/* A key the role may not use is refused here, with the reason. */
	n = top->typing ? 0 : app_keys(a, top, keys, ARRAY_LEN(keys));
	for (i = 0; i < n; i++) {
		if (!funcbar_matches(keys[i], key))
			continue;
		if (!funcbar_allowed(keys[i], &a->session->policy)) {
			(void)app_allowed(a, keys[i]->need, keys[i]->what ?
			    keys[i]->what : keys[i]->help);
			return 0;
		}
		break;
	}
	flags = top->ops->key(top, a, key);
	if (flags & UI_DEFER)
		return 1;
	if (flags != UI_IGNORED) {
		apply(a, flags);
		return 0;
	}
	if (top->ops->overlay || top->typing)
		return 0;
	for (i = 0; top->ops->home && i < ui_entries_len; i++) {
		if (funcbar_matches(&ui_entries[i].key, key)) {
			(void)app_push(a, ui_entries[i].ops, NULL);
			return 0;
		}
	}
	if (funcbar_matches(&key_help, key)) {
		if (top->ops != &scr_help_ops)
			(void)app_push(a, &scr_help_ops, top);
	} else if (funcbar_matches(&key_quit, key)) {
		a->quit = 1;
	} else if (funcbar_matches(&key_back, key)) {
		if (a->depth > 1)
			pop(a);
	} else if (funcbar_matches(&key_repaint, key)) {
		clearok(curscr, TRUE);
	}
	return 0;
}

/* Give the deferred keys, in order, until one is deferred again. */
static void
drain(struct app *a)
{
	while (a->npending > 0 && !a->quit && a->depth > 0) {
		if (dispatch(a, a->pending[0]))
			return;
		a->npending--;
		memmove(a->pending, a->pending + 1, a->npending * sizeof *a->pending);
	}
}

static void
handle_key(struct app *a, int key)
{
	char name[32];

	key_label(key, name, sizeof name);
	app_trace(a, name);
	/* Behind deferred keys, a key waits its turn. */
	if (a->npending == 0 && !dispatch(a, key))
		return;
	if (a->npending < (int)ARRAY_LEN(a->pending))
		a->pending[a->npending++] = key;
	a->dirty = 1;
}

/* Run the timers that are due; returns ms to the next one (-1: none). */
static int
run_timers(struct app *a)
{
	int64_t now = term_now_ms(), next = -1;
	int i;

	for (i = a->depth - 1; i >= 0 && i < a->depth; i--) {
		struct screen *s = a->stack[i];

		if (s->wake_at == 0 || s->ops->tick == NULL)
			continue;
		if (s->wake_at <= now) {
			s->wake_at = 0;
			apply(a, s->ops->tick(s, a, now));
			return 0;	/* the stack may have changed: look again */
		}
		if (next < 0 || s->wake_at - now < next)
			next = s->wake_at - now;
	}
	return (int)next;
}

/* -- public -------------------------------------------------------------- */

int
app_init(struct app *a, struct session *ses, const struct timespec *started,
    struct err *e)
{
	const char *path = getenv("FERNCON_UI_TRACE");

	memset(a, 0, sizeof *a);
	a->session = ses;
	a->cur_y = a->cur_x = -1;
	a->dirty = 1;
	if (config_get_int(ses->keys->cfg, "console", "rotation_max_age_days", 90,
	    &a->max_age_days, e) != 0)
		return -1;
	if ((a->scan = calloc(1, sizeof *a->scan)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (path != NULL && *path != '\0' && trace_open(a, path, e) != 0) {
		free(a->scan);
		a->scan = NULL;
		return -1;
	}
	trace_at(a, started, "start");
	return 0;
}

void
app_release(struct app *a)
{
	while (a->depth > 0)
		screen_free(a->stack[--a->depth]);
	bgscan_free(a->bg);
	a->bg = NULL;
	free(a->scan);
	a->scan = NULL;
	if (a->trace != NULL)
		fclose(a->trace);
	a->trace = NULL;
}

int
app_run(struct app *a)
{
	int painted = 0, timeout, next, key;

	while (!a->quit && a->depth > 0 && !term_signalled()) {
		scan_poll(a);
		next = run_timers(a);
		drain(a);
		if (next == 0)
			continue;
		if (a->dirty) {
			draw_all(a);
			wrefresh(stdscr);
			a->dirty = 0;
			app_trace(a, "paint");
			if (!painted) {
				/* Count the DB only once the first screen is up. */
				painted = 1;
				scan_start(a);
			}
		}
		timeout = 1000;
		if (a->bg != NULL)
			timeout = 100;
		if (next > 0 && next < timeout)
			timeout = next;
		if ((key = term_getkey(timeout)) == TK_NONE)
			continue;
		handle_key(a, key);
		/* Keys typed ahead are handled before the screen is drawn again. */
		while (!a->quit && a->depth > 0 && term_key_pending())
			handle_key(a, term_getkey(0));
	}
	return 0;
}
