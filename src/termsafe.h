/*
 * termsafe.h: data fields made safe for a terminal, for every text output
 * of both front ends (tables, plain lines, text reports, messages on
 * stderr), the way git quotes odd paths (doc/console.md section 10).
 *
 * A field can hold anything an Op or a crafted file put there. Written raw,
 * an escape sequence sets a Viewer's window title (OSC 0/2), writes their
 * clipboard (OSC 52) or moves the cursor (CSI); CR and BS overwrite what
 * was shown; a bidi override turns the rest of the line around. So these
 * characters are written as visible escapes instead:
 *
 * - C0 controls and DEL: \t, \n, \r, else \xNN (\x1b, \x07, \x7f);
 * - C1 controls (U+0080 to U+009F): \u0080 to \u009f (\u009b is a CSI);
 * - bidi formatting characters: U+061C, U+200E, U+200F, U+202A to U+202E,
 *   U+2066 to U+2069, as \uNNNN (\u202e);
 * - a byte that is not well-formed UTF-8: \xNN (always 80 to ff, so it is
 *   never mistaken for a control, which is below 80).
 *
 * JSON, YAML, SARIF and env outputs do not use this: they are exact.
 */
#ifndef FERNCON_TERMSAFE_H
#define FERNCON_TERMSAFE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Flags of termsafe_add() and termsafe_cell().
 *
 * TERMSAFE_QUOTE: git's style for a field of a table or a list: a field
 * that needs no escape is written as it is (a backslash or a double quote
 * in it included); one that needs any is written in double quotes, C
 * style, with \\ and \" escaped as well, so that the quoted form reads
 * back to the stored bytes without doubt. Without the flag (messages,
 * where a field is one part of a sentence) only the escapes are written
 * and a backslash stays as it is.
 */
#define TERMSAFE_QUOTE	(1 << 0)

/*
 * 1 if code point cp is written as an escape: a C0 control, DEL, a C1
 * control or a bidi formatting character (the list above). The console
 * draws these as '?' (ui/draw.c) with the same rule.
 */
int termsafe_unsafe(uint32_t cp);

/*
 * The columns that code point cp (not unsafe) takes on a terminal: 0 for
 * a combining mark or a zero-width character, 2 for an East Asian wide
 * or full-width one, else 1; as glibc's wcwidth() says in the C.UTF-8
 * locale (held for this module alone: the program's locale is not
 * touched), or a small table of the common ranges where that locale is
 * missing. A code point wcwidth() has no width for counts 1. Thread-safe.
 */
int termsafe_width(uint32_t cp);

/* 1 if s (len bytes) has anything that termsafe_add() escapes. */
int termsafe_needed(const char *s, size_t len);

/*
 * Append s (len bytes; NULL is taken as "") to out made safe, with flags
 * (TERMSAFE_*). Out of memory marks out as failed (buf_check()).
 */
void termsafe_add(struct buf *out, const char *s, size_t len, int flags);

/*
 * Append s as one table cell exactly width columns wide (width >= 1):
 * made safe as termsafe_add() does, then padded with spaces; a field
 * wider than the cell is cut and ends in '~', which takes the last column.
 * The cut falls between whole characters and whole escapes, never inside
 * a UTF-8 sequence or an escape; a wide character that would straddle the
 * edge goes and its column is padded. Returns width.
 */
int termsafe_cell(struct buf *out, const char *s, size_t len, int width,
    int flags);

/* The columns that termsafe_add() of s with flags would take. */
size_t termsafe_columns(const char *s, size_t len, int flags);

#endif
