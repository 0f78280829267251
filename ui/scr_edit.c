/*
 * scr_edit.c: the form that edits a connection or adds one (from fields
 * or from a pasted Airflow URI).
 *
 * The password is typed hidden, twice, into locked memory, and saved as a
 * token of the primary key (conn_seal), which is how a plaintext or
 * undecryptable connection is encrypted again by hand; an empty password
 * keeps the stored one, token and flag, as Airflow's forms do. The extra
 * is shown with Airflow's sensitive values as *** and saved as typed, with
 * every *** that the user left in place put back to the stored value (what
 * Airflow 3's PATCH does, #53943), so a role that may not reveal secrets
 * can still edit an extra. It must be a JSON object; a syntax error is
 * shown at its byte in the field. An extra that no key opens, or that is
 * not JSON, is kept when its field is left empty. A field left as it was
 * keeps its stored value exactly (NULL or ""); a cleared one becomes NULL.
 *
 * Saving is one transaction (the row is read again inside it, so "keep the
 * stored password" means the one stored at that moment) and one line in
 * the action log, which never holds the password.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "app.h"
#include "buf.h"
#include "mask.h"
#include "pyjson.h"
#include "screens.h"
#include "uri.h"
#include "widget_form.h"

enum {
	F_URI,
	F_ID,
	F_TYPE,
	F_DESCRIPTION,
	F_HOST,
	F_SCHEMA,
	F_LOGIN,
	F_PASSWORD,
	F_AGAIN,
	F_PORT,
	F_EXTRA,
	F_MAX
};

struct edit {
	int			 add;
	char			*conn_id;	/* edit: the row */
	struct conn		*orig;		/* plaintext the fields came from */
	struct buf		 masked;	/* the extra as first shown (locked) */
	int			 keep_extra;	/* an empty extra field keeps the stored one */
	struct form_field	 f[F_MAX];
	struct form		 form;
	int			 first;		/* F_URI (add) or F_ID (edit) */
};

static const struct ui_key edit_keys[] = {
	/*
	 * No right of its own: the form opens only through add (can_create)
	 * or edit (can_edit), and session_conn_save() checks the one that
	 * applies.
	 */
	{ "F2", "Save", "save (one transaction, one line in the action log)",
	    { TK(KEY_F(2)) }, -1, NULL, 1 },
	{ "Tab", "Next", "next field (also Down, Enter); Shift-Tab or Up: "
	    "previous", { 0 }, -1, NULL, 1 },
	{ "Esc", "Cancel", "leave without saving", { 0 }, -1, NULL, 1 },
	{ "Ctrl-U", "Clear", "clear the field (Ctrl-K: to its end)", { 0 }, -1,
	    NULL, 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static const struct {
	const char	*label;
	int		 flags;
	size_t		 cap;
} field_spec[F_MAX] = {
	[F_URI] = { "from URI", FF_HIDDEN | FF_LOCKED, 8192 },
	[F_ID] = { "conn_id", 0, 256 },
	[F_TYPE] = { "conn_type", 0, 512 },
	[F_DESCRIPTION] = { "description", 0, 4096 },
	[F_HOST] = { "host", 0, 1024 },
	[F_SCHEMA] = { "schema", 0, 1024 },
	[F_LOGIN] = { "login", 0, 1024 },
	[F_PASSWORD] = { "password", FF_HIDDEN | FF_LOCKED, 4096 },
	[F_AGAIN] = { "password again", FF_HIDDEN | FF_LOCKED, 4096 },
	[F_PORT] = { "port", FF_DIGITS, 16 },
	[F_EXTRA] = { "extra (JSON)", FF_LOCKED, 65536 },
};

static int
set_field(struct form_field *f, const char *s)
{
	return form_field_set(f, s, s != NULL ? strlen(s) : 0);
}

/* The index in form.fields of field id, and back. */
static int
form_index(const struct edit *d, int id)
{
	return id - d->first;
}

static int
field_id(const struct edit *d, int index)
{
	return index + d->first;
}

/* Show an error at field id (and at byte at of it when >= 0). */
static void
field_error(struct app *a, struct edit *d, int id, long at, const char *msg)
{
	struct form_field *f = &d->f[id];

	d->form.focus = form_index(d, id);
	f->error_at = at;
	if (at >= 0 && (size_t)at <= f->len)
		f->cur = (size_t)at;
	app_error(a, "%s", msg);
}

/* -- the extra ----------------------------------------------------------- */

/*
 * The extra of c as the form shows it: the session's display copy, on one
 * line. An extra that the copy withholds (not a JSON object) is not shown
 * and is kept when the field is left empty.
 */
static int
show_extra(struct app *a, struct edit *d, const struct conn *c, struct err *e)
{
	struct pyjson_opts po = { -1, 0, 0 };
	struct mask_view v;
	int rc;

	buf_reset(&d->masked);
	form_field_clear(&d->f[F_EXTRA]);
	d->f[F_EXTRA].changed = 0;
	if (session_conn_display(a->session, c, 0, &v, e) != 0)
		return -1;
	if (v.extra_state == MASK_EXTRA_WITHHELD)
		d->keep_extra = 1;
	if (v.extra_state != MASK_EXTRA_JSON) {
		mask_view_release(&v);
		return 0;
	}
	rc = pyjson_dumps(v.extra, &po, &d->masked, e);
	mask_view_release(&v);
	if (rc != 0)
		return -1;
	if (set_field(&d->f[F_EXTRA], buf_str(&d->masked)) != 0) {
		err_set(e, ERR_INVALID, "the extra is too long to edit here "
		    "(%zu bytes); use ferncon connections import", d->masked.len);
		return -1;
	}
	return 0;
}

/*
 * What the extra field asks the session to store: an empty field keeps an
 * extra that could not be shown (edit) or stores none; a field left as it
 * was keeps the extra it came from; a typed one is the edited text, whose
 * *** the session puts back.
 */
static void
extra_to_store(struct edit *d, struct session_save *o, const char **text)
{
	struct form_field *f = &d->f[F_EXTRA];
	const char *base = d->orig != NULL ? d->orig->extra : NULL;

	*text = NULL;
	o->extra = SESSION_EXTRA_GIVEN;
	if (f->len == 0) {
		if (d->keep_extra && !d->add)
			o->extra = SESSION_EXTRA_STORED;
	} else if (!f->changed && base != NULL) {
		if (d->add)
			*text = base;
		else
			o->extra = SESSION_EXTRA_STORED;
	} else {
		*text = f->buf;
		o->extra = SESSION_EXTRA_EDITED;
		o->extra_base = d->add ? base : NULL;
	}
}

/* -- from a URI ---------------------------------------------------------- */

/* Fill the fields from the URI field (then wiped). 0, or -1 shown. */
static int
apply_uri(struct app *a, struct edit *d)
{
	struct form_field *u = &d->f[F_URI];
	struct conn *c;
	struct err e;
	char port[24] = "";

	err_clear(&e);
	if (u->len == 0)
		return 0;
	if ((c = conn_new()) == NULL) {
		app_error(a, "out of memory");
		return -1;
	}
	if (strchr(u->buf, ':') == NULL || u->buf[0] == ':') {
		conn_free(c);
		field_error(a, d, F_URI, -1, "The URI provided is invalid (it has "
		    "no scheme)");
		return -1;
	}
	if (uri_parse(u->buf, store_airflow_version(a->session->store), c, &e) != 0) {
		conn_free(c);
		field_error(a, d, F_URI, -1, e.msg);
		return -1;
	}
	if (c->has_port)
		snprintf(port, sizeof port, "%ld", c->port);
	if (c->password != NULL && c->password_len != strlen(c->password)) {
		/* the password field is a C string: it would cut the value */
		conn_free(c);
		field_error(a, d, F_URI, -1, "the URI's password holds a NUL "
		    "character (%00), which the console's password field cannot "
		    "hold; add it with ferncon connections add --conn-uri -");
		return -1;
	}
	d->keep_extra = 0;
	if (set_field(&d->f[F_TYPE], c->conn_type) != 0 ||
	    set_field(&d->f[F_HOST], c->host) != 0 ||
	    set_field(&d->f[F_SCHEMA], c->schema) != 0 ||
	    set_field(&d->f[F_LOGIN], c->login) != 0 ||
	    set_field(&d->f[F_PASSWORD], c->password) != 0 ||
	    set_field(&d->f[F_AGAIN], c->password) != 0 ||
	    set_field(&d->f[F_PORT], port) != 0 ||
	    show_extra(a, d, c, &e) != 0) {
		conn_free(c);
		field_error(a, d, F_URI, -1, e.code != ERR_NONE ? e.msg :
		    "a value of the URI is too long for its field");
		return -1;
	}
	conn_free(d->orig);
	d->orig = c;
	form_field_clear(u);
	app_info(a, "filled from the URI%s", c->password != NULL ?
	    "; its password is in the password fields (hidden)" : "");
	return 0;
}

/* -- saving -------------------------------------------------------------- */

/* Field id into c's field: as it was when untouched, else text or NULL. */
static int
take(struct edit *d, struct conn *c, char **slot, char *const *orig_slot,
    int id, struct err *e)
{
	struct form_field *f = &d->f[id];

	if (!f->changed && d->orig != NULL && orig_slot != NULL)
		return conn_set_str(c, slot, *orig_slot, e);
	return conn_set(c, slot, f->len > 0 ? f->buf : NULL, f->len, e);
}

/*
 * The record the form describes (plaintext) and how its extra is to be
 * stored, or NULL with the error shown.
 */
static struct conn *
build(struct app *a, struct edit *d, const char *id, struct session_save *o)
{
	struct conn *c = conn_new();
	const struct conn *orig = d->orig;
	struct form_field *pw = &d->f[F_PASSWORD], *again = &d->f[F_AGAIN],
	    *port = &d->f[F_PORT];
	struct err e;
	const char *extra;
	char *end;

	err_clear(&e);
	if (c == NULL) {
		app_error(a, "out of memory");
		return NULL;
	}
	if (d->f[F_TYPE].len == 0) {
		field_error(a, d, F_TYPE, -1, "conn_type is required");
		goto fail;
	}
	if (pw->len != again->len || sodium_memcmp(pw->buf, again->buf,
	    pw->len) != 0) {
		field_error(a, d, F_AGAIN, -1, "the two passwords differ: type "
		    "the same password twice");
		goto fail;
	}
	if (port->len > 0) {
		errno = 0;
		c->port = strtol(port->buf, &end, 10);
		if (errno != 0 || *end != '\0' || c->port > 2147483647L) {
			field_error(a, d, F_PORT, -1, "the port is not a number");
			goto fail;
		}
		c->has_port = 1;
	}
	extra_to_store(d, o, &extra);
	if (conn_set_str(c, &c->conn_id, id, &e) != 0 ||
	    take(d, c, &c->conn_type, orig ? &orig->conn_type : NULL, F_TYPE,
	    &e) != 0 ||
	    take(d, c, &c->description, orig ? &orig->description : NULL,
	    F_DESCRIPTION, &e) != 0 ||
	    take(d, c, &c->host, orig ? &orig->host : NULL, F_HOST, &e) != 0 ||
	    take(d, c, &c->schema, orig ? &orig->schema : NULL, F_SCHEMA,
	    &e) != 0 ||
	    take(d, c, &c->login, orig ? &orig->login : NULL, F_LOGIN, &e) != 0 ||
	    conn_set(c, &c->password, pw->len > 0 ? pw->buf : NULL, pw->len,
	    &e) != 0 ||
	    conn_set_str(c, &c->extra, extra, &e) != 0) {
		app_error(a, "%s", e.msg);
		goto fail;
	}
	return c;
fail:
	conn_free(c);
	return NULL;
}

/*
 * Save through the session (session_conn_save(): the role, Airflow's write
 * rules, one transaction, one log line); a refused conn_id or extra is
 * shown at its field.
 */
static int
save(struct app *a, struct edit *d)
{
	struct session_save o;
	struct conn *c = NULL;
	struct err e;
	const char *id = d->add ? d->f[F_ID].buf : d->conn_id, *at;
	int retyped = d->f[F_PASSWORD].len > 0, rc = -1, saved;

	err_clear(&e);
	memset(&o, 0, sizeof o);
	o.add = d->add;
	o.detail = !retyped ? "console" : d->add ? "console; password set" :
	    "console; password re-typed";
	if (d->add && apply_uri(a, d) != 0)
		goto out;
	if ((c = build(a, d, id, &o)) == NULL)
		goto out;
	if ((saved = session_conn_save(a->session, c, &o, &e)) < 0) {
		if (o.bad == SESSION_SAVE_BAD_ID)
			field_error(a, d, F_ID, -1, e.msg);
		else if (o.bad == SESSION_SAVE_BAD_EXTRA)
			field_error(a, d, F_EXTRA, (at = strstr(e.msg,
			    "(at byte ")) != NULL ? strtol(at + 9, NULL, 10) : -1,
			    e.msg);
		else
			app_error(a, "%s", e.msg);
		goto out;
	}
	app_db_changed(a);
	if (saved > 0)
		app_warn(a, "saved '%s', but %s", id, e.msg);
	else if (d->add)
		app_info(a, "Successfully added `conn_id`=%s%s", id, retyped ?
		    " (password encrypted with the primary key)" : "");
	else
		app_info(a, "Successfully updated `conn_id`=%s%s", id, retyped ?
		    " (password encrypted with the primary key)" : "");
	rc = 0;
out:
	conn_free(c);
	return rc;
}

/* -- screen -------------------------------------------------------------- */

static const char *
hint(const struct edit *d, int id)
{
	const struct conn *o = d->orig;

	switch (id) {
	case F_URI:
		return "paste an Airflow URI (hidden as typed): Tab fills the "
		    "fields from it";
	case F_ID:
		return "letters, digits, '_', '.' and '-', at most 200";
	case F_PASSWORD:
		if (d->add)
			return "typed hidden; saved as a token of the primary key; "
			    "empty: none";
		if (o != NULL && o->password_info.state == CONN_SECRET_UNDECRYPTABLE)
			return "no key opens the stored one: type it again to fix "
			    "the row (empty keeps the token)";
		if (o != NULL && o->password_info.state == CONN_SECRET_PLAIN)
			return "stored in plain text: type it again to encrypt it "
			    "(empty keeps it as it is)";
		return "typed hidden; empty keeps the stored password";
	case F_AGAIN:
		return "the same password once more";
	case F_EXTRA:
		if (d->keep_extra && d->f[F_EXTRA].len == 0)
			return "the stored extra cannot be shown (undecryptable or not "
			    "JSON): empty keeps it, or type a JSON object";
		return "a JSON object; each *** left as it is keeps the stored "
		    "value";
	default:
		return NULL;
	}
}

static void
edit_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct edit *d = s->data;
	struct area fa = { r->y + 2, r->x + 1, r->h - 5, r->w - 2 };
	const char *h;
	int cy, cx, id;

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	if (d->add)
		draw_text(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
		    "Add a connection");
	else
		draw_printf(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
		    "Edit connection %s", d->conn_id);
	form_draw(&d->form, &fa, 16, &cy, &cx);
	if (cy >= 0)
		app_cursor(a, cy, cx);
	id = d->form.focus < d->form.n ? field_id(d, d->form.focus) : -1;
	if (id < 0)
		h = "Enter: the button; F2 saves from any field; Esc cancels";
	else if ((h = hint(d, id)) == NULL)
		return;
	/* Two lines for it, a narrow terminal wraps a long one. */
	(void)draw_wrap(r->y + r->h - 2, r->x + 2, r->w - 4, r->y + r->h,
	    term_attr(TE_INFO), h);
}

static int
edit_key(struct screen *s, struct app *a, int key)
{
	struct edit *d = s->data;

	switch (form_key(&d->form, key)) {
	case FORM_SAVE:
		return save(a, d) == 0 ? UI_CLOSE : UI_HANDLED;
	case FORM_CANCEL:
		app_info(a, "not saved");
		return UI_CLOSE;
	case FORM_MOVED:
		if (d->add && field_id(d, d->form.left) == F_URI)
			(void)apply_uri(a, d);
		return UI_HANDLED;
	default:
		return UI_HANDLED;	/* the form has every key */
	}
}

static void
edit_free(struct screen *s)
{
	struct edit *d = s->data;
	int i;

	for (i = 0; i < F_MAX; i++)
		form_field_release(&d->f[i]);
	buf_release(&d->masked);
	conn_free(d->orig);
	free(d->conn_id);
	free(d);
}

static int
load_row(struct app *a, struct edit *d, struct err *e)
{
	struct conn *c = conn_new();
	char port[24] = "";

	if (c == NULL) {
		err_nomem(e);
		return -1;
	}
	d->orig = c;
	if (store_conn_get(a->session->store, d->conn_id, c, e) != 0 ||
	    conn_decrypt(c, a->session->keys->kr, e) != 0)
		return -1;
	if (c->has_port)
		snprintf(port, sizeof port, "%ld", c->port);
	d->keep_extra = c->extra_info.state == CONN_SECRET_UNDECRYPTABLE;
	if (set_field(&d->f[F_ID], c->conn_id) != 0 ||
	    set_field(&d->f[F_TYPE], c->conn_type) != 0 ||
	    set_field(&d->f[F_DESCRIPTION], c->description) != 0 ||
	    set_field(&d->f[F_HOST], c->host) != 0 ||
	    set_field(&d->f[F_SCHEMA], c->schema) != 0 ||
	    set_field(&d->f[F_LOGIN], c->login) != 0 ||
	    set_field(&d->f[F_PORT], port) != 0) {
		err_set(e, ERR_INVALID, "a field of '%s' is too long to edit here",
		    d->conn_id);
		return -1;
	}
	return show_extra(a, d, c, e);
}

static int
edit_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct edit *d = calloc(1, sizeof *d);
	int i;

	if (d == NULL) {
		err_nomem(e);
		return -1;
	}
	s->data = d;
	buf_init(&d->masked, 1);
	d->add = arg == NULL;
	d->first = d->add ? F_URI : F_ID;
	for (i = 0; i < F_MAX; i++)
		if (form_field_init(&d->f[i], field_spec[i].label,
		    field_spec[i].flags, field_spec[i].cap, e) != 0)
			goto fail;
	if (!d->add) {
		d->f[F_ID].flags |= FF_READONLY;
		if ((d->conn_id = strdup(arg)) == NULL) {
			err_nomem(e);
			goto fail;
		}
		if (load_row(a, d, e) != 0)
			goto fail;
	}
	d->form.fields = &d->f[d->first];
	d->form.n = F_MAX - d->first;
	form_focus(&d->form, d->add ? 0 : form_index(d, F_TYPE));
	s->typing = 1;
	s->form = &d->form;
	return 0;
fail:
	edit_free(s);
	s->data = NULL;
	return -1;
}

const struct screen_ops scr_edit_ops = {
	"edit", 0, 0, edit_keys, edit_init, edit_draw, edit_key, NULL, NULL,
	edit_free
};
