/*
 * draw.h: drawing helpers for stdscr that every screen and widget shares:
 * text clipped to a width in columns (UTF-8 aware, wide characters count
 * two), with control characters and bytes that are not UTF-8 shown as '?'
 * so that a value from the DB can never send an escape sequence to the
 * terminal; filled runs, boxes and word wrapping.
 */
#ifndef FERNCON_UI_DRAW_H
#define FERNCON_UI_DRAW_H

#include <stddef.h>

#include "term.h"

/* A rectangle of the screen, in stdscr coordinates. */
struct area {
	int	y, x, h, w;
};

/*
 * Draw s (may be NULL: nothing) at y, x with attributes a, at most w
 * columns. Returns the columns used.
 */
int draw_text(int y, int x, int w, attr_t a, const char *s);

/* As draw_text() with the len bytes of s; a NUL among them (a password's,
   conn.h) is drawn as '?', as every control character is. */
int draw_textn(int y, int x, int w, attr_t a, const char *s, size_t len);

/* As draw_text(), then spaces in a up to w columns. */
void draw_textpad(int y, int x, int w, attr_t a, const char *s);

/* w spaces with attributes a. */
void draw_fill(int y, int x, int w, attr_t a);

/*
 * s in w columns at (y, x): whole when it fits, else cut to w - 1 columns
 * and ended with '~' (as the CLI's tables cut), so that a cut shows.
 */
void draw_cell(int y, int x, int w, attr_t a, const char *s);

/* printf into a line of w columns (padded) with attributes a. */
void draw_printf(int y, int x, int w, attr_t a, const char *fmt, ...)
    ATTR_PRINTF(5, 6);

/* A box with a border and a title, its inside filled with a. */
void draw_box(const struct area *r, attr_t a, const char *title);

/* Columns that s (or its first len bytes) takes on the screen. */
int text_width(const char *s);
int text_width_n(const char *s, size_t len);

/*
 * Bytes of s that fit in w columns (whole characters), for cutting and
 * for finding the cursor column.
 */
size_t text_fit(const char *s, size_t len, int w);

/*
 * The next line of s wrapped at w columns, at a space when there is one:
 * returns the bytes of the line and sets *next to where the next line
 * starts (past the space or newline), or returns 0 with *next NULL at the
 * end.
 */
size_t text_wrap(const char *s, int w, const char **next);

/* The lines that s takes when wrapped at w columns. */
int text_wrap_lines(const char *s, int w);

/*
 * s wrapped at w columns (text_wrap()) from line y down to before line
 * ymax; when it needs more lines, the last one is cut and ends in '~'
 * (draw_cell()'s mark). Returns the line after the last one drawn.
 */
int draw_wrap(int y, int x, int w, int ymax, attr_t a, const char *s);

#endif
