/*
 * widget_list.h: a scrolling list of n rows with a selected row (or, with
 * selectable 0, a scrolling text), and the usual navigation keys: arrows
 * and j/k, PgUp/PgDn, Home/End and g/G. The rows are drawn by a callback,
 * so the list owns no data; the connection list pages rows in and out
 * around it and tells it how many there are.
 */
#ifndef FERNCON_UI_WIDGET_LIST_H
#define FERNCON_UI_WIDGET_LIST_H

#include "draw.h"

struct wlist {
	int	n;		/* rows */
	int	sel;		/* selected row (selectable lists) */
	int	top;		/* first row shown */
	int	selectable;	/* 0: a text that scrolls */
};

/* Draw row i at y, x in w columns; selected is 1 for the selected row. */
typedef void (*wlist_row_fn)(void *ctx, int i, int y, int x, int w,
    int selected);

/* Navigation moves, as wlist_move() takes them. */
enum wlist_move {
	WLIST_UP, WLIST_DOWN, WLIST_PGUP, WLIST_PGDN, WLIST_HOME, WLIST_END
};

/* The move a key means, or -1 when it is not a navigation key. */
int wlist_key_move(int key);

/*
 * Apply a move with page rows on the screen; keeps sel visible. Returns 1
 * if anything moved.
 */
int wlist_move(struct wlist *l, enum wlist_move m, int page);

/* Clamp sel and top after n changed, keeping sel visible in page rows. */
void wlist_fix(struct wlist *l, int page);

/* Draw the visible rows in r (one per line). */
void wlist_draw(struct wlist *l, const struct area *r, wlist_row_fn row,
    void *ctx);

#endif
