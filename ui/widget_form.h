/*
 * widget_form.h: a form of one-line text fields and two buttons (Save,
 * Cancel), with a small line editor: Left/Right, Home/End (Ctrl-A/Ctrl-E),
 * Backspace/Delete, Ctrl-U (clear), Ctrl-K (to the end); Tab/Down/Enter
 * next field, Shift-Tab/Up previous; F2 saves from anywhere, Esc cancels.
 *
 * Field text is UTF-8 in a buffer of fixed capacity. A field marked
 * FF_LOCKED keeps its buffer in sodium_malloc memory (locked, guarded,
 * wiped on release), and every buffer is wiped before it is freed; an
 * FF_HIDDEN field is drawn as one '*' per character and never as text.
 * Passwords are FF_HIDDEN | FF_LOCKED.
 */
#ifndef FERNCON_UI_WIDGET_FORM_H
#define FERNCON_UI_WIDGET_FORM_H

#include <stddef.h>

#include "compiler.h"
#include "draw.h"
#include "err.h"

enum form_field_flags {
	FF_HIDDEN = 1 << 0,	/* drawn as '*' */
	FF_LOCKED = 1 << 1,	/* buffer in sodium_malloc memory */
	FF_READONLY = 1 << 2,	/* shown, skipped by the focus */
	FF_DIGITS = 1 << 3,	/* only 0-9: anything else is refused as the
				   focus leaves the field, with a message on it */
};

struct form_field {
	const char	*label;
	const char	*hint;		/* shown after the label when focused, or NULL */
	int		 flags;
	char		*buf;		/* NUL-terminated */
	size_t		 len, cap;	/* cap counts the NUL */
	size_t		 cur;		/* cursor (byte offset) */
	size_t		 scroll;	/* first byte shown */
	long		 error_at;	/* byte offset shown as wrong, or -1 */
	int		 changed;	/* edited since form_field_set() */
	char		 error[96];	/* why it was refused, drawn on the field's
					   line until it is edited; or "" */
};

struct form {
	struct form_field	*fields;	/* borrowed */
	int			 n;
	int			 focus;		/* a field, or n (Save) or n + 1 (Cancel) */
	int			 left;		/* after FORM_MOVED: the field left */
	const char		*save_label;	/* the first button: "Save" (NULL) */
	/*
	 * Checked as the focus leaves a field and before FORM_SAVE: 0, or -1
	 * after writing the reason into msg (msglen bytes); the focus then
	 * stays on the field, the reason drawn on it. NULL: only FF_DIGITS.
	 */
	int			(*check)(const struct form_field *f, void *arg,
				    char *msg, size_t msglen);
	void			*check_arg;
};

/* What form_key() did. */
enum form_result {
	FORM_IGNORED,	/* not a form key */
	FORM_HANDLED,	/* edited or moved inside a field */
	FORM_MOVED,	/* the focus moved to another field (form.left) */
	FORM_SAVE,	/* Enter on Save, or F2 */
	FORM_CANCEL,	/* Enter on Cancel, or Esc */
};

/* An empty field of cap - 1 bytes at most. 0, or -1 with e set. */
int form_field_init(struct form_field *f, const char *label, int flags,
    size_t cap, struct err *e) ATTR_WUR;

/* Wipe and free the buffer. */
void form_field_release(struct form_field *f);

/*
 * Set the text (len bytes of s; NULL: empty), cursor at the end, not
 * changed. -1 when it does not fit.
 */
int form_field_set(struct form_field *f, const char *s, size_t len);

/* Wipe the text. */
void form_field_clear(struct form_field *f);

/* 1 when the focused field is FF_HIDDEN (a password is being typed). */
int form_hidden_focus(const struct form *fm);

/* The first field that can take the focus at or after i. */
void form_focus(struct form *fm, int i);

/*
 * Handle a key. Leaving a field, or saving, that its check (or FF_DIGITS)
 * refuses keeps the focus there with the reason on the field:
 * FORM_HANDLED.
 */
enum form_result form_key(struct form *fm, int key);

/*
 * Refuse field i from the screen's own checks: focus it, mark byte at
 * (-1: none) and draw msg on its line until it is edited.
 */
void form_refuse(struct form *fm, int i, long at, const char *msg);

/*
 * Draw the fields, one per line from r->y, labels in label_w columns, then
 * the buttons. *cy, *cx get the cursor position (-1 when none).
 */
void form_draw(struct form *fm, const struct area *r, int label_w,
    int *cy, int *cx);

#endif
