/*
 * widget_list.c: the scrolling list (see widget_list.h).
 */
#include "config.h"

#include "widget_list.h"

int
wlist_key_move(int key)
{
	switch (key) {
	case 'k':
	case TK(KEY_UP):
		return WLIST_UP;
	case 'j':
	case TK(KEY_DOWN):
		return WLIST_DOWN;
	case TK(KEY_PPAGE):
	case TK_CTRL('b'):
		return WLIST_PGUP;
	case TK(KEY_NPAGE):
	case TK_CTRL('f'):
	case ' ':
		return WLIST_PGDN;
	case 'g':
	case TK(KEY_HOME):
		return WLIST_HOME;
	case 'G':
	case TK(KEY_END):
		return WLIST_END;
	default:
		return -1;
	}
}

void
wlist_fix(struct wlist *l, int page)
{
	if (page < 1)
		page = 1;
	if (!l->selectable) {
		/* A text: sel is the top line. */
		if (l->top > l->n - page)
			l->top = l->n - page;
		if (l->top < 0)
			l->top = 0;
		l->sel = l->top;
		return;
	}
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (l->sel < 0)
		l->sel = 0;
	if (l->top > l->sel)
		l->top = l->sel;
	if (l->sel >= l->top + page)
		l->top = l->sel - page + 1;
	if (l->top > l->n - page)
		l->top = l->n - page;
	if (l->top < 0)
		l->top = 0;
}

int
wlist_move(struct wlist *l, enum wlist_move m, int page)
{
	int sel = l->selectable ? l->sel : l->top, old_sel = l->sel,
	    old_top = l->top;

	if (page < 1)
		page = 1;
	switch (m) {
	case WLIST_UP:
		sel--;
		break;
	case WLIST_DOWN:
		sel++;
		break;
	case WLIST_PGUP:
		sel -= page;
		if (l->selectable)
			l->top -= page;
		break;
	case WLIST_PGDN:
		sel += page;
		if (l->selectable)
			l->top += page;
		break;
	case WLIST_HOME:
		sel = 0;
		break;
	case WLIST_END:
		sel = l->n - 1;
		break;
	}
	if (l->selectable) {
		l->sel = sel;
	} else {
		l->top = sel;
	}
	wlist_fix(l, page);
	return l->sel != old_sel || l->top != old_top;
}

void
wlist_draw(struct wlist *l, const struct area *r, wlist_row_fn row, void *ctx)
{
	int i;

	wlist_fix(l, r->h);
	for (i = 0; i < r->h && l->top + i < l->n; i++)
		row(ctx, l->top + i, r->y + i, r->x, r->w,
		    l->selectable && l->top + i == l->sel);
}
