/*
 * draw.c: text on stdscr, clipped by columns and made safe (see draw.h).
 * Characters are decoded with mbrtowc() in the locale that term_init()
 * set, measured with wcwidth(), and written as wide strings. A character
 * that the CLI would escape (termsafe_unsafe(): C0 and C1 controls, DEL,
 * bidi formatting characters) and a bad byte are drawn as '?'
 * (doc/console.md section 10).
 */
#include "config.h"

#include "draw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "termsafe.h"

/*
 * Decode one character of s (at most len bytes): its code point in *wc
 * (a safe '?' for control and bidi characters and bad bytes), its width in
 * *cols,
 * and the bytes it takes (at least 1).
 */
static size_t
next_char(const char *s, size_t len, wchar_t *wc, int *cols)
{
	mbstate_t st;
	size_t n;
	int wd;

	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		*cols = 1;
		return 1;
	}
	wd = wcwidth(*wc);
	if (wd < 0 || termsafe_unsafe((uint32_t)*wc)) {
		*wc = L'?';
		wd = 1;
	}
	*cols = wd;
	return n;
}

int
draw_textn(int y, int x, int w, attr_t a, const char *s, size_t len)
{
	wchar_t out[256];
	size_t i = 0, n, k = 0;
	wchar_t wc;
	int used = 0, cols;

	if (s == NULL || w <= 0)
		return 0;
	wattrset(stdscr, a);
	wmove(stdscr, y, x);
	while (i < len) {	/* a NUL among them is drawn as '?' */
		n = next_char(s + i, len - i, &wc, &cols);
		if (used + cols > w)
			break;
		out[k++] = wc;
		used += cols;
		i += n;
		if (k == ARRAY_LEN(out)) {
			waddnwstr(stdscr, out, (int)k);
			k = 0;
		}
	}
	if (k > 0)
		waddnwstr(stdscr, out, (int)k);
	return used;
}

int
draw_text(int y, int x, int w, attr_t a, const char *s)
{
	return s != NULL ? draw_textn(y, x, w, a, s, strlen(s)) : 0;
}

void
draw_fill(int y, int x, int w, attr_t a)
{
	if (w <= 0)
		return;
	wattrset(stdscr, a);
	mvwhline(stdscr, y, x, ' ', w);
}

void
draw_textpad(int y, int x, int w, attr_t a, const char *s)
{
	int used = draw_text(y, x, w, a, s);

	draw_fill(y, x + used, w - used, a);
}

void
draw_printf(int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	draw_textpad(y, x, w, a, line);
}

void
draw_box(const struct area *r, attr_t a, const char *title)
{
	int i;

	for (i = 0; i < r->h; i++)
		draw_fill(r->y + i, r->x, r->w, a);
	wattrset(stdscr, a);
	mvwaddch(stdscr, r->y, r->x, ACS_ULCORNER);
	mvwhline(stdscr, r->y, r->x + 1, ACS_HLINE, r->w - 2);
	mvwaddch(stdscr, r->y, r->x + r->w - 1, ACS_URCORNER);
	mvwvline(stdscr, r->y + 1, r->x, ACS_VLINE, r->h - 2);
	mvwvline(stdscr, r->y + 1, r->x + r->w - 1, ACS_VLINE, r->h - 2);
	mvwaddch(stdscr, r->y + r->h - 1, r->x, ACS_LLCORNER);
	mvwhline(stdscr, r->y + r->h - 1, r->x + 1, ACS_HLINE, r->w - 2);
	mvwaddch(stdscr, r->y + r->h - 1, r->x + r->w - 1, ACS_LRCORNER);
	if (title != NULL && *title != '\0') {
		int tw = text_width(title) + 2;

		if (tw > r->w - 4)
			tw = r->w - 4;
		draw_fill(r->y, r->x + (r->w - tw) / 2, tw, a | A_BOLD);
		draw_text(r->y, r->x + (r->w - tw) / 2 + 1, tw - 2, a | A_BOLD,
		    title);
	}
}

int
text_width(const char *s)
{
	return s != NULL ? text_width_n(s, strlen(s)) : 0;
}

int
text_width_n(const char *s, size_t len)
{
	size_t i = 0;
	wchar_t wc;
	int w = 0, cols;

	while (i < len && s[i] != '\0') {
		i += next_char(s + i, len - i, &wc, &cols);
		w += cols;
	}
	return w;
}

size_t
text_fit(const char *s, size_t len, int w)
{
	size_t i = 0, n;
	wchar_t wc;
	int used = 0, cols;

	while (i < len && s[i] != '\0') {
		n = next_char(s + i, len - i, &wc, &cols);
		if (used + cols > w)
			break;
		used += cols;
		i += n;
	}
	return i;
}

size_t
text_wrap(const char *s, int w, const char **next)
{
	size_t len, fit, cut;
	const char *nl;

	*next = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	nl = strchr(s, '\n');
	len = nl != NULL ? (size_t)(nl - s) : strlen(s);
	fit = text_fit(s, len, w > 0 ? w : 1);
	if (fit == 0)
		fit = 1;
	if (fit >= len) {
		*next = nl != NULL ? nl + 1 : s + len;
		return len;
	}
	for (cut = fit; cut > 0 && s[cut] != ' '; cut--)
		;
	if (cut == 0)
		cut = fit;
	*next = s + cut + (s[cut] == ' ');
	return cut;
}

int
text_wrap_lines(const char *s, int w)
{
	const char *next;
	int n = 0;

	while (s != NULL && *s != '\0') {
		(void)text_wrap(s, w, &next);
		n++;
		s = next;
	}
	return n;
}

int
draw_wrap(int y, int x, int w, int ymax, attr_t a, const char *s)
{
	const char *next;
	size_t len, fit;

	for (; s != NULL && *s != '\0' && y < ymax; s = next, y++) {
		len = text_wrap(s, w, &next);
		if (y < ymax - 1 || next == NULL || *next == '\0' || w < 2) {
			draw_textn(y, x, w, a, s, len);
			continue;
		}
		fit = text_fit(s, len, w - 1);
		draw_textn(y, x, w - 1, a, s, fit);
		draw_text(y, x + text_width_n(s, fit), 1, a, "~");
	}
	return y;
}

/*
 * A cell of w columns: the text, or as much as fits and a '~' when it
 * is longer (as the CLI's tables cut), so that a cut name shows it is cut.
 */
void
draw_cell(int y, int x, int w, attr_t a, const char *s)
{
	size_t len, fit;

	if (s == NULL || w <= 0)
		return;
	len = strlen(s);
	if (text_width(s) <= w) {
		draw_text(y, x, w, a, s);
		return;
	}
	fit = text_fit(s, len, w - 1);
	draw_textn(y, x, w - 1, a, s, fit);
	draw_text(y, x + text_width_n(s, fit), 1, a, "~");
}
