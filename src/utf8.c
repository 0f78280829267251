/*
 * utf8.c: one UTF-8 character at a time, with Python's rules for what is
 * ill-formed (overlongs, surrogates and code points past U+10FFFF are; the
 * maximal well-formed prefix of a bad sequence is replaced as a unit), and
 * the Python character classes that messages and int() need (see utf8.h).
 */
#include "config.h"

#include "utf8.h"

#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	uint32_t v;
	size_t need, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;	/* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;	/* no overlongs */
		else if (c == 0xF4)
			hi = 0x8F;	/* nothing past U+10FFFF */
	} else {
		*cp = UTF8_BAD;
		return 1;
	}
	for (i = 1; i <= need; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*cp = UTF8_BAD;
			return i;
		}
		v = (v << 6) | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* Not str.isprintable(): controls, and the separators and format characters. */
static int
unprintable(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD ||
	    cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
	    (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x2064) ||
	    cp == 0x3000 || cp == 0xFEFF || (cp >= 0xD800 && cp <= 0xDFFF);
}

void
utf8_py_repr(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char quote = '\'';
	size_t i, n, k;
	uint32_t cp;

	if (memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL)
		quote = '"';
	buf_addc(out, quote);
	for (i = 0; i < len; i += n) {
		n = utf8_decode(p + i, len - i, &cp);
		if (cp == UTF8_BAD) {
			for (k = 0; k < n; k++)
				buf_addf(out, "\\udc%02x", p[i + k]);
		} else if (cp == (unsigned char)quote || cp == '\\') {
			buf_addf(out, "\\%c", (char)cp);
		} else if (cp == '\t') {
			buf_adds(out, "\\t");
		} else if (cp == '\n') {
			buf_adds(out, "\\n");
		} else if (cp == '\r') {
			buf_adds(out, "\\r");
		} else if (!unprintable(cp)) {
			buf_add(out, p + i, n);
		} else if (cp <= 0xFF) {
			buf_addf(out, "\\x%02x", (unsigned)cp);
		} else {
			buf_addf(out, "\\u%04x", (unsigned)cp);
		}
	}
	buf_addc(out, quote);
}

int
utf8_py_int_blank(uint32_t cp)
{
	return cp == ' ' || (cp >= '\t' && cp <= '\r') || cp == 0x85 ||
	    cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
	    cp == 0x3000;
}

size_t
utf8_bad_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (cp == UTF8_BAD)
			return i;
		i += n;
	}
	return len;
}

/* -- str.lower() ----------------------------------------------------------- */

static locale_t lower_locale;
static pthread_once_t lower_once = PTHREAD_ONCE_INIT;

/* The C.UTF-8 character tables, without touching the process's locale. */
static void
lower_init(void)
{
	lower_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

/* Append code point cp to out as UTF-8. */
static void
put_utf8(struct buf *out, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		buf_add(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(out, b, 4);
	}
}

void
utf8_py_lower(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	pthread_once(&lower_once, lower_init);
	while (i < len) {
		n = utf8_decode(p + i, len - i, &cp);
		if (cp == UTF8_BAD) {
			buf_add(out, s + i, n);	/* kept as it is */
		} else if (cp == 0x130) {
			/* SpecialCasing: I WITH DOT ABOVE is i + COMBINING DOT */
			buf_add(out, "i\xcc\x87", 3);
		} else if (cp < 0x80 || lower_locale == (locale_t)0) {
			put_utf8(out, cp < 0x80 && cp >= 'A' && cp <= 'Z' ?
			    cp + 32 : cp);
		} else {
			put_utf8(out, (uint32_t)towlower_l((wint_t)cp,
			    lower_locale));
		}
		i += n;
	}
}
