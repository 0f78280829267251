/*
 * utf8.h: decoding one UTF-8 character the way Python's decoder does, for
 * the modules that must match Python byte for byte (pyjson's ensure_ascii
 * escapes, uri's unquote with errors="replace"), and the few Python
 * character rules built on it (repr() of a str, int()'s blanks, the two
 * kinds of whitespace that Python strips, whatever the C locale).
 */
#ifndef FERNCON_UTF8_H
#define FERNCON_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The code point reported for an ill-formed sequence. */
#define UTF8_BAD UINT32_MAX

/*
 * Decode the character at s (len > 0 bytes). Returns the bytes it takes
 * and sets *cp to its code point; an ill-formed sequence sets *cp to
 * UTF8_BAD and takes its maximal well-formed prefix (at least one byte),
 * which Python's "replace" handler turns into one U+FFFD.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/*
 * The offset of the first byte that Python's strict UTF-8 decoder
 * refuses (bytes.decode() raises there), or len when s is valid UTF-8.
 */
size_t utf8_bad_at(const unsigned char *s, size_t len);

/*
 * Python's repr() of a str given as len bytes of UTF-8, appended to out:
 * in single quotes, or double ones when the text has a ' and no "; \\,
 * the quote, \t, \n and \r escaped; other characters that
 * str.isprintable() refuses as \xNN or \uNNNN; an ill-formed byte as
 * \udcNN (Python's surrogateescape, as for argv). For messages that
 * quote a value the way Python's do.
 */
void utf8_py_repr(struct buf *out, const char *s, size_t len);

/*
 * 1 if int() of a str skips code point cp as a blank around the digits:
 * ASCII space and \t to \r, and the non-ASCII whitespace of
 * str.isspace() (U+0085, U+00A0, U+2000 to U+200A...). Not the
 * separators \x1c to \x1f, which str.isspace() takes and int() refuses.
 */
int utf8_py_int_blank(uint32_t cp);

/*
 * 1 if c is whitespace as Python's bytes.isspace() says, which is C's
 * isspace() in the "C" locale: ' ', '\t', '\n', '\v', '\f', '\r'.
 */
static inline int
utf8_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/*
 * 1 if c is whitespace as Python's str.isspace() says of an ASCII
 * character: utf8_is_space() and the separators 0x1c-0x1f, which
 * str.strip() and re's "\s" also take away.
 */
static inline int
utf8_is_str_space(char c)
{
	unsigned char u = (unsigned char)c;

	return u == ' ' || (u >= '\t' && u <= '\r') || (u >= 0x1c && u <= 0x1f);
}

/*
 * Python's str.lower() of len bytes of UTF-8, appended to out: the
 * simple Unicode lower-case mapping (glibc's C.UTF-8 tables, looked up
 * without changing the process's locale), U+0130 as "i" and U+0307 as in
 * SpecialCasing; an ill-formed byte kept as it is. Not done: the final
 * sigma rule (a capital sigma at the end of a word gives U+03C2), and
 * Unicode versions may differ between glibc and Python.
 */
void utf8_py_lower(struct buf *out, const char *s, size_t len);

#endif
