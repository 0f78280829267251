/*
 * dialog.c: confirm, type-the-word and message dialogs (see dialog.h).
 */
#include "config.h"

#include "dialog.h"

#include <stdlib.h>
#include <string.h>

enum dialog_kind { DIALOG_CONFIRM, DIALOG_WORD, DIALOG_MESSAGE };

struct dialog_arg {
	enum dialog_kind	 kind;
	int			 tag;
	const char		*title, *text, *word;
};

struct dialog {
	enum dialog_kind	 kind;
	char			*title, *text, *word;
	int			 yes;		/* confirm: Yes has the focus */
	char			 typed[64];	/* word: what was typed */
	size_t			 len;
};

static const struct ui_key confirm_keys[] = {
	{ "y", "Yes", "answer yes", { 'y', 'Y' }, -1, NULL, 1 },
	{ "n", "No", "answer no (the default)", { 'n', 'N' }, -1, NULL, 1 },
	{ "Enter", "Choose", "the selected answer", { TK_ENTER }, -1, NULL, 1 },
	{ "Esc", "Cancel", "answer no", { TK_ESC }, -1, NULL, 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static const struct ui_key word_keys[] = {
	{ "Enter", "Confirm", "confirm when the word is typed", { TK_ENTER }, -1,
	    NULL, 1 },
	{ "Esc", "Cancel", "cancel", { TK_ESC }, -1, NULL, 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static const struct ui_key message_keys[] = {
	{ "Enter", "OK", "close", { TK_ENTER }, -1, NULL, 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static int
dialog_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	const struct dialog_arg *da = arg;
	struct dialog *d = calloc(1, sizeof *d);

	if (d == NULL || (d->title = strdup(da->title)) == NULL ||
	    (d->text = strdup(da->text)) == NULL ||
	    (da->word != NULL && (d->word = strdup(da->word)) == NULL)) {
		if (d != NULL) {
			free(d->title);
			free(d->text);
		}
		free(d);
		err_nomem(e);
		return -1;
	}
	d->kind = da->kind;
	s->data = d;
	s->tag = da->tag;
	s->result = UI_NO;
	s->typing = da->kind == DIALOG_WORD;
	return 0;
}

static void
dialog_free(struct screen *s)
{
	struct dialog *d = s->data;

	free(d->title);
	free(d->text);
	free(d->word);
	free(d);
}

static void
dialog_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct dialog *d = s->data;
	struct area box;
	const char *t, *next;
	size_t len;
	int w = r->w - 8 > 64 ? 64 : r->w - 8, lines, y, x;

	lines = text_wrap_lines(d->text, w - 4);
	box.h = lines + 4 + (d->kind == DIALOG_WORD ? 2 : 0);
	if (box.h > r->h)
		box.h = r->h;
	box.w = w;
	box.y = r->y + (r->h - box.h) / 2;
	box.x = r->x + (r->w - box.w) / 2;
	draw_box(&box, term_attr(TE_DIALOG), d->title);
	y = box.y + 1;
	for (t = d->text; t != NULL && *t != '\0' && y < box.y + box.h - 2;
	    t = next, y++) {
		len = text_wrap(t, w - 4, &next);
		draw_textn(y, box.x + 2, w - 4, term_attr(TE_DIALOG), t, len);
	}
	y = box.y + box.h - 2;
	if (d->kind == DIALOG_CONFIRM) {
		x = box.x + (box.w - 17) / 2;
		draw_text(y, x, 7, term_attr(d->yes ? TE_BUTTON_FOCUS : TE_BUTTON),
		    "[ Yes ]");
		draw_text(y, x + 10, 7, term_attr(d->yes ? TE_BUTTON :
		    TE_BUTTON_FOCUS), "[ No ]");
	} else if (d->kind == DIALOG_WORD) {
		draw_text(y - 1, box.x + 2, w - 4, term_attr(TE_DIALOG),
		    "type it here:");
		draw_fill(y, box.x + 2, w - 4, term_attr(TE_FIELD_FOCUS));
		draw_text(y, box.x + 2, w - 4, term_attr(TE_FIELD_FOCUS), d->typed);
		app_cursor(a, y, box.x + 2 + text_width(d->typed));
	} else {
		draw_text(y, box.x + (box.w - 6) / 2, 6,
		    term_attr(TE_BUTTON_FOCUS), "[ OK ]");
	}
}

static int
dialog_key(struct screen *s, struct app *a, int key)
{
	struct dialog *d = s->data;

	switch (d->kind) {
	case DIALOG_CONFIRM:
		if (key == 'y' || key == 'Y' || (key == TK_ENTER && d->yes)) {
			s->result = UI_YES;
			return UI_CLOSE;
		}
		if (key == 'n' || key == 'N' || key == TK_ESC || key == 'q' ||
		    key == TK_ENTER) {
			s->result = UI_NO;
			return UI_CLOSE;
		}
		if (key == TK(KEY_LEFT) || key == TK(KEY_RIGHT) || key == TK_TAB ||
		    key == 'h' || key == 'l') {
			d->yes = !d->yes;
			return UI_HANDLED;
		}
		return UI_HANDLED;	/* modal: nothing else */
	case DIALOG_WORD:
		if (key == TK_ESC) {
			s->result = UI_NO;
			return UI_CLOSE;
		}
		if (key == TK_ENTER) {
			if (strcmp(d->typed, d->word) == 0) {
				s->result = UI_YES;
				return UI_CLOSE;
			}
			app_error(a, "type '%s' to confirm, or Esc to cancel", d->word);
			return UI_HANDLED;
		}
		if ((key == 127 || key == TK(KEY_BACKSPACE) || key == TK_CTRL('h')) &&
		    d->len > 0) {
			d->typed[--d->len] = '\0';
		} else if (key >= 0x20 && key < 0x7f && d->len + 1 < sizeof d->typed) {
			d->typed[d->len++] = (char)key;
			d->typed[d->len] = '\0';
		}
		return UI_HANDLED;
	default:
		if (key == TK_ENTER || key == TK_ESC || key == 'q') {
			s->result = UI_YES;
			return UI_CLOSE;
		}
		return UI_HANDLED;
	}
}

/* The key bars differ per kind: one ops per kind, sharing the code. */
static const struct screen_ops confirm_ops = {
	"confirm", 1, 0, confirm_keys, dialog_init, dialog_draw, dialog_key, NULL,
	NULL, dialog_free
};
static const struct screen_ops word_ops = {
	"confirm-word", 1, 0, word_keys, dialog_init, dialog_draw, dialog_key,
	NULL, NULL, dialog_free
};
static const struct screen_ops message_ops = {
	"message", 1, 0, message_keys, dialog_init, dialog_draw, dialog_key, NULL,
	NULL, dialog_free
};

int
dialog_confirm(struct app *a, int tag, const char *title, const char *text)
{
	struct dialog_arg da = { DIALOG_CONFIRM, tag, title, text, NULL };

	return app_push(a, &confirm_ops, &da);
}

int
dialog_word(struct app *a, int tag, const char *title, const char *text,
    const char *word)
{
	struct dialog_arg da = { DIALOG_WORD, tag, title, text, word };

	return app_push(a, &word_ops, &da);
}

int
dialog_message(struct app *a, int tag, const char *title, const char *text)
{
	struct dialog_arg da = { DIALOG_MESSAGE, tag, title, text, NULL };

	return app_push(a, &message_ops, &da);
}
