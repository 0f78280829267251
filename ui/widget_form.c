/*
 * widget_form.c: form fields and their line editor (see widget_form.h).
 * Text is kept as UTF-8; the cursor moves by whole characters.
 */
#include "config.h"

#include "widget_form.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Bytes of the UTF-8 encoding of code point c (1-4) into out. */
static size_t
utf8_encode(unsigned long c, char out[4])
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static int
is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

static size_t
prev_char(const struct form_field *f, size_t at)
{
	if (at == 0)
		return 0;
	at--;
	while (at > 0 && is_cont(f->buf[at]))
		at--;
	return at;
}

static size_t
next_char(const struct form_field *f, size_t at)
{
	if (at >= f->len)
		return f->len;
	at++;
	while (at < f->len && is_cont(f->buf[at]))
		at++;
	return at;
}

/* Characters (not bytes) in len bytes of s. */
static size_t
count_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (!is_cont(s[i]))
			n++;
	return n;
}

int
form_field_init(struct form_field *f, const char *label, int flags,
    size_t cap, struct err *e)
{
	memset(f, 0, sizeof *f);
	f->label = label;
	f->flags = flags;
	f->error_at = -1;
	f->error[0] = '\0';
	f->buf = (flags & FF_LOCKED) ? sodium_malloc(cap) : malloc(cap);
	if (f->buf == NULL) {
		err_nomem(e);
		return -1;
	}
	f->cap = cap;
	memset(f->buf, 0, cap);
	return 0;
}

void
form_field_release(struct form_field *f)
{
	if (f->buf != NULL) {
		if (f->flags & FF_LOCKED) {
			sodium_free(f->buf);
		} else {
			sodium_memzero(f->buf, f->cap);
			free(f->buf);
		}
	}
	f->buf = NULL;
	f->len = f->cap = f->cur = f->scroll = 0;
}

void
form_field_clear(struct form_field *f)
{
	sodium_memzero(f->buf, f->cap);
	f->len = f->cur = f->scroll = 0;
	f->error_at = -1;
	f->error[0] = '\0';
}

int
form_field_set(struct form_field *f, const char *s, size_t len)
{
	if (s == NULL)
		len = 0;
	if (len + 1 > f->cap)
		return -1;
	form_field_clear(f);
	if (len > 0)
		memcpy(f->buf, s, len);
	f->len = f->cur = len;
	f->changed = 0;
	return 0;
}

static int
focusable(const struct form *fm, int i)
{
	return i >= fm->n || !(fm->fields[i].flags & FF_READONLY);
}

int
form_hidden_focus(const struct form *fm)
{
	return fm->focus >= 0 && fm->focus < fm->n &&
	    (fm->fields[fm->focus].flags & FF_HIDDEN) != 0;
}

void
form_focus(struct form *fm, int i)
{
	if (i < 0)
		i = 0;
	while (i < fm->n && !focusable(fm, i))
		i++;
	if (i > fm->n + 1)
		i = fm->n + 1;
	fm->focus = i;
}

/* Move the focus by dir (+1/-1), skipping read-only fields, wrapping. */
static void
move_focus(struct form *fm, int dir)
{
	int i = fm->focus, total = fm->n + 2, k;

	for (k = 0; k < total; k++) {
		i = (i + dir + total) % total;
		if (focusable(fm, i))
			break;
	}
	fm->left = fm->focus;
	fm->focus = i;
}

static void
insert(struct form_field *f, unsigned long c)
{
	char enc[4];
	size_t n;

	if (c < 0x20 || c == 0x7f || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		return;
	n = utf8_encode(c, enc);
	if (f->len + n + 1 > f->cap)
		return;
	memmove(f->buf + f->cur + n, f->buf + f->cur, f->len - f->cur + 1);
	memcpy(f->buf + f->cur, enc, n);
	f->len += n;
	f->cur += n;
	f->changed = 1;
	f->error_at = -1;
	f->error[0] = '\0';
	sodium_memzero(enc, sizeof enc);
}

/* Delete the bytes [from, to). */
static void
cut(struct form_field *f, size_t from, size_t to)
{
	if (to <= from)
		return;
	memmove(f->buf + from, f->buf + to, f->len - to + 1);
	sodium_memzero(f->buf + f->len - (to - from), to - from);
	f->len -= to - from;
	f->cur = from;
	f->changed = 1;
	f->error_at = -1;
	f->error[0] = '\0';
}

static enum form_result
field_key(struct form_field *f, int key)
{
	switch (key) {
	case TK(KEY_LEFT):
		f->cur = prev_char(f, f->cur);
		return FORM_HANDLED;
	case TK(KEY_RIGHT):
		f->cur = next_char(f, f->cur);
		return FORM_HANDLED;
	case TK(KEY_HOME):
	case TK_CTRL('a'):
		f->cur = 0;
		return FORM_HANDLED;
	case TK(KEY_END):
	case TK_CTRL('e'):
		f->cur = f->len;
		return FORM_HANDLED;
	case TK(KEY_BACKSPACE):
	case 127:
	case TK_CTRL('h'):
		cut(f, prev_char(f, f->cur), f->cur);
		return FORM_HANDLED;
	case TK(KEY_DC):
	case TK_CTRL('d'):
		cut(f, f->cur, next_char(f, f->cur));
		return FORM_HANDLED;
	case TK_CTRL('u'):
		cut(f, 0, f->len);
		return FORM_HANDLED;
	case TK_CTRL('k'):
		cut(f, f->cur, f->len);
		return FORM_HANDLED;
	default:
		if (key >= 0x20 && key < TK_BASE && key != 127) {
			insert(f, (unsigned long)key);
			return FORM_HANDLED;
		}
		return FORM_IGNORED;
	}
}

void
form_refuse(struct form *fm, int i, long at, const char *msg)
{
	struct form_field *f = &fm->fields[i];

	fm->focus = i;
	f->error_at = at;
	if (at >= 0 && (size_t)at <= f->len)
		f->cur = (size_t)at;
	snprintf(f->error, sizeof f->error, "%s", msg);
}

/*
 * May the focus leave the focused field? FF_DIGITS first, then the form's
 * check; a refusal keeps the focus with the reason on the field.
 */
static int
leave_ok(struct form *fm)
{
	struct form_field *f;
	char msg[96];
	size_t i;

	if (fm->focus < 0 || fm->focus >= fm->n)
		return 1;
	f = &fm->fields[fm->focus];
	if (f->flags & FF_DIGITS) {
		for (i = 0; i < f->len; i++)
			if (f->buf[i] < '0' || f->buf[i] > '9') {
				form_refuse(fm, fm->focus, (long)i,
				    "digits only: a number");
				return 0;
			}
	}
	if (fm->check != NULL && fm->check(f, fm->check_arg, msg,
	    sizeof msg) != 0) {
		form_refuse(fm, fm->focus, -1, msg);
		return 0;
	}
	return 1;
}

enum form_result
form_key(struct form *fm, int key)
{
	switch (key) {
	case TK_TAB:
	case TK(KEY_DOWN):
	case TK(KEY_BTAB):
	case TK(KEY_UP):
	case TK(KEY_F(2)):
	case TK_ENTER:
	case '\n':
	case TK(KEY_ENTER):
		if (!leave_ok(fm))
			return FORM_HANDLED;
		break;
	default:
		break;
	}
	switch (key) {
	case TK(KEY_F(2)):
		return FORM_SAVE;
	case TK_ESC:
		return FORM_CANCEL;
	case TK_TAB:
	case TK(KEY_DOWN):
		move_focus(fm, 1);
		return FORM_MOVED;
	case TK(KEY_BTAB):
	case TK(KEY_UP):
		move_focus(fm, -1);
		return FORM_MOVED;
	case TK_ENTER:
	case '\n':
	case TK(KEY_ENTER):
		if (fm->focus == fm->n)
			return FORM_SAVE;
		if (fm->focus == fm->n + 1)
			return FORM_CANCEL;
		move_focus(fm, 1);
		return FORM_MOVED;
	default:
		break;
	}
	if (fm->focus >= fm->n) {
		if (key == TK(KEY_LEFT) || key == TK(KEY_RIGHT)) {
			fm->focus = fm->focus == fm->n ? fm->n + 1 : fm->n;
			return FORM_HANDLED;
		}
		return FORM_IGNORED;
	}
	return field_key(&fm->fields[fm->focus], key);
}

/*
 * Scroll f so that the cursor shows in w columns, off the cut marks
 * (draw_field()): past the '<' of column 0 when text is hidden on the
 * left, and before the '>' of the last column when text follows it.
 */
static size_t
fit_scroll(const struct form_field *f, int w)
{
	size_t s = f->scroll;
	int room = f->cur < f->len ? w - 2 : w - 1;

	if (s > f->cur)
		s = f->cur;
	if (s > 0 && s == f->cur)
		s = prev_char(f, s);
	while (s < f->cur && text_width_n(f->buf + s, f->cur - s) > room)
		s = next_char(f, s);
	return s;
}

static void
draw_field(struct form_field *f, int y, int x, int w, int focused,
    int *cx)
{
	attr_t a = term_attr(focused ? TE_FIELD_FOCUS : TE_FIELD);
	size_t scroll, n;
	int col;

	if (f->flags & FF_READONLY)
		a = term_attr(TE_NORMAL);
	draw_fill(y, x, w, a);
	if (f->flags & FF_HIDDEN) {
		n = count_chars(f->buf, f->len);
		if (n > (size_t)(w - 1))
			n = (size_t)(w - 1);
		wattrset(stdscr, a);
		mvwhline(stdscr, y, x, '*', (int)n);
		*cx = x + (int)count_chars(f->buf, f->cur);
		if (*cx > x + w - 1)
			*cx = x + w - 1;
		return;
	}
	scroll = fit_scroll(f, w);
	f->scroll = scroll;
	draw_textn(y, x, w, a, f->buf + scroll, f->len - scroll);
	/* A value wider than the field shows where it is cut. */
	if (scroll > 0)
		draw_text(y, x, 1, a, "<");
	if (text_width_n(f->buf + scroll, f->len - scroll) > w)
		draw_text(y, x + w - 1, 1, a, ">");
	col = text_width_n(f->buf + scroll, f->cur - scroll);
	*cx = x + col;
	if (f->error_at >= 0 && (size_t)f->error_at >= scroll &&
	    (size_t)f->error_at <= f->len) {
		size_t at = (size_t)f->error_at;
		int ecol = text_width_n(f->buf + scroll, at - scroll);

		if (ecol < w) {
			if (at < f->len)
				draw_textn(y, x + ecol, w - ecol, term_attr(TE_ERROR),
				    f->buf + at, next_char(f, at) - at);
			else
				draw_textn(y, x + ecol, 1, term_attr(TE_ERROR), " ", 1);
		}
	}
}

void
form_draw(struct form *fm, const struct area *r, int label_w, int *cy,
    int *cx)
{
	int i, y = r->y, fx = r->x + label_w + 2, fw = r->w - label_w - 3, x;
	char button[32];

	*cy = *cx = -1;
	for (i = 0; i < fm->n && y < r->y + r->h - 2; i++, y++) {
		struct form_field *f = &fm->fields[i];
		int focused = fm->focus == i, col;

		draw_text(y, r->x, label_w, term_attr(focused ? TE_HEADER :
		    TE_NORMAL), f->label);
		draw_field(f, y, fx, fw, focused, &col);
		if (f->error[0] != '\0') {
			/* The reason, at the right end of the field's line. */
			int ew = text_width_n(f->error, strlen(f->error)) + 2;

			if (ew > fw)
				ew = fw;
			draw_fill(y, fx + fw - ew, ew, term_attr(TE_ERROR));
			draw_cell(y, fx + fw - ew + 1, ew - 1, term_attr(TE_ERROR),
			    f->error);
		}
		if (focused) {
			*cy = y;
			*cx = col;
		}
	}
	y++;
	x = fx;
	snprintf(button, sizeof button, "[ %s ]", fm->save_label ?
	    fm->save_label : "Save");
	x += draw_text(y, x, 24, term_attr(fm->focus == fm->n ?
	    TE_BUTTON_FOCUS : TE_NORMAL), button);
	x += 2;
	draw_text(y, x, 12, term_attr(fm->focus == fm->n + 1 ?
	    TE_BUTTON_FOCUS : TE_NORMAL), "[ Cancel ]");
}
