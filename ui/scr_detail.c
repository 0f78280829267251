/*
 * scr_detail.c: one connection, every field: the extra as indented JSON
 * with Airflow's sensitive keys masked as *** (mask.h), the password as
 * ***, and where each secret stands (encrypted with which key and when,
 * plain text in the DB, or a token that no key opens).
 *
 * `r` reveals the password and the masked extra values when the role may
 * (doc/design.md section 4: Admin always, Op when [webserver]
 * show_connection_password is True, never Viewer or User): one line goes to
 * the action log first (no line, no reveal), and the values hide again on
 * the next key or after 10 seconds. The plaintext only lives in the
 * connection record and in a locked buffer that is wiped when hidden.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "actions.h"
#include "airflow.h"
#include "app.h"
#include "buf.h"
#include "mask.h"
#include "pyjson.h"
#include "screens.h"
#include "widget_list.h"

#define REVEAL_MS 10000

struct detail {
	char		*conn_id;
	int		 env;		/* the environment's (read-only) */
	char		 env_name[320];	/* env: its variable; else the one
					   that shadows the DB row, or "" */
	struct conn	*c;		/* decrypted */
	struct mask_view view;		/* the masked display copy */
	struct buf	 extra;		/* as shown: masked, indented (locked) */
	struct buf	 shown;		/* revealed: unmasked, indented (locked) */
	int		 extra_json;	/* the extra parsed as JSON */
	int		 masked;	/* values the mask hid */
	int		 revealed;
	int		 asked;		/* a delete question is open */
	unsigned	 gen;
	struct wlist	 wl;		/* scrolling */
};

static const struct ui_key detail_keys[] = {
	{ "r", "Reveal", "show the password and masked extra values until the "
	    "next key or 10 s (logged)", { 'r', TK(KEY_F(5)) }, POLICY_REVEAL,
	    "reveal passwords", 1 },
	{ "e", "Edit", "edit this connection (F4); re-type the password to "
	    "encrypt it with the primary key", { 'e', TK(KEY_F(4)) },
	    POLICY_EDIT, "edit connections", 1 },
	{ "d", "Delete", "delete this connection (F8); asks first, No is the "
	    "default", { 'd', TK(KEY_F(8)) }, POLICY_DELETE, "delete connections",
	    1 },
	{ "j/k", NULL, "scroll (also the arrows, PgUp/PgDn, g/G)", { 0 }, -1,
	    NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

/* -- loading ------------------------------------------------------------- */

/*
 * The session's display copy of the connection into d->view (masked) or,
 * with reveal, the revealed extra as indented JSON (or as stored when it
 * is not JSON) into d->shown.
 */
static int
format_extra(struct app *a, struct detail *d, int reveal, struct err *e)
{
	struct pyjson_opts po = { 4, 0, 0 };
	struct mask_view v;
	struct buf *out = reveal ? &d->shown : &d->extra;
	int rc = 0;

	if (session_conn_display(a->session, d->c, reveal, &v, e) != 0)
		return -1;
	if (v.extra_state == MASK_EXTRA_JSON)
		rc = pyjson_dumps(v.extra, &po, out, e);
	else if (v.extra_state == MASK_EXTRA_RAW)
		rc = (buf_adds(out, v.conn->extra), buf_check(out, e));
	if (reveal) {
		mask_view_release(&v);
		return rc;
	}
	d->extra_json = v.extra_state == MASK_EXTRA_JSON;
	d->masked = v.masked;
	mask_view_release(&d->view);
	d->view = v;
	return rc;
}

static int
detail_load(struct detail *d, struct app *a, struct err *e)
{
	struct conn *c;

	if ((c = conn_new()) == NULL) {
		err_nomem(e);
		return -1;
	}
	if ((d->env ? session_conn_env_get(a->session, d->conn_id, c,
	    d->env_name, sizeof d->env_name, e) : session_conn_get(a->session,
	    d->conn_id, c, e)) != 0) {
		conn_free(c);
		return -1;
	}
	if (!d->env)
		(void)session_conn_env_shadows(a->session, d->conn_id,
		    d->env_name, sizeof d->env_name);
	conn_free(d->c);
	d->c = c;
	buf_reset(&d->extra);
	buf_reset(&d->shown);
	d->revealed = 0;
	d->masked = 0;
	d->gen = a->db_gen;
	return format_extra(a, d, 0, e);
}

static void
hide(struct screen *s, struct detail *d)
{
	d->revealed = 0;
	buf_reset(&d->shown);
	s->wake_at = 0;
}

static int
reveal(struct screen *s, struct app *a, struct detail *d)
{
	struct err e;

	err_clear(&e);
	/* The key table refused a role that may not reveal already; the
	   session checks again. */
	if (d->c->password_len == 0 &&
	    d->masked == 0 && (d->extra_json || d->c->extra == NULL ||
	    *d->c->extra == '\0')) {
		app_info(a, "nothing to reveal: %s has no password and no masked "
		    "extra value", d->conn_id);
		return UI_HANDLED;
	}
	/* Logged first: a reveal that cannot be logged does not happen. */
	if (session_conn_reveal(a->session, d->conn_id, "console", &e) != 0) {
		if (e.code == ERR_DENIED)
			app_error(a, "%s", e.msg);
		else
			app_error(a, "not revealed: %s", e.msg);
		return UI_HANDLED;
	}
	buf_reset(&d->shown);
	if (format_extra(a, d, 1, &e) != 0) {
		buf_reset(&d->shown);
		app_error(a, "%s", e.msg);
		return UI_HANDLED;
	}
	d->revealed = 1;
	s->wake_at = term_now_ms() + REVEAL_MS;
	app_warn(a, "revealed (logged); hidden again on the next key or in 10 s");
	return UI_HANDLED;
}

/* -- drawing ------------------------------------------------------------- */

struct line {
	const char	*label;
	const char	*text;
	size_t		 len;
	enum term_elem	 el;
};

struct lines {
	struct line	*v;
	size_t		 n, cap;
	char		 scratch[8][256];	/* texts made for this draw */
	int		 used;
};

static void
add_line(struct lines *ls, const char *label, const char *text, size_t len,
    enum term_elem el)
{
	struct line *bigger;

	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;

		if ((bigger = realloc(ls->v, cap * sizeof *bigger)) == NULL)
			return;
		ls->v = bigger;
		ls->cap = cap;
	}
	ls->v[ls->n].label = label;
	ls->v[ls->n].text = text != NULL ? text : "";
	ls->v[ls->n].len = text != NULL ? len : 0;
	ls->v[ls->n].el = el;
	ls->n++;
}

static void
add_str(struct lines *ls, const char *label, const char *text, enum term_elem el)
{
	add_line(ls, label, text, text != NULL ? strlen(text) : 0, el);
}

/* A line of text made for this draw (at most 8 per draw). */
static const char *
made(struct lines *ls, const char *fmt, ...) ATTR_PRINTF(2, 3);

static const char *
made(struct lines *ls, const char *fmt, ...)
{
	va_list ap;
	char *p;

	if (ls->used == (int)ARRAY_LEN(ls->scratch))
		return "";
	p = ls->scratch[ls->used++];
	va_start(ap, fmt);
	vsnprintf(p, sizeof ls->scratch[0], fmt, ap);
	va_end(ap);
	return p;
}

/* Where a secret stands, in words. */
static const char *
state_line(struct lines *ls, const struct conn_secret_info *i, size_t nkeys,
    enum term_elem *el)
{
	char when[40] = "", age[16] = "";

	if (i->has_timestamp) {
		airflow_format_time(i->timestamp, when, sizeof when);
		app_age(i->timestamp, age, sizeof age);
	}
	switch (i->state) {
	case CONN_SECRET_ENCRYPTED:
		*el = TE_ENCRYPTED;
		return made(ls, "encrypted with key %d of %zu%s, %s (%s ago)",
		    i->key_index + 1, nkeys, i->key_index == 0 ? " (primary)" :
		    " (not the primary: rotate)", when, age);
	case CONN_SECRET_PLAIN:
		*el = TE_PLAINTEXT;
		return "plain text in the DB: not encrypted (e: re-type it to "
		    "encrypt it)";
	case CONN_SECRET_UNDECRYPTABLE:
		*el = TE_UNDECRYPTABLE;
		return i->has_timestamp ? made(ls, "undecryptable: no configured "
		    "key opens this token (made %s, %s ago)", when, age) :
		    "undecryptable: no configured key opens it";
	default:
		*el = TE_NORMAL;
		return "none";
	}
}

static void
build_lines(struct detail *d, struct app *a, struct lines *ls)
{
	const struct conn *c = d->c;
	size_t nk = keyring_count(a->session->keys->kr);
	enum term_elem el;
	const char *p, *nl, *text;

	add_str(ls, "conn_id", c->conn_id, TE_NORMAL);
	if (d->env)
		add_str(ls, "source", made(ls, "the environment variable %s "
		    "(read-only; Airflow reads it before the DB)", d->env_name),
		    TE_WARN);
	else if (d->env_name[0] != '\0')
		add_str(ls, "shadowed", made(ls, "%s is set: Airflow's tasks get "
		    "that connection, not this row", d->env_name), TE_WARN);
	add_str(ls, "conn_type", c->conn_type, TE_NORMAL);
	add_str(ls, "description", c->description, TE_NORMAL);
	add_str(ls, "host", c->host, TE_NORMAL);
	add_str(ls, "schema", c->schema, TE_NORMAL);
	add_str(ls, "login", c->login, TE_NORMAL);
	if (c->password_info.state == CONN_SECRET_UNDECRYPTABLE)
		add_str(ls, "password", "(undecryptable: e to re-type it, d to "
		    "delete the connection)", TE_UNDECRYPTABLE);
	else if (c->password_len == 0)
		add_str(ls, "password", "(none)", TE_NORMAL);
	else if (d->revealed)	/* with its length: a NUL is drawn '?' */
		add_line(ls, "password", c->password, c->password_len,
		    TE_REVEALED);
	else if (d->view.conn != NULL)
		add_line(ls, "password", d->view.conn->password,
		    d->view.conn->password_len, TE_NORMAL);
	else
		add_str(ls, "password", MASK_REPLACEMENT, TE_NORMAL);
	text = state_line(ls, &c->password_info, nk, &el);
	if (c->password_info.state != CONN_SECRET_EMPTY && !d->env)
		add_str(ls, "  stored", text, el);
	add_str(ls, "port", c->has_port ? made(ls, "%ld", c->port) : NULL,
	    TE_NORMAL);
	text = state_line(ls, &c->extra_info, nk, &el);
	if (c->extra_info.state == CONN_SECRET_UNDECRYPTABLE) {
		add_str(ls, "extra", "(undecryptable: e to type it again, d to "
		    "delete the connection)", TE_UNDECRYPTABLE);
	} else if (c->extra == NULL || *c->extra == '\0') {
		add_str(ls, "extra", "(none)", TE_NORMAL);
	} else if (!d->extra_json && !d->revealed) {
		add_str(ls, "extra", "(not JSON; hidden: r reveals it)", TE_WARN);
	} else {
		const struct buf *b = d->revealed ? &d->shown : &d->extra;

		add_str(ls, "extra", d->revealed ? "(revealed)" : d->masked > 0 ?
		    made(ls, "(%d sensitive value%s shown as ***)", d->masked,
		    d->masked == 1 ? "" : "s") : "", TE_NORMAL);
		for (p = buf_str(b); *p != '\0'; p = nl + 1) {
			nl = strchr(p, '\n');
			if (nl == NULL)
				nl = p + strlen(p);
			add_line(ls, "", p, (size_t)(nl - p), d->revealed ?
			    TE_REVEALED : TE_NORMAL);
			if (*nl == '\0')
				break;
		}
	}
	if (c->extra_info.state != CONN_SECRET_EMPTY && !d->env)
		add_str(ls, "  stored", text, el);
	if (d->env)
		return;
	add_str(ls, "flags", made(ls, "is_encrypted %s, is_extra_encrypted %s",
	    c->is_encrypted ? "True" : "False",
	    c->is_extra_encrypted ? "True" : "False"), TE_NORMAL);
	if (c->team_name != NULL)
		add_str(ls, "team_name", c->team_name, TE_NORMAL);
	add_str(ls, "id", made(ls, "%lld", (long long)c->id), TE_NORMAL);
}

static void
detail_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct detail *d = s->data;
	struct lines ls;
	int i, y, lw = 14, page = r->h - 1;

	memset(&ls, 0, sizeof ls);
	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Connection %s%s", d->conn_id, d->revealed ? "   [REVEALED]" : "");
	build_lines(d, a, &ls);
	d->wl.n = (int)ls.n;
	wlist_fix(&d->wl, page);
	for (i = 0, y = r->y + 1; i < page && d->wl.top + i < (int)ls.n; i++, y++) {
		const struct line *ln = &ls.v[d->wl.top + i];

		draw_text(y, r->x + 1, lw, term_attr(TE_HEADER), ln->label);
		draw_textn(y, r->x + 2 + lw, r->w - lw - 3, term_attr(ln->el),
		    ln->text, ln->len);
	}
	free(ls.v);
}

/* -- keys ---------------------------------------------------------------- */

static int
detail_key(struct screen *s, struct app *a, int key)
{
	struct detail *d = s->data;
	int m;

	if (d->revealed) {
		/* The next key only hides. */
		hide(s, d);
		app_info(a, "hidden again");
		return UI_HANDLED;
	}
	if ((m = wlist_key_move(key)) >= 0) {
		wlist_move(&d->wl, (enum wlist_move)m, app_area().h - 1);
		return UI_HANDLED;
	}
	if (d->env && (key == 'r' || key == TK(KEY_F(5)) || key == 'e' ||
	    key == TK(KEY_F(4)) || key == 'd' || key == TK(KEY_F(8)))) {
		struct err e;

		err_clear(&e);
		(void)session_conn_env_refuse(d->conn_id, key == 'r' ||
		    key == TK(KEY_F(5)) ? SESSION_CONN_REVEAL : key == 'e' ||
		    key == TK(KEY_F(4)) ? SESSION_CONN_EDIT : SESSION_CONN_DELETE,
		    &e);
		app_error(a, "%s", e.msg);
		return UI_HANDLED;
	}
	switch (key) {
	case 'r':
	case TK(KEY_F(5)):
		return reveal(s, a, d);
	case 'e':
	case TK(KEY_F(4)):
		(void)app_push(a, &scr_edit_ops, d->conn_id);
		return UI_HANDLED;
	case 'd':
	case TK(KEY_F(8)):
		d->asked = 1;
		(void)action_ask_delete(a, d->conn_id);
		return UI_HANDLED;
	case TK(KEY_LEFT):
	case 'h':
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

static int
detail_tick(struct screen *s, struct app *a, int64_t now)
{
	struct detail *d = s->data;

	if (d->revealed) {
		hide(s, d);
		app_info(a, "hidden again after 10 s");
	}
	return UI_HANDLED;
}

static int
detail_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct detail *d = s->data;
	struct err e;

	err_clear(&e);
	if (tag == ACTION_TAG_DELETE && d->asked) {
		d->asked = 0;
		if (result == UI_YES && action_delete(a, d->conn_id) == 0)
			return UI_CLOSE;
		return UI_HANDLED;
	}
	if (d->gen != a->db_gen && detail_load(d, a, &e) != 0) {
		app_error(a, "%s", e.msg);
		return e.code == ERR_NOTFOUND ? UI_CLOSE : UI_HANDLED;
	}
	return UI_HANDLED;
}

static void
detail_free(struct screen *s)
{
	struct detail *d = s->data;

	buf_release(&d->extra);
	buf_release(&d->shown);
	mask_view_release(&d->view);
	conn_free(d->c);
	free(d->conn_id);
	free(d);
}

static int
detail_open(struct screen *s, struct app *a, const void *arg, int env,
    struct err *e)
{
	struct detail *d = calloc(1, sizeof *d);

	if (d == NULL || (d->conn_id = strdup(arg)) == NULL) {
		free(d);
		err_nomem(e);
		return -1;
	}
	d->env = env;
	buf_init(&d->extra, 1);
	buf_init(&d->shown, 1);
	s->data = d;
	if (detail_load(d, a, e) != 0) {
		detail_free(s);
		s->data = NULL;
		return -1;
	}
	return 0;
}

static int
detail_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	return detail_open(s, a, arg, 0, e);
}

static int
detail_env_init(struct screen *s, struct app *a, const void *arg,
    struct err *e)
{
	return detail_open(s, a, arg, 1, e);
}

const struct screen_ops scr_detail_env_ops = {
	"detail", 0, 0, detail_keys, detail_env_init, detail_draw, detail_key,
	detail_tick, detail_resume, detail_free
};

const struct screen_ops scr_detail_ops = {
	"detail", 0, 0, detail_keys, detail_init, detail_draw, detail_key,
	detail_tick, detail_resume, detail_free
};
