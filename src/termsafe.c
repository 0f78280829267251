/*
 * termsafe.c: one rule for showing data on a terminal (see termsafe.h):
 * a field is read one unit at a time, a unit being a character written as
 * it is or the escape that stands for it, so that quoting, measuring and
 * cutting a cell all walk the same units and a cut can only fall between
 * two of them.
 */
#include "config.h"

#include "termsafe.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "utf8.h"

/* -- widths -------------------------------------------------------------- */

static pthread_once_t locale_once = PTHREAD_ONCE_INIT;
static locale_t utf8_locale = (locale_t)0;

/*
 * The C.UTF-8 locale for wcwidth(), loaded once and kept for the life of
 * the process; used through uselocale() on the calling thread only, so
 * the program's own locale (the console's, set by ui/term.c) is left
 * alone.
 */
static void
locale_load(void)
{
	static const char *const names[] = { "C.UTF-8", "C.utf8", "en_US.UTF-8" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(names) && utf8_locale == (locale_t)0; i++)
		utf8_locale = newlocale(LC_CTYPE_MASK, names[i], (locale_t)0);
}

/* Ranges for a system without a UTF-8 locale: the common cases only. */
struct range {
	uint32_t lo, hi;
};

static const struct range zero_width[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD },
	{ 0x0610, 0x061A }, { 0x064B, 0x065F }, { 0x0E31, 0x0E31 },
	{ 0x0E34, 0x0E3A }, { 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF },
	{ 0x200B, 0x200D }, { 0x20D0, 0x20FF }, { 0xFE00, 0xFE0F },
	{ 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF },
};

static const struct range wide[] = {
	{ 0x1100, 0x115F }, { 0x2E80, 0x303E }, { 0x3041, 0x33FF },
	{ 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE30, 0xFE4F },
	{ 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x1F300, 0x1F64F },
	{ 0x1F900, 0x1F9FF }, { 0x20000, 0x3FFFD },
};

static int
in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cp >= r[i].lo && cp <= r[i].hi)
			return 1;
	return 0;
}

int
termsafe_width(uint32_t cp)
{
	int w;

	if (cp < 0x7F)
		return 1;
	(void)pthread_once(&locale_once, locale_load);
	if (utf8_locale != (locale_t)0) {
		locale_t old = uselocale(utf8_locale);

		w = wcwidth((wchar_t)cp);
		(void)uselocale(old);
		return w < 0 ? 1 : w;
	}
	if (in_ranges(cp, zero_width, ARRAY_LEN(zero_width)))
		return 0;
	return in_ranges(cp, wide, ARRAY_LEN(wide)) ? 2 : 1;
}

/* -- units --------------------------------------------------------------- */

int
termsafe_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C ||
	    cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

/* One unit: what is written for one character (or one bad byte). */
struct unit {
	char	 text[8];	/* "\u202e" at most */
	size_t	 len;		/* bytes of text */
	const char *raw;	/* or NULL: the character is written as it is */
	int	 cols;
};

/*
 * The unit at s (len > 0 bytes), with quote set when the field is quoted.
 * Returns the bytes of s it stands for.
 */
static size_t
unit_next(const char *s, size_t len, int quote, struct unit *u)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;
	int k;

	n = utf8_decode(p, len, &cp);
	u->raw = NULL;
	if (cp == UTF8_BAD) {
		/* One escape per byte; the rest of a bad sequence comes next. */
		k = snprintf(u->text, sizeof u->text, "\\x%02x", p[0]);
		n = 1;
	} else if (cp == '\t' || cp == '\n' || cp == '\r') {
		k = snprintf(u->text, sizeof u->text, "\\%c",
		    cp == '\t' ? 't' : cp == '\n' ? 'n' : 'r');
	} else if (cp < 0x20 || cp == 0x7F) {
		k = snprintf(u->text, sizeof u->text, "\\x%02x", (unsigned)cp);
	} else if (termsafe_unsafe(cp)) {
		k = snprintf(u->text, sizeof u->text, "\\u%04x", (unsigned)cp);
	} else if (quote && (cp == '\\' || cp == '"')) {
		k = snprintf(u->text, sizeof u->text, "\\%c", (char)cp);
	} else {
		u->raw = s;
		u->len = n;
		u->cols = termsafe_width(cp);
		return n;
	}
	u->len = (size_t)k;
	u->cols = k;
	return n;
}

static void
unit_add(struct buf *out, const struct unit *u)
{
	buf_add(out, u->raw != NULL ? u->raw : u->text, u->len);
}

/* -- public -------------------------------------------------------------- */

int
termsafe_needed(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n;
	uint32_t cp;

	for (i = 0; s != NULL && i < len; i += n) {
		if (p[i] >= 0x20 && p[i] < 0x7F) {
			n = 1;
			continue;
		}
		n = utf8_decode(p + i, len - i, &cp);
		if (cp == UTF8_BAD || termsafe_unsafe(cp))
			return 1;
	}
	return 0;
}

void
termsafe_add(struct buf *out, const char *s, size_t len, int flags)
{
	struct unit u;
	size_t i;
	int quote;

	if (s == NULL)
		return;
	quote = (flags & TERMSAFE_QUOTE) && termsafe_needed(s, len);
	if (quote)
		buf_addc(out, '"');
	for (i = 0; i < len; ) {
		i += unit_next(s + i, len - i, quote, &u);
		unit_add(out, &u);
	}
	if (quote)
		buf_addc(out, '"');
}

size_t
termsafe_columns(const char *s, size_t len, int flags)
{
	struct unit u;
	size_t i, cols = 0;
	int quote;

	if (s == NULL)
		return 0;
	quote = (flags & TERMSAFE_QUOTE) && termsafe_needed(s, len);
	for (i = 0; i < len; ) {
		i += unit_next(s + i, len - i, quote, &u);
		cols += (size_t)u.cols;
	}
	return cols + (quote ? 2 : 0);
}

int
termsafe_cell(struct buf *out, const char *s, size_t len, int width,
    int flags)
{
	struct unit u;
	size_t i;
	int quote, used = 0;

	if (s == NULL)
		len = 0;
	if (termsafe_columns(s, len, flags) <= (size_t)width) {
		termsafe_add(out, s, len, flags);
		used = (int)termsafe_columns(s, len, flags);
	} else {
		/* Whole units in width - 1 columns, then the marker. */
		quote = (flags & TERMSAFE_QUOTE) && termsafe_needed(s, len);
		if (quote && width > 1) {
			buf_addc(out, '"');
			used = 1;
		}
		for (i = 0; i < len; ) {
			size_t n = unit_next(s + i, len - i, quote, &u);

			if (used + u.cols > width - 1)
				break;
			unit_add(out, &u);
			used += u.cols;
			i += n;
		}
		buf_addc(out, '~');
		used++;
	}
	for (; used < width; used++)
		buf_addc(out, ' ');
	return width;
}
