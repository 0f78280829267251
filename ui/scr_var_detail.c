/*
 * scr_var_detail.c: one variable (Enter on the Variables screen or on a
 * variable's finding of the audit screen), and its edit form.
 *
 * The detail shows the key, description, storage state, which key opens
 * it and when its token was made, then the value as the role may see it
 * (session_var_display()): a JSON value indented, masked per key. r
 * reveals it (Admin, or Op with show_connection_password; logged first)
 * until the next key or 10 s; e edits, d deletes.
 *
 * The edit form (also a on the Variables screen) asks for the key (new
 * variables only), the value and the description. A value is typed
 * hidden, and twice, when the key is sensitive (and always for a new
 * variable, whose key is not known while it is typed); an empty value on
 * edit keeps the stored one. Saving goes through session_var_set(), which
 * checks the role, encrypts with the primary key and logs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "app.h"
#include "dialog.h"
#include "pyjson.h"
#include "screens.h"
#include "widget_form.h"
#include "widget_list.h"

#define REVEAL_MS 10000
#define VAR_TAG_DELETE 42
#define VALUE_CAP 65536

/* -- detail -------------------------------------------------------------- */

struct vdetail {
	char			*key;
	struct session_var	 v;
	struct buf		 shown;	/* masked, or revealed: indented */
	int			 revealed;
	int			 masked;
	unsigned		 gen;
	int			 asked;
	struct wlist		 wl;
	const char		*lines[512];
	size_t			 lens[512];
	int			 nlines;
};

static const struct ui_key detail_keys[] = {
	{ "r", "Reveal", "show the value unmasked until the next key or 10 s "
	    "(logged)", { 'r', TK(KEY_F(5)) }, POLICY_REVEAL_VARS,
	    "reveal variable values", 1 },
	{ "e", "Edit", "edit the value or description (an empty value keeps "
	    "the stored one)", { 'e', TK(KEY_F(4)) }, POLICY_EDIT_VARS,
	    "set variables", 1 },
	{ "d", "Delete", "delete this variable", { 'd', TK(KEY_F(8)) },
	    POLICY_DELETE_VARS, "delete variables", 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

/* The value for display into d->shown: JSON indented, else as it is. */
static int
format_value(struct app *a, struct vdetail *d, int reveal, struct err *e)
{
	struct pyjson_opts po = { 2, 0, 0 };
	struct buf raw;
	cJSON *tree = NULL;
	int rc;

	buf_init(&raw, 1);
	buf_reset(&d->shown);
	if ((rc = session_var_display(a->session, &d->v, reveal, &raw,
	    &d->masked, e)) == 0) {
		if (raw.len > 0 && (buf_str(&raw)[0] == '{' ||
		    buf_str(&raw)[0] == '['))
			tree = pyjson_loads(buf_str(&raw), raw.len);
		if (tree != NULL)
			rc = pyjson_dumps(tree, &po, &d->shown, e);
		else
			buf_add(&d->shown, buf_str(&raw), raw.len);
		if (rc == 0)
			rc = buf_check(&d->shown, e);
	}
	pyjson_free(tree);
	buf_release(&raw);
	return rc;
}

static int
detail_load(struct vdetail *d, struct app *a, struct err *e)
{
	struct session_var v;

	if (session_var_get(a->session, d->key, &v, e) != 0)
		return -1;
	session_var_clear(&d->v);
	d->v = v;
	d->revealed = 0;
	d->gen = a->db_gen;
	return format_value(a, d, 0, e);
}

static void
hide(struct screen *s, struct app *a, struct vdetail *d)
{
	struct err e;

	err_clear(&e);
	d->revealed = 0;
	s->wake_at = 0;
	if (format_value(a, d, 0, &e) != 0)
		buf_reset(&d->shown);
}

static void
add_line(struct vdetail *d, const char *s, size_t len)
{
	if (d->nlines < (int)(sizeof d->lines / sizeof d->lines[0])) {
		d->lines[d->nlines] = s;
		d->lens[d->nlines++] = len;
	}
}

static void
value_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct vdetail *d = ctx;

	(void)selected;
	draw_textn(y, x + 3, w - 4, term_attr(d->revealed ? TE_REVEALED :
	    TE_NORMAL), d->lines[i], d->lens[i]);
}

static void
detail_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct vdetail *d = s->data;
	const struct session_var *v = &d->v;
	struct area rows;
	char when[48] = "-", age[16], which[32] = "-";
	const char *p, *end, *nl, *st;
	int y = r->y + 2;
	struct err e;

	err_clear(&e);
	if (d->gen != a->db_gen && detail_load(d, a, &e) != 0) {
		app_error(a, "%s", e.msg);
		d->gen = a->db_gen;
	}
	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Variable %s", d->key);
	switch (v->info.state) {
	case CONN_SECRET_ENCRYPTED:
		st = "encrypted";
		snprintf(which, sizeof which, "key %d", v->info.key_index + 1);
		break;
	case CONN_SECRET_PLAIN:
		st = "plain text (no token)";
		break;
	case CONN_SECRET_UNDECRYPTABLE:
		st = "UNDECRYPTABLE: no configured key opens it";
		break;
	default:
		st = v->is_encrypted ? "empty (flagged encrypted)" : "empty";
	}
	if (v->info.has_timestamp) {
		airflow_format_time(v->info.timestamp, when, sizeof when);
		app_age(v->info.timestamp, age, sizeof age);
		snprintf(when + strlen(when), sizeof when - strlen(when),
		    " (%s ago)", age);
	}
	draw_text(y, r->x + 2, 14, term_attr(TE_LABEL), "key");
	draw_text(y++, r->x + 16, r->w - 17, term_attr(TE_NORMAL), v->key);
	draw_text(y, r->x + 2, 14, term_attr(TE_LABEL), "description");
	draw_text(y++, r->x + 16, r->w - 17, term_attr(TE_NORMAL),
	    v->description != NULL ? v->description : "-");
	draw_text(y, r->x + 2, 14, term_attr(TE_LABEL), "state");
	draw_text(y++, r->x + 16, r->w - 17, term_attr(
	    v->info.state == CONN_SECRET_UNDECRYPTABLE ? TE_UNDECRYPTABLE :
	    v->info.state == CONN_SECRET_PLAIN ? TE_PLAINTEXT : TE_ENCRYPTED), st);
	draw_text(y, r->x + 2, 14, term_attr(TE_LABEL), "opened by");
	draw_text(y++, r->x + 16, r->w - 17, term_attr(TE_NORMAL), which);
	draw_text(y, r->x + 2, 14, term_attr(TE_LABEL), "token made");
	draw_text(y++, r->x + 16, r->w - 17, term_attr(TE_NORMAL), when);
	y++;
	draw_text(y++, r->x + 2, r->w - 4, term_attr(TE_LABEL), d->revealed ?
	    "value (revealed)" : d->masked ? "value (masked)" : "value");
	d->nlines = 0;
	if (v->info.state == CONN_SECRET_UNDECRYPTABLE) {
		add_line(d, "(hidden: no key opens it; d deletes it, e sets a "
		    "new value)", 60);
	} else if (v->val == NULL) {
		add_line(d, "(none)", 6);
	} else {
		p = buf_str(&d->shown);
		end = p + d->shown.len;
		while (p <= end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			add_line(d, p, nl != NULL ? (size_t)(nl - p) :
			    (size_t)(end - p));
			if (nl == NULL)
				break;
			p = nl + 1;
		}
	}
	d->wl.n = d->nlines;
	rows.y = y;
	rows.x = r->x;
	rows.h = r->y + r->h - y;
	rows.w = r->w;
	if (rows.h > 0)
		wlist_draw(&d->wl, &rows, value_row, d);
}

static int
reveal(struct screen *s, struct app *a, struct vdetail *d)
{
	struct err e;

	err_clear(&e);
	if (d->v.val == NULL) {
		app_info(a, "nothing to reveal");
		return UI_HANDLED;
	}
	/* Logged first: a reveal that cannot be logged does not happen. */
	if (session_var_reveal(a->session, d->key, "console", &e) != 0) {
		app_error(a, e.code == ERR_DENIED ? "%s" : "not revealed: %s",
		    e.msg);
		return UI_HANDLED;
	}
	if (format_value(a, d, 1, &e) != 0) {
		buf_reset(&d->shown);
		app_error(a, "%s", e.msg);
		return UI_HANDLED;
	}
	d->revealed = 1;
	s->wake_at = term_now_ms() + REVEAL_MS;
	app_warn(a, "revealed (logged); hidden again on the next key or in 10 s");
	return UI_HANDLED;
}

static int
detail_key(struct screen *s, struct app *a, int key)
{
	struct vdetail *d = s->data;
	char text[400];
	int m;

	if (d->revealed) {
		hide(s, a, d);
		if (key != 'r')
			return UI_HANDLED;
	}
	if ((m = wlist_key_move(key)) >= 0) {
		wlist_move(&d->wl, (enum wlist_move)m, app_area().h - 10);
		return UI_HANDLED;
	}
	switch (key) {
	case 'r':
	case TK(KEY_F(5)):
		return reveal(s, a, d);
	case 'e':
	case TK(KEY_F(4)):
		(void)app_push(a, &scr_var_edit_ops, d->key);
		return UI_HANDLED;
	case 'd':
	case TK(KEY_F(8)):
		snprintf(text, sizeof text, "Delete variable %s?", d->key);
		d->asked = dialog_confirm(a, VAR_TAG_DELETE, "Delete variable",
		    text) == 0;
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

static int
detail_tick(struct screen *s, struct app *a, int64_t now)
{
	struct vdetail *d = s->data;

	(void)now;
	if (d->revealed) {
		hide(s, a, d);
		app_info(a, "hidden again after 10 s");
	}
	return UI_HANDLED;
}

static int
detail_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct vdetail *d = s->data;
	struct err e;
	int rc;

	(void)s;
	err_clear(&e);
	if (tag == VAR_TAG_DELETE && d->asked) {
		d->asked = 0;
		if (result != UI_YES)
			return UI_HANDLED;
		if ((rc = session_var_delete(a->session, d->key, "console",
		    &e)) < 0) {
			app_error(a, "%s", e.msg);
			return UI_HANDLED;
		}
		if (rc > 0)
			app_warn(a, "deleted, but not logged: %s", e.msg);
		else
			app_info(a, "Variable %s deleted", d->key);
		app_db_changed(a);
		return UI_CLOSE;
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
	struct vdetail *d = s->data;

	if (d == NULL)
		return;
	session_var_clear(&d->v);
	buf_release(&d->shown);
	free(d->key);
	free(d);
}

static int
detail_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct vdetail *d = calloc(1, sizeof *d);

	if (d == NULL || (d->key = strdup(arg)) == NULL) {
		free(d);
		return err_nomem(e);
	}
	buf_init(&d->shown, 1);
	s->data = d;
	if (detail_load(d, a, e) != 0) {
		detail_free(s);
		s->data = NULL;
		return -1;
	}
	return 0;
}

const struct screen_ops scr_var_detail_ops = {
	"variable", 0, 0, detail_keys, detail_init, detail_draw, detail_key,
	detail_tick, detail_resume, detail_free
};

/* -- edit ---------------------------------------------------------------- */

enum { F_KEY, F_VALUE, F_CONFIRM, F_DESC, F_MAX };

struct vedit {
	char			*key;	/* NULL: a new variable */
	int			 hidden;	/* value typed hidden and twice */
	struct form_field	 f[F_MAX];
	struct form		 form;
};

static const struct ui_key edit_keys[] = {
	{ "F2", "Save", "save (an empty value keeps the stored one)",
	    { TK(KEY_F(2)) }, -1, NULL, 1 },
	{ "Esc", "Cancel", "leave without saving", { TK_ESC }, -1, NULL, 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static void
edit_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct vedit *d = s->data;
	struct area fa = { r->y + 2, r->x + 1, r->h - 3, r->w - 2 };
	int cy, cx;

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER), "%s%s",
	    d->key != NULL ? "Edit variable " : "Add a variable",
	    d->key != NULL ? d->key : "");
	form_draw(&d->form, &fa, 16, &cy, &cx);
	if (cy >= 0)
		app_cursor(a, cy, cx);
}

/* Save the form; 0 when saved (close), -1 when it stays open. */
static int
edit_save(struct app *a, struct vedit *d)
{
	struct session *ses = a->session;
	struct session_var old;
	struct err e;
	const char *key = d->key != NULL ? d->key : d->f[F_KEY].buf;
	const char *val = d->f[F_VALUE].buf;
	size_t len = d->f[F_VALUE].len;
	int rc, plain = 0;

	err_clear(&e);
	memset(&old, 0, sizeof old);
	if (*key == '\0') {
		app_error(a, "a variable needs a key");
		return -1;
	}
	if (d->hidden && (d->f[F_CONFIRM].len != len ||
	    sodium_memcmp(d->f[F_CONFIRM].buf, val, len) != 0)) {
		app_error(a, "the two values differ: type the value twice");
		return -1;
	}
	if (len == 0 && d->key != NULL) {
		/* Empty keeps the stored value, which a key must open. */
		if (session_var_get(ses, key, &old, &e) != 0) {
			app_error(a, "%s", e.msg);
			return -1;
		}
		if (old.val == NULL &&
		    old.info.state == CONN_SECRET_UNDECRYPTABLE) {
			session_var_clear(&old);
			app_error(a, "no key opens the stored value: type a new "
			    "one");
			return -1;
		}
		val = old.val != NULL ? old.val : "";
		len = old.len;
	}
	rc = session_var_set(ses, key, val, len, d->f[F_DESC].len > 0 ?
	    d->f[F_DESC].buf : NULL, 0, &plain, "console", &e);
	session_var_clear(&old);
	if (rc < 0) {
		app_error(a, "%s", e.msg);
		return -1;
	}
	if (rc > 0)
		app_warn(a, "saved, but not logged: %s", e.msg);
	else if (plain)
		app_warn(a, "saved in plain text: no Fernet key is configured");
	else
		app_info(a, "Variable %s saved (encrypted with the primary key)",
		    key);
	app_db_changed(a);
	return 0;
}

static int
edit_key(struct screen *s, struct app *a, int key)
{
	struct vedit *d = s->data;

	switch (form_key(&d->form, key)) {
	case FORM_SAVE:
		return edit_save(a, d) == 0 ? UI_CLOSE : UI_HANDLED;
	case FORM_CANCEL:
		return UI_CLOSE;
	case FORM_IGNORED:
		return UI_HANDLED;	/* typing: no global keys */
	default:
		return UI_HANDLED;
	}
}

static void
edit_free(struct screen *s)
{
	struct vedit *d = s->data;
	int i;

	if (d == NULL)
		return;
	for (i = 0; i < F_MAX; i++)
		form_field_release(&d->f[i]);
	free(d->key);
	free(d);
}

static int
edit_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct vedit *d = calloc(1, sizeof *d);
	struct session_var v;
	int vf;

	if (d == NULL)
		return err_nomem(e);
	s->data = d;
	if (arg != NULL && (d->key = strdup(arg)) == NULL) {
		edit_free(s);
		s->data = NULL;
		return err_nomem(e);
	}
	/* A new key is not known while its value is typed: hidden, twice. */
	d->hidden = d->key == NULL || mask_is_sensitive(a->session->mask, d->key);
	vf = FF_LOCKED | (d->hidden ? FF_HIDDEN : 0);
	if (form_field_init(&d->f[F_KEY], "key", d->key != NULL ? FF_READONLY :
	    0, 251, e) != 0 ||
	    form_field_init(&d->f[F_VALUE], "value", vf, VALUE_CAP, e) != 0 ||
	    form_field_init(&d->f[F_CONFIRM], "value again", vf |
	    (d->hidden ? 0 : FF_READONLY), VALUE_CAP, e) != 0 ||
	    form_field_init(&d->f[F_DESC], "description", 0, 4096, e) != 0)
		goto fail;
	d->f[F_VALUE].hint = d->key != NULL ? "empty keeps the stored value" :
	    NULL;
	if (d->key != NULL) {
		(void)form_field_set(&d->f[F_KEY], d->key, strlen(d->key));
		if (session_var_get(a->session, d->key, &v, e) != 0)
			goto fail;
		if (v.description != NULL)
			(void)form_field_set(&d->f[F_DESC], v.description,
			    strlen(v.description));
		session_var_clear(&v);
	}
	d->form.fields = d->f;
	d->form.n = F_MAX;
	form_focus(&d->form, 0);
	s->typing = 1;
	s->form = &d->form;
	return 0;
fail:
	edit_free(s);
	s->data = NULL;
	return -1;
}

const struct screen_ops scr_var_edit_ops = {
	"edit variable", 0, 0, edit_keys, edit_init, edit_draw, edit_key, NULL,
	NULL, edit_free
};
